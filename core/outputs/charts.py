"""Altair chart builders for the cramp diary: aggregated frame in, chart out.

Every builder is a pure function of a small frame from ``core.analytics`` (one row per
week, day, bin, cell or side), so the chart spec sent to the browser never carries raw
diary rows. Each chart has a title, a description (the Vega-Lite top-level
``description``, read out by screen readers), tooltips, colour-blind-safe colours
(Okabe-Ito; viridis for the heatmap) paired with labels or line styles so that nothing is
signalled by colour alone, and a companion ``*_table`` function giving the same numbers
as a readable table to show beside it. ``chart_png`` renders any of them to PNG through
vl-convert.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, cast

import altair as alt
import pandas as pd

from core import analytics

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO: Final = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}
PERIODS: Final = ("before K2", "K2 started this week", "on K2", "no K2 date")
_PERIOD_COLOURS: Final = (
    OKABE_ITO["blue"],
    OKABE_ITO["grey"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
)
HEATMAP_SCHEME: Final = "viridis"
WIDTH: Final = "container"


def _period(weekly: pd.DataFrame, k2_start: dt.date | None) -> pd.Series:
    if k2_start is None:
        return pd.Series(PERIODS[3], index=weekly.index)
    start = pd.Timestamp(k2_start)
    week_start = weekly["week_start"]
    before = week_start + pd.Timedelta(days=7) <= start
    after = week_start >= start
    labels = pd.Series(PERIODS[1], index=weekly.index)
    labels[before] = PERIODS[0]
    labels[after] = PERIODS[2]
    return labels


def weekly_frequency_data(weekly: pd.DataFrame, k2_start: dt.date | None) -> pd.DataFrame:
    """The rows the weekly chart carries: one per week, nothing else."""
    return pd.DataFrame(
        {
            "week_start": weekly["week_start"],
            "week_end": weekly["week_start"] + pd.Timedelta(days=7),
            "episodes": weekly["episodes"],
            "days_observed": weekly["days_observed"],
            "mean_severity": weekly["mean_severity"].round(2),
            "period": _period(weekly, k2_start),
        }
    )


def weekly_frequency_chart(
    weekly: pd.DataFrame, k2_start: dt.date | None = None, *, show_trial: bool = True
) -> alt.LayerChart:
    """Cramps per Monday-starting week, a rule at the K2 start, the trial arms' levels.

    Reference lines: the MK-7 arm's mean cramps a week at baseline (2.60) and during 8
    weeks of treatment (0.96), and the placebo arm's (2.71 → 3.63), evidence tan2024.
    """
    data = weekly_frequency_data(weekly, k2_start)
    periods = [p for p in PERIODS if p in set(data["period"])] or [PERIODS[3]]
    colours = [_PERIOD_COLOURS[PERIODS.index(p)] for p in periods]
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("week_start:T", title="Week starting (Monday)"),
            x2="week_end:T",
            y=alt.Y("episodes:Q", title="Cramps in the week"),
            y2=alt.datum(0),
            color=alt.Color(
                "period:N",
                title="Period",
                scale=alt.Scale(domain=periods, range=colours),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("week_start:T", title="Week starting", format="%Y-%m-%d"),
                alt.Tooltip("episodes:Q", title="Cramps"),
                alt.Tooltip("days_observed:Q", title="Days of the week in the diary"),
                alt.Tooltip("mean_severity:Q", title="Mean severity"),
                alt.Tooltip("period:N", title="Period"),
            ],
        )
    )
    layers: list[Any] = [bars]
    description = (
        f"Bar chart of cramps per week over {len(data)} weeks"
        + (f"; K2 started on {k2_start.isoformat()}" if k2_start else "")
        + "."
    )
    if k2_start is not None:
        rule_data = pd.DataFrame(
            {"k2_start": [pd.Timestamp(k2_start)], "label": [f"K2 started {k2_start}"]}
        )
        rule = alt.Chart(rule_data).mark_rule(color=OKABE_ITO["black"], strokeWidth=2)
        layers.append(
            rule.encode(
                x="k2_start:T",
                tooltip=[alt.Tooltip("label:N", title="K2")],
            )
        )
        layers.append(
            alt.Chart(rule_data)
            .mark_text(align="left", dx=4, dy=-4, baseline="top", color=OKABE_ITO["black"])
            .encode(x="k2_start:T", y=alt.value(0), text="label:N")
        )
    if show_trial:
        ref = analytics.trial_reference()
        arm_colours = [OKABE_ITO["bluish_green"], OKABE_ITO["vermillion"]]
        lines = (
            alt.Chart(ref)
            .mark_rule(strokeWidth=1.5)
            .encode(
                y="per_week:Q",
                color=alt.Color(
                    "arm:N",
                    title="Trial arm (tan2024)",
                    scale=alt.Scale(range=arm_colours),
                    legend=alt.Legend(orient="bottom"),
                ),
                strokeDash=alt.StrokeDash(
                    "period:N",
                    title="Trial period",
                    scale=alt.Scale(domain=["baseline", "during 8 weeks"], range=[[2, 2], [8, 3]]),
                    legend=alt.Legend(orient="bottom"),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="Reference"),
                    alt.Tooltip("per_week:Q", title="Mean cramps a week", format=".2f"),
                    alt.Tooltip("evidence:N", title="Evidence id"),
                ],
            )
        )
        # Placebo labels sit above their lines and MK-7 labels below, so the close
        # baselines (2.71 and 2.60) stay readable.
        for arm, dy in (("Placebo", -5), ("MK-7 180 µg", 11)):
            layers.append(
                alt.Chart(ref)
                .transform_filter(alt.datum.arm == arm)
                .mark_text(align="right", dy=dy, fontSize=10)
                .encode(
                    x=alt.value("width"),
                    y="per_week:Q",
                    text="label:N",
                    color=alt.value(arm_colours[0 if arm.startswith("MK") else 1]),
                )
            )
        layers.insert(1, lines)
        description += (
            " Horizontal reference lines: the trial's MK-7 arm averaged "
            f"{analytics.TRIAL_K2_BASELINE:.2f} cramps a week at baseline and "
            f"{analytics.TRIAL_K2_DURING:.2f} on treatment; the placebo arm "
            f"{analytics.TRIAL_PLACEBO_BASELINE:.2f} and {analytics.TRIAL_PLACEBO_DURING:.2f} "
            "(tan2024)."
        )
    chart = (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(title="Cramps per week", description=description, width=WIDTH, height=280)
    )
    return cast(alt.LayerChart, chart)


def weekly_frequency_table(weekly: pd.DataFrame, k2_start: dt.date | None = None) -> pd.DataFrame:
    """The weekly chart's numbers as a readable table."""
    data = weekly_frequency_data(weekly, k2_start)
    return pd.DataFrame(
        {
            "Week starting": data["week_start"].dt.strftime("%Y-%m-%d"),
            "Cramps": data["episodes"],
            "Days in diary": data["days_observed"],
            "Mean severity": data["mean_severity"],
            "Period": data["period"],
        }
    )


def severity_trend_chart(trend: pd.DataFrame, scale_label: str = "") -> alt.LayerChart:
    """Mean severity per day (or week) as points, with its rolling mean as a line."""
    window = str(trend["window"].iloc[0]) if len(trend) else "rolling mean"
    data = trend[["period_start", "entries", "mean_severity", "rolling_mean"]]
    tooltip = [
        alt.Tooltip("period_start:T", title="Date", format="%Y-%m-%d"),
        alt.Tooltip("mean_severity:Q", title="Mean severity", format=".2f"),
        alt.Tooltip("rolling_mean:Q", title=window, format=".2f"),
        alt.Tooltip("entries:Q", title="Entries with a severity"),
    ]
    y_title = "Severity" + (f" ({scale_label})" if scale_label else "")
    base = alt.Chart(data).encode(x=alt.X("period_start:T", title="Date"))
    points = base.mark_circle(size=28, opacity=0.55, color=OKABE_ITO["sky_blue"]).encode(
        y=alt.Y("mean_severity:Q", title=y_title), tooltip=tooltip
    )
    line = base.mark_line(color=OKABE_ITO["blue"], strokeWidth=2.5).encode(
        y="rolling_mean:Q", tooltip=tooltip
    )
    description = (
        f"Scatter of mean severity for {len(data)} periods with a line for the {window}"
        + (f"; severity {scale_label}" if scale_label else "")
        + "."
    )
    chart = alt.layer(points, line).properties(
        title=f"Severity over time (points: mean; line: {window})",
        description=description,
        width=WIDTH,
        height=240,
    )
    return cast(alt.LayerChart, chart)


def severity_trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """The severity chart's numbers as a readable table."""
    return pd.DataFrame(
        {
            "Date": trend["period_start"].dt.strftime("%Y-%m-%d"),
            "Entries": trend["entries"],
            "Mean severity": trend["mean_severity"],
            "Rolling mean": trend["rolling_mean"],
        }
    )


def duration_chart(dist: pd.DataFrame) -> alt.Chart:
    """How long cramps lasted: entries per duration bin (binned in pandas)."""
    data = dist[["bin", "order", "entries"]]
    total = int(data["entries"].sum())
    chart = (
        alt.Chart(data)
        .mark_bar(color=OKABE_ITO["bluish_green"])
        .encode(
            x=alt.X("bin:O", title="Duration (minutes)", sort=alt.SortField("order")),
            y=alt.Y("entries:Q", title="Entries"),
            tooltip=[
                alt.Tooltip("bin:O", title="Minutes"),
                alt.Tooltip("entries:Q", title="Entries"),
            ],
        )
        .properties(
            title="Duration of cramps",
            description=(
                f"Bar chart of {total} entries with a recorded duration, by duration bin "
                f"({', '.join(data['bin'])} minutes)."
            ),
            width=WIDTH,
            height=220,
        )
    )
    return cast(alt.Chart, chart)


def duration_table(dist: pd.DataFrame) -> pd.DataFrame:
    """The duration chart's numbers as a readable table."""
    return pd.DataFrame({"Minutes": dist["bin"], "Entries": dist["entries"]})


def night_heatmap_chart(heat: pd.DataFrame) -> alt.LayerChart:
    """Cramps by hour of the night and weekday (7 × 24 aggregated cells)."""
    data = heat[["weekday", "weekday_order", "hour", "hour_order", "episodes"]]
    total = int(data["episodes"].sum())
    busiest = data.iloc[int(data["episodes"].to_numpy().argmax())] if total else None
    base = alt.Chart(data).encode(
        x=alt.X("hour:O", title="Hour (from 18:00)", sort=alt.SortField("hour_order")),
        y=alt.Y("weekday:O", title="Weekday of the recorded date", sort=list(analytics.WEEKDAYS)),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "episodes:Q", title="Cramps", scale=alt.Scale(scheme=HEATMAP_SCHEME, zero=True)
        ),
        tooltip=[
            alt.Tooltip("weekday:O", title="Weekday"),
            alt.Tooltip("hour:O", title="Hour"),
            alt.Tooltip("episodes:Q", title="Cramps"),
        ],
    )
    text = base.mark_text(fontSize=9).encode(
        text=alt.condition(alt.datum.episodes > 0, "episodes:Q", alt.value("")),
        color=alt.condition(
            alt.datum.episodes > (int(data["episodes"].max()) / 2 if total else 0),
            alt.value("black"),
            alt.value("white"),
        ),
    )
    description = f"Heatmap of {total} timed cramps by weekday and hour." + (
        f" Most in {busiest['weekday']} {busiest['hour']} ({int(busiest['episodes'])})."
        if busiest is not None
        else ""
    )
    chart = alt.layer(cells, text).properties(
        title="Time of night × weekday",
        description=description,
        width=WIDTH,
        height=220,
    )
    return cast(alt.LayerChart, chart)


def night_heatmap_table(heat: pd.DataFrame) -> pd.DataFrame:
    """The heatmap as a weekday × hour table (hours from 18:00)."""
    hours = [f"{h:02d}:00" for h in analytics.NIGHT_HOUR_ORDER]
    table = heat.pivot(index="weekday", columns="hour", values="episodes")
    table = table.reindex(index=list(analytics.WEEKDAYS), columns=hours)
    table.index.name = "Weekday"
    return table.reset_index()


def side_chart(sides: pd.DataFrame) -> alt.LayerChart:
    """Cramps by leg: left, right, both, not recorded (bars labelled with counts)."""
    data = sides[["side", "order", "episodes"]]
    colours = [
        OKABE_ITO["blue"],
        OKABE_ITO["orange"],
        OKABE_ITO["reddish_purple"],
        OKABE_ITO["grey"],
    ]
    base = alt.Chart(data).encode(
        y=alt.Y("side:N", title="Leg", sort=list(data["side"])),
        x=alt.X("episodes:Q", title="Cramps"),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "side:N", scale=alt.Scale(domain=list(data["side"]), range=colours), legend=None
        ),
        tooltip=[alt.Tooltip("side:N", title="Leg"), alt.Tooltip("episodes:Q", title="Cramps")],
    )
    labels = base.mark_text(align="left", dx=3).encode(text="episodes:Q")
    parts = ", ".join(f"{s} {int(e)}" for s, e in zip(data["side"], data["episodes"], strict=True))
    chart = alt.layer(bars, labels).properties(
        title="Which leg",
        description=f"Bar chart of cramps by leg: {parts}.",
        width=WIDTH,
        height=140,
    )
    return cast(alt.LayerChart, chart)


def side_table(sides: pd.DataFrame) -> pd.DataFrame:
    """The side chart's numbers as a readable table."""
    return pd.DataFrame({"Leg": sides["side"], "Cramps": sides["episodes"]})


def chart_png(chart: alt.TopLevelMixin, *, scale: float = 2.0, width: int = 720) -> bytes:
    """Render a chart to PNG with vl-convert (no browser; a fixed width for 'container')."""
    return spec_png(chart.to_dict(), scale=scale, width=width)


def spec_png(spec: dict[str, Any], *, scale: float = 2.0, width: int = 720) -> bytes:
    """Render a Vega-Lite spec (from ``Chart.to_dict()``) to PNG with vl-convert."""
    import vl_convert as vlc

    if spec.get("width") == "container":
        spec = {**spec, "width": width}
    png: bytes = vlc.vegalite_to_png(spec, scale=scale)
    return png


def inline_datasets(chart: alt.TopLevelMixin) -> dict[str, list[dict[str, Any]]]:
    """The data a chart spec carries (what the browser would receive)."""
    spec = chart.to_dict()
    datasets: dict[str, list[dict[str, Any]]] = spec.get("datasets", {})
    return datasets
