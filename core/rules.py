"""The consult rules: patient facts in, a structured, evidence-traced recommendation out.

Rules are data (``core/data/rules.json``): each finding, K2 status, K2 reason and action names
the facts it needs and the evidence it rests on. This module only computes the facts from a
profile and applies the rules in order, so the About page can list every rule from the same data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core import evidence as evidence_catalogue
from core.models import (
    SEVERITY_ORDER,
    Action,
    Finding,
    K2Assessment,
    K2Status,
    PatientProfile,
    Recommendation,
    ResolvedMedication,
    Strength,
)

FindingKind = Literal["risk_factor", "red_flag", "differential"]


class When(BaseModel):
    """A rule's condition over facts: every fact in ``all`` and at least one in ``any``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    all_of: tuple[str, ...] = Field((), alias="all")
    any_of: tuple[str, ...] = Field((), alias="any")

    def holds(self, facts: frozenset[str] | set[str]) -> bool:
        """True when the facts satisfy this condition (an empty condition always holds)."""
        if self.all_of and not all(f in facts for f in self.all_of):
            return False
        return not self.any_of or any(f in facts for f in self.any_of)

    def describe(self) -> str:
        """The condition in plain words, for the About page."""
        parts = []
        if self.all_of:
            parts.append("all of: " + ", ".join(self.all_of))
        if self.any_of:
            parts.append("any of: " + ", ".join(self.any_of))
        return "; ".join(parts) or "always"


class FindingRule(BaseModel):
    """A risk factor, red flag or differential and when it is found."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: FindingKind
    code: str
    label: str
    when: When
    detail: str
    basis: str
    evidence: tuple[str, ...]
    drug_group: str | None = None


class StatusRule(BaseModel):
    """One K2 status; the first whose condition holds wins."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: K2Status
    label: str
    when: When
    basis: str
    evidence: tuple[str, ...]


class ReasonRule(BaseModel):
    """A sentence for the K2 reasons, shown when its condition holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: When
    text: str


class ActionVariant(BaseModel):
    """The strength and wording of an action for patients matching ``when``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: When
    strength: Strength
    detail: str
    basis: str


class ActionRule(BaseModel):
    """A next step: shown when ``when`` holds; the first matching variant sets its strength."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    label: str
    when: When = When()
    variants: tuple[ActionVariant, ...]
    evidence: tuple[str, ...]


class RuleSet(BaseModel):
    """Every rule of the consult, as loaded from data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ruleset_version: str
    about: str
    drug_groups: dict[str, tuple[str, ...]]
    findings: tuple[FindingRule, ...]
    k2_status: tuple[StatusRule, ...]
    k2_reasons: tuple[ReasonRule, ...]
    actions: tuple[ActionRule, ...]

    def evidence_ids(self) -> set[str]:
        """Every evidence id the rules cite."""
        ids: set[str] = set()
        for f in self.findings:
            ids.update(f.evidence)
        for s in self.k2_status:
            ids.update(s.evidence)
        for a in self.actions:
            ids.update(a.evidence)
        return ids


@cache
def ruleset() -> RuleSet:
    """The rule set, loaded and validated once; a cited id missing from the catalogue fails."""
    text = resources.files("core.data").joinpath("rules.json").read_text("utf-8")
    rules = RuleSet.model_validate(json.loads(text))
    missing = rules.evidence_ids() - set(evidence_catalogue.catalogue())
    if missing:
        raise ValueError(f"rules.json cites unknown evidence ids: {sorted(missing)}")
    return rules


RULESET_VERSION: str = "2026.11.1"
"""Kept equal to ``ruleset().ruleset_version`` (a test checks); used without loading the data."""

DIURETIC_CLASSES = frozenset({"thiazide_diuretic", "loop_diuretic", "potassium_sparing_diuretic"})
ANTITHROMBOTIC_CLASSES = frozenset({"doac", "antiplatelet", "heparin", "other_anticoagulant"})


def _fmt_number(value: float) -> str:
    """A frequency as a person would say it: 3, 0.5, 2.3."""
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _join(names: Iterable[str]) -> str:
    seen = list(dict.fromkeys(n for n in names if n))
    return ", ".join(seen) if seen else "none"


def _drugs_in(meds: Sequence[ResolvedMedication], classes: Iterable[str]) -> list[str]:
    """Generic names of the listed medicines that belong to any of ``classes``."""
    wanted = set(classes)
    out: list[str] = []
    for med in meds:
        if wanted.intersection(med.classes):
            out.extend(med.generics or [med.input])
    return list(dict.fromkeys(out))


def patient_facts(profile: PatientProfile, meds: Sequence[ResolvedMedication]) -> set[str]:
    """The facts the rules test, computed from the profile and its resolved medicines."""
    facts: set[str] = {"age_65_plus" if profile.age >= 65 else "age_under_65"}
    for flag in ("dehydration", "prolonged_sitting", "prolonged_standing", "pregnant"):
        if getattr(profile, flag):
            facts.add(flag)
    if profile.cramps_per_week is None:
        facts.add("frequency_unknown")
    elif profile.cramps_per_week < 1:
        facts.add("frequency_below_1")
    else:
        facts.add("frequency_at_least_1")
    facts.update(f"condition:{c.value}" for c in profile.conditions)
    facts.update(f"symptom:{s.value}" for s in profile.symptoms)
    if profile.conditions:
        facts.add("any_condition")
    for med in meds:
        facts.update(f"class:{c}" for c in med.classes)
        if med.matched_by == "unresolved":
            facts.add("unresolved_medication")
    return facts


def _evaluate_findings(
    rules: RuleSet, facts: set[str], values: dict[str, str], meds: Sequence[ResolvedMedication]
) -> dict[FindingKind, list[Finding]]:
    found: dict[FindingKind, list[Finding]] = {
        "risk_factor": [],
        "red_flag": [],
        "differential": [],
    }
    for rule in rules.findings:
        if not rule.when.holds(facts):
            continue
        local = values
        if rule.drug_group:
            drugs = _drugs_in(meds, rules.drug_groups[rule.drug_group])
            local = {**values, "drugs": _capitalise(_join(drugs))}
        found[rule.kind].append(
            Finding(
                code=rule.code,
                label=rule.label,
                detail=rule.detail.format_map(local),
                evidence=list(rule.evidence),
                basis=rule.basis,
            )
        )
    return found


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def evaluate(profile: PatientProfile) -> Recommendation:
    """The structured recommendation for one patient (the ``evaluate`` command's output)."""
    from core.formulary import resolve_medications
    from core.interactions import cautions_for

    rules = ruleset()
    meds = resolve_medications(profile.medications)
    facts = patient_facts(profile, meds)
    values: dict[str, str] = {
        "age": str(profile.age),
        "cramps_per_week": _fmt_number(profile.cramps_per_week)
        if profile.cramps_per_week is not None
        else "unknown",
    }
    found = _evaluate_findings(rules, facts, values, meds)
    facts.update(f"red_flag:{f.code}" for f in found["red_flag"])
    facts.update(f"differential:{f.code}" for f in found["differential"])
    facts.update(f"risk_factor:{f.code}" for f in found["risk_factor"])
    if found["red_flag"]:
        facts.add("any_red_flag")
    if found["differential"]:
        facts.add("any_differential")
    cramp_groups = ("diuretic", "statin", "laba", "other_cramp_drug")
    cramp_drugs = _drugs_in(meds, [c for g in cramp_groups for c in rules.drug_groups[g]])
    if cramp_drugs:
        facts.add("cramp_drug")

    status_rule = next(s for s in rules.k2_status if s.when.holds(facts))
    facts.add(f"k2:{status_rule.status}")

    values |= {
        "vka": _join(_drugs_in(meds, ["vitamin_k_antagonist"])),
        "diuretics": _join(_drugs_in(meds, DIURETIC_CLASSES)),
        "antithrombotics": _join(_drugs_in(meds, ANTITHROMBOTIC_CLASSES)),
        "red_flags": _join(f.label.lower() for f in found["red_flag"]),
        "unresolved": _join(f"'{m.input}'" for m in meds if m.matched_by == "unresolved"),
        "cramp_drugs": _capitalise(_join(cramp_drugs)),
        "secondary": _join(
            f.label.lower()
            for kind in ("red_flag", "differential", "risk_factor")
            for f in found[kind]
            if kind != "risk_factor" or f"condition:{f.code}" in facts
        ),
    }
    reasons = [r.text.format_map(values) for r in rules.k2_reasons if r.when.holds(facts)]
    k2 = K2Assessment(
        status=status_rule.status,
        label=status_rule.label,
        reasons=reasons,
        evidence=list(status_rule.evidence),
    )

    actions: list[Action] = []
    for rule in rules.actions:
        if not rule.when.holds(facts):
            continue
        variant = next(v for v in rule.variants if v.when.holds(facts))
        actions.append(
            Action(
                code=rule.code,
                label=rule.label,
                detail=variant.detail.format_map(values),
                strength=variant.strength,
                evidence=list(rule.evidence),
                basis=variant.basis,
            )
        )

    cautions = sorted(cautions_for(meds), key=lambda c: SEVERITY_ORDER[c.severity])
    cited: set[str] = set(k2.evidence)
    for items in (found["risk_factor"], found["red_flag"], found["differential"]):
        for item in items:
            cited.update(item.evidence)
    for action in actions:
        cited.update(action.evidence)
    for caution in cautions:
        cited.update(caution.evidence)
    return Recommendation(
        ruleset_version=rules.ruleset_version,
        risk_factors=found["risk_factor"],
        red_flags=found["red_flag"],
        differentials=found["differential"],
        medications=list(meds),
        cautions=cautions,
        actions=actions,
        k2=k2,
        evidence=evidence_catalogue.resolve(cited),
    )


def describe_rules(rules: RuleSet | None = None) -> Mapping[str, list[dict[str, str]]]:
    """Every rule in plain language, grouped for the About page (generated, not hand-copied)."""
    rules = rules or ruleset()
    cat = evidence_catalogue.catalogue()

    def cites(ids: Iterable[str]) -> str:
        return "; ".join(cat[i].citation for i in ids)

    out: dict[str, list[dict[str, str]]] = {
        "Red flags": [],
        "Differentials": [],
        "Contributing factors": [],
        "Vitamin K2 status (first that applies wins)": [],
        "Actions": [],
    }
    group = {"red_flag": "Red flags", "differential": "Differentials"}
    for f in rules.findings:
        out[group.get(f.kind, "Contributing factors")].append(
            {
                "code": f.code,
                "label": f.label,
                "when": f.basis,
                "says": f.detail,
                "evidence": cites(f.evidence),
            }
        )
    for s in rules.k2_status:
        out["Vitamin K2 status (first that applies wins)"].append(
            {
                "code": s.status,
                "label": s.label,
                "when": s.basis,
                "says": s.label,
                "evidence": cites(s.evidence),
            }
        )
    for a in rules.actions:
        for v in a.variants:
            out["Actions"].append(
                {
                    "code": a.code,
                    "label": f"{a.label} ({v.strength.replace('_', ' ')})",
                    "when": v.basis,
                    "says": v.detail,
                    "evidence": cites(a.evidence),
                }
            )
    return out
