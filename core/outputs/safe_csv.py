"""CSV files a spreadsheet opens as text: no cell the user typed can run as a formula.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)`` can leak data or run
commands). Such a text cell gets a leading apostrophe, which spreadsheets show as text (OWASP,
"CSV Injection"). Numbers are left alone: ``-5`` in a number column is a number, not a formula.

The one implementation: ``core.diary`` (a lower layer) hands over frames such as
``cleaned_frame`` and writes no CSV itself.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """The text with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _safe_value(value: Any) -> Any:
    return safe_cell(value) if isinstance(value, str) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell and column name neutralised."""
    out = frame.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if pd.api.types.is_string_dtype(col) or col.dtype == object:
            out.isetitem(i, col.map(_safe_value).array)
    out.columns = pd.Index([_safe_value(c) for c in out.columns])
    return out


def safe_csv(frame: pd.DataFrame) -> bytes:
    """CSV bytes, formula-safe: UTF-8 with a BOM (spreadsheets detect it), CRLF rows (RFC 4180,
    so a CR inside a cell is quoted, not a row break)."""
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
