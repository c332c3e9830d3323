"""Every bad value, as one frame in file order: line, column (as in the file), value, message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from core.diary.model import DiaryTable
from core.diary.readers.raw import Problem

MAX_VALUE_CHARS = 120


class ProblemLog:
    """Collects bad values per field while a table is built; ``frame()`` sorts them."""

    def __init__(
        self,
        columns: Sequence[Any],
        names: Sequence[str],
        lines: npt.NDArray[np.int64],
        considered: npt.NDArray[np.bool_],
        reader_problems: Iterable[Problem],
    ) -> None:
        self._columns = columns
        self._names = names
        self._lines = lines
        self._considered = considered
        problems = list(reader_problems)
        self._parts: list[pd.DataFrame] = [_reader_frame(problems)] if problems else []

    def report(self, mask: npt.NDArray[np.bool_], index: int, message: str) -> None:
        """Report the values of column ``index`` under ``mask`` (considered rows only)."""
        mask = mask & self._considered
        if not mask.any():
            return
        values = pd.Series(self._columns[index].filter(pa.array(mask)).to_pandas(), dtype="str")
        self._parts.append(
            pd.DataFrame(
                {
                    "row": self._lines[mask],
                    "column": self._names[index],
                    "value": values.str.strip().to_numpy(dtype=object),
                    "message": message,
                    "_pos": index,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        """All bad values in file order: row, column, value, message."""
        return errors_frame(self._parts)


def _reader_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": [p.line for p in problems],
            "column": [p.column for p in problems],
            "value": [p.value for p in problems],
            "message": [p.message for p in problems],
            "_pos": [-1] * len(problems),
        }
    )


_NO_ERRORS: Final = pd.DataFrame(
    {
        "row": pd.Series([], dtype="int64"),
        "column": pd.Series([], dtype="str"),
        "value": pd.Series([], dtype="str"),
        "message": pd.Series([], dtype="str"),
    }
)


def errors_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate problem frames, sorted by line then column position."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return _NO_ERRORS.copy()  # a copy of one empty frame: building one costs more
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["row", "_pos"], kind="stable").drop(columns="_pos")
    frame["value"] = frame["value"].astype("str").str.slice(0, MAX_VALUE_CHARS)
    frame["message"] = frame["message"].astype("str")
    frame["column"] = frame["column"].astype("str")
    frame["row"] = frame["row"].astype("int64")
    return frame.reset_index(drop=True)


def readable_errors(table: DiaryTable) -> pd.DataFrame:
    """The errors as shown to a user: line, column, value, what is wrong."""
    return table.errors.rename(
        columns={"row": "line", "column": "column", "value": "value", "message": "problem"}
    )
