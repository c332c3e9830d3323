"""The consult rules: patient facts in, a structured, evidence-traced recommendation out.

Rules are data (``core/data/rules.json``): each finding, K2 status, K2 reason and action names
the facts it needs and the evidence it rests on. This module only computes the facts from a
profile and applies the rules in order, so the About page can list every rule from the same data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from core import evidence as evidence_catalogue
from core import trial
from core.models import (
    Action,
    Caution,
    ConditionCode,
    Evidence,
    Finding,
    K2Assessment,
    K2Status,
    PatientProfile,
    Recommendation,
    ResolvedMedication,
    Strength,
    SymptomCode,
)

FindingKind = Literal["risk_factor", "red_flag", "differential"]


class When(BaseModel):
    """A rule's condition over facts: every fact in ``all`` and at least one in ``any``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # Sets, not lists: ``holds`` runs for every rule of every profile.
    all_of: frozenset[str] = Field(frozenset(), alias="all")
    any_of: frozenset[str] = Field(frozenset(), alias="any")

    def holds(self, facts: frozenset[str] | set[str]) -> bool:
        """True when the facts satisfy this condition (an empty condition always holds)."""
        if self.all_of and not self.all_of <= facts:
            return False
        return not self.any_of or not self.any_of.isdisjoint(facts)

    def describe(self) -> str:
        """The condition in plain words, for the About page."""
        parts = []
        if self.all_of:
            parts.append("all of: " + ", ".join(sorted(self.all_of)))
        if self.any_of:
            parts.append("any of: " + ", ".join(sorted(self.any_of)))
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
    """A sentence for the K2 reasons, shown when its condition holds, with its sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    when: When
    text: str
    evidence: tuple[str, ...] = ()


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
        for r in self.k2_reasons:
            ids.update(r.evidence)
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

CRAMP_DRUG_GROUPS = ("diuretic", "statin", "laba", "other_cramp_drug")
ANTITHROMBOTIC_CLASSES = frozenset({"doac", "antiplatelet", "heparin", "other_anticoagulant"})


def _fmt_number(value: float) -> str:
    """A frequency as a person would say it: 3, 0.5, 2.3."""
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def _join(names: Iterable[str]) -> str:
    seen = list(dict.fromkeys(n for n in names if n))
    return ", ".join(seen) if seen else "none"


def _drugs_in(meds: Sequence[ResolvedMedication], classes: Iterable[str]) -> list[str]:
    """Generic names of the listed medicines that belong to any of ``classes``.

    Per ingredient: for a combination inhaler only the LABA is named as a LABA, not the
    corticosteroid beside it.
    """
    from core.formulary import ingredient_classes

    wanted = set(classes)
    out: list[str] = []
    for med in meds:
        if not wanted.intersection(med.classes):
            continue
        for generic in med.generics or [med.input]:
            if wanted.intersection(ingredient_classes(generic, med.classes)):
                out.append(generic)
    return list(dict.fromkeys(out))


_FLAGS = ("dehydration", "prolonged_sitting", "prolonged_standing", "pregnant")
_CONDITION_FACT = {c: f"condition:{c.value}" for c in ConditionCode}
_SYMPTOM_FACT = {s: f"symptom:{s.value}" for s in SymptomCode}


@lru_cache(maxsize=16384)
def _medication_facts(text: str) -> frozenset[str]:
    from core.formulary import resolve_medication

    med = resolve_medication(text)
    facts = {f"class:{c}" for c in med.classes}
    if med.matched_by == "unresolved":
        facts.add("unresolved_medication")
    return frozenset(facts)


def patient_facts(profile: PatientProfile, meds: Sequence[ResolvedMedication]) -> set[str]:
    """The facts the rules test, computed from the profile and its resolved medicines."""
    facts: set[str] = {"age_65_plus" if profile.age >= 65 else "age_under_65"}
    facts.update(flag for flag in _FLAGS if getattr(profile, flag))
    if profile.cramps_per_week is None:
        facts.add("frequency_unknown")
    elif profile.cramps_per_week < 1:
        facts.add("frequency_below_1")
    else:
        facts.add("frequency_at_least_1")
    if profile.conditions:
        facts.add("any_condition")
        facts.update(_CONDITION_FACT[c] for c in profile.conditions)
    facts.update(_SYMPTOM_FACT[s] for s in profile.symptoms)
    for med in meds:
        if med.classes or med.matched_by == "unresolved":
            facts.update(_medication_facts(med.input))
    return facts


class _Values(dict[str, str]):
    """Template values; the costly ones are computed only when a template asks for them."""

    def __init__(self, base: dict[str, str], lazy: dict[str, Callable[[], str]]) -> None:
        super().__init__(base)
        self._lazy = lazy

    def __missing__(self, key: str) -> str:
        value = self[key] = self._lazy[key]()
        return value


@dataclass(frozen=True)
class _Decision:
    """What the rules decided for one patient, before it becomes a model or JSON."""

    findings: dict[FindingKind, list[tuple[Finding, bytes]]]
    meds: list[ResolvedMedication]
    cautions: list[Caution]
    actions: list[tuple[Action, bytes]]
    k2: K2Assessment
    cited: frozenset[str]


@lru_cache(maxsize=8192)
def _finding(index: int, detail: str) -> tuple[Finding, bytes]:
    """The Finding of rule ``index`` with this wording, and its JSON (shared across patients)."""
    rule = ruleset().findings[index]
    finding = Finding(
        code=rule.code,
        label=rule.label,
        detail=detail,
        evidence=list(rule.evidence),
        basis=rule.basis,
    )
    return finding, _to_json(finding)


@lru_cache(maxsize=8192)
def _action(index: int, variant_index: int, detail: str) -> tuple[Action, bytes]:
    """The Action of rule ``index``/variant with this wording, and its JSON."""
    rule = ruleset().actions[index]
    variant = rule.variants[variant_index]
    action = Action(
        code=rule.code,
        label=rule.label,
        detail=detail,
        strength=variant.strength,
        evidence=list(rule.evidence),
        basis=variant.basis,
    )
    return action, _to_json(action)


@cache
def diuretic_classes() -> frozenset[str]:
    """The diuretic classes, as the rule data groups them (the trial excluded their users)."""
    return frozenset(ruleset().drug_groups["diuretic"])


@cache
def _cramp_drug_classes() -> frozenset[str]:
    """Classes whose presence asks for a medication review (the rule data's cramp groups)."""
    groups = ruleset().drug_groups
    return frozenset(c for g in CRAMP_DRUG_GROUPS for c in groups[g])


@lru_cache(maxsize=1024)
def _has_fields(template: str) -> bool:
    return "{" in template


def _fill(template: str, values: Mapping[str, str]) -> str:
    """The template with this patient's values; most rule texts have none to fill."""
    return template.format_map(values) if _has_fields(template) else template


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class _Plan:
    """Which rules fire for a set of facts: the same for every patient with those facts."""

    findings: tuple[int, ...]
    facts: frozenset[str]
    status: StatusRule
    reasons: tuple[str, ...]
    k2_evidence: tuple[str, ...]
    actions: tuple[tuple[int, int], ...]
    cited: frozenset[str]


_Cond = tuple[frozenset[str], frozenset[str]]


def _holds(cond: _Cond, facts: set[str]) -> bool:
    all_of, any_of = cond
    return (not all_of or all_of <= facts) and (not any_of or not any_of.isdisjoint(facts))


class _Indexed:
    """Conditions indexed by the facts they mention, so only candidates are tested."""

    def __init__(self, conds: Sequence[_Cond]) -> None:
        self.conds = tuple(conds)
        self.always = tuple(i for i, (a, b) in enumerate(conds) if not a and not b)
        self.by_fact: dict[str, list[int]] = {}
        for i, (all_of, any_of) in enumerate(conds):
            for fact in all_of | any_of:
                self.by_fact.setdefault(fact, []).append(i)

    def matching(self, facts: set[str]) -> list[int]:
        """Positions, in order, of the conditions that hold for ``facts``."""
        candidates = set(self.always)
        by_fact = self.by_fact
        for fact in facts:
            hit = by_fact.get(fact)
            if hit:
                candidates.update(hit)
        conds = self.conds
        return [i for i in sorted(candidates) if _holds(conds[i], facts)]


@dataclass(frozen=True)
class _Compiled:
    """The rule data prepared for evaluation: ``_plan`` runs for nearly every patient."""

    findings: _Indexed
    finding_facts: tuple[tuple[str, str, tuple[str, ...]], ...]
    statuses: tuple[tuple[_Cond, StatusRule], ...]
    reasons: _Indexed
    reason_texts: tuple[str, ...]
    reason_evidence: tuple[tuple[str, ...], ...]
    actions: _Indexed
    variants: tuple[tuple[tuple[int, _Cond], ...], ...]
    action_evidence: tuple[tuple[str, ...], ...]


@cache
def _compiled() -> _Compiled:
    rules = ruleset()

    def cond(w: When) -> _Cond:
        return (w.all_of, w.any_of)

    derived = {f"{r.kind}:{r.code}" for r in rules.findings} | {"any_red_flag", "k2:"}
    for r in rules.findings:  # findings are tested on the profile's own facts only
        if any(
            f in derived or (f.startswith("any_") and f != "any_condition")
            for f in r.when.all_of | r.when.any_of
        ):
            raise ValueError(f"finding {r.code} depends on another finding")
    return _Compiled(
        findings=_Indexed([cond(r.when) for r in rules.findings]),
        finding_facts=tuple((f"{r.kind}:{r.code}", r.kind, r.evidence) for r in rules.findings),
        statuses=tuple((cond(r.when), r) for r in rules.k2_status),
        reasons=_Indexed([cond(r.when) for r in rules.k2_reasons]),
        reason_texts=tuple(r.text for r in rules.k2_reasons),
        reason_evidence=tuple(r.evidence for r in rules.k2_reasons),
        actions=_Indexed([cond(r.when) for r in rules.actions]),
        variants=tuple(
            tuple((i, cond(v.when)) for i, v in enumerate(r.variants)) for r in rules.actions
        ),
        action_evidence=tuple(r.evidence for r in rules.actions),
    )


@lru_cache(maxsize=65536)
def _plan(base: frozenset[str]) -> _Plan:
    """Apply the rules to facts; cached, since patients with the same facts get the same plan."""
    c = _compiled()
    facts = set(base)
    cited: set[str] = set()
    fired = c.findings.matching(facts)
    for index in fired:
        fact, kind, evidence = c.finding_facts[index]
        facts.add(fact)
        facts.add(f"any_{kind}")
        cited.update(evidence)
    if not _cramp_drug_classes().isdisjoint(f[6:] for f in base if f.startswith("class:")):
        facts.add("cramp_drug")
    status = next(rule for when, rule in c.statuses if _holds(when, facts))
    facts.add(f"k2:{status.status}")
    cited.update(status.evidence)
    matched = c.reasons.matching(facts)
    texts = tuple(c.reason_texts[i] for i in matched)
    k2_ids = dict.fromkeys(status.evidence)
    for i in matched:
        k2_ids.update(dict.fromkeys(c.reason_evidence[i]))
    cited.update(k2_ids)
    chosen: list[tuple[int, int]] = []
    for index in c.actions.matching(facts):
        chosen.append((index, next(vi for vi, vw in c.variants[index] if _holds(vw, facts))))
        cited.update(c.action_evidence[index])
    return _Plan(
        tuple(fired),
        frozenset(facts),
        status,
        texts,
        tuple(k2_ids),
        tuple(chosen),
        frozenset(cited),
    )


def _decide(profile: PatientProfile) -> _Decision:
    """Apply every rule to one patient: the cached plan for its facts, worded for it."""
    from core.formulary import resolve_medications
    from core.interactions import cautions_for

    rules = ruleset()
    meds = resolve_medications(profile.medications)
    plan = _plan(frozenset(patient_facts(profile, meds)))
    facts = plan.facts
    found: dict[FindingKind, list[tuple[Finding, bytes]]] = {
        "risk_factor": [],
        "red_flag": [],
        "differential": [],
    }
    cramp_drugs: list[str] = []
    if "cramp_drug" in facts:
        cramp_drugs = _drugs_in(meds, _cramp_drug_classes())
    values = _Values(
        {
            "age": str(profile.age),
            "cramps_per_week": _fmt_number(profile.cramps_per_week)
            if profile.cramps_per_week is not None
            else "unknown",
        },
        {
            "vka": lambda: _join(_drugs_in(meds, ["vitamin_k_antagonist"])),
            "diuretics": lambda: _join(_drugs_in(meds, diuretic_classes())),
            "antithrombotics": lambda: _join(_drugs_in(meds, ANTITHROMBOTIC_CLASSES)),
            "red_flags": lambda: _join(f.label.lower() for f, _ in found["red_flag"]),
            "unresolved": lambda: _join(
                f"'{m.input}'" for m in meds if m.matched_by == "unresolved"
            ),
            "cramp_drugs": lambda: _capitalise(_join(cramp_drugs)),
            "secondary": lambda: _join(
                f.label.lower()
                for kind in ("red_flag", "differential", "risk_factor")
                for f, _ in found[kind]
                if kind != "risk_factor" or f"condition:{f.code}" in facts
            ),
        },
    )
    for index in plan.findings:
        rule = rules.findings[index]
        local = values
        if rule.drug_group:
            drugs = _drugs_in(meds, rules.drug_groups[rule.drug_group])
            local = _Values({**values, "drugs": _capitalise(_join(drugs))}, values._lazy)
        found[rule.kind].append(_finding(index, _fill(rule.detail, local)))

    k2 = K2Assessment(
        status=plan.status.status,
        dose_mcg=trial.DOSE_MCG,
        form=trial.FORM,
        duration_weeks=trial.WEEKS,
        label=plan.status.label,
        reasons=[_fill(text, values) for text in plan.reasons],
        evidence=list(plan.k2_evidence),
    )
    actions = [
        _action(index, vi, _fill(rules.actions[index].variants[vi].detail, values))
        for index, vi in plan.actions
    ]
    cautions = cautions_for(meds)  # already ranked, major first
    cited = plan.cited
    if cautions:
        cited = cited.union(*(c.evidence for c in cautions))
    return _Decision(found, meds, cautions, actions, k2, cited)


def evaluate(profile: PatientProfile) -> Recommendation:
    """The structured recommendation for one patient (the ``evaluate`` command's output)."""
    d = _decide(profile)
    return Recommendation(
        ruleset_version=ruleset().ruleset_version,
        risk_factors=[f for f, _ in d.findings["risk_factor"]],
        red_flags=[f for f, _ in d.findings["red_flag"]],
        differentials=[f for f, _ in d.findings["differential"]],
        medications=d.meds,
        cautions=d.cautions,
        actions=[a for a, _ in d.actions],
        k2=d.k2,
        evidence=evidence_catalogue.resolve(d.cited),
    )


_EVIDENCE_LIST = TypeAdapter(list[Evidence])


def _to_json(model: BaseModel) -> bytes:
    """The model's compact JSON as bytes, exactly as ``model_dump_json`` writes it."""
    return model.__pydantic_serializer__.to_json(model)


@lru_cache(maxsize=4096)
def _evidence_json(ids: frozenset[str]) -> bytes:
    return _EVIDENCE_LIST.dump_json(evidence_catalogue.resolve(ids))


@lru_cache(maxsize=16384)
def _medication_json(text: str) -> bytes:
    from core.formulary import resolve_medication

    return _to_json(resolve_medication(text))


def evaluate_json_bytes(profile: PatientProfile) -> bytes:
    """``evaluate(profile).model_dump_json()`` as UTF-8 bytes, built faster for batches.

    Findings, actions, medications, cautions and evidence repeat across patients, so each
    piece's JSON is made once and reused; a property test holds this equal to the model's.
    """
    from core.interactions import cautions_json

    d = _decide(profile)
    return b"".join(
        (
            b'{"ruleset_version":',
            json.dumps(ruleset().ruleset_version).encode(),
            b',"risk_factors":[',
            b",".join(j for _, j in d.findings["risk_factor"]),
            b'],"red_flags":[',
            b",".join(j for _, j in d.findings["red_flag"]),
            b'],"differentials":[',
            b",".join(j for _, j in d.findings["differential"]),
            b'],"medications":[',
            b",".join(_medication_json(m.input) for m in d.meds),
            b'],"cautions":',
            cautions_json(d.meds),
            b',"actions":[',
            b",".join(j for _, j in d.actions),
            b'],"k2":',
            _to_json(d.k2),
            b',"evidence":',
            _evidence_json(d.cited),
            b"}",
        )
    )


def evaluate_json(profile: PatientProfile) -> str:
    """``evaluate(profile).model_dump_json()``, built from cached pieces (see the bytes form)."""
    return evaluate_json_bytes(profile).decode("utf-8")


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
    for i, r in enumerate(rules.k2_reasons, start=1):
        out["Vitamin K2 status (first that applies wins)"].append(
            {
                "code": f"k2_reason_{i}",
                "label": f"Reason {i} given with the status",
                "when": r.when.describe(),
                "says": r.text,
                "evidence": cites(r.evidence) or "a statement of what the tool knows",
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
