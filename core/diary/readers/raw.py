"""What every reader returns: the file's cells as text columns, each record's line, problems."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from core.diary.mapping import matches_field, norm
from core.diary.model import ROW_COLUMN, FileFormat

UPLOAD_CAP_BYTES: Final = 20 * 1024 * 1024
"""The page's upload cap (``server.maxUploadSize`` = 20 MB in .streamlit/config.toml)."""

MAX_COLUMNS: Final = 1000
"""More columns than this is not a diary; refusing keeps a very wide file linear and small."""


class Problem(NamedTuple):
    """A problem found while reading a record: its line, column, value and message."""

    line: int
    column: str
    value: str
    message: str


@dataclass
class RawTable:
    """A file's records as text: ``table`` has string columns c0..cN named ``names``."""

    fmt: FileFormat
    names: list[str]
    table: Any  # pa.Table
    lines: npt.NDArray[np.int64]
    problems: list[Problem]
    header_line: int = 1
    encoding: str | None = None
    delimiter: str | None = None


def display_names(fields: Sequence[str]) -> list[str]:
    """Header cells as shown to the user; empty cells become 'column N'."""
    return [f.strip() or f"column {i + 1}" for i, f in enumerate(fields)]


def find_header(rows: Sequence[Sequence[str]]) -> int:
    """Index of the header row: the first with a date-like name, else the first non-empty."""
    first = -1
    for i, row in enumerate(rows[:20]):
        cells = [c for c in row if c and c.strip()]
        if not cells:
            continue
        if first < 0:
            first = i
        if any(matches_field(norm(c), "date") for c in cells):
            return i
    return max(first, 0)


def fit_fields(fields: list[str], ncols: int, line: int, problems: list[Problem]) -> list[str]:
    """Pad a short record; drop extra values, reporting any that are not empty."""
    if len(fields) > ncols:
        extra = [f for f in fields[ncols:] if f.strip()]
        if extra:
            problems.append(
                Problem(
                    line,
                    ROW_COLUMN,
                    ", ".join(extra),
                    f"{len(fields)} values but the header has {ncols} columns; "
                    "extra values ignored",
                )
            )
        return fields[:ncols]
    return fields + [""] * (ncols - len(fields))


def text_table(rows: Sequence[Sequence[str]], ncols: int) -> Any:
    """Rows of equal length as a pyarrow table of string columns c0..cN."""
    return pa.table({f"c{i}": pa.array([r[i] for r in rows], pa.string()) for i in range(ncols)})


def cell_text(value: object) -> str:
    """A spreadsheet or JSON value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
