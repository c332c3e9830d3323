"""Kept rows in a readable, exportable form, and CSV bytes safe to open in a spreadsheet."""

from __future__ import annotations

from typing import Final

import pandas as pd

from core.diary.model import DiaryTable

_FORMULA_START: Final = r"^([=+\-@\t\r])"


def cleaned_frame(table: DiaryTable) -> pd.DataFrame:
    """The kept rows in a readable, exportable form (ISO dates, HH:MM times)."""
    ep = table.episodes
    minutes = ep["minute_of_day"]
    time = (
        (minutes // 60).astype("string").str.zfill(2)
        + ":"
        + (minutes % 60).astype("string").str.zfill(2)
    )
    frame = pd.DataFrame(
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
    if "time_of_day" in ep.columns:
        frame.insert(3, "time_of_day", ep["time_of_day"])
    return frame


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
