"""Altair chart builders for the cramp diary: aggregated frame in, chart out.

Every builder is a pure function of a small frame from ``core.analytics`` (one row per
week, day, bin, cell or side), so the chart spec sent to the browser never carries raw
diary rows. Each chart has a title, a description (the Vega-Lite top-level
``description``, read out by screen readers), tooltips, colour-blind-safe colours
(Okabe-Ito; viridis for the heatmap) paired with labels or line styles so that nothing is
signalled by colour alone, and a companion ``*_table`` function giving the same numbers
as a readable table to show beside it. ``chart_png`` renders any of them to PNG through
vl-convert.

Streamlit draws a chart at the spec's ``height`` with ``autosize: fit, contains: padding``,
so the title, axes and legends come out of that height: each chart declares the same
autosize itself (so its PNG has the page's proportions) and a height that leaves the plot at
least :data:`MIN_PLOT_SHARE` of it. Charts render as SVG, which screen readers and tests read.

Size (about 430 lines): five charts, each a builder and its table, sharing these sizing and
accessibility rules.
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
MIN_PLOT_SHARE: Final = 0.4  # of the chart's height, after title, axes and legends
MIN_PLOT_PX: Final = 100
NIGHT_MARGIN_HOURS: Final = 1  # hours shown either side of the first and last timed cramp
# Streamlit's sizing, declared in the spec so vl-convert's PNG matches the page.
AUTOSIZE: Final = {"type": "fit", "contains": "padding"}
USERMETA: Final = {"embedOptions": {"renderer": "svg"}}
_COUNT_AXIS: Final = alt.Axis(tickMinStep=1, format="d")  # counts: whole-number ticks


def _frame(chart: Any, *, title: Any, description: str, height: int) -> Any:
    """Title, description, height and the page's sizing and SVG renderer, for every chart."""
    return chart.properties(
        title=title,
        description=description,
        width=WIDTH,
        height=height,
        autosize=AUTOSIZE,
        usermeta=USERMETA,
    )


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
            x=alt.X("week_start:T", title="Week (from Monday)"),
            x2="week_end:T",
            y=alt.Y("episodes:Q", title="Cramps a week", axis=_COUNT_AXIS),
            y2=alt.datum(0),
            color=alt.Color(
                "period:N",
                title="Period",
                scale=alt.Scale(domain=periods, range=colours),
                legend=alt.Legend(orient="bottom", direction="vertical"),
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
        labels = list(ref["label"])
        # One legend names each line by colour and dash (arm and period), so no label has
        # to sit over the bars.
        arm_colour = {"MK-7 180 µg": OKABE_ITO["bluish_green"], "Placebo": OKABE_ITO["vermillion"]}
        dash = {"baseline": [2, 2], "during 8 weeks": [8, 3]}
        lines = (
            alt.Chart(ref)
            .mark_rule(strokeWidth=1.5)
            .encode(
                y="per_week:Q",
                color=alt.Color(
                    "label:N",
                    title="Trial means (tan2024)",
                    scale=alt.Scale(
                        domain=labels,
                        range=[arm_colour.get(a, OKABE_ITO["black"]) for a in ref["arm"]],
                    ),
                    legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0),
                ),
                strokeDash=alt.StrokeDash(
                    "label:N",
                    scale=alt.Scale(
                        domain=labels, range=[dash.get(p, [1, 0]) for p in ref["period"]]
                    ),
                    legend=None,
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="Reference"),
                    alt.Tooltip("per_week:Q", title="Mean cramps a week", format=".2f"),
                    alt.Tooltip("evidence:N", title="Evidence id"),
                ],
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
    chart = _frame(
        alt.layer(*layers).resolve_scale(color="independent", strokeDash="independent"),
        title="Cramps per week",
        description=description,
        height=460 if show_trial else 340,
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
    y_title = "Severity"
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
    subtitle = f"Points: mean; line: {window}" + (f"; {scale_label}" if scale_label else "")
    chart = _frame(
        alt.layer(points, line),
        title=alt.TitleParams("Severity over time", subtitle=subtitle),
        description=description,
        height=300,
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
            x=alt.X(
                "bin:O",
                title="Minutes",
                sort=alt.SortField("order"),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("entries:Q", title="Entries", axis=_COUNT_AXIS),
            tooltip=[
                alt.Tooltip("bin:O", title="Minutes"),
                alt.Tooltip("entries:Q", title="Entries"),
            ],
        )
    )
    chart = _frame(
        chart,
        title="Duration of cramps",
        description=(
            f"Bar chart of {total} entries with a recorded duration, by duration bin "
            f"({', '.join(data['bin'])} minutes)."
        ),
        height=280,
    )
    return cast(alt.Chart, chart)


def duration_table(dist: pd.DataFrame) -> pd.DataFrame:
    """The duration chart's numbers as a readable table."""
    return pd.DataFrame({"Minutes": dist["bin"], "Entries": dist["entries"]})


def night_heatmap_chart(heat: pd.DataFrame) -> alt.LayerChart:
    """Cramps by hour of the night and weekday (7 × 24 aggregated cells)."""
    data = night_hours(heat)[["weekday", "weekday_order", "hour", "hour_order", "episodes"]]
    total = int(data["episodes"].sum())
    busiest = data.iloc[int(data["episodes"].to_numpy().argmax())] if total else None
    base = alt.Chart(data).encode(
        x=alt.X(
            "hour:O",
            title="Hour of the day",
            sort=alt.SortField("hour_order"),
            axis=alt.Axis(labelAngle=0, labelExpr="slice(datum.label, 0, 2)"),
        ),
        y=alt.Y("weekday:O", title="Weekday", sort=list(analytics.WEEKDAYS)),
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
    hours = data.drop_duplicates("hour").sort_values("hour_order")["hour"]
    description += f" Hours shown: {hours.iloc[0]} to {hours.iloc[-1]}." if len(hours) else ""
    chart = _frame(
        alt.layer(cells, text),
        title="Time of night × weekday",
        description=description,
        height=300,
    )
    return cast(alt.LayerChart, chart)


def night_hours(heat: pd.DataFrame) -> pd.DataFrame:
    """The heatmap's cells from an hour before the first timed cramp to an hour after the last.

    Hours run from 18:00 to 17:00 (``hour_order``), so a night's cramps form one block.
    """
    busy = heat.loc[heat["episodes"] > 0, "hour_order"]
    if busy.empty:
        return heat
    first = max(int(busy.min()) - NIGHT_MARGIN_HOURS, 0)
    last = min(int(busy.max()) + NIGHT_MARGIN_HOURS, len(analytics.NIGHT_HOUR_ORDER) - 1)
    return heat[heat["hour_order"].between(first, last)]


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
        x=alt.X("episodes:Q", title="Cramps", axis=_COUNT_AXIS),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "side:N", scale=alt.Scale(domain=list(data["side"]), range=colours), legend=None
        ),
        tooltip=[alt.Tooltip("side:N", title="Leg"), alt.Tooltip("episodes:Q", title="Cramps")],
    )
    labels = base.mark_text(align="left", dx=3).encode(text="episodes:Q")
    parts = ", ".join(f"{s} {int(e)}" for s, e in zip(data["side"], data["episodes"], strict=True))
    chart = _frame(
        alt.layer(bars, labels),
        title="Which leg",
        description=f"Bar chart of cramps by leg: {parts}.",
        height=220,
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
