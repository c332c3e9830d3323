"""RawTable -> DiaryTable in named stages: rows, shape, fields, kept rows, what was set aside.

Validation works on whole columns (pyarrow compute and numpy), never row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]

from core.diary.kept import KeptRows
from core.diary.mapping import duration_clock, duration_in_seconds
from core.diary.model import (
    AmbiguousDatesError,
    DateOrder,
    DiaryTable,
    SeverityKind,
    Shape,
)
from core.diary.parsers.columns import empty, match
from core.diary.parsers.dates import DATE_MESSAGES, OK, TIME_IN_DATE_MESSAGE, parse_dates
from core.diary.parsers.numbers import parse_counts, parse_durations, parse_severity
from core.diary.parsers.times import parse_times
from core.diary.parsers.words import CRAMP_PATTERN, K2_PATTERN, k2_flags, parse_sides
from core.diary.problems import ProblemLog
from core.diary.readers.raw import RawTable
from core.errors import InputError

Mask = npt.NDArray[np.bool_]


@dataclass
class _Rows:
    """Stage 1: the records that hold anything, as text columns with their lines."""

    names: list[str]
    columns: list[Any]
    lines: npt.NDArray[np.int64]
    mapping: dict[str, int]

    def col(self, fld: str) -> Any | None:
        """The mapped column as in the file (parsers trim only what they must)."""
        return self.columns[self.mapping[fld]] if fld in self.mapping else None

    def header(self, fld: str) -> str:
        return self.names[self.mapping[fld]]


def _rows(raw: RawTable, mapping: dict[str, int], where: str) -> _Rows:
    """Drop records empty in every column (",,,," spreadsheet lines) unless a problem names them."""
    columns = [raw.table.column(f"c{i}") for i in range(len(raw.names))]
    lines = raw.lines
    nonempty = np.zeros(raw.table.num_rows, bool)
    for arr in columns:
        nonempty |= ~empty(arr)
    if raw.problems:
        nonempty |= np.isin(lines, np.asarray([p.line for p in raw.problems], np.int64))
    if not nonempty.all():
        keep = pa.array(nonempty)
        columns = [arr.filter(keep) for arr in columns]
        lines = lines[nonempty]
    if len(lines) == 0:
        raise InputError("the file has a header but no rows of data", where=where)
    return _Rows(raw.names, columns, lines, mapping)


@dataclass
class _Shape:
    """Stage 2: the file's shape and which rows are cramp rows (all but a tracker's others)."""

    shape: Shape
    considered: Mask
    tracker_k2: Mask


def _shape(rows: _Rows) -> _Shape:
    n = len(rows.lines)
    if "category" in rows.mapping and "detail" in rows.mapping:
        joined = pc.binary_join_element_wise(
            pc.utf8_trim_whitespace(rows.col("category")),
            pc.utf8_trim_whitespace(rows.col("detail")),
            " ",
        )
        cramps = match(joined, CRAMP_PATTERN)
        return _Shape("tracker", cramps, match(joined, K2_PATTERN) & ~cramps)
    return _Shape(
        "nightly" if "count" in rows.mapping else "episodes", np.ones(n, bool), np.zeros(n, bool)
    )


@dataclass
class _Fields:
    """Stage 3: every mapped field parsed (NaN/-1 where blank or bad), its problems logged."""

    minutes: npt.NDArray[np.int64]
    time_of_day: npt.NDArray[np.int8]
    duration: npt.NDArray[np.float64]
    severity: npt.NDArray[np.float64]
    sides: npt.NDArray[np.int8]
    counts: npt.NDArray[np.int64]
    k2: Mask
    severity_kind: SeverityKind = "none"
    severity_scale: str = "not recorded"


def _report_all(log: ProblemLog, rows: _Rows, fld: str, issues: Any) -> None:
    for mask, message in issues:
        log.report(mask, rows.mapping[fld], message)


def _fields(rows: _Rows, shape: _Shape, date_minutes: npt.NDArray[Any], log: ProblemLog) -> _Fields:
    n = len(rows.lines)
    out = _Fields(
        minutes=np.where(date_minutes >= 0, date_minutes, -1).astype(np.int64),
        time_of_day=np.full(n, -1, np.int8),
        duration=np.full(n, np.nan),
        severity=np.full(n, np.nan),
        sides=np.full(n, -1, np.int8),
        counts=np.ones(n, np.int64),
        k2=np.zeros(n, bool),
    )
    if (s := rows.col("time")) is not None:
        times = parse_times(s)
        _report_all(log, rows, "time", times.issues)
        out.minutes = np.where(times.values >= 0, times.values, out.minutes)
        out.time_of_day = times.info["time_of_day"]
    if (s := rows.col("duration")) is not None:
        header = rows.header("duration")
        dur = parse_durations(s, seconds=duration_in_seconds(header), clock=duration_clock(header))
        _report_all(log, rows, "duration", dur.issues)
        out.duration = dur.values
    if (s := rows.col("severity")) is not None:
        sev = parse_severity(s, rows.header("severity"))
        _report_all(log, rows, "severity", sev.issues)
        out.severity, out.severity_kind, out.severity_scale = (
            sev.values,
            sev.info["kind"],
            sev.info["scale"],
        )
        if shape.shape == "tracker" and out.severity_kind == "numeric":
            out.severity_scale = "tracker rating as exported (the file does not state the scale)"
    if (s := rows.col("side")) is not None:
        sides = parse_sides(s)
        _report_all(log, rows, "side", sides.issues)
        out.sides = sides.values
    if shape.shape == "nightly":
        counts = parse_counts(rows.col("count"))
        _report_all(log, rows, "count", counts.issues)
        out.counts = counts.values
    if (s := rows.col("supplement")) is not None:
        out.k2 = k2_flags(s, rows.header("supplement"))
    return out


def _kept(rows: _Rows, days: npt.NDArray[np.int64], fields: _Fields, usable: Mask) -> KeptRows:
    """Stage 4: the kept rows' fields (the episodes frame is built from them on demand)."""
    every = bool(usable.all())
    keep = None if every else pa.array(usable)

    def kept(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return values if every else values[usable]

    def text(fld: str) -> Any | None:
        arr = rows.col(fld)
        return arr if arr is None or keep is None else arr.filter(keep)

    return KeptRows(
        lines=kept(rows.lines),
        days=kept(days).astype(np.int64),
        minutes=kept(fields.minutes),
        duration=kept(fields.duration),
        severity=kept(fields.severity),
        sides=kept(fields.sides),
        counts=kept(fields.counts),
        k2=kept(fields.k2),
        time_of_day=kept(fields.time_of_day),
        notes=text("notes"),
        supplement=text("supplement"),
    )


_NO_ROWS: Final = pd.DataFrame({"line": np.zeros(0, np.int64)})
"""Copied for an empty set-aside or ignored frame: cheaper than building one each time."""


def original_rows(rows: _Rows, mask: Mask) -> pd.DataFrame:
    """The rows under ``mask`` exactly as in the file, with their line numbers."""
    if not mask.any():
        return _NO_ROWS.copy()
    keep = pa.array(mask)
    data: dict[str, Any] = {"line": rows.lines[mask]}
    for i, (name, arr) in enumerate(zip(rows.names, rows.columns, strict=True)):
        label = name if name not in data and name not in ("line", "reason") else f"{name} ({i + 1})"
        data[label] = pd.Series(arr.filter(keep).to_pandas(), dtype="str").to_numpy(object)
    return pd.DataFrame(data)


def _set_aside(rows: _Rows, status: npt.NDArray[np.int8], mask: Mask) -> pd.DataFrame:
    """Stage 5a: rows without a usable date, as in the file, with the reason."""
    frame = original_rows(rows, mask)
    if len(frame):
        reasons = np.asarray([DATE_MESSAGES.get(i, "") for i in range(6)], dtype=object)
        frame.insert(1, "reason", reasons[status[mask]])
    return frame


def _ignored(rows: _Rows, shape: _Shape) -> pd.DataFrame:
    """Stage 5b: a tracker's rows that are not cramps, as in the file, with the reason."""
    others = ~shape.considered
    if shape.shape != "tracker" or not others.any():
        return _NO_ROWS.copy()
    frame = original_rows(rows, others)
    why = np.where(
        shape.tracker_k2[others],
        "supplement entry (used to find the K2 start)",
        "not a cramp entry",
    )
    frame.insert(1, "reason", why.astype(object))
    return frame


def _decimal_comma(rows: _Rows, delimiter: str | None) -> bool:
    if delimiter in (None, ","):
        return False
    return any(
        fld in rows.mapping and bool(match(rows.col(fld), r"^\s*\d+,\d+").any())
        for fld in ("duration", "severity")
    )


def _k2_start(days: npt.NDArray[np.int64], mask: Mask) -> dt.date | None:
    found = days[mask]
    if not found.size:
        return None
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(found.min()))


def build(raw: RawTable, mapping: dict[str, int], order: DateOrder, where: str) -> DiaryTable:
    """Parse every mapped column, set aside undated rows, flag duplicates.

    Raises ``AmbiguousDatesError`` when the day/month order cannot be told from the file.
    """
    rows = _rows(raw, mapping, where)
    shape = _shape(rows)
    dates = parse_dates(rows.col("date"), order)  # all rows: more evidence for the order
    if dates.info["order"] == "ambiguous":
        raise AmbiguousDatesError(where=where, examples=dates.info["examples"])
    status = dates.info["status"]
    log = ProblemLog(rows.columns, rows.names, rows.lines, shape.considered, raw.problems)
    _report_all(log, rows, "date", dates.issues)
    usable = (status == OK) & shape.considered
    log.report((dates.info["minutes"] == -2) & usable, mapping["date"], TIME_IN_DATE_MESSAGE)
    fields = _fields(rows, shape, dates.info["minutes"], log)
    used = set(mapping.values())
    return DiaryTable(
        filename=where,
        file_format=raw.fmt,
        shape=shape.shape,
        columns=tuple(rows.names),
        mapping={f: rows.names[i] for f, i in mapping.items()},
        rows_read=len(rows.lines),
        kept=_kept(rows, dates.values, fields, usable),
        set_aside=_set_aside(rows, status, shape.considered & ~usable),
        errors=log.frame(),
        ignored=_ignored(rows, shape),
        unmapped_columns=tuple(nm for i, nm in enumerate(rows.names) if i not in used),
        missing_columns=_missing(mapping),
        date_order=dates.info["order"],
        severity_kind=fields.severity_kind,
        severity_scale=fields.severity_scale,
        k2_start_from_file=_k2_start(
            dates.values, (usable & fields.k2) | (shape.tracker_k2 & (status == OK))
        ),
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        decimal_comma=_decimal_comma(rows, raw.delimiter),
        header_line=raw.header_line,
    )


def _missing(mapping: dict[str, int]) -> tuple[str, ...]:
    fields: Sequence[str] = ("time", "duration", "severity", "side", "supplement")
    return tuple(f for f in fields if f not in mapping)
