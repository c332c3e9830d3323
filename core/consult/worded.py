"""A stage's texts worded for one patient: template values, findings, K2 and actions.

Texts made only of rule and formulary vocabulary are kept process-wide; texts holding the
patient's own entries (age, names as typed) are memoised only inside a ``memo_scope``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import TypeVar

from pydantic import BaseModel

from core import memo, trial
from core.consult.facts import MedicationView
from core.consult.ruleset import FindingKind, ruleset
from core.consult.stages import ActionStage, FindingStage, K2Stage, compiled
from core.consult.wording import capitalise, fill, fmt_number, is_private, join
from core.memo import scoped
from core.models import (
    Action,
    Finding,
    K2Assessment,
    K2Status,
    PatientProfile,
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


class PatientValues(dict[str, str]):
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


def segment(
    stage: FindingStage | K2Stage | ActionStage, values: PatientValues, make: Callable[[], _T]
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


def findings_for(
    stage: FindingStage, values: PatientValues
) -> dict[FindingKind, list[tuple[Finding, bytes]]]:
    """The stage's findings worded for this patient, by kind, each with its JSON."""
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


def k2_for(stage: K2Stage, values: PatientValues) -> tuple[K2Assessment, bytes]:
    """The stage's K2 assessment worded for this patient, with its JSON."""
    reasons = [ruleset().k2_reasons[i].text for i in stage.reasons]
    make_k2 = _k2_private if stage.private else _k2
    return make_k2(
        stage.status.status,
        stage.status.label,
        tuple(fill(t, values) if "{" in t else t for t in reasons),
        stage.evidence,
    )


def actions_for(stage: ActionStage, values: PatientValues) -> list[tuple[Action, bytes]]:
    """The stage's actions worded for this patient, each with its JSON."""
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
