"""The rules applied to facts, in three stages: findings, then the K2 status and its reasons,
then the actions.

Each stage is keyed on the facts its own rules test (a projection of a patient's facts), so
its result, the same for every patient with that projection, is computed once. Facts only:
no value a patient typed reaches these caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from core.consult.facts import GroupView
from core.consult.ruleset import FindingKind, RuleSet, StatusRule, When, ruleset
from core.consult.wording import fields_of, is_private
from core.formulary import class_groups

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
def cited_by(f: FindingStage, k: K2Stage, a: ActionStage) -> frozenset[str]:
    """Every evidence id the three stages cite."""
    return f.cited.union(k.evidence, a.cited)
