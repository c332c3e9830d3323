"""Kept rows in a readable, exportable form (``core.outputs.safe_csv`` writes them as CSV)."""

from __future__ import annotations

import pandas as pd

from core.diary.model import DiaryTable


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
