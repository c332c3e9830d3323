"""The consult engine: facts in, findings, K2 status, reasons and actions out.

Rules fire on facts only, so the plan for a set of facts is computed once and cached; the
patient's own values are filled into the texts afterwards. About 400 lines: the plan, the
patient's values and the decision share the compiled rules and their caches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from pydantic import BaseModel

from core import evidence as evidence_catalogue
from core import memo, trial
from core.consult.facts import (
    GroupView,
    MedicationView,
    med_key,
    medication_view,
    profile_facts,
)
from core.consult.ruleset import FindingKind, RuleSet, StatusRule, When, ruleset
from core.consult.wording import capitalise, fill, fmt_number, is_private, join
from core.formulary import class_groups, resolve_medications
from core.interactions import RULESET_VERSION, cautions_for
from core.memo import scoped
from core.models import (
    Action,
    Caution,
    Finding,
    K2Assessment,
    K2Status,
    PatientProfile,
    Recommendation,
    ResolvedMedication,
)

_Cond = tuple[frozenset[str], frozenset[str], frozenset[str]]


def _cond(w: When) -> _Cond:
    return (w.all_of, w.any_of, w.none_of)


def _holds(cond: _Cond, facts: set[str] | frozenset[str]) -> bool:
    all_of, any_of, none_of = cond
    return (
        (not all_of or all_of <= facts)
        and (not any_of or not any_of.isdisjoint(facts))
        and (not none_of or none_of.isdisjoint(facts))
    )


class _Indexed:
    """Conditions indexed by the facts they need, so only candidates are tested."""

    def __init__(self, conds: Sequence[_Cond]) -> None:
        self.conds = tuple(conds)
        self.always = tuple(i for i, (a, b, _) in enumerate(conds) if not a and not b)
        self.by_fact: dict[str, list[int]] = {}
        for i, (all_of, any_of, _) in enumerate(conds):
            for fact in all_of | any_of:
                self.by_fact.setdefault(fact, []).append(i)
        self.keys = frozenset(self.by_fact)

    def matching(self, facts: set[str]) -> list[int]:
        """Positions, in order, of the conditions that hold for ``facts``."""
        candidates = set(self.always)
        by_fact = self.by_fact
        for fact in self.keys.intersection(facts):
            candidates.update(by_fact[fact])
        conds = self.conds
        return [i for i in sorted(candidates) if _holds(conds[i], facts)]


@dataclass(frozen=True)
class _Compiled:
    """The rule data prepared for evaluation."""

    rules: RuleSet
    groups: tuple[tuple[str, GroupView], ...]
    k2_generics: frozenset[str]
    findings: _Indexed
    statuses: tuple[tuple[_Cond, StatusRule], ...]
    reasons: _Indexed
    actions: _Indexed
    variants: tuple[tuple[_Cond, ...], ...]
    labels: dict[str, str]
    used: frozenset[str]
    finding_facts: tuple[tuple[str, str, tuple[str, ...]], ...]


@cache
def compiled() -> _Compiled:
    """The loaded rules with their indexes and the drug groups as these rules see them."""
    rules = ruleset()
    groups = []
    for name, classes in sorted(class_groups().items()):
        exc = rules.group_exceptions.get(name)
        groups.append(
            (
                name,
                GroupView(
                    classes=classes - (exc.classes if exc else frozenset()),
                    except_generics=exc.generics if exc else frozenset(),
                ),
            )
        )
    return _Compiled(
        rules=rules,
        groups=tuple(groups),
        k2_generics=rules.k2_supplement_generics,
        findings=_Indexed([_cond(r.when) for r in rules.findings]),
        statuses=tuple((_cond(r.when), r) for r in rules.k2_status),
        reasons=_Indexed([_cond(r.when) for r in rules.k2_reasons]),
        actions=_Indexed([_cond(r.when) for r in rules.actions]),
        variants=tuple(tuple(_cond(v.when) for v in r.variants) for r in rules.actions),
        labels=rules.fact_labels(),
        used=_used_facts(rules),
        finding_facts=tuple(
            (f"{r.kind}:{r.code}", f"any_{r.kind}", r.evidence) for r in rules.findings
        ),
    )


def _used_facts(rules: RuleSet) -> frozenset[str]:
    """Every fact some rule tests: the plan depends on these alone, so it is keyed on them."""
    names: set[str] = set()
    for f in rules.findings:
        names |= f.when.names()
    for s in rules.k2_status:
        names |= s.when.names()
    for r in rules.k2_reasons:
        names |= r.when.names()
    for a in rules.actions:
        names |= a.when.names()
        for v in a.variants:
            names |= v.when.names()
    return frozenset(names)


@dataclass(frozen=True)
class Plan:
    """Which rules fire for a set of facts: the same for every patient with those facts."""

    findings: tuple[int, ...]
    facts: frozenset[str]
    status: StatusRule
    reasons: tuple[int, ...]
    k2_evidence: tuple[str, ...]
    actions: tuple[tuple[int, int], ...]
    cited: frozenset[str]


@lru_cache(maxsize=65536)
def plan(base: frozenset[str]) -> Plan:
    """Apply the rules to facts; cached, since patients with the same facts get the same plan."""
    c = compiled()
    rules = c.rules
    facts = set(base)
    cited: set[str] = set()
    fired = c.findings.matching(facts)
    for index in fired:
        fact, any_fact, evidence = c.finding_facts[index]
        facts.add(fact)
        facts.add(any_fact)
        cited.update(evidence)
    status = next(rule for when, rule in c.statuses if _holds(when, facts))
    facts.add(f"k2:{status.status}")
    reasons = c.reasons.matching(facts)
    k2_ids = list(status.evidence)
    for i in reasons:
        k2_ids.extend(e for e in rules.k2_reasons[i].evidence if e not in k2_ids)
    cited.update(k2_ids)
    chosen: list[tuple[int, int]] = []
    for index in c.actions.matching(facts):
        vi = next(i for i, vw in enumerate(c.variants[index]) if _holds(vw, facts))
        chosen.append((index, vi))
        cited.update(rules.actions[index].evidence)
    return Plan(
        findings=tuple(fired),
        facts=frozenset(facts),
        status=status,
        reasons=tuple(reasons),
        k2_evidence=tuple(k2_ids),
        actions=tuple(chosen),
        cited=frozenset(cited),
    )


def to_json(model: BaseModel) -> bytes:
    """The model's compact JSON as bytes, exactly as ``model_dump_json`` writes it."""
    return model.__pydantic_serializer__.to_json(model)


def _make_finding(index: int, detail: str) -> tuple[Finding, bytes]:
    """The Finding of rule ``index`` with this wording, and its JSON (shared across patients)."""
    rule = ruleset().findings[index]
    finding = Finding(
        code=rule.code,
        label=rule.label,
        detail=detail,
        evidence=list(rule.evidence),
        basis=rule.basis,
    )
    return finding, to_json(finding)


# Texts of rule and formulary vocabulary are shared by all; texts with the patient's own
# entries in them (age, names as typed) are memoised only inside a ``memo_scope``.
_finding = lru_cache(maxsize=8192)(_make_finding)
_finding_private = scoped(_make_finding)


def _make_action(index: int, variant_index: int, detail: str) -> tuple[Action, bytes]:
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
    return action, to_json(action)


_action = lru_cache(maxsize=8192)(_make_action)
_action_private = scoped(_make_action)


@dataclass(frozen=True)
class Decision:
    """What the rules decided for one patient, before it becomes a model or JSON."""

    findings: dict[FindingKind, list[tuple[Finding, bytes]]]
    meds: list[ResolvedMedication]
    cautions: list[Caution]
    actions: list[tuple[Action, bytes]]
    k2: tuple[K2Assessment, bytes]
    cited: frozenset[str]


@scoped
def _resolved(text: str) -> ResolvedMedication:
    """The formulary's resolution of one string, kept within a batch's scope (names repeat)."""
    return resolve_medications((text,))[0]


def _resolve_all(texts: Sequence[str]) -> list[ResolvedMedication]:
    return [_resolved(t) for t in texts]


_ViewKey = tuple[tuple[object, ...], ...]


_VIEWS = object()  # the scoped memo's slot


def _view(meds: Sequence[ResolvedMedication]) -> MedicationView:
    """The medication list's view; memoised on its entries' keys within a scope only."""
    views: dict[_ViewKey, MedicationView] | None = memo.table(_VIEWS)
    c = compiled()
    if views is None:
        return medication_view(meds, c.groups, c.k2_generics)
    key = tuple(map(med_key, meds))
    view = views.get(key)
    if view is None:
        view = views[key] = medication_view(meds, c.groups, c.k2_generics)
    return view


class _PatientValues(dict[str, str]):
    """This patient's template values, each computed only when a text asks for it."""

    def __init__(
        self,
        profile: PatientProfile,
        view: MedicationView,
        facts: frozenset[str],
        found: dict[FindingKind, list[tuple[Finding, bytes]]],
    ) -> None:
        cpw = profile.cramps_per_week
        super().__init__(
            age=str(profile.age), cramps_per_week=fmt_number(cpw) if cpw is not None else "unknown"
        )
        self.view = view
        self.facts = facts
        self.found = found

    def __missing__(self, key: str) -> str:
        view = self.view
        kind, _, token = key.partition("_")
        if kind == "group":
            value = join(view.by_group.get(token, ()))
        elif kind == "class":
            value = join(view.by_class.get(token, ()))
        elif key in _SIMPLE:
            value = join(getattr(view, key))
        else:
            value = getattr(self, f"_{key}")()
        self[key] = value
        return value

    def _red_flags(self) -> str:
        return join(f.label.lower() for f, _ in self.found["red_flag"])

    def _red_flag_pathways(self) -> str:
        codes = {f.code for f, _ in self.found["red_flag"]}
        rules = compiled().rules
        return capitalise(
            "; ".join(
                r.pathway for r in rules.findings if r.code in codes and r.pathway is not None
            )
        )

    def _secondary(self) -> str:
        causes = [
            f.label.lower()
            for f, _ in self.found["risk_factor"]
            if f"condition:{f.code}" in self.facts
        ]
        alternatives = [f.label.lower() for f, _ in self.found["differential"]]
        parts = []
        if causes:
            parts.append("possible secondary cause: " + join(causes))
        if alternatives:
            parts.append("alternative diagnosis to consider: " + join(alternatives))
        return "; ".join(parts) or "none"

    def _excluded(self) -> str:
        c = compiled()
        outside = next(s for s in c.rules.k2_status if s.status == "outside_trial_population")
        names = sorted(
            f
            for f in outside.when.any_of & self.facts
            if f.startswith(("condition:", "differential:"))
        )
        return join(c.labels.get(n, n).lower() for n in names)

    def _injected_anticoagulants(self) -> str:
        by_class = self.view.by_class
        return join([*by_class.get("heparin", ()), *by_class.get("other_anticoagulant", ())])


_SIMPLE = frozenset({"vka", "possible_vka", "unresolved", "k2_supplement"})


def _make_k2(
    status: K2Status, label: str, reasons: tuple[str, ...], evidence: tuple[str, ...]
) -> tuple[K2Assessment, bytes]:
    """The K2 assessment and its JSON (shared by patients with the same wording)."""
    consider = status == "consider"
    k2 = K2Assessment(
        status=status,
        dose_mcg=trial.DOSE_MCG if consider else None,
        form=trial.FORM if consider else None,
        duration_weeks=trial.WEEKS if consider else None,
        label=label,
        reasons=list(reasons),
        evidence=list(evidence),
    )
    return k2, to_json(k2)


_k2 = lru_cache(maxsize=8192)(_make_k2)
_k2_private = scoped(_make_k2)


def decide(
    profile: PatientProfile, medications: Sequence[ResolvedMedication] | None = None
) -> Decision:
    """Apply every rule to one patient: the cached plan for its facts, worded for it."""
    rules = ruleset()
    meds = list(medications) if medications is not None else _resolve_all(profile.medications)
    view = _view(meds)
    p = plan((profile_facts(profile) | view.facts) & compiled().used)
    found: dict[FindingKind, list[tuple[Finding, bytes]]] = {
        "risk_factor": [],
        "red_flag": [],
        "differential": [],
    }
    values = _PatientValues(profile, view, p.facts, found)
    for index in p.findings:
        rule = rules.findings[index]
        if rule.drug_group:
            values["drugs"] = values[f"group_{rule.drug_group}"]
        detail = rule.detail
        if "{" not in detail:
            found[rule.kind].append(_finding(index, detail))
        else:
            make = _finding_private if is_private(detail) else _finding
            found[rule.kind].append(make(index, fill(detail, values)))
    values.pop("drugs", None)
    reasons = [rules.k2_reasons[i].text for i in p.reasons]
    make_k2 = _k2_private if any(is_private(t) for t in reasons) else _k2
    k2 = make_k2(
        p.status.status,
        p.status.label,
        tuple(fill(t, values) if "{" in t else t for t in reasons),
        p.k2_evidence,
    )
    actions = []
    for index, vi in p.actions:
        detail = rules.actions[index].variants[vi].detail
        if "{" not in detail:
            actions.append(_action(index, vi, detail))
        else:
            make_action = _action_private if is_private(detail) else _action
            actions.append(make_action(index, vi, fill(detail, values)))
    cautions = cautions_for(meds)  # already ranked, major first
    cited = p.cited
    if cautions:
        cited = cited.union(*(c.evidence for c in cautions))
    return Decision(found, meds, cautions, actions, k2, cited)


def evaluate(
    profile: PatientProfile, medications: Sequence[ResolvedMedication] | None = None
) -> Recommendation:
    """The structured recommendation for one patient (the ``evaluate`` command's output).

    ``medications`` are the profile's medications already resolved (e.g. after the user
    confirmed or rejected a spelling match); by default each string is resolved.
    """
    d = decide(profile, medications)
    return Recommendation(
        ruleset_version=RULESET_VERSION,
        risk_factors=[f for f, _ in d.findings["risk_factor"]],
        red_flags=[f for f, _ in d.findings["red_flag"]],
        differentials=[f for f, _ in d.findings["differential"]],
        medications=d.meds,
        cautions=d.cautions,
        actions=[a for a, _ in d.actions],
        k2=d.k2[0],
        evidence=evidence_catalogue.resolve(d.cited),
    )


def patient_facts(profile: PatientProfile, meds: Sequence[ResolvedMedication]) -> set[str]:
    """The facts the rules test, from the profile and the resolved medicines as given."""
    return set(profile_facts(profile) | _view(meds).facts)
