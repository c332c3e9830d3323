"""Reading and validating cramp-diary exports (issue #4), vectorised.

A clinician uploads whatever the patient's app or spreadsheet exported: CSV/TSV/TXT (comma,
semicolon or tab; UTF-8 with or without BOM, UTF-16 with BOM, Latin-1/cp1252 fallback;
decimal commas), XLSX, or JSON (a list of records). Three shapes are read: one row per
cramp episode, one row per night with a count, and the long export of symptom trackers
(date, category, rating/amount, detail, notes), reduced to its cramp rows.

Validation works on whole columns (pyarrow compute and numpy), never row by row with
pydantic. Every bad value is reported with its line in the file (header = line 1 when the
header is the first line; XLSX: the spreadsheet row; JSON: the line where the record
starts), its column as named in the file, and the reason. Rows without a usable date are set
aside with their original values; every other row is kept, and identical rows are flagged,
not dropped.

Severity is kept on the scale it was recorded on, never rescaled: numbers 0-10 (or 1-10)
as written, ``/10`` suffixes removed; words are mapped to an ordinal 1-3 (mild = 1,
moderate = 2, severe = 3), which is not comparable with the numeric scales.

This module must stay cheap to import: no altair, no streamlit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]

from core import analytics
from core.errors import InputError
from core.models import DiarySummary, RowError

DateOrder = Literal["auto", "ymd", "mdy", "dmy"]
FileFormat = Literal["csv", "xlsx", "json"]
Shape = Literal["episodes", "nightly", "tracker"]
SeverityKind = Literal["numeric", "words", "none"]

SUPPORTED_TYPES: Final = ("csv", "tsv", "txt", "xlsx", "json")
"""File extensions the page's uploader accepts."""

MAX_ERRORS_IN_SUMMARY: Final = 100

ROW_COLUMN: Final = "(row)"
"""The ``column`` of an error about a whole row (e.g. too many values)."""

# --------------------------------------------------------------------------------------
# Column names and aliases. Names are compared after normalisation: accents stripped,
# lower case, every run of other characters collapsed to one space ("Duration (min)" ->
# "duration min").


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split("|"))


FIELDS: Final = _names("date|time|duration|severity|side|count|notes|supplement|category|detail")
"""Diary fields a file column can be mapped to (``column_map`` keys)."""

FIELD_LABELS: Final[Mapping[str, str]] = {
    "date": "Date (or date and time) of the cramp or night",
    "time": "Time of the cramp",
    "duration": "Duration (minutes, or seconds if the column says so)",
    "severity": "Severity / pain / intensity",
    "side": "Leg or side (left, right, both)",
    "count": "Cramps that night (nightly diaries)",
    "notes": "Notes",
    "supplement": "Supplement taken (to find the K2 start)",
    "category": "Category (symptom-tracker exports)",
    "detail": "Detail / item (symptom-tracker exports)",
}


_ALIASES: Final[Mapping[str, tuple[str, ...]]] = {
    "date": _names(
        "date|datetime|date time|date and time|timestamp|time stamp|night|night of|"
        "date of night|day|start|start date|date formatted|entry date|logged at|recorded at|"
        "created at|datum|fecha"
    ),
    "time": _names(
        "time|start time|time of day|time of cramp|clock|onset|onset time|uhrzeit|zeit|heure|tijd"
    ),
    "duration": _names(
        "duration|duration min|duration mins|duration minutes|duration m|minutes|mins|min|"
        "length|how long|duration s|duration sec|duration secs|duration seconds|seconds|"
        "secs|dauer|duree|duur"
    ),
    "severity": _names(
        "severity|pain|intensity|pain level|pain score|severity score|severity level|score|"
        "strength|rating|schmerz|intensitat|intensite"
    ),
    "side": _names("side|leg|legs|which leg|which side|limb|bein|seite|jambe|cote"),
    "count": _names(
        "count|cramps|cramp count|number of cramps|no of cramps|n cramps|cramps per night|"
        "cramps that night|episodes|number|anzahl|krampfe"
    ),
    "notes": _names(
        "notes|note|comment|comments|remarks|remark|description|memo|notizen|notiz|bemerkung"
    ),
    "supplement": _names(
        "supplement|supplements|supplement taken|supplements taken|k2|vitamin k2|vit k2|mk7|"
        "mk 7|took k2|k2 taken|medication|medications|meds"
    ),
    "category": _names("category|type|item type|group|kategorie"),
    "detail": _names("detail|details|item|name|symptom|entry|what"),
}
# Long tracker exports carry the rating in a shared column.
_TRACKER_VALUE_ALIASES: Final = ("rating amount", "rating", "amount", "value", "severity")
# A column whose normalised name starts with one of these words maps to the field
# when no exact alias matched ("Pain (0-10)" -> severity).
_PREFIX_WORDS: Final[Mapping[str, tuple[str, ...]]] = {
    "date": ("date", "datum"),
    "duration": ("duration", "dauer"),
    "severity": ("severity", "pain", "intensity"),
    "notes": ("notes", "comment", "comments"),
}

_CRAMP_PATTERN: Final = r"(?i)cramp|krampf|kramp|charley.?horse"
_K2_PATTERN: Final = r"(?i)(^|[^a-z0-9])(k2|k-2|vit\.? ?k2|mk-?7|mk 7|menaquinon)"
_K2_HEADER_WORDS: Final = frozenset({"k2", "mk7", "mk", "menaquinone"})
_YES_WORDS: Final = ("yes", "y", "true", "1", "x", "✓", "✔", "taken", "ja", "oui", "si")

_SIDE_WORDS: Final[Mapping[str, str]] = {
    **dict.fromkeys(("l", "left", "lt", "left leg", "links", "gauche", "izq"), "left"),
    **dict.fromkeys(("r", "right", "rt", "right leg", "rechts", "droite", "der"), "right"),
    **dict.fromkeys(
        _names(
            "b|both|both legs|bilateral|l+r|l/r|l&r|left and right|left+right|beide|les deux|lr"
        ),
        "both",
    ),
}
SIDE_ORDER: Final = ("left", "right", "both")

SEVERITY_WORDS: Final[Mapping[str, int]] = {
    **dict.fromkeys(("mild", "light", "low", "leicht", "leger", "legere", "licht"), 1),
    **dict.fromkeys(("moderate", "medium", "mod", "mittel", "modere", "moderee", "matig"), 2),
    **dict.fromkeys(
        ("severe", "strong", "high", "intense", "stark", "schwer", "ernstig", "hevig"),
        3,
    ),
}
"""Severity words and the ordinal each maps to (mild 1, moderate 2, severe 3)."""

_MONTHS: Final[Mapping[str, int]] = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}

# Regular expressions (RE2 syntax, run by pyarrow on whole columns).
_TIME_TAIL: Final = (
    r"(?:(?:T|,?\s+)(?P<H>\d{1,2})[:.](?P<M>\d{2})(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?P<ap>[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?\s*$"
)
_RE_YMD: Final = r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME_TAIL
_RE_NUM: Final = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2})" + _TIME_TAIL
_WEEKDAY_PREFIX: Final = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_RE_TEXT_DMY: Final = (
    r"(?i)^"
    + _WEEKDAY_PREFIX
    + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?P<mon>[a-z]{3,9})\.?,?\s+(?P<y>\d{4})"
    + _TIME_TAIL
)
_RE_TEXT_MDY: Final = (
    r"(?i)^"
    + _WEEKDAY_PREFIX
    + r"(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})"
    + _TIME_TAIL
)
_RE_TIME: Final = (
    r"(?i)^(?:\d{4}-\d{2}-\d{2}[T ])?(?P<H>\d{1,2})(?:[:.h](?P<M>\d{2})(?::\d{2}(?:[.,]\d+)?)?)?"
    r"\s*(?P<ap>[ap]\.?m\.?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)
_RE_DURATION: Final = (
    r"(?i)^(?:(?P<v>\d+(?:[.,]\d+)?|[.,]\d+)\s*"
    r"(?P<u>minutes|minute|mins|min|m|seconds|second|secs|sec|sek|s|hours|hour|hrs|hr|h|std)?\.?"
    r"|(?P<mm>\d{1,3}):(?P<ss>\d{2}))$"
)
_RE_SEVERITY: Final = r"^(?P<v>\d+(?:[.,]\d+)?)\s*(?:/\s*10)?$"
_RE_COUNT: Final = r"^\d{1,6}(?:\.0+)?$"

_BINARY_MAGIC: Final = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\xd0\xcf\x11\xe0",  # legacy .xls / .doc
    b"\x1f\x8b",
    b"MZ",
    b"\x7fELF",
)

# --------------------------------------------------------------------------------------
# Public types


def _with_value(message: str, value: str) -> str:
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


@dataclass(frozen=True)
class DiaryTable:
    """A diary file read and validated: the cleaned rows and everything set aside.

    ``episodes`` has one row per cramp episode (``count`` = 1) or per night (``count`` =
    cramps that night, NA when unreadable) with columns: line, date (datetime64, the date
    as recorded), minute_of_day (Int16, minutes after midnight), duration_min (float),
    severity (float, on the recorded scale, see ``severity_kind``), side (left, right,
    both or NA), count (Int32), notes, supplement (text as in the file), k2 (bool: the
    supplement value indicates vitamin K2) and duplicate_of (Int64: line of the first
    identical row, NA if none).
    """

    filename: str
    file_format: FileFormat
    shape: Shape
    columns: tuple[str, ...]
    mapping: Mapping[str, str]
    rows_read: int
    episodes: pd.DataFrame
    set_aside: pd.DataFrame
    errors: pd.DataFrame
    ignored: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmapped_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    ambiguous_dates: bool = False
    date_order: str = "ymd"
    date_examples: tuple[str, ...] = ()
    severity_kind: SeverityKind = "none"
    severity_scale: str = "not recorded"
    k2_start_from_file: dt.date | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal_comma: bool = False
    header_line: int = 1

    def error_list(self, limit: int | None = MAX_ERRORS_IN_SUMMARY) -> list[RowError]:
        """The first ``limit`` bad values as contract ``RowError`` objects (all if None)."""
        frame = self.errors if limit is None else self.errors.head(limit)
        return [
            RowError(row=int(r), column=str(c), message=_with_value(str(m), str(v)))
            for r, c, v, m in zip(
                frame["row"], frame["column"], frame["value"], frame["message"], strict=True
            )
        ]

    @property
    def duplicates(self) -> pd.DataFrame:
        """Kept rows identical to an earlier row (flagged, still counted)."""
        return self.episodes[self.episodes["duplicate_of"].notna()]

    @property
    def needs_date_order(self) -> bool:
        """True when the user must say whether dates are day-first or month-first."""
        return self.ambiguous_dates


# --------------------------------------------------------------------------------------
# Entry points


def read_diary(
    data: bytes,
    filename: str,
    *,
    date_order: DateOrder = "auto",
    column_map: Mapping[str, str] | None = None,
) -> DiaryTable:
    """Read and validate a diary export held in memory (never written to disk).

    ``column_map`` maps diary fields (see ``FIELDS``) to column names as in the file and
    overrides the inferred mapping; an empty name unmaps a field. Raises ``InputError``
    for an empty, binary or malformed file and ``MissingColumnsError`` (an InputError)
    when no date column can be found.
    """
    where = filename or "upload"
    raw = _load(data, where)
    del data  # let a large upload be freed while the columns are parsed
    mapping = _infer_mapping(raw.names, column_map, where)
    return _build(raw, mapping, date_order, where)


def summarize(
    table: DiaryTable,
    k2_start: dt.date | None = None,
    *,
    exclude_duplicates: bool = False,
    start_from_file: bool = True,
) -> DiarySummary:
    """The contract's DiarySummary for a read diary.

    ``k2_start`` falls back to the first date the supplement column (or a tracker's
    supplement entry) shows vitamin K2, unless ``start_from_file`` is False (the page,
    where the user may have cleared that date). Raises ``InputError`` while the date
    order is still ambiguous.
    """
    if table.ambiguous_dates:
        raise InputError(_ambiguous_message(table), where=table.filename)
    frame = table.episodes
    if exclude_duplicates:
        frame = frame[frame["duplicate_of"].isna()]
    start = k2_start if k2_start is not None or not start_from_file else table.k2_start_from_file
    counts = frame["count"].to_numpy(dtype="float64", na_value=np.nan)
    span = analytics.observed_span(frame)
    weekly = analytics.weekly_series(frame)
    comparison = analytics.compare_k2(frame, start) if start is not None else None
    return DiarySummary(
        rows_read=table.rows_read,
        episodes=int(np.nansum(counts)) if len(counts) else 0,
        rows_rejected=len(table.set_aside),
        errors=table.error_list(MAX_ERRORS_IN_SUMMARY),
        first_date=span[0].isoformat() if span else None,
        last_date=span[1].isoformat() if span else None,
        weekly=analytics.weekly_points(weekly),
        episodes_per_week=analytics.episodes_per_week(frame),
        k2_comparison=comparison.to_model() if comparison is not None else None,
    )


def summarize_path(
    path: Path,
    k2_start: dt.date | None = None,
    date_order: DateOrder = "auto",
) -> DiarySummary:
    """Read, validate and summarise a diary file for the command line.

    Refuses (InputError) an unreadable file, a file with no date column, a file whose
    dates are ambiguous (naming the ``--date-order`` option to pass) and a file in which
    no row has a usable date.
    """
    where = str(path)
    try:
        holder = [path.read_bytes()]
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", where=where) from None
    # pop() hands the only reference to read_diary, which frees it after parsing.
    table = read_diary(holder.pop(), where, date_order=date_order)
    if table.ambiguous_dates:
        raise InputError(_ambiguous_message(table, cli=True), where=where)
    if table.episodes.empty:
        first = table.error_list(3)
        detail = "; ".join(f"line {e.row}, column {e.column!r}: {e.message}" for e in first)
        raise InputError(
            "no row has a usable date" + (f" ({detail})" if detail else ""), where=where
        )
    return summarize(table, k2_start)


def cleaned_frame(table: DiaryTable) -> pd.DataFrame:
    """The kept rows in a readable, exportable form (ISO dates, HH:MM times)."""
    ep = table.episodes
    minutes = ep["minute_of_day"]
    time = (
        (minutes // 60).astype("string").str.zfill(2)
        + ":"
        + (minutes % 60).astype("string").str.zfill(2)
    )
    return pd.DataFrame(
        {
            "line": ep["line"],
            "date": ep["date"].dt.strftime("%Y-%m-%d"),
            "time": time,
            "duration_min": ep["duration_min"],
            "severity": ep["severity"],
            "side": ep["side"],
            "count": ep["count"],
            "notes": ep["notes"],
            "supplement": ep["supplement"],
            "k2": ep["k2"],
            "duplicate_of": ep["duplicate_of"],
        }
    )


_FORMULA_START: Final = r"^([=+\-@\t\r])"


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes (UTF-8 with BOM for spreadsheets) safe against formula injection.

    Text cells that start with = + - @ tab or CR get a leading apostrophe, so a
    spreadsheet shows them as text instead of running them (OWASP CSV injection).
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if pd.api.types.is_string_dtype(col) or col.dtype == object:
            text = col.astype("string")
            out[name] = text.str.replace(_FORMULA_START, r"'\1", regex=True)
    out.columns = pd.Index([_safe_cell(str(c)) for c in out.columns])
    return out.to_csv(index=False).encode("utf-8-sig")


def _safe_cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --------------------------------------------------------------------------------------
# Loading: bytes -> _Raw (every column as text, with the line each record starts on)


@dataclass
class _Raw:
    fmt: FileFormat
    names: list[str]
    table: Any  # pa.Table of string columns named c0..cN
    lines: npt.NDArray[np.int64]
    problems: list[tuple[int, str, str, str]]  # line, column, value, message
    header_line: int = 1
    encoding: str | None = None
    delimiter: str | None = None


_WS: Final = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"


def _load(data: bytes, where: str) -> _Raw:
    """Dispatch on content (not just the extension) and refuse unreadable files."""
    if not data or (not data[:65536].strip(_WS) and not data.strip(_WS)):
        raise InputError("the file is empty", where=where)
    ext = where.rsplit(".", 1)[-1].lower() if "." in where else ""
    if data[:4] == b"PK\x03\x04":
        return _load_xlsx(data, where)
    if ext == "xlsx":
        raise InputError("this is not a valid .xlsx workbook", where=where)
    if ext == "xls" or data[:4] == b"\xd0\xcf\x11\xe0":
        raise InputError(
            "old binary Excel (.xls) files are not read; save it as .xlsx or CSV", where=where
        )
    body, encoding = _to_utf8(data, where)
    first = body[:64].lstrip()[:1]
    if ext == "json" or (first in (b"[", b"{") and ext not in ("csv", "tsv", "txt")):
        return _load_json(body.decode("utf-8"), where)
    return _load_delimited(body, encoding, where)


def _to_utf8(data: bytes, where: str) -> tuple[bytes, str]:
    """UTF-8 bytes and the encoding read: UTF-16/UTF-8 BOMs, UTF-8, then cp1252/Latin-1.

    Binary content (NUL bytes, known magic numbers, many control characters) is refused.
    Line endings are normalised to LF so line numbers match what an editor shows.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("the file is not readable text (bad UTF-16)", where=where) from None
        if "\x00" in text:
            raise InputError("this is a binary file, not a diary export", where=where)
        data, encoding = text.encode("utf-8"), "utf-16"
    else:
        if any(data.startswith(m) for m in _BINARY_MAGIC) or b"\x00" in data:
            raise InputError(
                "this is a binary file, not a diary export; upload CSV, TSV, TXT, XLSX or JSON",
                where=where,
            )
        head = data[:8192]
        controls = sum(head.count(bytes([b])) for b in (*range(1, 9), 11, 12, *range(14, 27)))
        if controls > max(8, len(head) // 20):
            raise InputError(
                "this looks like a binary file, not a diary export; "
                "upload CSV, TSV, TXT, XLSX or JSON",
                where=where,
            )
        encoding = "utf-8"
        if data.startswith(b"\xef\xbb\xbf"):
            data, encoding = data[3:], "utf-8-sig"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                encoding = "cp1252"
            except UnicodeDecodeError:
                text = data.decode("latin-1")
                encoding = "latin-1"
            data = text.encode("utf-8")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data, encoding


def _display_names(fields: Sequence[str]) -> list[str]:
    """Header cells as shown to the user; empty cells become 'column N'."""
    return [f.strip() or f"column {i + 1}" for i, f in enumerate(fields)]


def _find_header(rows: Sequence[Sequence[str]]) -> int:
    """Index of the header row: the first with a date-like name, else the first non-empty."""
    first = -1
    for i, row in enumerate(rows[:20]):
        cells = [c for c in row if c and c.strip()]
        if not cells:
            continue
        if first < 0:
            first = i
        if any(_matches_field(_norm(c), "date") for c in cells):
            return i
    return max(first, 0)


def _sniff(sample: str) -> tuple[str, int, list[str]]:
    """Delimiter, header line index (0-based physical line) and header fields.

    Each candidate delimiter is scored by whether its header names a date column, how
    many of the following lines have as many fields as the header, and field count.
    """
    lines = sample.split("\n")[:60]
    best: tuple[tuple[int, int, int], str, int, list[str]] | None = None
    for delim in (",", ";", "\t", "|"):
        rows = [_split_line(line, delim) for line in lines]
        h = _find_header(rows)
        header = rows[h] if rows else [""]
        ncols = len(header)
        after = [r for r in rows[h + 1 : h + 41] if any(c.strip() for c in r)]
        consistent = sum(1 for r in after if len(r) == ncols)
        has_date = int(any(_matches_field(_norm(c), "date") for c in header))
        score = (has_date, consistent if ncols > 1 else -1, ncols)
        if best is None or score > best[0]:
            best = (score, delim, h, header)
    assert best is not None
    return best[1], best[2], best[3]


def _split_line(line: str, delim: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delim), [""])
    except csv.Error:
        return line.split(delim)


def _load_delimited(data: bytes, encoding: str, where: str) -> _Raw:
    """CSV/TSV/TXT: pyarrow parses the text, numpy maps each record to its line."""
    sample = data[:65536].decode("utf-8", "ignore")
    delim, header_idx, header = _sniff(sample)
    names = _display_names(header)
    ncols = len(names)
    offset = 0
    for _ in range(header_idx + 1):
        nl = data.find(b"\n", offset)
        offset = len(data) if nl < 0 else nl + 1
    header_line = header_idx + 1
    scan = _Scan(data, offset, ord(delim), header_line + 1)
    if scan.count == 0:
        raise InputError("the file has a header but no rows of data", where=where)
    internal = [f"c{i}" for i in range(ncols)]
    parsed = _parse_with_arrow(scan.body, delim, internal, scan.quoted_newline)
    if parsed is not None:
        table, skipped = parsed
        if not skipped and table.num_rows == scan.count:
            return _Raw("csv", names, table, scan.lines, [], header_line, encoding, delim)
        if skipped:
            counts = scan.field_counts()
            valid = counts == ncols
            if table.num_rows == int(valid.sum()):
                problems: list[tuple[int, str, str, str]] = []
                starts, ends = scan.offsets()
                extra_rows: list[list[str]] = []
                extra_lines: list[int] = []
                for k in np.flatnonzero(~valid):
                    chunk = bytes(scan.body[starts[k] : ends[k]]).decode("utf-8", "replace")
                    line = int(scan.lines[k])
                    extra_rows.append(
                        _fit_fields(_split_record(chunk, delim), ncols, line, problems)
                    )
                    extra_lines.append(line)
                table, lines = _append_rows(
                    table, scan.lines[valid], internal, extra_rows, extra_lines
                )
                return _Raw("csv", names, table, lines, problems, header_line, encoding, delim)
    return _load_delimited_python(scan.body, delim, names, header_line, encoding, where)


class _Scan:
    """Where each non-empty record of a CSV body starts, computed lazily with numpy.

    Quotes are tracked by parity (RFC 4180: a doubled quote keeps the parity): a newline
    or delimiter with an odd number of quotes before it is inside a quoted value. Empty
    lines are skipped, as pyarrow skips them, but still counted for line numbers.
    """

    def __init__(self, data: bytes, offset: int, delim: int, first_line: int) -> None:
        self.body = memoryview(data)[offset:]
        self.delim = delim
        self.first_line = first_line
        self.has_quote = data.find(b'"', offset) >= 0
        self._simple = not self.has_quote and data.find(b"\n\n", offset) < 0
        self._offsets: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
        self._newlines: npt.NDArray[np.int64] | None = None
        self._quotes: npt.NDArray[np.int64] | None = None
        self.quoted_newline = False
        size = len(self.body)
        if self._simple and size and data[offset : offset + 1] == b"\n":
            self._simple = False
        if self._simple:
            self.count = data.count(b"\n", offset) + (1 if size and data[-1:] != b"\n" else 0)
        else:
            self.count = int(self.offsets()[0].size)

    @property
    def lines(self) -> npt.NDArray[np.int64]:
        """Physical line (1-based) on which each record starts."""
        if self._simple:
            return self.first_line + np.arange(self.count, dtype=np.int64)
        starts, _ = self.offsets()
        assert self._newlines is not None
        return self.first_line + np.searchsorted(self._newlines, starts).astype(np.int64)

    def _outside_quotes(self, positions: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        if self._quotes is None:
            return np.ones(positions.size, bool)
        return np.asarray((np.searchsorted(self._quotes, positions) & 1) == 0, bool)

    def offsets(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Byte start and end of each non-empty record."""
        if self._offsets is None:
            arr = np.frombuffer(self.body, dtype=np.uint8)
            self._newlines = np.flatnonzero(arr == 10)
            real = self._newlines
            if self.has_quote:
                self._quotes = np.flatnonzero(arr == 34)
                outside = self._outside_quotes(real)
                self.quoted_newline = not bool(outside.all())
                real = real[outside]
            starts = np.concatenate((np.zeros(1, np.int64), real + 1))
            ends = np.concatenate((real, np.array([arr.size], np.int64)))
            keep = ends > starts
            self._offsets = (starts[keep].astype(np.int64), ends[keep].astype(np.int64))
        return self._offsets

    def field_counts(self) -> npt.NDArray[np.int64]:
        """Number of fields in each record (delimiters outside quotes + 1)."""
        starts, ends = self.offsets()
        arr = np.frombuffer(self.body, dtype=np.uint8)
        pos = np.flatnonzero(arr == self.delim)
        pos = pos[self._outside_quotes(pos)]
        return np.asarray(np.searchsorted(pos, ends) - np.searchsorted(pos, starts) + 1)


def _parse_with_arrow(
    body: memoryview, delim: str, internal: list[str], newlines_in_values: bool
) -> tuple[Any, int] | None:
    """Parse with pyarrow (all columns text); None when pyarrow cannot (fallback)."""
    skipped = 0

    def on_invalid(_row: Any) -> str:
        nonlocal skipped
        skipped += 1
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pacsv.ReadOptions(
                column_names=internal,
                block_size=1 << 20,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delim,
                newlines_in_values=newlines_in_values,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(internal, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    return table, skipped


def _split_record(chunk: str, delim: str) -> list[str]:
    try:
        rows = list(csv.reader(io.StringIO(chunk), delimiter=delim))
    except csv.Error:
        return chunk.split(delim)
    return [cell for row in rows for cell in row] if rows else [""]


def _fit_fields(
    fields: list[str], ncols: int, line: int, problems: list[tuple[int, str, str, str]]
) -> list[str]:
    """Pad a short record; drop extra values, reporting any that are not empty."""
    if len(fields) > ncols:
        extra = [f for f in fields[ncols:] if f.strip()]
        if extra:
            value = ", ".join(extra)
            problems.append(
                (
                    line,
                    ROW_COLUMN,
                    value,
                    f"{len(fields)} values but the header has {ncols} columns; "
                    "extra values ignored",
                )
            )
        return fields[:ncols]
    return fields + [""] * (ncols - len(fields))


def _append_rows(
    table: Any,
    lines: npt.NDArray[np.int64],
    internal: list[str],
    rows: list[list[str]],
    row_lines: list[int],
) -> tuple[Any, npt.NDArray[np.int64]]:
    """Add re-parsed records and restore file order."""
    extra = pa.table({name: [r[i] for r in rows] for i, name in enumerate(internal)})
    merged = pa.concat_tables([table, extra.cast(table.schema)])
    all_lines = np.concatenate((lines, np.asarray(row_lines, dtype=np.int64)))
    order = np.argsort(all_lines, kind="stable")
    return merged.take(pa.array(order)), all_lines[order]


def _load_delimited_python(
    body: memoryview, delim: str, names: list[str], header_line: int, encoding: str, where: str
) -> _Raw:
    """Slow but exact fallback (odd quoting): Python's csv module tracks line numbers."""
    text = bytes(body).decode("utf-8", "replace")
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    ncols = len(names)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[tuple[int, str, str, str]] = []
    prev = 0
    try:
        for fields in reader:
            start = header_line + prev + 1
            prev = reader.line_num
            if not fields:
                continue
            rows.append(_fit_fields(fields, ncols, start, problems))
            lines.append(start)
    except csv.Error as exc:
        raise InputError(
            f"cannot parse line {header_line + prev + 1}: {exc}", where=where
        ) from None
    if not rows:
        raise InputError("the file has a header but no rows of data", where=where)
    table = pa.table({f"c{i}": [r[i] for r in rows] for i in range(ncols)})
    return _Raw(
        "csv",
        names,
        table,
        np.asarray(lines, dtype=np.int64),
        problems,
        header_line,
        encoding,
        delim,
    )


def _cell_text(value: object) -> str:
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


def _load_xlsx(data: bytes, where: str) -> _Raw:
    """First worksheet with data, via openpyxl (read-only); lines are spreadsheet rows."""
    import zipfile

    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise InputError(f"this is not a readable .xlsx workbook ({exc})", where=where) from None
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        raise InputError(f"this is not a readable .xlsx workbook ({exc})", where=where) from None
    try:
        grid: list[list[str]] = []
        for ws in wb.worksheets:
            grid = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            if any(any(c.strip() for c in row) for row in grid):
                break
    finally:
        wb.close()
    if not any(any(c.strip() for c in row) for row in grid):
        raise InputError("the workbook is empty", where=where)
    h = _find_header(grid)
    header = grid[h]
    while header and not header[-1].strip():
        header = header[:-1]
    names = _display_names(header)
    ncols = len(names)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[tuple[int, str, str, str]] = []
    for i, row in enumerate(grid[h + 1 :], start=h + 2):
        if not any(c.strip() for c in row):
            continue
        rows.append(_fit_fields(list(row), ncols, i, problems))
        lines.append(i)
    if not rows:
        raise InputError("the sheet has a header but no rows of data", where=where)
    table = pa.table({f"c{i}": [r[i] for r in rows] for i in range(ncols)})
    return _Raw("xlsx", names, table, np.asarray(lines, np.int64), problems, h + 1)


def _load_json(text: str, where: str) -> _Raw:
    """A list of records, or an object holding one; lines are where each record starts."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            where=f"{where}, line {exc.lineno}",
        ) from None
    except RecursionError:
        raise InputError("malformed JSON: nested too deeply", where=where) from None
    except ValueError as exc:  # e.g. an integer too long to convert
        raise InputError(f"malformed JSON: {exc}", where=where) from None
    records: list[object]
    list_start = -1
    if isinstance(doc, list):
        records = doc
        list_start = text.find("[")
    elif isinstance(doc, dict):
        key = next(
            (
                k
                for k, v in doc.items()
                if isinstance(v, list) and v and all(isinstance(r, dict) for r in v[:10])
            ),
            None,
        )
        if key is None:
            raise InputError(
                "expected a JSON list of records (one object per cramp or night)", where=where
            )
        records = doc[key]
        found = re.search(re.escape(json.dumps(key)) + r"\s*:\s*\[", text)
        list_start = found.end() - 1 if found else -1
    else:
        raise InputError("expected a JSON list of records", where=where)
    if not records:
        raise InputError("the JSON list is empty", where=where)
    lines = _json_record_lines(text, list_start, len(records))
    names: list[str] = []
    seen: set[str] = set()
    for rec in records:
        if isinstance(rec, dict):
            for k in rec:
                if str(k) not in seen:
                    seen.add(str(k))
                    names.append(str(k))
    if not names:
        raise InputError("the JSON records have no fields", where=where)
    problems: list[tuple[int, str, str, str]] = []
    cols: list[list[str]] = [[] for _ in names]
    for rec, line in zip(records, lines, strict=True):
        if isinstance(rec, dict):
            for j, name in enumerate(names):
                cols[j].append(_cell_text(rec.get(name)))
        else:
            problems.append(
                (int(line), ROW_COLUMN, _cell_text(rec)[:80], "not a JSON object; set aside")
            )
            for col in cols:
                col.append("")
    table = pa.table({f"c{j}": col for j, col in enumerate(cols)})
    return _Raw("json", _display_names(names), table, lines, problems, 1)


def _json_record_lines(text: str, list_start: int, n: int) -> npt.NDArray[np.int64]:
    """Line on which each element of the JSON array at ``list_start`` begins."""
    fallback = np.arange(2, n + 2, dtype=np.int64)
    if list_start < 0 or text[list_start : list_start + 1] != "[":
        return fallback
    decoder = json.JSONDecoder()
    ws = re.compile(r"[\s,]*")
    pos = list_start + 1
    line = text.count("\n", 0, pos) + 1
    out = np.empty(n, dtype=np.int64)
    try:
        for i in range(n):
            nxt = ws.match(text, pos)
            start = nxt.end() if nxt else pos
            line += text.count("\n", pos, start)
            out[i] = line
            _, end = decoder.raw_decode(text, start)
            line += text.count("\n", start, end)
            pos = end
    except (json.JSONDecodeError, ValueError, IndexError):
        return fallback
    return out


# --------------------------------------------------------------------------------------
# Column mapping


def _norm(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _matches_field(norm: str, fld: str) -> bool:
    if norm in _ALIASES[fld]:
        return True
    words = _PREFIX_WORDS.get(fld, ())
    return bool(norm) and norm.split(" ", 1)[0] in words


def _infer_mapping(
    names: Sequence[str], column_map: Mapping[str, str] | None, where: str
) -> dict[str, int]:
    """Field -> column index: exact aliases first, then leading words; overrides win."""
    norms = [_norm(n) for n in names]
    used: set[int] = set()
    mapping: dict[str, int] = {}
    overrides = dict(column_map or {})
    for fld, col in overrides.items():
        if fld not in FIELDS:
            raise InputError(
                f"unknown diary field {fld!r}; fields are: {', '.join(FIELDS)}", where=where
            )
        if not col:
            continue
        if col not in names:
            raise InputError(
                f"column {col!r} (for {fld}) is not in the file; columns: {', '.join(names)}",
                where=where,
            )
        idx = names.index(col)
        mapping[fld] = idx
        used.add(idx)
    tracker_cols = {
        f: next((i for i, n in enumerate(norms) if n in _ALIASES[f]), None)
        for f in ("category", "detail")
    }
    tracker = all(v is not None for v in tracker_cols.values())
    for fld in FIELDS:
        if fld in overrides:
            continue
        aliases = _ALIASES[fld]
        if tracker and fld == "severity":
            aliases = aliases + _TRACKER_VALUE_ALIASES
        if fld == "count" and tracker:
            continue
        hit = None
        for alias in aliases:
            hit = next((i for i, n in enumerate(norms) if n == alias and i not in used), None)
            if hit is not None:
                break
        if hit is None and fld in _PREFIX_WORDS:
            hit = next(
                (i for i, n in enumerate(norms) if i not in used and _matches_field(n, fld)),
                None,
            )
        if hit is not None:
            mapping[fld] = hit
            used.add(hit)
    if "date" not in mapping:
        accepted = ", ".join(_ALIASES["date"][:12])
        raise MissingColumnsError(
            f"no date column found. Columns in the file: {', '.join(names)}. "
            f"A date column may be called: {accepted} (any capitalisation); "
            "or map one yourself",
            where=where,
            found=names,
            missing=["date"],
        )
    return mapping


# --------------------------------------------------------------------------------------
# Column parsers. Each takes a raw (untrimmed) text column, tries a fast vectorised path
# for the common export format, and sends only the remaining values through the slower
# trim + regular-expression path.


def _np_bool(arr: Any) -> npt.NDArray[np.bool_]:
    return np.array(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _np_int(arr: Any, missing: int = -1) -> npt.NDArray[np.int64]:
    """Digits-only strings (or empty) -> int64, ``missing`` where empty or null."""
    clean = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    ints = pc.fill_null(pc.cast(clean, pa.int64()), missing)
    return np.array(ints.to_numpy(zero_copy_only=False), np.int64)


def _match(arr: Any, pattern: str) -> npt.NDArray[np.bool_]:
    return _np_bool(pc.match_substring_regex(arr, pattern))


def _extract(arr: Any, pattern: str, names: Iterable[str]) -> dict[str, Any]:
    """Named groups of ``pattern`` as string arrays (empty where unmatched)."""
    struct = pc.extract_regex(arr, pattern)
    out: dict[str, Any] = {"_ok": _np_bool(pc.is_valid(struct))}
    for name in names:
        out[name] = pc.fill_null(pc.struct_field(struct, name), "")
    return out


class _Bytes:
    """Zero-copy numpy views of a text column's Arrow buffers (offsets and UTF-8 bytes)."""

    def __init__(self, arr: Any) -> None:
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
        if arr.null_count:
            arr = pc.fill_null(arr, "")
        self.array = arr
        wide = pa.types.is_large_string(arr.type)
        itemsize = 8 if wide else 4
        bufs = arr.buffers()
        self.offsets = np.frombuffer(
            bufs[1],
            np.int64 if wide else np.int32,
            count=len(arr) + 1,
            offset=arr.offset * itemsize,
        )
        self.data = (
            np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
        )
        self.lengths = np.diff(self.offsets)

    def fixed(
        self, width: int, digits: Sequence[int], literals: Mapping[int, int]
    ) -> tuple[npt.NDArray[np.int64], list[npt.NDArray[np.int64]]]:
        """Rows of exactly ``width`` bytes with digits/literals at the given positions.

        Returns the row indices and, for each run of consecutive digit positions, the
        number it spells (e.g. YYYY, MM, DD).
        """
        rows = np.flatnonzero(self.lengths == width)
        starts = self.offsets[:-1][rows].astype(np.int64)
        ok = np.ones(rows.size, bool)
        for pos, byte in literals.items():
            ok &= self.data[starts + pos] == byte
        values: list[npt.NDArray[np.int64]] = []
        current: npt.NDArray[np.int64] | None = None
        previous = -2
        for pos in digits:
            digit = self.data[starts + pos] - np.uint8(48)  # wraps above 9 if not a digit
            ok &= digit <= 9
            if pos != previous + 1 or current is None:
                if current is not None:
                    values.append(current)
                current = np.zeros(rows.size, np.int64)
            current = current * 10 + digit
            previous = pos
        if current is not None:
            values.append(current)
        return rows[ok], [v[ok] for v in values]


def _rest(
    s: Any, done: npt.NDArray[np.bool_], empty: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], Any, npt.NDArray[np.bool_]]:
    """Indices, trimmed text and blank mask of the values the fast path did not read."""
    idx = np.flatnonzero(~done & ~empty)
    if idx.size == 0:
        return idx, None, np.zeros(0, bool)
    sub = pc.utf8_trim_whitespace(s.take(pa.array(idx)))
    blank = np.asarray(pc.binary_length(sub).to_numpy(zero_copy_only=False)) == 0
    return idx, sub, blank


def _ampm_hours(hours: npt.NDArray[np.int64], ap: Any) -> npt.NDArray[np.int64]:
    """Apply am/pm to 1-12 hours; -1 where the hour is impossible."""
    apl = pc.utf8_lower(ap)
    is_pm = _match(apl, r"^p")
    has = _match(apl, r"^[ap]")
    h = hours.copy()
    h[has & ~is_pm & (hours == 12)] = 0
    pm = has & is_pm & (hours != 12)
    h[pm] = hours[pm] + 12
    h[has & ((hours < 1) | (hours > 12))] = -1
    return h


def _minutes_from(hour_s: Any, min_s: Any, ap: Any) -> npt.NDArray[np.int64]:
    """Minutes after midnight, -2 if a time is present but impossible, -1 if absent."""
    hours = _ampm_hours(_np_int(hour_s), ap)
    mins = _np_int(min_s, missing=0)
    present = _np_bool(pc.not_equal(hour_s, ""))
    ok = present & (hours >= 0) & (hours <= 23) & (mins >= 0) & (mins <= 59)
    out = np.full(hours.shape, -1, np.int64)
    out[ok] = hours[ok] * 60 + mins[ok]
    out[present & ~ok] = -2
    return out


@dataclass
class _Dates:
    days: npt.NDArray[np.int32]  # days since 1970-01-01; meaningful where status == 0
    status: npt.NDArray[np.int8]  # 0 ok, 1 blank, 2 not a date, 3 not real, 4 order, 5 ymd
    minutes: npt.NDArray[np.int32]  # time found in the same cell (-1 none, -2 impossible)
    order: str
    ambiguous: bool
    examples: tuple[str, ...]


_DATE_MESSAGES: Final[Mapping[int, str]] = {
    1: "no date; row set aside",
    2: "not a date; row set aside",
    3: "not a real calendar date; row set aside",
    4: "date does not fit the day/month order of the rest of the file; row set aside",
    5: "expected a year-first date (date order ymd); row set aside",
}

_YEAR_MIN: Final = 1900
_YEAR_MAX: Final = 2100
_MONTHS_SPAN: Final = (np.arange((_YEAR_MAX - _YEAR_MIN + 1) * 12 + 1) - 70 * 12).astype(
    "datetime64[M]"
)
_MONTH_START: Final = _MONTHS_SPAN[:-1].astype("datetime64[D]").astype(np.int32)
_MONTH_LENGTH: Final = np.diff(_MONTHS_SPAN.astype("datetime64[D]").astype(np.int32))
"""First day (days since 1970-01-01) and length of every month from 1900 to 2100."""


def _parse_dates(s: Any, order: DateOrder) -> _Dates:
    """Dates in ISO, US, EU or 'Mar 5, 2024' forms; day/month order inferred per file."""
    n = len(s)
    y = np.full(n, -1, np.int32)
    m = np.full(n, -1, np.int32)
    d = np.full(n, -1, np.int32)
    minutes = np.full(n, -1, np.int32)
    raw = _Bytes(s)
    status = np.where(raw.lengths == 0, 1, 2).astype(np.int8)
    rows, (yy, mm, dd) = raw.fixed(10, (0, 1, 2, 3, 5, 6, 8, 9), {4: 45, 7: 45})
    y[rows], m[rows], d[rows] = yy, mm, dd
    done = np.zeros(n, bool)
    done[rows] = True
    idx, sub, blank = _rest(s, done, raw.lengths == 0)
    numeric_idx = np.zeros(0, np.int64)
    a_vals = b_vals = yy_vals = np.zeros(0, np.int64)
    if idx.size:
        status[idx[blank]] = 1
        tail = ("H", "M", "ap")
        g = _extract(sub, _RE_YMD, ("y", "m", "d", *tail))
        ok = g["_ok"]
        _put(y, idx, ok, _np_int(g["y"]))
        _put(m, idx, ok, _np_int(g["m"]))
        _put(d, idx, ok, _np_int(g["d"]))
        _put(minutes, idx, ok, _minutes_from(g["H"], g["M"], g["ap"]))
        left = ~ok & ~blank
        if left.any():
            idx2 = idx[left]
            sub2 = sub.filter(pa.array(left))
            g = _extract(sub2, _RE_NUM, ("a", "b", "y", *tail))
            ok2 = g["_ok"]
            numeric_idx = idx2[ok2]
            a_vals = _np_int(g["a"])[ok2]
            b_vals = _np_int(g["b"])[ok2]
            yy_vals = _np_int(g["y"])[ok2]
            yy_vals = np.where(yy_vals < 100, 2000 + yy_vals, yy_vals)
            _put(minutes, idx2, ok2, _minutes_from(g["H"], g["M"], g["ap"]))
            if not ok2.all():
                _parse_text_dates(sub2.filter(pa.array(~ok2)), idx2[~ok2], y, m, d, minutes)
    resolved: str = order
    ambiguous = False
    examples: tuple[str, ...] = ()
    if numeric_idx.size:
        day_first = (a_vals > 12) & (b_vals <= 12)
        month_first = (b_vals > 12) & (a_vals <= 12)
        if order == "auto":
            n_dmy, n_mdy = int(day_first.sum()), int(month_first.sum())
            if n_dmy == 0 and n_mdy == 0:
                differ = a_vals != b_vals
                if differ.any():
                    ambiguous = True
                    values = s.take(pa.array(numeric_idx[differ][:50])).to_pylist()
                    examples = tuple(dict.fromkeys(str(v).strip() for v in values))[:3]
                resolved = "dmy"  # the same day either way when day == month
            else:
                resolved = "dmy" if n_dmy >= n_mdy else "mdy"
        if resolved == "ymd":
            status[numeric_idx] = 5
        else:
            day, month = (a_vals, b_vals) if resolved == "dmy" else (b_vals, a_vals)
            y[numeric_idx], m[numeric_idx], d[numeric_idx] = yy_vals, month, day
    elif order == "auto":
        resolved = "ymd"
    has_parts = y >= 0
    valid_ym = has_parts & (y >= _YEAR_MIN) & (y <= _YEAR_MAX) & (m >= 1) & (m <= 12)
    month_idx = np.where(valid_ym, (y - _YEAR_MIN) * 12 + (m - 1), 0)
    ok_day = valid_ym & (d >= 1) & (d <= _MONTH_LENGTH[month_idx])
    days = (_MONTH_START[month_idx] + d - 1).astype(np.int32)
    status[has_parts & ~ok_day] = 3
    status[ok_day] = 0
    if numeric_idx.size and resolved in ("dmy", "mdy"):
        month_vals = b_vals if resolved == "dmy" else a_vals
        status[numeric_idx[month_vals > 12]] = 4
    return _Dates(days, status, minutes, resolved, ambiguous, examples)


def _parse_text_dates(
    sub: Any,
    idx: npt.NDArray[np.int64],
    y: npt.NDArray[np.int32],
    m: npt.NDArray[np.int32],
    d: npt.NDArray[np.int32],
    minutes: npt.NDArray[np.int32],
) -> None:
    """'5 Mar 2024', 'Tue 5 March 2024', 'Mar 5, 2024' (English month names)."""
    names = list(_MONTHS)
    lookup = np.asarray([_MONTHS[k] for k in names], np.int64)
    for pattern in (_RE_TEXT_DMY, _RE_TEXT_MDY):
        if idx.size == 0:
            return
        g = _extract(sub, pattern, ("d", "mon", "y", "H", "M", "ap"))
        pos = pc.fill_null(pc.index_in(pc.utf8_lower(g["mon"]), value_set=pa.array(names)), -1)
        pos_np = np.array(pos.to_numpy(zero_copy_only=False), np.int64)
        ok = g["_ok"] & (pos_np >= 0)
        _put(y, idx, ok, _np_int(g["y"]))
        _put(m, idx, ok, lookup[np.clip(pos_np, 0, None)])
        _put(d, idx, ok, _np_int(g["d"]))
        _put(minutes, idx, ok, _minutes_from(g["H"], g["M"], g["ap"]))
        if ok.any():
            idx = idx[~ok]
            sub = sub.filter(pa.array(~ok))


def _put(
    target: npt.NDArray[np.int32],
    idx: npt.NDArray[np.int64],
    ok: npt.NDArray[np.bool_],
    values: npt.NDArray[np.int64],
) -> None:
    target[idx[ok]] = values[ok]


def _parse_times(s: Any) -> npt.NDArray[np.int64]:
    """Minutes after midnight; -1 blank, -2 not a time (HH:MM, H:MM am/pm, HH:MM:SS)."""
    n = len(s)
    out = np.full(n, -2, np.int64)
    raw = _Bytes(s)
    empty = raw.lengths == 0
    out[empty] = -1
    rows, (hh, mi) = raw.fixed(5, (0, 1, 3, 4), {2: 58})
    out[rows] = np.where((hh <= 23) & (mi <= 59), hh * 60 + mi, -2)
    done = np.zeros(n, bool)
    done[rows] = True
    idx, sub, blank = _rest(s, done, empty)
    if idx.size:
        g = _extract(sub, _RE_TIME, ("H", "M", "ap"))
        has_min_or_ap = _np_bool(pc.or_(pc.not_equal(g["M"], ""), pc.not_equal(g["ap"], "")))
        mins = _minutes_from(g["H"], g["M"], g["ap"])
        ok = g["_ok"] & has_min_or_ap & (mins >= 0)
        out[idx] = np.where(ok, mins, np.where(blank, -1, -2))
    return out


def _cast_all(s: Any, empty: npt.NDArray[np.bool_], to: Any) -> npt.NDArray[Any] | None:
    """Cast a whole column in one pass if every non-empty value is a plain number."""
    arr = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), s) if empty.any() else s
    try:
        cast_arr = pc.cast(arr, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if pa.types.is_floating(to):
        return np.array(cast_arr.to_numpy(zero_copy_only=False), np.float64)
    return np.array(pc.fill_null(cast_arr, -1).to_numpy(zero_copy_only=False), np.int64)


def _to_float(s: Any) -> npt.NDArray[np.float64]:
    """Strings already checked to be numbers (decimal comma or point) -> float64."""
    clean = pc.replace_substring(s, ",", ".")
    clean = pc.if_else(pc.equal(clean, ""), pa.scalar(None, pa.string()), clean)
    return np.asarray(pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False), np.float64)


def _parse_durations(s: Any, seconds: bool) -> npt.NDArray[np.float64]:
    """Minutes (NaN blank, -1 bad): numbers with optional unit, decimal comma, or m:ss."""
    n = len(s)
    empty = np.asarray(pc.binary_length(s).to_numpy(zero_copy_only=False)) == 0
    fast = _cast_all(s, empty, pa.float64())
    if fast is not None:
        out = fast / 60.0 if seconds else fast
        out[~empty & ~np.isfinite(out)] = -1.0
    else:
        out = np.full(n, -1.0)
        out[empty] = np.nan
        idx, sub, blank = _rest(s, np.zeros(n, bool), empty)
        if idx.size:
            g = _extract(sub, _RE_DURATION, ("v", "u", "mm", "ss"))
            ok = g["_ok"]
            val = np.where(blank, np.nan, -1.0)
            has_v = ok & _np_bool(pc.not_equal(g["v"], ""))
            if has_v.any():
                num = _to_float(pc.if_else(pa.array(has_v), g["v"], ""))
                unit = pc.utf8_lower(g["u"])
                is_sec = _match(unit, r"^s")
                is_hour = _match(unit, r"^(h|std)")
                no_unit = _np_bool(pc.equal(unit, ""))
                factor = np.where(
                    is_sec | (no_unit & seconds), 1 / 60, np.where(is_hour, 60.0, 1.0)
                )
                val[has_v] = (num * factor)[has_v]
            has_ms = ok & ~has_v
            if has_ms.any():
                mm = _np_int(g["mm"]).astype(np.float64)
                ss = _np_int(g["ss"]).astype(np.float64)
                val[has_ms] = np.where(ss[has_ms] < 60, mm[has_ms] + ss[has_ms] / 60, -1.0)
            out[idx] = val
    out[(out > 24 * 60) | (out < 0)] = -1.0
    return out


@dataclass
class _Severity:
    values: npt.NDArray[np.float64]  # NaN blank or bad
    bad: npt.NDArray[np.bool_]
    message: str
    kind: SeverityKind
    scale: str


def _parse_severity(s: Any, header: str) -> _Severity:
    """Numbers on the recorded 0-10/1-10 scale, or words mapped to ordinal 1-3."""
    n = len(s)
    empty = np.asarray(pc.binary_length(s).to_numpy(zero_copy_only=False)) == 0
    blank = empty.copy()
    nums = _cast_all(s, empty, pa.float64())
    word_level = np.full(n, np.nan)
    if nums is None:
        nums = np.full(n, np.nan)
        idx, sub, sub_blank = _rest(s, np.zeros(n, bool), empty)
        if idx.size:
            blank[idx[sub_blank]] = True
            g = _extract(sub, _RE_SEVERITY, ("v",))
            ok = g["_ok"]
            if ok.any():
                nums[idx[ok]] = _to_float(g["v"])[ok]
            words = list(SEVERITY_WORDS)
            key = pc.utf8_normalize(pc.utf8_lower(pc.utf8_trim(sub, " .!")), "NFKD")
            key = pc.replace_substring_regex(key, r"[^\x00-\x7f]", "")
            pos = np.asarray(
                pc.fill_null(pc.index_in(key, value_set=pa.array(words)), -1).to_numpy(
                    zero_copy_only=False
                ),
                np.int64,
            )
            levels = np.asarray([SEVERITY_WORDS[w] for w in words], np.float64)
            word_level[idx] = np.where(pos >= 0, levels[np.clip(pos, 0, None)], np.nan)
    num_ok = ~np.isnan(nums)
    word_ok = ~np.isnan(word_level)
    n_num, n_word = int(num_ok.sum()), int(word_ok.sum())
    hnorm = _norm(header)
    if n_word > n_num:
        return _Severity(
            word_level,
            ~blank & ~word_ok,
            "not one of the severity words used in this column (mild, moderate, severe); "
            "kept without severity",
            "words",
            "words mapped to an ordinal: mild = 1, moderate = 2, severe = 3",
        )
    declared_one = bool(re.search(r"\b1 10\b", hnorm))
    low = 1.0 if declared_one else 0.0
    in_range = num_ok & (nums >= low) & (nums <= 10)
    values = np.where(in_range, nums, np.nan)
    kind: SeverityKind
    if n_num == 0:
        kind, scale = "none", "not recorded"
    elif declared_one:
        kind, scale = "numeric", "1–10 as recorded (the column says 1-10)"
    elif bool(re.search(r"\b0 10\b", hnorm)) or bool((values == 0).any()):
        kind, scale = "numeric", "0–10 as recorded"
    else:
        kind, scale = "numeric", "1–10 or 0–10 as recorded (no 0 in the file)"
    return _Severity(
        values,
        ~blank & ~in_range,
        f"not a severity from {int(low)} to 10; kept without severity",
        kind,
        scale,
    )


def _parse_sides(s: Any) -> npt.NDArray[np.int8]:
    """Codes 0 left, 1 right, 2 both, -1 blank, -2 not recognised."""
    words = list(_SIDE_WORDS)
    lookup = np.asarray([SIDE_ORDER.index(_SIDE_WORDS[w]) for w in words], np.int8)

    def positions(arr: Any) -> npt.NDArray[np.int64]:
        pos = pc.fill_null(pc.index_in(arr, value_set=pa.array(words)), -1)
        return np.array(pos.to_numpy(zero_copy_only=False), np.int64)

    empty = np.asarray(pc.binary_length(s).to_numpy(zero_copy_only=False)) == 0
    pos = positions(pc.utf8_lower(s))
    idx, sub, blank = _rest(s, pos >= 0, empty)
    if idx.size:
        key = pc.replace_substring_regex(pc.utf8_lower(pc.utf8_trim(sub, " .")), r"\s+", " ")
        pos[idx] = np.where(blank, -1, positions(key))
    codes = np.where(pos >= 0, lookup[np.clip(pos, 0, None)], -2).astype(np.int8)
    codes[empty] = -1
    if idx.size:
        codes[idx[blank]] = -1
    return codes


def _parse_counts(s: Any) -> npt.NDArray[np.int64]:
    """Whole numbers >= 0; -1 blank, -2 bad."""
    n = len(s)
    empty = np.asarray(pc.binary_length(s).to_numpy(zero_copy_only=False)) == 0
    fast = _cast_all(s, empty, pa.int64())
    if fast is not None:
        out = np.where(fast >= 0, fast, -2)
        out[empty] = -1
        return out
    out = np.full(n, -2, np.int64)
    out[empty] = -1
    idx, sub, blank = _rest(s, np.zeros(n, bool), empty)
    if idx.size:
        ok = _match(sub, _RE_COUNT)
        vals = np.full(idx.size, -2, np.int64)
        if ok.any():
            vals[ok] = _np_int(pc.replace_substring_regex(sub.filter(pa.array(ok)), r"\.0+$", ""))
        vals[blank] = -1
        out[idx] = vals
    return out


def _k2_flags(s: Any, header: str) -> npt.NDArray[np.bool_]:
    """Whether each supplement value indicates vitamin K2 (MK-7).

    In a column named for K2 (e.g. "K2", "MK-7"), a yes-like value or a dose counts; in a
    general supplement column only a value naming K2/MK-7/menaquinone does.
    """
    named = _match(s, _K2_PATTERN)
    words = set(_norm(header).split())
    if words & _K2_HEADER_WORDS:
        low = pc.utf8_lower(pc.utf8_trim_whitespace(s))
        yes = _np_bool(pc.is_in(low, value_set=pa.array(list(_YES_WORDS))))
        dose = _match(low, r"^\d+(?:[.,]\d+)?\s*(?:mcg|µg|ug|mg)?$") & ~_match(low, r"^0+$")
        return named | yes | dose
    return named


# --------------------------------------------------------------------------------------
# Building the table


def _build(raw: _Raw, mapping: dict[str, int], order: DateOrder, where: str) -> DiaryTable:
    """Parse every mapped column, set aside undated rows, flag duplicates."""
    names = raw.names
    table = raw.table
    lines = raw.lines
    columns: list[Any] = [table.column(f"c{i}") for i in range(len(names))]
    # Rows empty in every column (",,,," lines from spreadsheets) carry nothing.
    nonempty = np.zeros(table.num_rows, bool)
    for arr in columns:
        nonempty |= np.asarray(pc.binary_length(arr).to_numpy(zero_copy_only=False)) > 0
    if raw.problems:
        nonempty |= np.isin(lines, np.asarray([p[0] for p in raw.problems], np.int64))
    if not nonempty.all():
        keep_rows = pa.array(nonempty)
        columns = [arr.filter(keep_rows) for arr in columns]
        lines = lines[nonempty]
    n = len(lines)
    if n == 0:
        raise InputError("the file has a header but no rows of data", where=where)

    def col(fld: str) -> Any | None:
        """The mapped column as in the file (parsers trim only what they must)."""
        return columns[mapping[fld]] if fld in mapping else None

    def text(fld: str) -> Any | None:
        """The mapped column, trimmed (computed per use to keep memory low)."""
        return pc.utf8_trim_whitespace(columns[mapping[fld]]) if fld in mapping else None

    shape: Shape = "episodes"
    considered = np.ones(n, bool)
    tracker_k2 = np.zeros(n, bool)
    if "category" in mapping and "detail" in mapping:
        shape = "tracker"
        joined = pc.binary_join_element_wise(text("category"), text("detail"), " ")
        considered = _match(joined, _CRAMP_PATTERN)
        tracker_k2 = _match(joined, _K2_PATTERN) & ~considered
    elif "count" in mapping:
        shape = "nightly"

    # Dates of all rows: more evidence for the day/month order.
    dates = _parse_dates(col("date"), order)
    mapped = {f: names[i] for f, i in mapping.items()}
    # What is known of the file itself, whether or not its rows can be read yet.
    about_file: dict[str, Any] = {
        "filename": where,
        "file_format": raw.fmt,
        "shape": shape,
        "columns": tuple(names),
        "mapping": mapped,
        "rows_read": n,
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "header_line": raw.header_line,
    }
    if dates.ambiguous:
        return DiaryTable(
            **about_file,
            episodes=_empty_episodes(),
            set_aside=pd.DataFrame({"line": np.zeros(0, np.int64)}),
            errors=_errors_frame([]),
            ambiguous_dates=True,
            date_order="ambiguous",
            date_examples=dates.examples,
        )

    errs: list[pd.DataFrame] = [_problem_frame(raw.problems)]

    def report(mask: npt.NDArray[np.bool_], fld: str, message: str) -> None:
        mask = mask & considered
        if not mask.any():
            return
        values = pd.Series(columns[mapping[fld]].filter(pa.array(mask)).to_pandas(), dtype="str")
        errs.append(
            pd.DataFrame(
                {
                    "row": lines[mask],
                    "column": mapped[fld],
                    "value": values.str.strip().to_numpy(dtype=object),
                    "message": message,
                    "_pos": mapping[fld],
                }
            )
        )

    for code, message in _DATE_MESSAGES.items():
        report(dates.status == code, "date", message)
    usable = (dates.status == 0) & considered
    report(
        (dates.minutes == -2) & usable,
        "date",
        "the time in this date is not a real time; time ignored",
    )

    minutes = np.where(dates.minutes >= 0, dates.minutes, -1)
    time_s = col("time")
    if time_s is not None:
        tm = _parse_times(time_s)
        report(tm == -2, "time", "not a time of day (e.g. 02:30 or 2:30 am); kept without time")
        minutes = np.where(tm >= 0, tm, minutes)

    duration = np.full(n, np.nan)
    dur_s = col("duration")
    if dur_s is not None:
        in_seconds = bool(re.search(r"\b(s|sec|secs|seconds|sek)\b", _norm(mapped["duration"])))
        duration = _parse_durations(dur_s, in_seconds)
        report(
            duration == -1,
            "duration",
            "not a duration in minutes (e.g. 2.5, '90 s' or 1:30); kept without duration",
        )
        duration = np.where(duration >= 0, duration, np.nan)

    severity = np.full(n, np.nan)
    sev_kind: SeverityKind = "none"
    sev_scale = "not recorded"
    sev_s = col("severity")
    if sev_s is not None:
        sev = _parse_severity(sev_s, mapped["severity"])
        report(sev.bad, "severity", sev.message)
        severity, sev_kind, sev_scale = sev.values, sev.kind, sev.scale
        if shape == "tracker" and sev_kind == "numeric":
            sev_scale = "tracker rating as exported (the file does not state the scale)"

    side_codes = np.full(n, -1, np.int8)
    side_s = col("side")
    if side_s is not None:
        side_codes = _parse_sides(side_s)
        report(side_codes == -2, "side", "not a side (left, right or both); kept without side")

    counts = np.ones(n, np.int64)
    if shape == "nightly":
        counts = _parse_counts(col("count"))
        report(counts == -1, "count", "no count for this night; kept, its cramps not counted")
        report(
            counts == -2,
            "count",
            "not a whole number of cramps; kept, its cramps not counted",
        )

    supp_s = col("supplement")
    k2 = _k2_flags(supp_s, mapped["supplement"]) if supp_s is not None else np.zeros(n, bool)

    decimal_comma = False
    if raw.delimiter not in (None, ","):
        for fld in ("duration", "severity"):
            if fld in mapping and bool(_match(columns[mapping[fld]], r"^\s*\d+,\d+").any()):
                decimal_comma = True

    aside_mask = considered & ~usable
    set_aside = _original_rows(names, columns, lines, aside_mask)
    if len(set_aside):
        reasons = np.asarray([_DATE_MESSAGES.get(i, "") for i in range(6)], dtype=object)
        set_aside.insert(1, "reason", reasons[dates.status[aside_mask]])
    ignored = pd.DataFrame({"line": np.zeros(0, np.int64)})
    if shape == "tracker" and (~considered).any():
        ignored = _original_rows(names, columns, lines, ~considered)
        why = np.where(
            tracker_k2[~considered],
            "supplement entry (used to find the K2 start)",
            "not a cramp entry",
        )
        ignored.insert(1, "reason", why.astype(object))

    every = bool(usable.all())

    def kept(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return values if every else values[usable]

    keep = None if every else pa.array(usable)
    kept_min = kept(minutes)
    kept_counts = kept(counts)
    kept_sides = kept(side_codes)
    notes_s = col("notes")
    size = int(usable.sum())
    episodes = pd.DataFrame(
        {
            "line": kept(lines),
            "date": (kept(dates.days).astype(np.int64) * 86400).view("datetime64[s]"),
            "minute_of_day": pd.arrays.IntegerArray(
                np.maximum(kept_min, 0).astype(np.int16), kept_min < 0
            ),
            "duration_min": kept(duration),
            "severity": kept(severity),
            "side": pd.Categorical.from_codes(
                np.where(kept_sides >= 0, kept_sides, -1).astype(np.int8),
                categories=pd.Index(list(SIDE_ORDER)),
            ),
            "count": pd.arrays.IntegerArray(
                np.maximum(kept_counts, 0).astype(np.int32), kept_counts < 0
            ),
            "notes": _text_series(notes_s, keep, size),
            "supplement": _text_series(supp_s, keep, size),
            "k2": kept(k2),
        },
        copy=False,
    )
    del kept_min, kept_counts, kept_sides, duration, severity, side_codes, minutes
    note_codes = None
    if notes_s is not None:
        kept_notes = notes_s if keep is None else notes_s.filter(keep)
        encoded = pc.dictionary_encode(kept_notes).combine_chunks()
        note_codes = np.asarray(
            pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), np.int64
        )
    episodes["duplicate_of"] = _duplicate_of(episodes, note_codes)

    k2_from_file: dt.date | None = None
    k2_days = dates.days[(usable & k2) | (tracker_k2 & (dates.status == 0))]
    if k2_days.size:
        k2_from_file = dt.date(1970, 1, 1) + dt.timedelta(days=int(k2_days.min()))

    used = set(mapping.values())
    return DiaryTable(
        **about_file,
        episodes=episodes,
        set_aside=set_aside,
        errors=_errors_frame(errs),
        ignored=ignored,
        unmapped_columns=tuple(nm for i, nm in enumerate(names) if i not in used),
        missing_columns=tuple(
            f for f in ("time", "duration", "severity", "side", "supplement") if f not in mapping
        ),
        ambiguous_dates=False,
        date_order=dates.order,
        severity_kind=sev_kind,
        severity_scale=sev_scale,
        k2_start_from_file=k2_from_file,
        decimal_comma=decimal_comma,
    )


def _text_series(arr: Any | None, keep: Any | None, size: int) -> pd.Series:
    """Kept rows of a text column as a pandas (Arrow-backed) string Series."""
    if arr is None:
        return pd.Series(np.full(size, "", dtype=object), dtype="str")
    return pd.Series((arr if keep is None else arr.filter(keep)).to_pandas(), dtype="str")


def _original_rows(
    names: Sequence[str],
    columns: Sequence[Any],
    lines: npt.NDArray[np.int64],
    mask: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    """The rows under ``mask`` exactly as in the file, with their line numbers."""
    if not mask.any():
        return pd.DataFrame({"line": np.zeros(0, np.int64)})
    keep = pa.array(mask)
    data: dict[str, Any] = {"line": lines[mask]}
    for i, (name, arr) in enumerate(zip(names, columns, strict=True)):
        label = name if name not in data and name not in ("line", "reason") else f"{name} ({i + 1})"
        data[label] = pd.Series(arr.filter(keep).to_pandas(), dtype="str").to_numpy(object)
    return pd.DataFrame(data)


def _empty_episodes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line": pd.Series([], dtype="int64"),
            "date": pd.Series([], dtype="datetime64[s]"),
            "minute_of_day": pd.Series([], dtype="Int16"),
            "duration_min": pd.Series([], dtype="float64"),
            "severity": pd.Series([], dtype="float64"),
            "side": pd.Categorical([], categories=list(SIDE_ORDER)),
            "count": pd.Series([], dtype="Int32"),
            "notes": pd.Series([], dtype="str"),
            "supplement": pd.Series([], dtype="str"),
            "k2": pd.Series([], dtype="bool"),
            "duplicate_of": pd.Series([], dtype="Int64"),
        }
    )


def _duplicate_of(frame: pd.DataFrame, note_codes: npt.NDArray[np.int64] | None) -> pd.Series:
    """Line of the first identical kept row for each repeat (NA otherwise).

    Rows are compared on every cleaned field (date, time, duration, severity, side,
    count, notes) through a 64-bit hash built one column at a time.
    """
    n = len(frame)
    if n == 0:
        return pd.Series(pd.array([], dtype="Int64"))
    keys: list[Callable[[], npt.NDArray[Any]]] = [
        lambda: frame["date"].to_numpy(dtype="datetime64[s]").astype(np.int64),
        lambda: frame["minute_of_day"].to_numpy(dtype="float64", na_value=-1.0),
        lambda: frame["duration_min"].to_numpy(np.float64),
        lambda: frame["severity"].to_numpy(np.float64),
        lambda: frame["side"].cat.codes.to_numpy().astype(np.int64),
        lambda: frame["count"].to_numpy(dtype="float64", na_value=-1.0),
    ]
    if note_codes is not None:
        keys.append(lambda: note_codes)
    h = np.zeros(n, np.uint64)
    for make in keys:
        key = make()
        if key.dtype.kind == "f":
            key = np.where(np.isnan(key), -1.5, key)
        h *= np.uint64(1_000_003)
        h ^= pd.util.hash_array(key)
    order = np.argsort(h, kind="stable")
    h = h[order]
    new_group = np.empty(n, bool)
    new_group[0] = True
    np.not_equal(h[1:], h[:-1], out=new_group[1:])
    del h
    if new_group.all():
        return pd.Series(
            pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool)), index=frame.index
        )
    group_first = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    first_row = np.empty(n, np.int64)
    first_row[order] = order[group_first]
    dup = first_row != np.arange(n)
    line = frame["line"].to_numpy()
    return pd.Series(
        pd.arrays.IntegerArray(np.where(dup, line[first_row], 0).astype(np.int64), ~dup),
        index=frame.index,
    )


def _problem_frame(problems: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": [p[0] for p in problems],
            "column": [p[1] for p in problems],
            "value": [p[2] for p in problems],
            "message": [p[3] for p in problems],
            "_pos": [-1] * len(problems),
        }
    )


def _errors_frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """All bad values in file order: row, column, value, message."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(
            {
                "row": pd.Series([], dtype="int64"),
                "column": pd.Series([], dtype="str"),
                "value": pd.Series([], dtype="str"),
                "message": pd.Series([], dtype="str"),
            }
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sort_values(["row", "_pos"], kind="stable").drop(columns="_pos")
    frame["value"] = frame["value"].astype("str").str.slice(0, 120)
    frame["message"] = frame["message"].astype("str")
    frame["column"] = frame["column"].astype("str")
    frame["row"] = frame["row"].astype("int64")
    return frame.reset_index(drop=True)


def _ambiguous_message(table: DiaryTable, *, cli: bool = False) -> str:
    examples = ", ".join(repr(e) for e in table.date_examples) or "the dates"
    how = (
        "pass --date-order dmy (day first) or --date-order mdy (month first)"
        if cli
        else "choose day-first or month-first"
    )
    return (
        f"the dates are ambiguous: every day and month is 12 or less (e.g. {examples}), "
        f"so they could be day-first or month-first; {how}"
    )


def readable_errors(table: DiaryTable) -> pd.DataFrame:
    """The errors as shown to a user: line, column, value, what is wrong."""
    return table.errors.rename(
        columns={"row": "line", "column": "column", "value": "value", "message": "problem"}
    )
