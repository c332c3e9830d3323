"""CSV/TSV/TXT: pyarrow parses the text; numpy maps each record to its physical line.

Hand-written on purpose: the record -> physical line map (pyarrow reports no line
numbers), the stray-quote repair (pyarrow would swallow every later row into one value),
and the csv-module fallback for quoting pyarrow refuses, which tracks lines exactly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]

from core.diary.mapping import matches_field, norm
from core.diary.model import ROW_COLUMN
from core.diary.readers.raw import (
    MAX_COLUMNS,
    Problem,
    RawTable,
    display_names,
    find_header,
    fit_fields,
    text_table,
)
from core.errors import InputError

_QUOTE = 34
_NEWLINE = 10
_PLACEHOLDERS = (0x1A, 0x1C, 0x1D, 0x1E, 0x1F)


def _split_line(line: str, delim: str) -> list[str]:
    if '"' not in line:  # what csv.reader gives for an unquoted line, without its set-up
        return line.split(delim)
    try:
        return next(csv.reader([line], delimiter=delim), [""])
    except csv.Error:
        return line.split(delim)


def sniff(sample: str) -> tuple[str, int, list[str]]:
    """Delimiter, header line index (0-based physical line) and header fields.

    Each candidate delimiter is scored by whether its header names a date column, how
    many of the following lines have as many fields as the header, and field count.
    """
    lines = sample.split("\n")[:60]
    best: tuple[tuple[int, int, int], str, int, list[str]] | None = None
    for delim in (",", ";", "\t", "|"):
        rows = [_split_line(line, delim) for line in lines]
        h = find_header(rows)
        header = rows[h] if rows else [""]
        ncols = len(header)
        after = [r for r in rows[h + 1 : h + 41] if any(c.strip() for c in r)]
        consistent = sum(1 for r in after if len(r) == ncols)
        has_date = int(any(matches_field(norm(c), "date") for c in header))
        score = (has_date, consistent if ncols > 1 else -1, ncols)
        if best is None or score > best[0]:
            best = (score, delim, h, header)
    assert best is not None
    return best[1], best[2], best[3]


class Scan:
    """Where each non-empty record of a CSV body starts, computed lazily with numpy.

    Quotes are tracked by parity (RFC 4180: a doubled quote keeps the parity): a newline
    with an odd number of quotes before it is inside a quoted value. Empty lines are
    skipped, as pyarrow skips them, but still counted for line numbers.
    """

    def __init__(self, data: bytes, offset: int, first_line: int) -> None:
        self.body = memoryview(data)[offset:]
        self.first_line = first_line
        self.has_quote = data.find(b'"', offset) >= 0
        self._simple = not self.has_quote and data.find(b"\n\n", offset) < 0
        self._offsets: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
        self._newlines: npt.NDArray[np.int64] | None = None
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

    def offsets(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Byte start and end of each non-empty record."""
        if self._offsets is None:
            arr = np.frombuffer(self.body, dtype=np.uint8)
            self._newlines = np.flatnonzero(arr == _NEWLINE)
            real = self._newlines
            if self.has_quote:
                quotes = np.flatnonzero(arr == _QUOTE)
                outside = (np.searchsorted(quotes, real) & 1) == 0
                self.quoted_newline = not bool(outside.all())
                real = real[outside]
            starts = np.concatenate((np.zeros(1, np.int64), real + 1))
            ends = np.concatenate((real, np.array([arr.size], np.int64)))
            keep = ends > starts
            self._offsets = (starts[keep].astype(np.int64), ends[keep].astype(np.int64))
        return self._offsets


def _stray_quote(
    data: bytes, offset: int, delim: str, names: Sequence[str], first_line: int
) -> tuple[bytes, int, int | None, list[Problem]]:
    """Read a quote that never closes as text, so it cannot swallow the rows after it.

    With an odd number of quotes, lines holding an odd number of them open or close
    multi-line values; the first opener left unclosed is the culprit (``_unclosed_line``),
    and its quotes become a placeholder byte (restored afterwards). Returns the body
    (repaired or as given), where it starts, the placeholder and the problem.
    """
    if data.count(b'"', offset) % 2 == 0:
        return data, offset, None, []
    arr = np.frombuffer(memoryview(data)[offset:], dtype=np.uint8)
    newlines = np.flatnonzero(arr == _NEWLINE)
    quotes = np.flatnonzero(arr == _QUOTE)
    per_line = np.bincount(np.searchsorted(newlines, quotes), minlength=newlines.size + 1)
    placeholder = next((b for b in _PLACEHOLDERS if not (arr == b).any()), None)
    if placeholder is None:
        return data, offset, None, []
    starts = np.concatenate((np.zeros(1, np.int64), newlines + 1))
    ends = np.concatenate((newlines, np.array([arr.size], np.int64)))
    odd = np.flatnonzero(per_line % 2 == 1)
    view = memoryview(data)[offset:]
    culprit, unclosed = _unclosed_line(
        [(int(i), bytes(view[starts[i] : ends[i]])) for i in odd], delim.encode()
    )
    start, end = int(starts[culprit]), int(ends[culprit])
    body = bytearray(view)
    text = bytes(body[start:end])
    body[start:end] = text.replace(b'"', bytes([placeholder]))
    if not unclosed:
        return bytes(body), 0, placeholder, []
    before_quote = text[: text.find(b'"')].decode("utf-8", "replace")
    col = len(_split_line(before_quote, delim)) - 1
    problem = Problem(
        first_line + culprit,
        names[col] if col < len(names) else ROW_COLUMN,
        text.decode("utf-8", "replace"),
        "unterminated quote: the quoted value opened here never closes; the line is read "
        "with the quote as text, so the lines after it stay rows of their own",
    )
    return bytes(body), 0, placeholder, [problem]


def _unclosed_line(odd_lines: list[tuple[int, bytes]], delim: bytes) -> tuple[int, bool]:
    """Of the lines with an odd number of quotes, the opener that nothing closes.

    A closer's first quote ends a value (then a delimiter or the line end); an opener's
    last quote starts one (after a delimiter or the line start). Matching them like
    brackets leaves the unclosed opener (True); failing that, a line whose quote sits
    inside a value (``5" tall``) and is text anyway (False).
    """
    open_lines: list[int] = []
    inert: list[int] = []
    for index, text in odd_lines:
        first, last = text.find(b'"'), text.rfind(b'"')
        closes = text[first + 1 : first + 2] in (b"", delim, b"\r")
        opens = last == 0 or text[last - 1 : last] == delim
        if open_lines and closes:
            open_lines.pop()
        elif opens:
            open_lines.append(index)
        else:
            inert.append(index)
    if open_lines:
        return open_lines[0], True
    return (inert or [odd_lines[-1][0]])[0], False


class _Ragged:
    """pyarrow's ``invalid_row_handler``: keeps each ragged record's number and text."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str]] = []
        self.unnumbered = False

    def __call__(self, row: Any) -> str:
        if row.number is None:  # pyarrow numbers records only when parsing on one thread
            self.unnumbered = True
        else:
            self.rows.append((int(row.number), str(row.text)))
        return "skip"


def _parse_with_arrow(
    body: memoryview, delim: str, internal: list[str], newlines_in_values: bool
) -> tuple[Any, list[tuple[int, str]]] | None:
    """Parse with pyarrow (all columns text); None when pyarrow cannot (fallback).

    Ragged records go to ``invalid_row_handler`` and are put back afterwards; a file that
    has any is parsed again on one thread, where pyarrow gives their record numbers.
    """
    for threads in (True, False):
        ragged = _Ragged()
        try:
            table = pacsv.read_csv(
                pa.BufferReader(pa.py_buffer(body)),
                read_options=pacsv.ReadOptions(
                    column_names=internal, block_size=1 << 20, use_threads=threads
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delim,
                    newlines_in_values=newlines_in_values,
                    invalid_row_handler=ragged,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(internal, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowException, ValueError):
            return None
        if not ragged.unnumbered:
            return table, ragged.rows
    return None


def _split_record(chunk: str, delim: str) -> list[str]:
    try:
        rows = list(csv.reader(io.StringIO(chunk), delimiter=delim))
    except csv.Error:
        return chunk.split(delim)
    return [cell for row in rows for cell in row] if rows else [""]


def _with_ragged(
    table: Any, lines: npt.NDArray[np.int64], ragged: list[tuple[int, str]], delim: str
) -> tuple[Any, npt.NDArray[np.int64], list[Problem]]:
    """Put the ragged records (padded, or cut with a problem) back in file order."""
    ncols = table.num_columns
    problems: list[Problem] = []
    numbers = np.asarray([n - 1 for n, _ in ragged], np.int64)
    rows = [
        fit_fields(_split_record(text, delim), ncols, int(lines[k]), problems)
        for k, (_, text) in zip(numbers, ragged, strict=True)
    ]
    valid = np.ones(lines.size, bool)
    valid[numbers] = False
    extra = text_table(rows, ncols).rename_columns(table.column_names)
    merged = pa.concat_tables([table, extra.cast(table.schema)])
    order = np.argsort(np.concatenate((np.flatnonzero(valid), numbers)), kind="stable")
    return merged.take(pa.array(order)), lines, problems


def _read_with_csv_module(
    body: memoryview, delim: str, names: list[str], header_line: int, where: str
) -> tuple[Any, npt.NDArray[np.int64], list[Problem]]:
    """Slow but exact fallback (odd quoting): Python's csv module tracks line numbers."""
    reader = csv.reader(io.StringIO(bytes(body).decode("utf-8", "replace")), delimiter=delim)
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[Problem] = []
    prev = 0
    try:
        for fields in reader:
            start = header_line + prev + 1
            prev = reader.line_num
            if fields:
                rows.append(fit_fields(fields, len(names), start, problems))
                lines.append(start)
    except csv.Error as exc:
        raise InputError(
            f"cannot parse line {header_line + prev + 1}: {exc}", where=where
        ) from None
    if not rows:
        raise InputError("the file has a header but no rows of data", where=where)
    return text_table(rows, len(names)), np.asarray(lines, np.int64), problems


def _restore_quotes(table: Any, placeholder: int | None) -> Any:
    if placeholder is None:
        return table
    mark = chr(placeholder)
    return pa.table(
        {name: pc.replace_substring(table.column(name), mark, '"') for name in table.column_names}
    )


def read_delimited(data: bytes, encoding: str, where: str) -> RawTable:
    """CSV/TSV/TXT as text columns with the physical line each record starts on."""
    delim, header_idx, header = sniff(data[:65536].decode("utf-8", "ignore"))
    names = display_names(header)
    header_line = header_idx + 1
    if len(names) > MAX_COLUMNS:
        raise InputError(
            f"line {header_line} has {len(names)} columns; a diary has at most {MAX_COLUMNS}",
            where=where,
        )
    offset = 0
    for _ in range(header_idx + 1):
        nl = data.find(b"\n", offset)
        offset = len(data) if nl < 0 else nl + 1
    body, offset, placeholder, problems = _stray_quote(data, offset, delim, names, header_line + 1)
    del data
    scan = Scan(body, offset, header_line + 1)
    if scan.count == 0:
        raise InputError("the file has a header but no rows of data", where=where)
    internal = [f"c{i}" for i in range(len(names))]
    parsed = _parse_with_arrow(scan.body, delim, internal, scan.quoted_newline)
    if parsed is not None:
        table, ragged = parsed
        if table.num_rows + len(ragged) == scan.count:
            lines = scan.lines
            if ragged:
                table, lines, more = _with_ragged(table, lines, ragged, delim)
                problems += more
            table = _restore_quotes(table, placeholder)
            return RawTable("csv", names, table, lines, problems, header_line, encoding, delim)
    table, lines, more = _read_with_csv_module(scan.body, delim, names, header_line, where)
    table = _restore_quotes(table, placeholder)
    return RawTable("csv", names, table, lines, problems + more, header_line, encoding, delim)
