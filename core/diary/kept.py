"""The kept rows as plain arrays: summaries read them directly, the frame is built on demand.

A clinic panel summarises hundreds of diaries and never looks at their rows, so the
pandas episodes frame (and the duplicate check, which needs it) is built only when a
page, an export or a chart asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from core.analytics import Rows
from core.diary.duplicates import duplicate_of
from core.diary.vocab import SIDE_ORDER, TIME_OF_DAY


@dataclass(frozen=True)
class KeptRows:
    """Each kept row's line and parsed fields; -1 (or NaN) where blank or unreadable.

    ``notes`` and ``supplement`` are the kept rows' text as pyarrow arrays (None when the
    file has no such column).
    """

    lines: npt.NDArray[np.int64]
    days: npt.NDArray[np.int64]
    minutes: npt.NDArray[np.int64]
    duration: npt.NDArray[np.float64]
    severity: npt.NDArray[np.float64]
    sides: npt.NDArray[np.int8]
    counts: npt.NDArray[np.int64]
    k2: npt.NDArray[np.bool_]
    time_of_day: npt.NDArray[np.int8]
    notes: Any | None
    supplement: Any | None

    def __len__(self) -> int:
        return len(self.lines)

    def rows(self) -> Rows:
        """The arrays the summary's aggregates read."""
        counts = np.where(self.counts < 0, np.nan, self.counts.astype(np.float64))
        return Rows(self.days, counts, self.severity, self.duration)

    def frame(self) -> pd.DataFrame:
        """The episodes frame (see ``DiaryTable``), repeats flagged."""
        minutes, counts = self.minutes, self.counts
        frame = pd.DataFrame(
            {
                "line": self.lines,
                "date": (self.days.astype(np.int64) * 86400).view("datetime64[s]"),
                "minute_of_day": pd.arrays.IntegerArray(
                    np.maximum(minutes, 0).astype(np.int16), minutes < 0
                ),
                "duration_min": self.duration,
                "severity": self.severity,
                "side": pd.Categorical.from_codes(
                    self.sides.astype(np.int8), categories=pd.Index(list(SIDE_ORDER))
                ),
                "count": pd.arrays.IntegerArray(np.maximum(counts, 0).astype(np.int32), counts < 0),
                "notes": _text_series(self.notes, len(self)),
                "supplement": _text_series(self.supplement, len(self)),
                "k2": self.k2,
            },
            copy=False,
        )
        frame["duplicate_of"] = duplicate_of(frame)
        if (self.time_of_day >= 0).any():
            frame["time_of_day"] = pd.Categorical.from_codes(
                self.time_of_day, categories=pd.Index(list(TIME_OF_DAY))
            )
        return frame


def _text_series(arr: Any | None, size: int) -> pd.Series:
    """A text column as a pandas (Arrow-backed) string Series; blanks when absent."""
    if arr is None:
        return pd.Series(np.full(size, "", dtype=object), dtype="str")
    return pd.Series(arr.to_pandas(), dtype="str")
