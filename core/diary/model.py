"""What a read diary is: the DiaryTable, its literal types, and the errors a reader raises."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Final, Literal

import pandas as pd

from core.diary.vocab import SIDE_ORDER as SIDE_ORDER
from core.errors import InputError
from core.models import RowError

if TYPE_CHECKING:
    from core.diary.kept import KeptRows

DateOrder = Literal["auto", "ymd", "mdy", "dmy"]
FileFormat = Literal["csv", "xlsx", "json"]
Shape = Literal["episodes", "nightly", "tracker"]
SeverityKind = Literal["numeric", "words", "none"]

SUPPORTED_TYPES: Final = ("csv", "tsv", "txt", "xlsx", "json")
"""File extensions the page's uploader accepts."""

MAX_ERRORS_IN_SUMMARY: Final = 100

ROW_COLUMN: Final = "(row)"
"""The ``column`` of an error about a whole row (e.g. too many values)."""


def with_value(message: str, value: str) -> str:
    """The reason, then the offending value (shortened) when there is one."""
    if not value.strip():
        return message
    shown = value if len(value) <= 40 else value[:37] + "..."
    return f"{message} (found {shown!r})"


class MissingColumnsError(InputError):
    """No date column could be inferred: the page asks for a mapping, the CLI exits 2.

    ``found`` lists the columns in the file; ``missing`` the needed fields not found.
    """

    def __init__(
        self, message: str, *, where: str | None, found: Sequence[str], missing: Sequence[str]
    ) -> None:
        super().__init__(message, where=where)
        self.found = tuple(found)
        self.missing = tuple(missing)


class AmbiguousDatesError(InputError):
    """Every day and month is 12 or less: the page asks for the order, the CLI exits 2.

    ``examples`` are up to three dates from the file that read differently either way.
    """

    def __init__(self, *, where: str | None, examples: Sequence[str], cli: bool = False) -> None:
        self.examples = tuple(examples)
        shown = ", ".join(repr(e) for e in self.examples) or "the dates"
        how = (
            "pass --date-order dmy (day first) or --date-order mdy (month first)"
            if cli
            else "choose day-first or month-first"
        )
        super().__init__(
            f"the dates are ambiguous: every day and month is 12 or less (e.g. {shown}), "
            f"so they could be day-first or month-first; {how}",
            where=where,
        )

    def for_cli(self) -> AmbiguousDatesError:
        """The same refusal, naming the command-line option to pass."""
        return AmbiguousDatesError(where=self.where, examples=self.examples, cli=True)


@dataclass(frozen=True)
class DiaryTable:
    """A diary file read and validated: the cleaned rows and everything set aside.

    ``episodes`` has one row per cramp episode (``count`` = 1) or per night (``count`` =
    cramps that night, NA when unreadable) with columns: line, date (datetime64, the date
    as recorded), minute_of_day (Int16, minutes after midnight), duration_min (float),
    severity (float, on the recorded scale, see ``severity_kind``), side (left, right,
    both or NA), count (Int32), notes, supplement (text as in the file), k2 (bool: the
    supplement value indicates vitamin K2) and duplicate_of (Int64: line of the first
    identical row, NA if none); and time_of_day (morning, afternoon, evening, night or
    NA) when the file records a part of the day instead of a clock time. It is built from
    ``kept`` on first use: summaries read ``kept`` directly.
    """

    filename: str
    file_format: FileFormat
    shape: Shape
    columns: tuple[str, ...]
    mapping: Mapping[str, str]
    rows_read: int
    kept: KeptRows
    set_aside: pd.DataFrame
    errors: pd.DataFrame
    ignored: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmapped_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    date_order: str = "ymd"
    severity_kind: SeverityKind = "none"
    severity_scale: str = "not recorded"
    k2_start_from_file: dt.date | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal_comma: bool = False
    header_line: int = 1

    @cached_property
    def episodes(self) -> pd.DataFrame:
        """The kept rows as the episodes frame (built once, on first use)."""
        return self.kept.frame()

    def error_list(self, limit: int | None = MAX_ERRORS_IN_SUMMARY) -> list[RowError]:
        """The first ``limit`` bad values as contract ``RowError`` objects (all if None)."""
        if self.errors.empty:
            return []
        frame = self.errors if limit is None else self.errors.head(limit)
        return [
            RowError(row=int(r), column=str(c), message=with_value(str(m), str(v)))
            for r, c, v, m in zip(
                frame["row"], frame["column"], frame["value"], frame["message"], strict=True
            )
        ]

    @property
    def duplicates(self) -> pd.DataFrame:
        """Kept rows identical to an earlier row (flagged, still counted)."""
        return self.episodes[self.episodes["duplicate_of"].notna()]
