"""The consult rule set: its schema and the loader that refuses anything it does not know.

``core/data/rules.json`` is validated with unknown keys forbidden, then every fact, drug group,
class, generic, template field and evidence id it names is checked against the declared
vocabulary (``core.consult.facts``), the formulary and the evidence catalogue. The first
problem stops the program with one line naming the file, the rule and the token.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core import evidence
from core.consult.facts import declared_facts, is_profile_fact
from core.errors import DataError
from core.formulary import CLASS_LABELS, class_groups, generic_info
from core.models import K2Status, Strength

FILE = "core/data/rules.json"
FindingKind = Literal["risk_factor", "red_flag", "differential"]
STATUS_ORDER: tuple[K2Status, ...] = (
    "consult_prescriber",
    "evaluate_first",
    "check_medications",
    "outside_trial_population",
    "consider",
)
# Values a template may fill besides group_<group> and class_<class>.
TEMPLATE_FIELDS = frozenset(
    {
        "age",
        "cramps_per_week",
        "drugs",
        "vka",
        "possible_vka",
        "unresolved",
        "k2_supplement",
        "red_flags",
        "red_flag_pathways",
        "secondary",
        "excluded",
        "injected_anticoagulants",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class When(_Strict):
    """A rule's condition over facts: every fact in ``all``, one in ``any``, none in ``none``."""

    all_of: frozenset[str] = Field(frozenset(), alias="all")
    any_of: frozenset[str] = Field(frozenset(), alias="any")
    none_of: frozenset[str] = Field(frozenset(), alias="none")

    def names(self) -> frozenset[str]:
        """Every fact the condition mentions."""
        return self.all_of | self.any_of | self.none_of

    def holds(self, facts: frozenset[str] | set[str]) -> bool:
        """True when the facts satisfy this condition (an empty condition always holds)."""
        if self.all_of and not self.all_of <= facts:
            return False
        if self.none_of and not self.none_of.isdisjoint(facts):
            return False
        return not self.any_of or not self.any_of.isdisjoint(facts)

    def describe(self, labels: dict[str, str] | None = None) -> str:
        """The condition in plain words, for the About page."""
        say = (labels or {}).get

        def words(names: frozenset[str]) -> str:
            return ", ".join(say(n, n) for n in sorted(names))

        parts = []
        if self.all_of:
            parts.append("all of: " + words(self.all_of))
        if self.any_of:
            parts.append("any of: " + words(self.any_of))
        if self.none_of:
            parts.append("none of: " + words(self.none_of))
        return "; ".join(parts) or "always"


class FindingRule(_Strict):
    """A risk factor, red flag or differential and when it is found."""

    kind: FindingKind
    code: str
    label: str
    when: When
    detail: str
    basis: str
    evidence: tuple[str, ...]
    drug_group: str | None = None
    pathway: str | None = None


class StatusRule(_Strict):
    """One K2 status; the first whose condition holds wins."""

    status: K2Status
    label: str
    when: When
    basis: str
    evidence: tuple[str, ...]


class ReasonRule(_Strict):
    """A sentence for the K2 reasons, shown when its condition holds, with its sources."""

    when: When
    text: str
    evidence: tuple[str, ...] = ()


class ActionVariant(_Strict):
    """The strength and wording of an action for patients matching ``when``."""

    when: When
    strength: Strength
    detail: str
    basis: str


class ActionRule(_Strict):
    """A next step: shown when ``when`` holds; the first matching variant sets its strength."""

    code: str
    label: str
    when: When = When()
    variants: tuple[ActionVariant, ...]
    evidence: tuple[str, ...]


class GroupException(_Strict):
    """Classes or generics a drug group leaves out for these rules, and why."""

    classes: frozenset[str] = frozenset()
    generics: frozenset[str] = frozenset()
    basis: str
    evidence: tuple[str, ...]


class RuleSet(_Strict):
    """Every rule of the consult, as loaded from data."""

    ruleset_version: str
    about: str
    k2_supplement_generics: frozenset[str]
    group_exceptions: dict[str, GroupException] = {}
    findings: tuple[FindingRule, ...]
    k2_status: tuple[StatusRule, ...]
    k2_reasons: tuple[ReasonRule, ...]
    actions: tuple[ActionRule, ...]

    def evidence_ids(self) -> set[str]:
        """Every evidence id the rules cite."""
        ids: set[str] = set()
        for _, _, ev in _cited(self):
            ids.update(ev)
        return ids

    def fact_labels(self) -> dict[str, str]:
        """Every declared fact with its label (the vocabulary, for the About page)."""
        return declared_facts({f"{r.kind}:{r.code}": r.label for r in self.findings})


def _cited(rules: RuleSet) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    for f in rules.findings:
        yield "findings", f.code, f.evidence
    for s in rules.k2_status:
        yield "k2_status", s.status, s.evidence
    for i, r in enumerate(rules.k2_reasons):
        yield "k2_reasons", str(i), r.evidence
    for a in rules.actions:
        yield "actions", a.code, a.evidence
    for g, e in rules.group_exceptions.items():
        yield "group_exceptions", g, e.evidence


def _conditions(rules: RuleSet) -> Iterator[tuple[str, When]]:
    for f in rules.findings:
        yield f"findings[{f.code}]", f.when
    for s in rules.k2_status:
        yield f"k2_status[{s.status}]", s.when
    for i, r in enumerate(rules.k2_reasons):
        yield f"k2_reasons[{i}]", r.when
    for a in rules.actions:
        yield f"actions[{a.code}]", a.when
        for j, v in enumerate(a.variants):
            yield f"actions[{a.code}].variants[{j}]", v.when


def _templates(rules: RuleSet) -> Iterator[tuple[str, str]]:
    for f in rules.findings:
        yield f"findings[{f.code}]", f.detail
    for i, r in enumerate(rules.k2_reasons):
        yield f"k2_reasons[{i}]", r.text
    for a in rules.actions:
        for j, v in enumerate(a.variants):
            yield f"actions[{a.code}].variants[{j}]", v.detail


def _unknown_fact(name: str, groups: set[str]) -> str:
    """The message for an undeclared fact, naming the kind of token that is wrong."""
    kind, _, token = name.partition(":")
    if kind == "class" and token not in CLASS_LABELS:
        return f"unknown class '{token}' (fact '{name}')"
    if kind == "group" and token not in groups:
        return f"unknown drug group '{token}' (fact '{name}')"
    return f"unknown fact '{name}'"


def _template_fields(template: str) -> Iterator[str]:
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            yield field


def check(rules: RuleSet, *, file: str = FILE) -> RuleSet:
    """Check every name the rules use; raise ``DataError`` on the first unknown one."""
    groups = set(class_groups())
    declared = rules.fact_labels()
    for where, when in _conditions(rules):
        for name in sorted(when.names()):
            if name not in declared:
                raise DataError(file, where, _unknown_fact(name, groups))
            if where.startswith("findings[") and not is_profile_fact(name):
                raise DataError(file, where, f"a finding cannot depend on '{name}'")
    for f in rules.findings:
        if f.drug_group is not None and f.drug_group not in groups:
            raise DataError(file, f"findings[{f.code}]", f"unknown drug group '{f.drug_group}'")
    for name, exc in rules.group_exceptions.items():
        where = f"group_exceptions[{name}]"
        if name not in groups:
            raise DataError(file, where, f"unknown drug group '{name}'")
        for c in sorted(exc.classes):
            if c not in CLASS_LABELS:
                raise DataError(file, where, f"unknown class '{c}'")
        for g in sorted(exc.generics):
            if generic_info(g) is None:
                raise DataError(file, where, f"unknown generic '{g}'")
    for g in sorted(rules.k2_supplement_generics):
        if generic_info(g) is None:
            raise DataError(file, "k2_supplement_generics", f"unknown generic '{g}'")
    for where, template in _templates(rules):
        for field in _template_fields(template):
            kind, _, token = field.partition("_")
            ok = field in TEMPLATE_FIELDS or (kind == "group" and token in groups)
            ok = ok or (kind == "class" and token in CLASS_LABELS)
            if not ok:
                raise DataError(file, where, f"unknown template field '{{{field}}}'")
    for section, rule, ids in _cited(rules):
        evidence.check_ids(ids, file=file, rule=f"{section}[{rule}]")
    statuses = tuple(s.status for s in rules.k2_status)
    if statuses != STATUS_ORDER:
        raise DataError(file, "k2_status", f"statuses must be {list(STATUS_ORDER)}")
    if rules.k2_status[-1].when.names():
        raise DataError(file, "k2_status[consider]", "the last status must always apply")
    for a in rules.actions:
        if not a.variants or a.variants[-1].when.names():
            raise DataError(file, f"actions[{a.code}]", "the last variant must always apply")
    return rules


def load_rules(raw: Any, *, file: str = FILE) -> RuleSet:
    """Validate parsed rule data (from a file or a dict) and check every name it uses."""
    try:
        rules = RuleSet.model_validate(raw)
    except ValidationError as exc:
        raise DataError.from_validation(file, exc, raw) from None
    return check(rules, file=file)


@cache
def ruleset() -> RuleSet:
    """The rule set, loaded and checked once; any unknown name stops the program."""
    text = resources.files("core.data").joinpath("rules.json").read_text("utf-8")
    return load_rules(json.loads(text))
