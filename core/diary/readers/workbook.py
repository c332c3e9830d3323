"""XLSX: the first worksheet with data, via openpyxl (read-only); lines are spreadsheet rows.

Work is capped by what the file really holds: the sheet's claimed dimension is ignored
(a 5 KB file may claim 1,048,576 x 16,384 cells), trailing empty cells are dropped, and
the unpacked sheets and the cells kept are bounded relative to the upload cap. A formula
cell saved without its value is reported, never read as an empty cell.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any, Final

import numpy as np

from core.diary.model import ROW_COLUMN
from core.diary.readers.raw import (
    MAX_COLUMNS,
    UPLOAD_CAP_BYTES,
    Problem,
    RawTable,
    cell_text,
    display_names,
    find_header,
    fit_fields,
    text_table,
)
from core.errors import InputError

MAX_UNPACKED_BYTES: Final = 10 * UPLOAD_CAP_BYTES
"""Sheets larger than this once unzipped hold more than any upload could (zip bombs)."""
MAX_CELLS: Final = 5_000_000
_FORMULA_MESSAGE: Final = (
    "a formula without a stored value (the workbook was saved without calculating it); "
    "open and save it in a spreadsheet program, or export CSV"
)

Row = tuple[int, list[str]]
Formula = tuple[int, int, str]  # spreadsheet row, column index, formula text


def _check_archive(data: bytes, where: str) -> bool:
    """Refuse a workbook that unpacks to more than any upload; True if it holds formulas."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")]
        if sum(i.file_size for i in sheets) > MAX_UNPACKED_BYTES:
            raise InputError(
                f"the workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB of "
                "sheets, more than a diary holds; export the diary as CSV",
                where=where,
            )
        return any(_has_formula(archive, info) for info in sheets)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"this is not a readable .xlsx workbook ({exc})", where=where) from None


def _has_formula(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(info) as src:
        for chunk in iter(lambda: src.read(1 << 20), b""):
            if b"<f>" in tail + chunk or b"<f " in tail + chunk:
                return True
            tail = chunk[-3:]
    return False


def _open(data: bytes, where: str, *, values: bool) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=values)
    except Exception as exc:  # openpyxl raises assorted errors on damaged files
        raise InputError(f"this is not a readable .xlsx workbook ({exc})", where=where) from None


def _rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    ws.reset_dimensions()  # the claimed dimension would pad every row and add empty ones
    yield from ws.iter_rows(values_only=True)


def _sheet_rows(
    values_ws: Any, formulas_ws: Any | None, where: str
) -> tuple[list[Row], list[Formula]]:
    """Non-empty rows as text (trailing blanks cut) and the formula cells without values."""
    kept: list[Row] = []
    formulas: list[Formula] = []
    cells = 0
    pairs = (
        zip(_rows(values_ws), _rows(formulas_ws), strict=False)
        if formulas_ws
        else ((row, None) for row in _rows(values_ws))
    )
    for number, (row, source) in enumerate(pairs, start=1):
        texts = [cell_text(v) for v in row]
        while texts and not texts[-1].strip():
            texts.pop()
        lost = [
            (number, j, f)
            for j, (v, f) in enumerate(zip(row, source or (), strict=False))
            if v is None and isinstance(f, str) and f.startswith("=")
        ]
        formulas += lost
        if texts or lost:
            cells += len(texts)
            if cells > MAX_CELLS:
                raise InputError(
                    f"row {number}: the sheet holds more than {MAX_CELLS:,} cells, more than "
                    "a diary holds; export the diary as CSV",
                    where=where,
                )
            kept.append((number, texts))
    return kept, formulas


def _first_sheet_with_data(data: bytes, where: str) -> tuple[list[Row], list[Formula]]:
    has_formulas = _check_archive(data, where)
    wb = _open(data, where, values=True)
    wf = _open(data, where, values=False) if has_formulas else None
    try:
        for i, ws in enumerate(wb.worksheets):
            rows, formulas = _sheet_rows(ws, wf.worksheets[i] if wf else None, where)
            if rows:
                return rows, formulas
    except InputError:
        raise
    except Exception as exc:  # damaged sheet XML surfaces while iterating
        raise InputError(f"this is not a readable .xlsx workbook ({exc})", where=where) from None
    finally:
        wb.close()
        if wf is not None:
            wf.close()
    raise InputError("the workbook is empty", where=where)


def read_workbook(data: bytes, where: str) -> RawTable:
    """The first worksheet with data as text columns, with spreadsheet row numbers."""
    rows, formulas = _first_sheet_with_data(data, where)
    h = find_header([texts for _, texts in rows])
    header_number, header = rows[h]
    names = display_names(header)
    if len(names) > MAX_COLUMNS:
        raise InputError(
            f"row {header_number} has {len(names)} columns; a diary has at most {MAX_COLUMNS}",
            where=where,
        )
    problems: list[Problem] = []
    for number, j, formula in formulas:
        column = names[j] if j < len(names) else ROW_COLUMN
        problems.append(Problem(number, column, formula, _FORMULA_MESSAGE))
    body = rows[h + 1 :]
    if not body:
        raise InputError("the sheet has a header but no rows of data", where=where)
    fitted = [fit_fields(list(t), len(names), n, problems) for n, t in body]
    lines = np.asarray([n for n, _ in body], np.int64)
    return RawTable("xlsx", names, text_table(fitted, len(names)), lines, problems, header_number)
