"""The panel's forest plot: one row per patient (rate ratio and 95% CI, log scale), the
pooled random-effects estimate, and the trial's arms as reference lines.

The spec carries aggregates only: per patient its file name (the label), ratio, interval,
rates and weeks; never a diary row or any other content of a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, cast

import altair as alt
import pandas as pd

from core import trial
from core.cohort import CohortPatient, PooledEstimate, flag_labels

POOLED_LABEL: Final = "Pooled (random effects)"
COLOURS: Final = {"patient": "#0072B2", "pooled": "#000000"}  # Okabe-Ito blue, black
SHAPES: Final = {"patient": "circle", "pooled": "diamond"}
REFERENCE_COLOURS: Final = ("#000000", "#E69F00", "#999999")
FOREST_COLUMNS: Final = (
    "patient",
    "kind",
    "order",
    "rate_ratio",
    "ci_low",
    "ci_high",
    "before_per_week",
    "after_per_week",
    "weeks_before",
    "weeks_after",
    "flags",
)


def forest_data(
    patients: Sequence[CohortPatient], pooled: PooledEstimate | None = None
) -> pd.DataFrame:
    """One row per patient with a before/after comparison (by ratio), then the pooled row."""
    labels = flag_labels()
    rows: list[dict[str, Any]] = []
    for p in patients:
        k2 = p.summary.k2_comparison
        if k2 is None:
            continue
        rows.append(
            {
                "patient": p.file,
                "kind": "patient",
                "rate_ratio": k2.rate_ratio,
                "ci_low": k2.ci95[0],
                "ci_high": k2.ci95[1],
                "before_per_week": k2.before_per_week,
                "after_per_week": k2.after_per_week,
                "weeks_before": k2.weeks_before,
                "weeks_after": k2.weeks_after,
                "flags": "; ".join(labels[f] for f in p.flags) or "none",
            }
        )
    rows.sort(key=lambda r: (r["rate_ratio"], r["patient"]))
    if pooled is not None:
        rows.append(
            {
                "patient": POOLED_LABEL,
                "kind": "pooled",
                "rate_ratio": pooled.rate_ratio,
                "ci_low": pooled.ci95[0],
                "ci_high": pooled.ci95[1],
                "before_per_week": None,
                "after_per_week": None,
                "weeks_before": None,
                "weeks_after": None,
                "flags": f"{pooled.patients} patients; I² {pooled.i2:.0f}%, τ² {pooled.tau2:.3f}",
            }
        )
    frame = pd.DataFrame(rows, columns=[c for c in FOREST_COLUMNS if c != "order"])
    frame.insert(2, "order", range(len(frame)))
    return frame


def reference_data() -> pd.DataFrame:
    """No change, and the trial arms' ratios of mean cramps a week (computed; tan2024)."""
    k2 = trial.K2_DURING / trial.K2_BASELINE
    placebo = trial.PLACEBO_DURING / trial.PLACEBO_BASELINE
    return pd.DataFrame(
        {
            "reference": [
                "No change (1.0)",
                f"Trial MK-7 arm ×{k2:.2f} ({trial.K2_BASELINE:.2f}→{trial.K2_DURING:.2f})",
                f"Trial placebo arm ×{placebo:.2f} "
                f"({trial.PLACEBO_BASELINE:.2f}→{trial.PLACEBO_DURING:.2f})",
            ],
            "ratio": [1.0, round(k2, 4), round(placebo, 4)],
            "evidence": ["", trial.EVIDENCE_ID, trial.EVIDENCE_ID],
        }
    )


def forest_chart(
    patients: Sequence[CohortPatient], pooled: PooledEstimate | None = None
) -> alt.LayerChart:
    """The forest plot as an Altair layer chart (log x axis, a row per patient)."""
    data = forest_data(patients, pooled)
    refs = reference_data()
    x_scale = alt.Scale(type="log")
    y = alt.Y(
        "patient:N",
        sort=alt.SortField("order", order="ascending"),
        title=None,
        axis=alt.Axis(labelLimit=220),
    )
    tooltip = [
        alt.Tooltip("patient:N", title="Patient (file)"),
        alt.Tooltip("rate_ratio:Q", title="Rate ratio", format=".2f"),
        alt.Tooltip("ci_low:Q", title="95% CI from", format=".2f"),
        alt.Tooltip("ci_high:Q", title="95% CI to", format=".2f"),
        alt.Tooltip("before_per_week:Q", title="Before, a week", format=".2f"),
        alt.Tooltip("after_per_week:Q", title="After, a week", format=".2f"),
        alt.Tooltip("weeks_before:Q", title="Weeks before", format=".1f"),
        alt.Tooltip("weeks_after:Q", title="Weeks after", format=".1f"),
        alt.Tooltip("flags:N", title="Flags"),
    ]
    kind_colour = alt.Color(
        "kind:N",
        title="Row",
        scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values())),
    )
    kind_shape = alt.Shape(
        "kind:N", scale=alt.Scale(domain=list(SHAPES), range=list(SHAPES.values())), legend=None
    )
    base = alt.Chart(data)
    intervals = base.mark_rule().encode(
        x=alt.X("ci_low:Q", scale=x_scale, title="Rate ratio, after K2 / before (log scale)"),
        x2="ci_high:Q",
        y=y,
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=list(COLOURS), range=list(COLOURS.values())),
            legend=None,
        ),
        tooltip=tooltip,
    )
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("rate_ratio:Q", scale=x_scale),
        y=y,
        color=kind_colour,
        shape=kind_shape,
        tooltip=tooltip,
    )
    ref_rules = (
        alt.Chart(refs)
        .mark_rule(strokeDash=[4, 3])
        .encode(
            x=alt.X("ratio:Q", scale=x_scale),
            color=alt.Color(
                "reference:N",
                title="Reference",
                scale=alt.Scale(domain=list(refs["reference"]), range=list(REFERENCE_COLOURS)),
                legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("reference:N", title="Reference"),
                alt.Tooltip("evidence:N", title="Evidence"),
            ],
        )
    )
    chart = (
        alt.layer(ref_rules, intervals, points)
        .resolve_scale(color="independent")
        .properties(
            width="container",
            height=alt.Step(16),
            title="Change in cramps a week since K2, by patient",
            description=(
                "Forest plot: each patient's rate ratio of cramps a week after vs before the "
                "K2 start, with its 95% interval on a log scale; the pooled random-effects "
                "estimate; dashed lines at no change and at the trial arms' ratios."
            ),
        )
    )
    return cast(alt.LayerChart, chart)


def forest_spec(
    patients: Sequence[CohortPatient], pooled: PooledEstimate | None = None
) -> dict[str, Any]:
    """The chart as a Vega-Lite dict (computed once; pickles for the session cache)."""
    return forest_chart(patients, pooled).to_dict()
