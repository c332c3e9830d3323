"""The consult engine: a profile and its medicines in, the decision and recommendation out.

Pipeline: the medicines (resolved, viewed, cautioned), the facts, the three rule stages
(``core.consult.stages``), then their texts worded for this patient (``core.consult.worded``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core import evidence as evidence_catalogue
from core import memo
from core.consult.facts import (
    MedicationView,
    medication_view,
    profile_facts,
)
from core.consult.ruleset import FindingKind
from core.consult.stages import action_stage, cited_by, compiled, finding_stage, k2_stage
from core.consult.worded import (
    PatientValues,
    actions_for,
    findings_for,
    k2_for,
    segment,
)
from core.formulary import resolve_medications
from core.interactions import RULESET_VERSION, cautions_and_json
from core.memo import scoped
from core.models import (
    Action,
    Caution,
    Finding,
    K2Assessment,
    PatientProfile,
    Recommendation,
    ResolvedMedication,
)


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


_MEDS = object()  # the scoped memo's slot


def _view(meds: Sequence[ResolvedMedication]) -> MedicationView:
    """The medication list's view (each entry's part is memoised within a scope)."""
    c = compiled()
    return medication_view(meds, c.groups, c.k2_generics)


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
    values = PatientValues(profile, medicines.view, facts, f)
    found = segment(f, values, lambda: findings_for(f, values))
    k2 = segment(k, values, lambda: k2_for(k, values))
    actions = segment(a, values, lambda: actions_for(a, values))
    cited = cited_by(f, k, a)
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
