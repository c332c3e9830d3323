"""The consult engine: facts in, findings, K2 status, reasons and actions out.

Rules fire on facts only, so the plan for a set of facts is computed once and cached; the
patient's own values are filled into the texts afterwards. About 400 lines: the plan, the
patient's values and the decision share the compiled rules and their caches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TypeVar

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
from core.consult.wording import capitalise, fields_of, fill, fmt_number, is_private, join
from core.formulary import class_groups, resolve_medications
from core.interactions import RULESET_VERSION, cautions_and_json
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

    def matching(self, facts: set[str] | frozenset[str]) -> list[int]:
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
    finding_names: frozenset[str]
    k2_names: frozenset[str]
    action_names: frozenset[str]


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
        finding_names=_names(f.when for f in rules.findings),
        k2_names=_names([*(s.when for s in rules.k2_status), *(r.when for r in rules.k2_reasons)]),
        action_names=_names(
            [*(a.when for a in rules.actions), *(v.when for a in rules.actions for v in a.variants)]
        ),
    )


def _names(conditions: Iterable[When]) -> frozenset[str]:
    """Every fact the conditions test: what they decide depends on these alone."""
    return frozenset().union(*(w.names() for w in conditions))


def _used_facts(rules: RuleSet) -> frozenset[str]:
    """Every fact some rule tests: the plan depends on these alone, so it is keyed on them."""
    return _names(
        [
            *(f.when for f in rules.findings),
            *(s.when for s in rules.k2_status),
            *(r.when for r in rules.k2_reasons),
            *(a.when for a in rules.actions),
            *(v.when for a in rules.actions for v in a.variants),
        ]
    )


# The rules run in three stages, each keyed on the facts its own rules test (a projection of
# the patient's facts): findings, then the K2 status and its reasons, then the actions. A
# stage's result is the same for every patient with the same projection, so it is computed
# once; stage objects are compared by identity (they are cached, so equal means the same).


def _template_names(texts: Iterable[tuple[str, str | None]]) -> tuple[str, ...]:
    """The patient values the templates take, each once; ``{drugs}`` is named by its group."""
    names: dict[str, None] = {}
    for text, group in texts:
        for name in fields_of(text):
            names[f"group_{group}" if name == "drugs" and group else name] = None
    return tuple(names)


@dataclass(frozen=True, eq=False)
class FindingStage:
    """The finding rules that fire for the facts they test, and the facts they add."""

    fired: tuple[int, ...]
    added: frozenset[str]
    cited: frozenset[str]
    needs: tuple[str, ...]  # patient values the fired details take
    by_kind: dict[FindingKind, tuple[int, ...]]  # the fired rules of each kind


@dataclass(frozen=True, eq=False)
class K2Stage:
    """The K2 status and reasons for the facts they test."""

    status: StatusRule
    status_fact: frozenset[str]
    reasons: tuple[int, ...]
    evidence: tuple[str, ...]
    needs: tuple[str, ...]
    private: bool  # a reason takes a value from the patient's own entries


@dataclass(frozen=True, eq=False)
class ActionStage:
    """The actions (rule, variant) chosen for the facts they test."""

    chosen: tuple[tuple[int, int], ...]
    cited: frozenset[str]
    needs: tuple[str, ...]


@lru_cache(maxsize=65536)
def finding_stage(key: frozenset[str]) -> FindingStage:
    """Findings for facts already projected on ``compiled().finding_names``."""
    c = compiled()
    fired = c.findings.matching(key)
    added: set[str] = set()
    cited: set[str] = set()
    for index in fired:
        fact, any_fact, evidence = c.finding_facts[index]
        added.add(fact)
        added.add(any_fact)
        cited.update(evidence)
    rules = c.rules.findings
    needs = _template_names((rules[i].detail, rules[i].drug_group) for i in fired)
    by_kind: dict[FindingKind, tuple[int, ...]] = {
        kind: tuple(i for i in fired if rules[i].kind == kind)
        for kind in ("risk_factor", "red_flag", "differential")
    }
    return FindingStage(tuple(fired), frozenset(added), frozenset(cited), needs, by_kind)


@lru_cache(maxsize=65536)
def k2_stage(key: frozenset[str]) -> K2Stage:
    """K2 status and reasons for facts already projected on ``compiled().k2_names``."""
    c = compiled()
    rules = c.rules
    status = next(rule for when, rule in c.statuses if _holds(when, key))
    status_fact = frozenset({f"k2:{status.status}"})
    reasons = c.reasons.matching(key | status_fact)
    k2_ids = list(status.evidence)
    for i in reasons:
        k2_ids.extend(e for e in rules.k2_reasons[i].evidence if e not in k2_ids)
    texts = [rules.k2_reasons[i].text for i in reasons]
    return K2Stage(
        status=status,
        status_fact=status_fact,
        reasons=tuple(reasons),
        evidence=tuple(k2_ids),
        needs=_template_names((t, None) for t in texts),
        private=any(is_private(t) for t in texts),
    )


@lru_cache(maxsize=65536)
def action_stage(key: frozenset[str]) -> ActionStage:
    """Actions for facts already projected on ``compiled().action_names``."""
    c = compiled()
    rules = c.rules
    chosen: list[tuple[int, int]] = []
    cited: set[str] = set()
    for index in c.actions.matching(key):
        vi = next(i for i, vw in enumerate(c.variants[index]) if _holds(vw, key))
        chosen.append((index, vi))
        cited.update(rules.actions[index].evidence)
    needs = _template_names((rules.actions[i].variants[v].detail, None) for i, v in chosen)
    return ActionStage(tuple(chosen), frozenset(cited), needs)


@lru_cache(maxsize=65536)
def _cited(f: FindingStage, k: K2Stage, a: ActionStage) -> frozenset[str]:
    return f.cited.union(k.evidence, a.cited)


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
    cautions_json: bytes
    actions: list[tuple[Action, bytes]]
    k2: tuple[K2Assessment, bytes]
    cited: frozenset[str]


@scoped
def _resolved(text: str) -> ResolvedMedication:
    """The formulary's resolution of one string, kept within a batch's scope (names repeat)."""
    return resolve_medications((text,))[0]


_ViewKey = tuple[tuple[object, ...], ...]


_VIEWS = object()  # the scoped memo's slots
_MEDS = object()


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


@dataclass(frozen=True)
class _Medicines:
    """A medication list with what the rules and cautions make of it."""

    meds: list[ResolvedMedication]
    view: MedicationView
    cautions: list[Caution]
    cautions_json: bytes
    evidence: frozenset[str]  # the cautions' evidence ids


def _medicines_of(meds: list[ResolvedMedication]) -> _Medicines:
    cautions, cautions_json = cautions_and_json(meds)  # already ranked, major first
    evidence = frozenset().union(*(c.evidence for c in cautions))
    return _Medicines(meds, _view(meds), cautions, cautions_json, evidence)


def _medicines(typed: list[str], medications: Sequence[ResolvedMedication] | None) -> _Medicines:
    """The medicines as given, or each typed string resolved; within a scope, a list typed
    the same way again reuses the first one's work (lists repeat in a batch)."""
    if medications is not None:
        return _medicines_of(list(medications))
    table: dict[tuple[str, ...], _Medicines] | None = memo.table(_MEDS)
    if table is None:
        return _medicines_of([_resolved(t) for t in typed])
    key = tuple(typed)
    found = table.get(key)
    if found is None:
        found = table[key] = _medicines_of([_resolved(t) for t in key])
    return found


class _PatientValues(dict[str, str]):
    """This patient's template values, each computed only when a text asks for it."""

    def __init__(
        self,
        profile: PatientProfile,
        view: MedicationView,
        facts: frozenset[str],
        stage: FindingStage,
    ) -> None:
        cpw = profile.cramps_per_week
        super().__init__(
            age=str(profile.age), cramps_per_week=fmt_number(cpw) if cpw is not None else "unknown"
        )
        self.view = view
        self.facts = facts
        self.stage = stage

    def __missing__(self, key: str) -> str:
        view = self.view
        kind, _, token = key.partition("_")
        if kind == "group":
            value = _joined(view.by_group.get(token, ()))
        elif kind == "class":
            value = _joined(view.by_class.get(token, ()))
        elif key in _SIMPLE:  # names as typed: joined afresh, never kept
            value = join(getattr(view, key))
        else:
            value = getattr(self, f"_{key}")()
        self[key] = value
        return value

    def _red_flags(self) -> str:
        return _red_flag_words(self.stage.by_kind["red_flag"])[0]

    def _red_flag_pathways(self) -> str:
        return _red_flag_words(self.stage.by_kind["red_flag"])[1]

    def _secondary(self) -> str:
        rules = compiled().rules.findings
        causes = tuple(
            i
            for i in self.stage.by_kind["risk_factor"]
            if f"condition:{rules[i].code}" in self.facts
        )
        return _secondary_words(causes, self.stage.by_kind["differential"])

    def _excluded(self) -> str:
        return _excluded_words(_outside_facts() & self.facts)

    def _injected_anticoagulants(self) -> str:
        by_class = self.view.by_class
        return join([*by_class.get("heparin", ()), *by_class.get("other_anticoagulant", ())])


# Wording made only of rule and formulary vocabulary (labels, pathways, generic names), the
# same for every patient with the same findings or drugs: made once.


@lru_cache(maxsize=8192)
def _joined(generics: tuple[str, ...]) -> str:
    return join(generics)


@lru_cache(maxsize=4096)
def _red_flag_words(red: tuple[int, ...]) -> tuple[str, str]:
    """The red flags found, and their pathways, for these red-flag rules."""
    rules = compiled().rules.findings
    codes = {rules[i].code for i in red}
    pathways = "; ".join(r.pathway for r in rules if r.code in codes and r.pathway is not None)
    return join(rules[i].label.lower() for i in red), capitalise(pathways)


@lru_cache(maxsize=4096)
def _secondary_words(causes: tuple[int, ...], alternatives: tuple[int, ...]) -> str:
    """Conditions found as contributing factors, and differentials, in one clause."""
    rules = compiled().rules.findings
    parts = []
    if causes:
        parts.append("possible secondary cause: " + join(rules[i].label.lower() for i in causes))
    if alternatives:
        parts.append(
            "alternative diagnosis to consider: "
            + join(rules[i].label.lower() for i in alternatives)
        )
    return "; ".join(parts) or "none"


@cache
def _outside_facts() -> frozenset[str]:
    """Conditions and differentials that put a patient outside the trial's population."""
    outside = next(s for s in ruleset().k2_status if s.status == "outside_trial_population")
    return frozenset(
        f for f in outside.when.any_of if f.startswith(("condition:", "differential:"))
    )


@lru_cache(maxsize=4096)
def _excluded_words(names: frozenset[str]) -> str:
    labels = compiled().labels
    return join(labels.get(n, n).lower() for n in sorted(names))


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

_T = TypeVar("_T")
_SEGMENTS = {FindingStage: object(), K2Stage: object(), ActionStage: object()}


def _segment(
    stage: FindingStage | K2Stage | ActionStage, values: _PatientValues, make: Callable[[], _T]
) -> _T:
    """What a stage's texts become for this patient: made once per stage and values within a
    scope (the values may be the patient's own entries), made afresh outside one."""
    table: dict[tuple[object, ...], _T] | None = memo.table(_SEGMENTS[type(stage)])
    if table is None:
        return make()
    key = (stage, *[values[name] for name in stage.needs])
    found = table.get(key)
    if found is None:
        found = table[key] = make()
    return found


def _findings(
    stage: FindingStage, values: _PatientValues
) -> dict[FindingKind, list[tuple[Finding, bytes]]]:
    rules = ruleset()
    found: dict[FindingKind, list[tuple[Finding, bytes]]] = {
        "risk_factor": [],
        "red_flag": [],
        "differential": [],
    }
    for index in stage.fired:
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
    return found


def _k2_assessment(stage: K2Stage, values: _PatientValues) -> tuple[K2Assessment, bytes]:
    reasons = [ruleset().k2_reasons[i].text for i in stage.reasons]
    make_k2 = _k2_private if stage.private else _k2
    return make_k2(
        stage.status.status,
        stage.status.label,
        tuple(fill(t, values) if "{" in t else t for t in reasons),
        stage.evidence,
    )


def _actions(stage: ActionStage, values: _PatientValues) -> list[tuple[Action, bytes]]:
    rules = ruleset()
    actions = []
    for index, vi in stage.chosen:
        detail = rules.actions[index].variants[vi].detail
        if "{" not in detail:
            actions.append(_action(index, vi, detail))
        else:
            make_action = _action_private if is_private(detail) else _action
            actions.append(make_action(index, vi, fill(detail, values)))
    return actions


def decide(
    profile: PatientProfile, medications: Sequence[ResolvedMedication] | None = None
) -> Decision:
    """Apply every rule to one patient: each stage's cached result for its facts, worded for
    this patient."""
    c = compiled()
    medicines = _medicines(profile.medications, medications)
    facts = (profile_facts(profile) | medicines.view.facts) & c.used
    f = finding_stage(facts & c.finding_names)
    facts = facts | f.added
    k = k2_stage(facts & c.k2_names)
    facts = facts | k.status_fact
    a = action_stage(facts & c.action_names)
    values = _PatientValues(profile, medicines.view, facts, f)
    found = _segment(f, values, lambda: _findings(f, values))
    k2 = _segment(k, values, lambda: _k2_assessment(k, values))
    actions = _segment(a, values, lambda: _actions(a, values))
    cited = _cited(f, k, a)
    if medicines.evidence:
        cited = cited | medicines.evidence
    return Decision(
        found, medicines.meds, medicines.cautions, medicines.cautions_json, actions, k2, cited
    )


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
