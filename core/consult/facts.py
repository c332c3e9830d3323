"""The declared fact vocabulary, and the facts of one patient.

In the style of venmo/business-rules: every fact a rule may name is declared once here, with a
label; the rule-set loader refuses any other name. Facts come from the profile and from the
resolved medications as given (their route, confirmation and FHIR status are fields), never by
resolving the input text again, so facts, cautions and the page always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from core import memo
from core.formulary import CLASS_LABELS, class_groups
from core.interactions import (
    certain_vka,
    is_unresolved,
    possible_vka,
    systemic_ingredients,
    unresolved_names,
)
from core.memo import scoped
from core.models import (
    CONDITION_LABELS,
    SYMPTOM_LABELS,
    ConditionCode,
    K2Status,
    PatientProfile,
    ResolvedMedication,
    SymptomCode,
)

PROFILE_FACTS: dict[str, str] = {
    "age_under_18": "Age under 18",
    "age_under_65": "Age under 65",
    "age_65_plus": "Age 65 or over",
    "pregnant": "Pregnant",
    "dehydration": "Dehydration marked",
    "prolonged_sitting": "Prolonged sitting marked",
    "prolonged_standing": "Prolonged standing marked",
    "frequency_below_1": "Fewer than one cramp a week",
    "frequency_at_least_1": "At least one cramp a week",
    "frequency_unknown": "Cramp frequency not given",
    "any_condition": "Any condition recorded",
}
MEDICATION_FACTS: dict[str, str] = {
    "vka": "A medication resolves to a vitamin K antagonist (exact, brand, abbreviation or a "
    "spelling match the user confirmed)",
    "possible_vka": "A medication name could be a vitamin K antagonist (an unconfirmed "
    "spelling match, or a vitamin K antagonist among the names offered)",
    "unresolved_medication": "A medication name, or part of one, was not recognised",
    "k2_supplement": "A vitamin K2 (menaquinone) product is already taken",
}
DERIVED_FACTS: dict[str, str] = {
    "any_red_flag": "Any red flag found",
    "any_differential": "Any differential found",
    "any_risk_factor": "Any contributing factor found",
}

_FLAGS = ("dehydration", "prolonged_sitting", "prolonged_standing", "pregnant")
_CONDITION_FACT = {c: f"condition:{c.value}" for c in ConditionCode}
_SYMPTOM_FACT = {s: f"symptom:{s.value}" for s in SymptomCode}
_STATUSES: tuple[K2Status, ...] = (
    "consult_prescriber",
    "evaluate_first",
    "check_medications",
    "outside_trial_population",
    "consider",
)


def declared_facts(finding_codes: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every fact a rule may name, with its label. ``finding_codes`` maps ``kind:code`` of
    the rule set's findings to their labels (facts made once a finding is found)."""
    facts = dict(PROFILE_FACTS)
    facts.update(MEDICATION_FACTS)
    facts.update(DERIVED_FACTS)
    facts.update({f"condition:{c.value}": CONDITION_LABELS[c] for c in ConditionCode})
    facts.update({f"symptom:{s.value}": SYMPTOM_LABELS[s] for s in SymptomCode})
    facts.update(
        {f"class:{c}": f"Systemic medicine in class {label}" for c, label in CLASS_LABELS.items()}
    )
    facts.update({f"group:{g}": f"Systemic medicine in drug group {g}" for g in class_groups()})
    facts.update({f"k2:{s}": f"K2 status is {s}" for s in _STATUSES})
    facts.update(finding_codes or {})
    return facts


def is_profile_fact(name: str) -> bool:
    """Whether a fact is known before any rule fires (findings may only use these)."""
    return not (
        name in DERIVED_FACTS
        or name.startswith(("k2:", "red_flag:", "differential:", "risk_factor:"))
    )


@dataclass(frozen=True)
class GroupView:
    """A drug group as the rules use it: its classes, less any exceptions the rules declare."""

    classes: frozenset[str]
    except_generics: frozenset[str]

    def holds(self, generic: str, classes: Iterable[str]) -> bool:
        """Whether one ingredient counts in this group."""
        return generic not in self.except_generics and not self.classes.isdisjoint(classes)


@dataclass(frozen=True)
class MedicationView:
    """What the rules need from a medication list, computed once per list."""

    facts: frozenset[str]
    by_group: Mapping[str, tuple[str, ...]]
    by_class: Mapping[str, tuple[str, ...]]
    vka: tuple[str, ...]
    possible_vka: tuple[str, ...]
    unresolved: tuple[str, ...]
    k2_supplement: tuple[str, ...]


_Groups = tuple[tuple[str, GroupView], ...]


@dataclass(frozen=True)
class _MedPart:
    """One entry's share of a list's view (cached: the same entry recurs across patients)."""

    facts: frozenset[str]
    groups: tuple[tuple[str, str], ...]
    classes: tuple[tuple[str, str], ...]
    vka: tuple[str, ...]
    possible_vka: tuple[str, ...]
    unresolved: tuple[str, ...]
    k2_supplement: tuple[str, ...]


def _med_part(med: ResolvedMedication, groups: _Groups, k2_generics: frozenset[str]) -> _MedPart:
    facts: set[str] = set()
    in_groups: list[tuple[str, str]] = []
    in_classes: list[tuple[str, str]] = []
    k2: list[str] = []
    for generic, classes in systemic_ingredients(med):
        for c in classes:
            facts.add(f"class:{c}")
            in_classes.append((c, generic))
        for name, group in groups:
            if group.holds(generic, classes):
                facts.add(f"group:{name}")
                in_groups.append((name, generic))
        if generic in k2_generics:
            facts.add("k2_supplement")
            k2.append(" ".join(med.input.split()))
    sure = certain_vka(med)
    if sure:
        facts.add("vka")
    could = possible_vka(med)
    maybe: tuple[str, ...] = ()
    if could:
        facts.add("possible_vka")
        maybe = (f"'{' '.join(med.input.split())}' (possibly {', '.join(could)})",)
    unresolved: tuple[str, ...] = ()
    if is_unresolved(med):
        facts.add("unresolved_medication")
        unresolved = tuple(f"'{n}'" for n in unresolved_names(med))
    return _MedPart(
        frozenset(facts), tuple(in_groups), tuple(in_classes), sure, maybe, unresolved, tuple(k2)
    )


# Both memos hold entries as typed, so they live only inside a ``core.memo.memo_scope``.
# Parts are keyed on the entry alone: ``groups`` and ``k2_generics`` are fixed once the rules
# load. Resolved medications are shared within a scope (its resolver memoises them): their
# keys are kept by identity, holding the object so that its id cannot be reused meanwhile.
_PARTS = object()
_KEYS = object()


def med_key(med: ResolvedMedication) -> tuple[object, ...]:
    """Every field of an entry that can change its facts or wording (a hashable key)."""
    keys: dict[int, tuple[ResolvedMedication, tuple[object, ...]]] | None = memo.table(_KEYS)
    if keys is not None:
        hit = keys.get(id(med))
        if hit is not None and hit[0] is med:
            return hit[1]
    key = (
        med.input,
        med.matched_by,
        med.matched_name,
        med.confirmation,
        med.route,
        med.fhir_status,
        tuple(med.generics),
        tuple(med.classes),
        tuple(med.alternatives),
        tuple(med.unresolved_parts),
    )
    if keys is not None:
        keys[id(med)] = (med, key)
    return key


def _part(med: ResolvedMedication, groups: _Groups, k2_generics: frozenset[str]) -> _MedPart:
    parts: dict[tuple[object, ...], _MedPart] | None = memo.table(_PARTS)
    if parts is None:
        return _med_part(med, groups, k2_generics)
    key = med_key(med)
    part = parts.get(key)
    if part is None:
        part = parts[key] = _med_part(med, groups, k2_generics)
    return part


def medication_view(
    meds: Sequence[ResolvedMedication], groups: _Groups, k2_generics: frozenset[str]
) -> MedicationView:
    """Facts and named drugs of a medication list (local routes, rejected matches and stopped
    medicines give none; an unrecognised name gives ``unresolved_medication``)."""
    parts = [_part(m, groups, k2_generics) for m in meds]
    facts: frozenset[str] = frozenset().union(*(p.facts for p in parts))
    by_group: dict[str, list[str]] = {}
    by_class: dict[str, list[str]] = {}
    for p in parts:
        for name, generic in p.groups:
            _add(by_group, name, generic)
        for name, generic in p.classes:
            _add(by_class, name, generic)
    return MedicationView(
        facts=facts,
        by_group={k: tuple(v) for k, v in by_group.items()},
        by_class={k: tuple(v) for k, v in by_class.items()},
        vka=tuple(dict.fromkeys(g for p in parts for g in p.vka)),
        possible_vka=tuple(dict.fromkeys(n for p in parts for n in p.possible_vka)),
        unresolved=tuple(dict.fromkeys(n for p in parts for n in p.unresolved)),
        k2_supplement=tuple(dict.fromkeys(n for p in parts for n in p.k2_supplement)),
    )


def _add(table: dict[str, list[str]], key: str, value: str) -> None:
    names = table.setdefault(key, [])
    if value not in names:
        names.append(value)


@scoped  # the patient's own selections: memoised within a scope only
def _profile_facts(
    bands: tuple[str, ...],
    conditions: tuple[ConditionCode, ...],
    symptoms: tuple[SymptomCode, ...],
) -> frozenset[str]:
    facts = set(bands)
    if conditions:
        facts.add("any_condition")
        facts.update(_CONDITION_FACT[c] for c in conditions)
    facts.update(_SYMPTOM_FACT[s] for s in symptoms)
    return frozenset(facts)


def profile_facts(profile: PatientProfile) -> frozenset[str]:
    """The facts of the profile itself (age band, flags, frequency, conditions, symptoms).

    Age and frequency enter as their bands, so profiles differing only in those numbers share
    the memoised set.
    """
    age = profile.age
    cramps = profile.cramps_per_week
    bands = [
        "age_65_plus" if age >= 65 else "age_under_65",
        "frequency_unknown"
        if cramps is None
        else "frequency_below_1"
        if cramps < 1
        else "frequency_at_least_1",
    ]
    if age < 18:
        bands.append("age_under_18")
    bands.extend(flag for flag in _FLAGS if getattr(profile, flag))
    return _profile_facts(tuple(bands), tuple(profile.conditions), tuple(profile.symptoms))


@cache
def all_groups() -> frozenset[str]:
    """Every drug group the formulary defines."""
    return frozenset(class_groups())
