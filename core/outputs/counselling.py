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

from core import evidence, trial
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

_COUNSELLING_IDS: Final = (
    "tan2024",
    "ods_vitk",
    "knapen2014",
    "iom2001",
    "theuwissen2013",
    "schurgers2007",
)


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


def counselling_text(report: InteractionReport) -> str:
    """The printable counselling panel as plain text, every statement with its evidence id.

    States the trial regimen as what the trial used (not a prescription), what is known of
    absorption,
    dietary sources and intakes, and when to speak to the prescriber first, including the
    cautions and unrecognised names of this report.
    """
    from core.interactions import entries_in_group

    lines: list[str] = [
        "VITAMIN K2 (MENAQUINONE-7) AND NOCTURNAL LEG CRAMPS: COUNSELLING NOTES",
        f"Cramp Consult, ruleset {report.ruleset_version}.",
        "Decision support for clinicians: it states the evidence and its limits and does not",
        "prescribe, dose or stop any medicine.",
        "",
        "WHAT THE TRIAL USED (the evidence, not a prescription)",
        "- MK-7 180 µg by mouth once daily for 8 weeks, in community-dwelling adults aged 65 or",
        "  over with at least 2 cramps in a 2-week screening period; n = 199 (103 MK-7, 96",
        "  placebo) [tan2024].",
        "- Mean cramps per week: 2.60 at baseline and 0.96 during the 8 weeks on MK-7, against",
        "  2.71 and 3.63 on placebo; difference -2.67 (95% CI -2.86 to -2.49) [tan2024].",
        "- Limits: one 8-week trial in Chinese adults aged 65 or over, with self-reported",
        "  outcomes and no independent replication. People taking vitamin K antagonists or",
        "  diuretics, and people on haemodialysis, were excluded [tan2024].",
        "",
        "ABSORPTION (the evidence)",
        "- Vitamin K is fat-soluble, so it is usually taken with a meal that contains some fat",
        "  [ods_vitk]. The absorption data are for MK-4 and vitamin K1; food-effect data for",
        "  MK-7 itself are unconfirmed [ods_vitk].",
        "- MK-7 peaks 2-4 h after an oil capsule and about 6 h after a tablet [knapen2014].",
        "",
        "VITAMIN K2 IN FOOD",
        "- Natto: about 850 µg of MK-7 per 85 g (3 oz) serving, about 1,000 µg per 100 g",
        "  (computed) [ods_vitk].",
        "- Some cheeses: 40-80 µg of long-chain menaquinones per 100 g [iom2001].",
        "- Adequate intake of vitamin K: men 120 µg/day, women 90 µg/day; no upper",
        "  limit has been set [iom2001, ods_vitk].",
        "",
        "SPEAK TO THE PRESCRIBER FIRST",
        "- Anyone taking an anticoagulant, above all a vitamin K antagonist such as warfarin:",
        "  MK-7 at 10 and 20 µg/day caused a clinically relevant INR drop in at least 40% and 60%",
        "  of volunteers on acenocoumarol respectively, and the trial dose is 180 µg",
        "  [theuwissen2013]. MK-7 has a",
        "  half-life of about 3 days and builds up with daily intake [schurgers2007].",
    ]
    if report.cautions:
        lines.append("- For this medication list:")
        for c in report.cautions:
            cited = ", ".join(c.evidence)
            lines.append(f"  * {c.severity.upper()}: {c.label}.")
            lines.append(_wrap(f"Applies to: {'; '.join(c.applies_to)}.", "    "))
            lines.append(_wrap(f"{c.management} (Basis: {cited}.)", "    "))
    else:
        lines.append("- For this medication list: no caution from the recognised names.")
    diuretics = [m.input for m in entries_in_group(report.medications, "diuretic")]
    if diuretics:
        lines.append(
            _wrap(
                first="",
                indent="  ",
                text="- Outside the trial population: this list includes a diuretic ("
                + "; ".join(" ".join(d.split()) for d in diuretics)
                + "); diuretic users were excluded from the trial, so there is no direct"
                " evidence for this patient [tan2024].",
            )
        )
    if report.unresolved:
        lines.append(
            _wrap(
                first="",
                indent="  ",
                text="- Not recognised, so no caution can be given for: "
                + "; ".join(" ".join(u.split()) for u in report.unresolved)
                + ". Check these names by hand.",
            )
        )
    ids = list(_COUNSELLING_IDS)
    for ev in report.evidence:
        if ev.id not in ids:
            ids.append(ev.id)
    lines += ["", "REFERENCES"]
    lines += [_wrap(_reference_line(ev), "  ", first="") for ev in evidence.resolve(ids)]
    return "\n".join(lines) + "\n"


# --- the patient's sheet --------------------------------------------------------------------------

REFUSED_STATUSES: Final = frozenset({"consult_prescriber", "evaluate_first", "check_medications"})
_REFUSAL: Final = {
    "consult_prescriber": "the patient takes (or may take) a vitamin K antagonist such as "
    "warfarin; vitamin K2 lowers its effect, so the anticoagulation prescriber decides first",
    "evaluate_first": "a red flag or a restless-legs pattern needs evaluating before the "
    "symptoms are treated as benign cramps",
    "check_medications": "a medication name was not recognised, so a vitamin K antagonist "
    "cannot be ruled out; check the list first",
}
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
    return (
        f"The patient sheet is not issued while the vitamin K2 status is "
        f"'{rec.k2.status}': {_REFUSAL[rec.k2.status]}. Give an override reason to issue it."
    )


def _k2_not_advised(rec: Recommendation) -> bool:
    """True when the consult advises against vitamin K2 for this patient (e.g. pregnancy,
    under 18, fewer than one cramp a week): the sheet then gives no regimen."""
    return any(a.code == "vitamin_k2" and a.strength == "not_recommended" for a in rec.actions)


def _sections(rec: Recommendation, *, overridden: bool) -> list[SheetSection]:
    t = trial
    sections = [
        SheetSection(
            "What night cramps are",
            (
                "A night cramp is a sudden, painful tightening of a leg muscle, usually the "
                "calf, while you rest or sleep. Up to 6 in 10 adults have had them, and they "
                "become more common with age.",
                "They are probably caused by tired muscles and nerves, not by a lack of salts "
                "in most people.",
            ),
            ("allen_kirby2012", "grandner2017"),
        ),
        SheetSection(
            "Stretching",
            (
                "Stretch your calf and the back of your thigh each night before bed.",
                "In one study of 80 adults over 55, nightly stretching for 6 weeks meant about "
                "1 fewer cramp a night. Another study found no effect, so the evidence is "
                "mixed.",
            ),
            ("hallegraeff2012", "coppin2005"),
        ),
    ]
    if _k2_not_advised(rec) and not overridden:
        sections.append(
            SheetSection(
                "Vitamin K2",
                ("Vitamin K2 is not advised for you at present. Your clinician will explain why.",),
                (t.EVIDENCE_ID,),
            )
        )
    else:
        sections.append(
            SheetSection(
                f"Vitamin K2 as the trial used it (adults aged ≥{trial.MIN_AGE})",
                (
                    f"In the trial, people aged {t.MIN_AGE} or over took vitamin K2 as MK-7, "
                    f"{t.DOSE_MCG} µg once a day for {t.WEEKS} weeks.",
                    "Take it with a meal that contains some fat: vitamin K dissolves in fat.",
                    f"Cramps a week in the trial: with MK-7 {t.K2_BASELINE:.2f} → "
                    f"{t.K2_DURING:.2f}; with a dummy capsule {t.PLACEBO_BASELINE:.2f} → "
                    f"{t.PLACEBO_DURING:.2f}.",
                    f"Keep a cramp diary: write down each cramp (date, time, how bad on a scale "
                    f"of 1 to 10, how long, which leg). Bring it back after {t.WEEKS} weeks.",
                ),
                ("tan2024", "ods_vitk"),
            ),
        )
    if rec.k2.status == "outside_trial_population" and not _k2_not_advised(rec):
        sections.append(
            SheetSection(
                "You and the trial",
                (
                    "You differ from the people in the trial, so the trial does not tell us "
                    "for certain that vitamin K2 will help you. Your clinician has talked "
                    "this through with you.",
                ),
                ("tan2024",),
            )
        )
    sections += [
        SheetSection(
            "Foods that contain vitamin K2",
            (
                "Natto (fermented soybeans): about 850 µg in an 85 g (3 oz) serving, about "
                "1,000 µg per 100 g.",
                "Some cheeses: 40 to 80 µg per 100 g.",
                "Cheddar: about 4 µg in 42 g (1.5 oz).",
                "Egg (hard-boiled): about 4 µg in a large egg.",
                "Chicken breast: about 13 µg in 85 g (3 oz).",
                "Ground beef: about 6 µg in 85 g (3 oz).",
                "Adults need about 120 µg of vitamin K a day (men) or 90 µg (women), from "
                "all foods together.",
            ),
            ("ods_vitk", "iom2001"),
        ),
        SheetSection(
            "Call your clinician",
            (
                "The same day if one calf is swollen, warm or tender.",
                "If your calf hurts when you walk and the pain eases when you stop.",
                "If your legs feel weak or numb, or the muscles twitch or waste.",
                "Before you start vitamin K2 if you take warfarin or another blood thinner, "
                "and whenever you start a new medicine.",
                "If the cramps do not get better, or get worse.",
                "Do not take quinine for cramps: it can cause serious harm.",
            ),
            ("calf_pain_red_flags", "theuwissen2013", "fda2006_quinine"),
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
