"""Counselling outputs: the pharmacist's counselling panel and the patient's take-home sheet.

The panel (``counselling_text``) is for clinicians: every statement with its evidence id.
The sheet (``patient_sheet``) is for the patient, in plain words and large type when printed:
what night cramps are, stretching, the K2 regimen as the trial used it, foods that contain
K2, and when to call the clinician. Every figure comes from shared/evidence.md through the
evidence ids listed with each section. The sheet is refused while the K2 status says not
to start (consult_prescriber, evaluate_first, check_medications) unless the clinician gives
an override reason, which is printed on the sheet with the date.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import dataclass
from typing import Final

from core import evidence, texts, trial
from core.errors import InputError
from core.models import Evidence, InteractionReport, Recommendation

__all__ = [
    "REFUSED_STATUSES",
    "CounsellingRefused",
    "PatientSheet",
    "SheetSection",
    "counselling_text",
    "patient_sheet",
    "patient_sheet_text",
    "refusal_reason",
]

_PANEL: Final = (
    (
        "WHAT THE TRIAL USED (the evidence, not a prescription)",
        ("trial_regimen", "trial_result", "trial_limits"),
    ),
    ("ABSORPTION (the evidence)", ("absorption_fat", "absorption_peak")),
    ("VITAMIN K2 IN FOOD", ("food_natto", "food_cheese", "adequate_intake")),
    ("SPEAK TO THE PRESCRIBER FIRST", ("anticoagulant",)),
)
"""The panel's headings and its bullets, ``counselling.<name>`` in ``texts.json``."""


def _wrap(text: str, indent: str, first: str | None = None) -> str:
    """Wrap one statement for print; continuation lines take ``indent``."""
    return textwrap.fill(
        text,
        width=90,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _reference_line(ev: Evidence) -> str:
    where = f" doi:{ev.doi}" if ev.doi else (f" PMID {ev.pmid}" if ev.pmid else "")
    url = f" {ev.url}" if ev.url and not ev.doi else ""
    return f"[{ev.id}] {ev.citation}{where}{url}"


def _bullets(*names: str) -> list[str]:
    """Panel bullets from ``texts.json`` (``counselling.<name>``), printed line for line as stored:
    the first line after "- ", the rest indented under it."""
    out: list[str] = []
    for name in names:
        first, *rest = texts.filled(f"counselling.{name}").split("\n")
        out += [f"- {first}", *(f"  {line}" for line in rest)]
    return out


def counselling_text(report: InteractionReport) -> str:
    """The printable counselling panel as plain text, every statement with its evidence id.

    States the trial regimen as what the trial used (not a prescription), what is known of
    absorption, dietary sources and intakes, and when to speak to the prescriber first,
    including the cautions and unrecognised names of this report. The statements are
    ``counselling.*`` in ``core/data/texts.json``.
    """
    from core.interactions import entries_in_group

    lines: list[str] = [
        "VITAMIN K2 (MENAQUINONE-7) AND NOCTURNAL LEG CRAMPS: COUNSELLING NOTES",
        f"Cramp Consult, ruleset {report.ruleset_version}.",
        "Decision support for clinicians: it states the evidence and its limits and does not",
        "prescribe, dose or stop any medicine.",
    ]
    for heading, names in _PANEL:
        lines += ["", heading, *_bullets(*names)]
    if report.cautions:
        lines.append("- For this medication list:")
        for c in report.cautions:
            cited = ", ".join(c.evidence)
            lines.append(f"  * {c.severity.upper()}: {c.label}.")
            lines.append(_wrap(f"Applies to: {'; '.join(c.applies_to)}.", "    "))
            lines.append(_wrap(f"{c.management} (Basis: {cited}.)", "    "))
    else:
        lines.append(f"- For this medication list: {texts.text('counselling.no_caution')}")
    diuretics = [m.input for m in entries_in_group(report.medications, "diuretic")]
    if diuretics:
        lines.append(
            _wrap(
                first="",
                indent="  ",
                text="- "
                + texts.filled(
                    "counselling.diuretic",
                    diuretics="; ".join(" ".join(d.split()) for d in diuretics),
                ),
            )
        )
    if report.unresolved:
        lines.append(
            _wrap(
                first="",
                indent="  ",
                text="- "
                + texts.filled(
                    "counselling.unrecognised",
                    names="; ".join(" ".join(u.split()) for u in report.unresolved),
                ),
            )
        )
    ids = [
        i
        for _, names in _PANEL
        for n in names
        for i in texts.texts_with_evidence(f"counselling.{n}")[1]
    ]
    ids = list(dict.fromkeys([*ids, *(ev.id for ev in report.evidence)]))
    lines += ["", "REFERENCES"]
    lines += [_wrap(_reference_line(ev), "  ", first="") for ev in evidence.resolve(ids)]
    return "\n".join(lines) + "\n"


# --- the patient's sheet --------------------------------------------------------------------------

REFUSED_STATUSES: Final = frozenset({"consult_prescriber", "evaluate_first", "check_medications"})
MIN_OVERRIDE_CHARS: Final = 3


class CounsellingRefused(InputError):
    """The sheet is not issued for this K2 status without an override reason."""


@dataclass(frozen=True)
class SheetSection:
    """One heading of the patient's sheet, its plain-language paragraphs and their sources."""

    heading: str
    paragraphs: tuple[str, ...]
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class PatientSheet:
    """The patient's counselling sheet, ready to print."""

    title: str
    ruleset_version: str
    date: str
    status: str
    sections: tuple[SheetSection, ...]
    sources: tuple[str, ...]
    override: str | None = None


def refusal_reason(rec: Recommendation) -> str | None:
    """Why the sheet is not issued for this recommendation, or None when it may be."""
    if rec.k2.status not in REFUSED_STATUSES:
        return None
    why = texts.text(f"sheet.refused.{rec.k2.status}")
    return (
        f"The patient sheet is not issued while the vitamin K2 status is "
        f"'{rec.k2.status}': {why}. Give an override reason to issue it."
    )


def _k2_not_advised(rec: Recommendation) -> bool:
    """True when the consult advises against vitamin K2 for this patient (e.g. pregnancy,
    under 18, fewer than one cramp a week): the sheet then gives no regimen."""
    return any(a.code == "vitamin_k2" and a.strength == "not_recommended" for a in rec.actions)


def _section(heading: str, *names: str) -> SheetSection:
    """A sheet section whose paragraphs are ``sheet.<name>`` in ``texts.json``; its sources
    are their evidence ids, in order."""
    paragraphs = tuple(texts.filled(f"sheet.{n}") for n in names)
    ids = [i for n in names for i in texts.texts_with_evidence(f"sheet.{n}")[1]]
    return SheetSection(heading, paragraphs, tuple(dict.fromkeys(ids)))


def _sections(rec: Recommendation, *, overridden: bool) -> list[SheetSection]:
    sections = [
        _section("What night cramps are", "cramps_what", "cramps_cause"),
        _section("Stretching", "stretch_how", "stretch_evidence"),
    ]
    if _k2_not_advised(rec) and not overridden:
        sections.append(_section("Vitamin K2", "k2_not_advised"))
    else:
        sections.append(
            _section(
                f"Vitamin K2 as the trial used it (adults aged ≥{trial.MIN_AGE})",
                "k2_regimen",
                "k2_with_fat",
                "k2_trial_result",
                "k2_diary",
            )
        )
    if rec.k2.status == "outside_trial_population" and not _k2_not_advised(rec):
        sections.append(_section("You and the trial", "outside_trial"))
    sections += [
        _section(
            "Foods that contain vitamin K2",
            "food_natto",
            "food_cheese",
            "food_cheddar",
            "food_egg",
            "food_chicken",
            "food_beef",
            "adequate_intake",
        ),
        _section(
            "Call your clinician",
            "call_swollen_calf",
            "call_claudication",
            "call_weak_numb",
            "call_blood_thinner",
            "call_not_better",
            "no_quinine",
        ),
    ]
    return sections


def patient_sheet(
    rec: Recommendation, *, override: str | None = None, on: dt.date | None = None
) -> PatientSheet:
    """The patient's sheet for this recommendation.

    Raises ``CounsellingRefused`` (an ``InputError``) while the status says not to start,
    unless ``override`` gives the clinician's reason; the reason is printed with the date.
    """
    reason = " ".join((override or "").split())
    refused = refusal_reason(rec)
    if refused and len(reason) < MIN_OVERRIDE_CHARS:
        raise CounsellingRefused(refused, where="counselling sheet")
    sections = tuple(_sections(rec, overridden=bool(refused)))
    ids = sorted({i for s in sections for i in s.evidence})
    return PatientSheet(
        title="Night leg cramps: what you can do",
        ruleset_version=rec.ruleset_version,
        date=(on or dt.date.today()).isoformat(),
        status=rec.k2.status,
        sections=sections,
        sources=tuple(_reference_line(ev) for ev in evidence.resolve(ids)),
        override=reason if refused else None,
    )


def patient_sheet_text(sheet: PatientSheet) -> str:
    """The sheet as plain text (for a preview and for tests)."""
    lines = [sheet.title.upper(), f"{sheet.date} · Cramp Consult ruleset {sheet.ruleset_version}"]
    if sheet.override:
        lines += ["", f"Issued by clinician override on {sheet.date}: {sheet.override}"]
    for s in sheet.sections:
        lines += ["", s.heading]
        lines += [_wrap(p, "  ", first="- ") for p in s.paragraphs]
    lines += ["", "Where this comes from"]
    lines += [_wrap(src, "  ", first="") for src in sheet.sources]
    return "\n".join(lines) + "\n"
