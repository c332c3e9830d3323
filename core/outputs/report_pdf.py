"""The consult report as a PDF: the note's content laid out for reading, plus the diary.

With a diary summary it adds the weekly chart (Vega-Lite rendered to PNG by vl-convert, no
browser) and the before/after figures (cramps a week, rate ratio and 95% CI) beside the
trial's arms (tan2024, from ``core.trial``). Footer on every page: ruleset, date, page N of
M and the disclaimer.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, Final

from core import trial
from core.models import STRENGTH_WORD, DiarySummary, PatientProfile, Recommendation
from core.outputs.note import input_lines, short_citation
from core.outputs.pdf import ConsultPDF

__all__ = ["report_pdf", "weekly_chart_png", "weekly_chart_spec"]

BODY_PT: Final = 10.0
_BEFORE: Final = "#0072B2"  # Okabe-Ito blue
_AFTER: Final = "#E69F00"  # Okabe-Ito orange
_ARMS: Final = (
    ("MK-7 arm, baseline", trial.K2_BASELINE, "#009E73", [2, 2]),
    ("MK-7 arm, 8 weeks", trial.K2_DURING, "#009E73", [8, 3]),
    ("Placebo arm, baseline", trial.PLACEBO_BASELINE, "#D55E00", [2, 2]),
    ("Placebo arm, 8 weeks", trial.PLACEBO_DURING, "#D55E00", [8, 3]),
)


def weekly_chart_spec(summary: DiarySummary) -> dict[str, Any]:
    """A Vega-Lite spec: cramps per Monday week, before/after the K2 start, trial arm lines."""
    k2 = summary.k2_comparison.k2_start if summary.k2_comparison else None
    rows = [
        {
            "week_start": w.week_start,
            "episodes": w.episodes,
            "period": ("after K2 start" if w.week_start >= k2 else "before K2 start")
            if k2
            else "diary",
        }
        for w in summary.weekly
    ]
    arms = [{"label": a, "per_week": v} for a, v, _, _ in _ARMS]
    periods = ["before K2 start", "after K2 start"] if k2 else ["diary"]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": rows},
            "mark": {"type": "bar"},
            "encoding": {
                "x": {"field": "week_start", "type": "ordinal", "title": "Week starting (Monday)"},
                "y": {"field": "episodes", "type": "quantitative", "title": "Cramps in the week"},
                "color": {
                    "field": "period",
                    "type": "nominal",
                    "title": "Period",
                    "scale": {
                        "domain": periods,
                        "range": [_AFTER if p.startswith("after") else _BEFORE for p in periods],
                    },
                    "legend": {"orient": "bottom"},
                },
            },
        },
        {
            "data": {"values": arms},
            "mark": {"type": "rule", "strokeWidth": 1.5},
            "encoding": {
                "y": {"field": "per_week", "type": "quantitative"},
                "color": {
                    "field": "label",
                    "type": "nominal",
                    "title": "Trial (tan2024), mean a week",
                    "scale": {
                        "domain": [a for a, _, _, _ in _ARMS],
                        "range": [c for _, _, c, _ in _ARMS],
                    },
                    "legend": {"orient": "bottom", "columns": 2},
                },
                "strokeDash": {
                    "field": "label",
                    "type": "nominal",
                    "scale": {
                        "domain": [a for a, _, _, _ in _ARMS],
                        "range": [d for _, _, _, d in _ARMS],
                    },
                    "legend": None,
                },
            },
        },
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Cramps per week",
        "width": 620,
        "height": 240,
        "layer": layers,
        "resolve": {"scale": {"color": "independent"}},
    }


def weekly_chart_png(summary: DiarySummary) -> bytes:
    """The weekly chart as PNG (vl-convert, no browser)."""
    import vl_convert as vlc

    png: bytes = vlc.vegalite_to_png(weekly_chart_spec(summary), scale=2.0)
    return png


def _diary_section(pdf: ConsultPDF, summary: DiarySummary) -> None:
    pdf.heading("Cramp diary")
    pdf.para(
        f"{summary.episodes} cramps from {summary.first_date or '?'} to "
        f"{summary.last_date or '?'} ({summary.episodes_per_week:.2f} a week; "
        f"{summary.rows_rejected} rows set aside)."
    )
    if summary.weekly:
        png = weekly_chart_png(summary)
        if pdf.will_page_break(80):
            pdf.add_page()
        pdf.image(io.BytesIO(png), w=pdf.epw)
        pdf.ln(2)
    comp = summary.k2_comparison
    rows = [("", "Before (a week)", "During / after (a week)", "Rate ratio (95% CI)")]
    if comp is not None:
        lo, hi = comp.ci95
        rows.append(
            (
                f"This patient (K2 from {comp.k2_start})",
                f"{comp.before_per_week:.2f} over {comp.weeks_before:.1f} wk",
                f"{comp.after_per_week:.2f} over {comp.weeks_after:.1f} wk",
                f"{comp.rate_ratio:.2f} ({lo:.2f} to {hi:.2f})",
            )
        )
    rows.append(
        (
            f"Trial (age ≥{trial.MIN_AGE}), MK-7 {trial.DOSE_MCG} µg arm",
            f"{trial.K2_BASELINE:.2f}",
            f"{trial.K2_DURING:.2f} over {trial.WEEKS} wk",
            "",
        )
    )
    rows.append(
        (
            "Trial, placebo arm",
            f"{trial.PLACEBO_BASELINE:.2f}",
            f"{trial.PLACEBO_DURING:.2f} over {trial.WEEKS} wk",
            "",
        )
    )
    pdf.set_font("DejaVu", "", BODY_PT - 1)
    with pdf.table(col_widths=(40, 22, 24, 24), text_align="LEFT") as table:
        for row in rows:
            table.row(row)
    pdf.ln(1)
    if comp is None:
        pdf.para("No K2 start date given: no before/after comparison.")
    else:
        note = (
            " (0.5 added to both counts because one side had none)"
            if (comp.continuity_correction)
            else ""
        )
        pdf.para(
            "Rate ratio = cramps a week after / before the K2 start, Poisson 95% CI on the "
            f"log scale{note}. The trial arms are means over 8 weeks [{trial.EVIDENCE_ID}]; "
            "one patient's diary is not a trial.",
            size=BODY_PT - 1,
        )


def report_pdf(
    rec: Recommendation,
    profile: PatientProfile | None = None,
    diary: DiarySummary | None = None,
    *,
    on: dt.date | None = None,
) -> bytes:
    """The consult report: decision, red flags, inputs, cautions, plan, diary, sources."""
    day = (on or dt.date.today()).isoformat()
    pdf = ConsultPDF(
        title="Cramp Consult: consult report",
        ruleset_version=rec.ruleset_version,
        date=day,
        body_size=BODY_PT,
    )
    pdf.title_block("Nocturnal leg cramps and vitamin K2 (menaquinone-7)")
    pdf.heading(f"Vitamin K2: {rec.k2.label or rec.k2.status} [{rec.k2.status}]")
    pdf.bullets(rec.k2.reasons)
    pdf.para(
        f"The trial [{trial.EVIDENCE_ID}]: adults aged ≥{trial.MIN_AGE}, MK-7 {trial.DOSE_MCG} µg "
        f"once daily for {trial.WEEKS} weeks; cramps a week {trial.K2_BASELINE:.2f} → "
        f"{trial.K2_DURING:.2f} on MK-7, {trial.PLACEBO_BASELINE:.2f} → "
        f"{trial.PLACEBO_DURING:.2f} on placebo.",
        size=BODY_PT - 1,
    )
    if rec.red_flags:
        pdf.heading("Red flags: evaluate first")
        pdf.bullets(f"{f.label}: {f.detail} [{', '.join(f.evidence)}]" for f in rec.red_flags)
    pdf.heading("Inputs")
    pdf.bullets(line.strip() for line in input_lines(profile, rec))
    pdf.heading("Cautions")
    if rec.cautions:
        pdf.bullets(
            f"{c.severity.upper()}: {c.label or c.code} ({', '.join(c.drugs)}). "
            f"{c.management} [{', '.join(c.evidence)}]"
            for c in rec.cautions
        )
    else:
        pdf.para("None for the medicines recognised.")
    pdf.heading("Plan")
    pdf.bullets(
        f"{STRENGTH_WORD[a.strength]}: {a.label}. {a.detail} [{', '.join(a.evidence)}]"
        for a in rec.actions
    )
    if diary is not None:
        _diary_section(pdf, diary)
    for title, items in (
        ("Differentials", rec.differentials),
        ("Contributing factors", rec.risk_factors),
    ):
        if items:
            pdf.heading(title)
            pdf.bullets(f"{f.label}: {f.detail} [{', '.join(f.evidence)}]" for f in items)
    pdf.heading("Sources")
    pdf.bullets((short_citation(e) for e in rec.evidence), size=BODY_PT - 1.5)
    return pdf.pdf_bytes()
