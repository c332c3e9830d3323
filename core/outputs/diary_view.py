"""What the diary page shows for one diary and one K2 date, assembled from core pieces.

Kept in core (not in the page) so the assembly is testable without Streamlit and so its
result pickles: Streamlit's session cache stores it between reruns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core import analytics
from core.diary import DiaryTable, summarize
from core.models import DiarySummary
from core.outputs import charts


@dataclass(frozen=True)
class ChartView:
    """One chart as its Vega-Lite spec (aggregated rows only) and its data table."""

    name: str
    title: str
    spec: dict[str, Any]
    table: pd.DataFrame


@dataclass(frozen=True)
class DiaryView:
    """Everything the page shows for one diary and one K2 date (small, cacheable)."""

    summary: DiarySummary
    k2: analytics.K2Result | None
    weeks_observed: float
    charts: tuple[ChartView, ...]


def build_diary_view(
    table: DiaryTable, k2_start: dt.date | None, *, exclude_duplicates: bool = False
) -> DiaryView:
    """Summary, K2 comparison and every chart (as a Vega-Lite spec of aggregated rows)."""
    frame = table.episodes
    if exclude_duplicates:
        frame = frame[frame["duplicate_of"].isna()]
    # The page pre-fills the date from the file; a cleared date means no comparison, in
    # the summary (and its JSON download) as on the page.
    summary = summarize(
        table, k2_start, exclude_duplicates=exclude_duplicates, start_from_file=False
    )
    weekly = analytics.weekly_series(frame)
    trend = analytics.severity_trend(frame)
    durations = analytics.duration_distribution(frame)
    heatmap = analytics.night_heatmap(frame)
    sides = analytics.side_breakdown(frame)
    views = [
        ChartView(
            "cramps_per_week",
            "Cramps per week",
            charts.weekly_frequency_chart(weekly, k2_start).to_dict(),
            charts.weekly_frequency_table(weekly, k2_start),
        )
    ]
    if len(trend):
        views.append(
            ChartView(
                "severity",
                "Severity over time",
                charts.severity_trend_chart(trend, table.severity_scale).to_dict(),
                charts.severity_trend_table(trend),
            )
        )
    if int(durations["entries"].sum()):
        views.append(
            ChartView(
                "duration",
                "Duration",
                charts.duration_chart(durations).to_dict(),
                charts.duration_table(durations),
            )
        )
    if int(heatmap["episodes"].sum()):
        views.append(
            ChartView(
                "time_of_night",
                "Time of night",
                charts.night_heatmap_chart(heatmap).to_dict(),
                charts.night_heatmap_table(heatmap),
            )
        )
    if int(sides["episodes"].iloc[:3].sum()):
        views.append(
            ChartView(
                "side", "Which leg", charts.side_chart(sides).to_dict(), charts.side_table(sides)
            )
        )
    return DiaryView(
        summary=summary,
        k2=analytics.compare_k2(frame, k2_start) if k2_start else None,
        weeks_observed=analytics.observed_days(frame) / 7.0,
        charts=tuple(views),
    )
