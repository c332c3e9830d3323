"""Vitamin K2 (menaquinone-7) cautions for a medication list, with the counselling panel.

The interaction records are data (``core/data/interactions.json``): the classes or generics
that trigger each one, its severity, mechanism, clinical effect, management, documentation
level and evidence ids. This module matches resolved medications against them. It is pure
and cached, because the consult rules call ``cautions_for`` too.
"""

from __future__ import annotations

import contextlib
import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final, cast

from core import evidence
from core.errors import InputError
from core.formulary import (
    FORMULARY_VERSION,
    confirm,
    ingredient_classes,
    resolve_medication,
    unrecognised_parts,
)
from core.models import (
    SEVERITY_ORDER,
    Caution,
    Evidence,
    InteractionReport,
    ResolvedMedication,
    Severity,
)

__all__ = [
    "RULESET_VERSION",
    "SEVERITY_LEGEND",
    "InteractionRule",
    "build_report",
    "cautions_for",
    "check_interactions",
    "counselling_text",
    "interaction_rules",
]

_UNCONFIRMED_NOTE: Final = "spelling match, not yet confirmed"


@dataclass(frozen=True)
class InteractionRule:
    """One caution as data: what triggers it and what it says."""

    code: str
    severity: Severity
    label: str
    classes: frozenset[str]
    generics: frozenset[str]
    pair: str
    mechanism: str
    clinical_effect: str
    management: str
    documentation: str
    evidence: tuple[str, ...]

    def triggered_by(self, generic: str, classes: Iterable[str]) -> bool:
        """Whether one generic (with its classes) triggers this caution."""
        return generic in self.generics or not self.classes.isdisjoint(classes)


@cache
def _data() -> dict[str, Any]:
    raw = resources.files("core.data").joinpath("interactions.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


@cache
def _rules() -> tuple[InteractionRule, ...]:
    rules: list[InteractionRule] = []
    for rec in _data()["records"]:
        if rec["severity"] not in SEVERITY_ORDER:
            raise ValueError(f"interactions.json: bad severity in {rec['code']}")
        rules.append(
            InteractionRule(
                code=rec["code"],
                severity=cast("Severity", rec["severity"]),
                label=rec["label"],
                classes=frozenset(rec.get("classes", [])),
                generics=frozenset(rec.get("generics", [])),
                pair=rec["pair"],
                mechanism=rec["mechanism"],
                clinical_effect=rec["clinical_effect"],
                management=rec["management"],
                documentation=rec["documentation"],
                evidence=tuple(rec["evidence"]),
            )
        )
    return tuple(rules)


RULESET_VERSION: Final[str] = f"{_data()['version']}+formulary.{FORMULARY_VERSION}"
SEVERITY_LEGEND: Final[dict[str, str]] = dict(_data()["severity_legend"])


def interaction_rules() -> list[InteractionRule]:
    """Every caution the checker can give, in data order (so a page can list them all)."""
    return list(_rules())


def _applies_to(text: str, matched_by: str, note: str, generics: Sequence[str]) -> str:
    shown = " ".join(text.split())
    names = ", ".join(generics)
    if matched_by == "fuzzy" and "confirmed by the user" not in note:
        return f"{shown} ({names}; {_UNCONFIRMED_NOTE})"
    return shown if shown.casefold() == names.casefold() else f"{shown} ({names})"


_MedKey = tuple[str, tuple[str, ...], tuple[str, ...], str, str]


def _key(med: ResolvedMedication) -> _MedKey:
    return (med.input, tuple(med.generics), tuple(med.classes), med.matched_by, med.note or "")


def _hits(rule: InteractionRule, generics: Sequence[str], classes: Sequence[str]) -> list[str]:
    """The generics of one entry that trigger ``rule`` (per ingredient, so a combination
    product names only the ingredient concerned)."""
    if not generics:
        # Defensive: a caller-built entry with classes but no generic still triggers.
        return ["(unidentified)"] if rule.triggered_by("", classes) else []
    hits: list[str] = []
    for g in generics:
        if rule.triggered_by(g, ingredient_classes(g, classes)):
            hits.append(g)
    return hits


@lru_cache(maxsize=16384)
def _entry_hits(key: _MedKey) -> tuple[tuple[int, tuple[str, ...], str], ...]:
    """For one entry: each rule it triggers (by data order), its generics and its label."""
    text, generics, classes, matched_by, note = key
    out: list[tuple[int, tuple[str, ...], str]] = []
    for order, rule in enumerate(_rules()):
        hits = _hits(rule, generics, classes)
        if hits:
            out.append((order, tuple(hits), _applies_to(text, matched_by, note, hits)))
    return tuple(out)


@lru_cache(maxsize=16384)
def _caution(order: int, drugs: tuple[str, ...], applies: tuple[str, ...]) -> tuple[Caution, bytes]:
    """One caution for the entries it applies to, with its JSON (shared across lists)."""
    rule = _rules()[order]
    caution = Caution(
        code=rule.code,
        severity=rule.severity,
        drugs=list(drugs),
        management=rule.management,
        evidence=list(rule.evidence),
        label=rule.label,
        pair=rule.pair.replace("{drug}", ", ".join(drugs)),
        applies_to=list(applies),
        mechanism=rule.mechanism,
        clinical_effect=rule.clinical_effect,
        documentation=rule.documentation,
    )
    return caution, caution.__pydantic_serializer__.to_json(caution)


@lru_cache(maxsize=8192)
def _cautions_cached(keys: tuple[_MedKey, ...]) -> tuple[tuple[Caution, bytes], ...]:
    by_rule: dict[int, tuple[list[str], list[str]]] = {}
    for key in keys:
        for order, hits, entry in _entry_hits(key):
            drugs, applies = by_rule.setdefault(order, ([], []))
            drugs.extend(g for g in hits if g not in drugs)
            if entry not in applies:
                applies.append(entry)
    rules = _rules()
    ranked = sorted(by_rule, key=lambda order: (SEVERITY_ORDER[rules[order].severity], order))
    return tuple(
        _caution(order, tuple(by_rule[order][0]), tuple(by_rule[order][1]))
        for order in ranked
        if by_rule[order][0]
    )


def cautions_for(meds: Sequence[ResolvedMedication]) -> list[Caution]:
    """The vitamin K2 cautions a medication list triggers, major first.

    One caution per code, naming every drug it applies to (``drugs``) and every entry as
    written (``applies_to``, e.g. ``Coumadin (warfarin)``). Unresolved entries trigger
    nothing, which is why callers must show them. Pure and cached.
    """
    return [c for c, _ in _cautions_cached(tuple(_key(m) for m in meds))]


def cautions_json(meds: Sequence[ResolvedMedication]) -> bytes:
    """``cautions_for(meds)`` as a JSON array (UTF-8), from cached pieces; for batches."""
    return b"[" + b",".join(j for _, j in _cautions_cached(tuple(_key(m) for m in meds))) + b"]"


def _with_status(med: ResolvedMedication, status: str) -> ResolvedMedication:
    note = f"status: {status}" + (f"; {med.note}" if med.note else "")
    return med.model_copy(update={"note": note})


def build_report(
    meds: Sequence[ResolvedMedication],
    *,
    not_current: Sequence[ResolvedMedication] = (),
) -> InteractionReport:
    """The InteractionReport for medications already resolved (e.g. after a confirmation)."""
    cautions = cautions_for(meds)
    unresolved: list[str] = []
    for med in meds:
        if med.matched_by == "unresolved":
            unresolved.append(med.input)
        else:
            unresolved.extend(f"{part} (in '{med.input}')" for part in unrecognised_parts(med))
    ids: list[str] = []
    for c in cautions:
        ids.extend(i for i in c.evidence if i not in ids)
    return InteractionReport(
        ruleset_version=RULESET_VERSION,
        medications=list(meds),
        cautions=cautions,
        unresolved=unresolved,
        evidence=evidence.resolve(ids),
        not_current=list(not_current),
    )


def check_interactions(
    texts: Sequence[str],
    *,
    not_current: Sequence[str | tuple[str, str]] = (),
    confirmed: Mapping[str, str | None] | None = None,
) -> InteractionReport:
    """Resolve medication strings and report the vitamin K2 cautions they trigger.

    ``not_current`` holds medications that are stopped, completed or cancelled (a string, or
    ``(name, status)`` from a FHIR Bundle): they are resolved and reported but trigger no
    caution. ``confirmed`` maps an input string to the name the user picked for an uncertain
    match (``None`` or ``""`` rejects the suggestion); see ``core.formulary.confirm``.
    """
    meds: list[ResolvedMedication] = []
    for text in texts:
        med = resolve_medication(text)
        if confirmed and text in confirmed:
            # A stale confirmation (the list changed) is ignored: keep the fresh resolution.
            with contextlib.suppress(InputError):
                med = confirm(med, confirmed[text])
        meds.append(med)
    stopped: list[ResolvedMedication] = []
    for item in not_current:
        name, status = (item, "not current") if isinstance(item, str) else item
        stopped.append(_with_status(resolve_medication(name), status))
    return build_report(meds, not_current=stopped)


# --- the counselling panel ------------------------------------------------------------------------

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
    from core.rules import diuretic_classes

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
    diuretics = [
        m.input for m in report.medications if not diuretic_classes().isdisjoint(m.classes)
    ]
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
