"""The consult note for the record: concise plain text a clinician pastes into the EHR.

Decision first (the K2 status and its reasons), then red flags, the inputs as understood,
cautions, the plan, other findings and short citations; ruleset version and date on top.
It is a view of the Recommendation and adds no clinical statement of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from core.models import (
    CONDITION_LABELS,
    STRENGTH_WORD,
    SYMPTOM_LABELS,
    Evidence,
    Finding,
    PatientProfile,
    Recommendation,
)

__all__ = ["DISCLAIMER", "input_lines", "note_text", "short_citation"]

DISCLAIMER = "Decision support, not a substitute for clinical judgement."


def short_citation(ev: Evidence) -> str:
    """First author (or body) and the title's opening, with DOI or PMID: one short line."""
    head = ev.citation.split(". ")[0].rstrip(".")
    if len(head) > 60:
        head = head[:57].rstrip() + "..."
    ident = f" doi:{ev.doi}" if ev.doi else (f" PMID {ev.pmid}" if ev.pmid else "")
    return f"[{ev.id}] {head}{ident}"


def _ids(ids: Iterable[str]) -> str:
    joined = ", ".join(ids)
    return f" [{joined}]" if joined else ""


def input_lines(profile: PatientProfile | None, rec: Recommendation) -> list[str]:
    """The inputs as entered and understood, one short line each."""
    lines: list[str] = []
    if profile is not None:
        per_week = (
            "not given" if profile.cramps_per_week is None else f"{profile.cramps_per_week:g}"
        )
        lines.append(
            f"Age {profile.age}, sex {profile.sex}"
            + (", pregnant" if profile.pregnant else "")
            + f"; cramps per week: {per_week}"
        )
        exposures = [
            name
            for name, on in (
                ("dehydration or low fluid intake", profile.dehydration),
                ("prolonged sitting", profile.prolonged_sitting),
                ("prolonged standing", profile.prolonged_standing),
            )
            if on
        ]
        lines.append(f"Exposures: {', '.join(exposures) or 'none recorded'}")
        conditions = [CONDITION_LABELS[c] for c in profile.conditions]
        lines.append(f"Conditions: {', '.join(conditions) or 'none recorded'}")
        symptoms = [SYMPTOM_LABELS[s] for s in profile.symptoms]
        lines.append(f"Symptoms: {', '.join(symptoms) or 'none recorded'}")
    if rec.medications:
        lines.append("Medications as understood:")
        for m in rec.medications:
            what = ", ".join(m.generics) if m.generics else "NOT RECOGNISED: no caution given"
            lines.append(f"  {m.input} -> {what} ({m.matched_by})")
    else:
        lines.append("Medications: none listed")
    return lines


def _findings(title: str, items: list[Finding]) -> list[str]:
    if not items:
        return []
    return ["", f"{title}:"] + [f"  - {f.label}: {f.detail}{_ids(f.evidence)}" for f in items]


def note_text(
    rec: Recommendation, profile: PatientProfile | None = None, *, on: dt.date | None = None
) -> str:
    """A plain-text consult note: decision first, red flags, inputs, cautions, plan, sources."""
    day = (on or dt.date.today()).isoformat()
    lines = [
        f"CRAMP CONSULT NOTE: nocturnal leg cramps. {DISCLAIMER}",
        f"Ruleset {rec.ruleset_version}; {day}",
        "",
        f"Vitamin K2: {rec.k2.label or rec.k2.status} [{rec.k2.status}]",
        *(f"  - {r}" for r in rec.k2.reasons),
    ]
    lines += _findings("RED FLAGS (evaluate first)", rec.red_flags)
    lines += ["", "Inputs:"] + [f"  {line}" for line in input_lines(profile, rec)]
    lines += ["", "Cautions:"]
    if not rec.cautions:
        lines.append("  none for the medicines recognised")
    for c in rec.cautions:
        lines.append(
            f"  - [{c.severity.upper()}] {c.label or c.code} ({', '.join(c.drugs)}): "
            f"{c.management}{_ids(c.evidence)}"
        )
    lines += ["", "Plan:"]
    for a in rec.actions:
        lines.append(f"  - {STRENGTH_WORD[a.strength]}: {a.label}. {a.detail}{_ids(a.evidence)}")
    lines += _findings("Differentials", rec.differentials)
    lines += _findings("Contributing factors", rec.risk_factors)
    lines += ["", "Sources:"]
    lines += [f"  {short_citation(e)}" for e in rec.evidence]
    return "\n".join(lines) + "\n"
