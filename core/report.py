"""Exports of a recommendation: a plain-text note for the record and CDS Hooks cards.

Both are views of the same Recommendation model; neither adds a clinical statement of its own.
"""

from __future__ import annotations

import uuid
from typing import Any

from core.models import STRENGTH_WORD, Recommendation

STATUS_INDICATOR = {
    "consult_prescriber": "critical",
    "evaluate_first": "warning",
    "outside_trial_population": "info",
    "consider": "info",
}
SEVERITY_INDICATOR = {"major": "critical", "moderate": "warning", "minor": "info"}


def note_text(rec: Recommendation) -> str:
    """A plain-text consult note: decision first, then findings, actions, cautions, sources."""
    lines = [
        "CRAMP CONSULT: nocturnal leg cramps (decision support, not a substitute for judgement)",
        f"Ruleset {rec.ruleset_version}",
        "",
        f"Vitamin K2: {rec.k2.label or rec.k2.status} [{rec.k2.status}]",
        *(f"  - {r}" for r in rec.k2.reasons),
    ]
    sections = [
        ("Red flags", rec.red_flags),
        ("Differentials", rec.differentials),
        ("Contributing factors", rec.risk_factors),
    ]
    for title, items in sections:
        if items:
            lines += ["", f"{title}:"]
            lines += [f"  - {f.label}: {f.detail} [{', '.join(f.evidence)}]" for f in items]
    lines += ["", "What to do:"]
    for a in rec.actions:
        lines.append(
            f"  - {STRENGTH_WORD[a.strength]}: {a.label}. {a.detail} [{', '.join(a.evidence)}]"
        )
    if rec.medications:
        lines += ["", "Medications as understood:"]
        for m in rec.medications:
            what = ", ".join(m.generics) if m.generics else "NOT RECOGNISED: no caution given"
            lines.append(f"  - {m.input} -> {what} ({m.matched_by})")
    if rec.cautions:
        lines += ["", "Cautions:"]
        for c in rec.cautions:
            lines.append(
                f"  - [{c.severity.upper()}] {c.label or c.code} ({', '.join(c.drugs)}): "
                f"{c.management} [{', '.join(c.evidence)}]"
            )
    lines += ["", "Sources:"]
    lines += [f"  [{e.id}] {e.citation}" for e in rec.evidence]
    return "\n".join(lines) + "\n"


def cds_hooks_cards(rec: Recommendation, source_url: str | None = None) -> dict[str, Any]:
    """A CDS Hooks response body: the K2 status, each red flag and each non-minor caution."""
    source: dict[str, Any] = {"label": f"Cramp Consult (ruleset {rec.ruleset_version})"}
    if source_url:
        source["url"] = source_url

    def card(summary: str, indicator: str, detail: str) -> dict[str, Any]:
        return {
            "uuid": str(uuid.uuid4()),
            "summary": summary[:139],
            "indicator": indicator,
            "detail": detail,
            "source": source,
        }

    cards = [
        card(
            f"Vitamin K2 for leg cramps: {rec.k2.label or rec.k2.status}",
            STATUS_INDICATOR[rec.k2.status],
            "\n".join(f"- {r}" for r in rec.k2.reasons),
        )
    ]
    cards += [card(f"Red flag: {f.label}", "warning", f.detail) for f in rec.red_flags]
    cards += [
        card(f"K2 caution: {c.label or c.code}", SEVERITY_INDICATOR[c.severity], c.management)
        for c in rec.cautions
        if c.severity != "minor"
    ]
    return {"cards": cards}
