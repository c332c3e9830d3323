"""Vitamin K2 (menaquinone-7) cautions for a medication list (the counselling panel is in
core.outputs.counselling).

The interaction records are data (``core/data/interactions.json``), read through a schema that
forbids unknown keys and checks every class, generic and evidence id, so a renamed key stops the
program instead of silencing a caution. Cautions come from the resolved medications as given
(their route, confirmation and FHIR status are fields), never from re-reading the input text.
This module also holds which medications count systemically, so the consult's facts and the
cautions always agree. It is over 400 lines because it is one layer in ``.importlinter``
(schema, counting and cautions in order); split it into a package when it grows further.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from core import evidence, memo
from core.errors import DataError, InputError
from core.formulary import (
    CLASS_LABELS,
    class_groups,
    confirm,
    generic_info,
    ingredient_classes,
    is_local,
    resolve_medication,
)
from core.memo import scoped
from core.models import (
    SEVERITY_ORDER,
    Caution,
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
    "entries_in_group",
    "interaction_rules",
    "load_interactions",
    "possible_vka",
    "systemic_ingredients",
]

FILE: Final = "core/data/interactions.json"
VKA_CLASS: Final = "vitamin_k_antagonist"
_UNCONFIRMED_NOTE: Final = "spelling match, not yet confirmed"
_CITED_RE: Final = re.compile(r"\[([a-z0-9_, ]+)\]")

EvidenceStatus = Literal["documented", "no_known_interaction", "not_studied"]


class GenericNote(BaseModel):
    """A sentence added to a caution only when this generic is in the list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    evidence: tuple[str, ...]


class InteractionRule(BaseModel):
    """One caution as data: what triggers it and what it says."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    severity: Severity
    evidence_status: EvidenceStatus
    label: str
    classes: frozenset[str] = frozenset()
    generics: frozenset[str] = frozenset()
    pair: str
    mechanism: str
    clinical_effect: str
    management: str
    documentation: str
    evidence: tuple[str, ...]
    generic_notes: dict[str, GenericNote] = {}

    def triggered_by(self, generic: str, classes: Sequence[str] | frozenset[str]) -> bool:
        """Whether one generic (with its classes) triggers this caution."""
        return generic in self.generics or not self.classes.isdisjoint(classes)


class InteractionsFile(BaseModel):
    """The whole ``interactions.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    source_note: str
    severity_legend: dict[Severity, str]
    evidence_status_legend: dict[EvidenceStatus, str]
    inactive_fhir_statuses: frozenset[str]
    records: tuple[InteractionRule, ...]


def load_interactions(raw: Any, *, file: str = FILE) -> InteractionsFile:
    """Validate parsed ``interactions.json``: an unknown key, class, generic or evidence id,
    or a bracketed citation not in the record's evidence list, is a one-line ``DataError``."""
    try:
        data = InteractionsFile.model_validate(raw)
    except ValidationError as exc:
        raise DataError.from_validation(file, exc, raw) from None
    seen: set[str] = set()
    for rec in data.records:
        rule = f"records[{rec.code}]"
        if rec.code in seen:
            raise DataError(file, rule, "duplicate record code")
        seen.add(rec.code)
        if not rec.classes and not rec.generics:
            raise DataError(file, rule, "names no class and no generic, so it can never fire")
        for c in sorted(rec.classes):
            if c not in CLASS_LABELS:
                raise DataError(file, rule, f"unknown class '{c}'")
        for g in sorted(rec.generics | rec.generic_notes.keys()):
            if generic_info(g) is None:
                raise DataError(file, rule, f"unknown generic '{g}'")
        evidence.check_ids(rec.evidence, file=file, rule=rule)
        for note in rec.generic_notes.values():
            evidence.check_ids(note.evidence, file=file, rule=rule)
        texts = [rec.mechanism, rec.clinical_effect, rec.management]
        texts += [n.text for n in rec.generic_notes.values()]
        own = set(rec.evidence) | {i for n in rec.generic_notes.values() for i in n.evidence}
        for group in _CITED_RE.findall(" ".join(texts)):
            for cited in (i.strip() for i in group.split(",")):
                if cited not in own:
                    raise DataError(file, rule, f"cites '{cited}' not in its evidence list")
    return data


@cache
def _data() -> InteractionsFile:
    raw = resources.files("core.data").joinpath("interactions.json").read_text("utf-8")
    return load_interactions(json.loads(raw))


def _rules() -> tuple[InteractionRule, ...]:
    return _data().records


# --- one version stamp ------------------------------------------------------------------------

_VERSIONED_SUFFIXES: Final = (".json", ".tsv", ".csv")


def combined_version(base: str, files: Mapping[str, bytes]) -> str:
    """``base`` plus a hash of every data file that can change an output (rules, formulary,
    interaction records, texts, evidence, known drugs): an edit to any of them changes it."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return f"{base}+{digest.hexdigest()[:10]}"


@cache
def data_version() -> str:
    """The ruleset version every Recommendation and InteractionReport carries."""
    data = resources.files("core.data")
    files = {
        p.name: p.read_bytes()
        for p in data.iterdir()
        if p.name.endswith(_VERSIONED_SUFFIXES) and p.is_file()
    }
    base = json.loads(files["rules.json"]).get("ruleset_version", "0")
    return combined_version(str(base), files)


RULESET_VERSION: Final[str] = data_version()
SEVERITY_LEGEND: Final[dict[str, str]] = {str(k): v for k, v in _data().severity_legend.items()}
EVIDENCE_STATUS_LEGEND: Final[dict[str, str]] = {
    str(k): v for k, v in _data().evidence_status_legend.items()
}


def interaction_rules() -> list[InteractionRule]:
    """Every caution the checker can give, in data order (so a page can list them all)."""
    return list(_rules())


# --- which medications count, and how ----------------------------------------------------------


def counts(med: ResolvedMedication) -> bool:
    """Whether the entry is a current medication the user has not rejected."""
    if med.confirmation == "rejected":
        return False
    return med.fhir_status is None or med.fhir_status not in _data().inactive_fhir_statuses


def systemic_ingredients(med: ResolvedMedication) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each ingredient of a current, systemic, not-rejected entry with its own classes.

    Per ingredient, so a combination names only the ingredient in a class (salmeterol in
    Advair is the LABA, fluticasone is not). A local route (eye, ear, skin, nose, vagina)
    gives none: no systemic caution or risk factor comes from it.
    """
    return _systemic(_key(med)[1])


def entries_in_group(meds: Sequence[ResolvedMedication], group: str) -> list[ResolvedMedication]:
    """The entries with a systemic ingredient in a drug group of ``formulary.json``."""
    classes = class_groups()[group]
    return [m for m in meds if any(not classes.isdisjoint(c) for _, c in systemic_ingredients(m))]


def is_unresolved(med: ResolvedMedication) -> bool:
    """Whether the entry, or part of it, was not recognised (a VKA cannot be ruled out)."""
    if not counts(med) and med.confirmation != "rejected":
        return False
    return (
        med.matched_by == "unresolved"
        or med.confirmation == "rejected"
        or bool(med.unresolved_parts)
    )


def unresolved_names(med: ResolvedMedication) -> list[str]:
    """What to check by hand: the entry as written, or its unrecognised parts."""
    if not is_unresolved(med):
        return []
    shown = " ".join(med.input.split())
    if med.matched_by == "unresolved" or med.confirmation == "rejected":
        return [shown]
    return [f"{part} (in '{shown}')" for part in med.unresolved_parts]


def possible_vka(med: ResolvedMedication) -> tuple[str, ...]:
    """VKA generics this entry *could* be: an unconfirmed spelling match to a VKA, or a VKA
    among the names offered. Empty once the user confirmed or rejected the match."""
    return _possible_vka(_key(med)[1])


def certain_vka(med: ResolvedMedication) -> tuple[str, ...]:
    """VKA generics the entry resolves to with certainty (exact, brand, abbreviation or a
    match the user confirmed)."""
    if possible_vka(med) and med.matched_by == "fuzzy":
        return ()
    return tuple(g for g, classes in systemic_ingredients(med) if VKA_CLASS in classes)


# What decides an entry's ingredients and cautions, all formulary vocabulary: generics,
# classes, matched_by, confirmation, local (route), inactive (FHIR status), alternatives.
_Vocab = tuple[tuple[str, ...], tuple[str, ...], str, str, bool, bool, tuple[str, ...]]
# The entry as typed, with its vocabulary.
_MedKey = tuple[str, _Vocab]

# Memos that hold entries as typed live only inside a ``core.memo.memo_scope``. Resolved
# medications are shared within a scope (their resolver memoises them): their keys are kept by
# identity, holding the object so that its id cannot be reused meanwhile.
_KEYS = object()


def _key(med: ResolvedMedication) -> _MedKey:
    keys: dict[int, tuple[ResolvedMedication, _MedKey]] | None = memo.table(_KEYS)
    if keys is not None:
        hit = keys.get(id(med))
        if hit is not None and hit[0] is med:
            return hit[1]
    fhir_status = med.fhir_status
    key = (
        med.input,
        (
            tuple(med.generics),
            tuple(med.classes),
            med.matched_by,
            med.confirmation,
            is_local(med),
            fhir_status is not None and fhir_status in _data().inactive_fhir_statuses,
            tuple(med.alternatives),
        ),
    )
    if keys is not None:
        keys[id(med)] = (med, key)
    return key


@lru_cache(maxsize=16384)
def _systemic(vocab: _Vocab) -> tuple[tuple[str, tuple[str, ...]], ...]:
    generics, classes, _, confirmation, local, inactive, _ = vocab
    if confirmation == "rejected" or local or inactive:
        return ()
    if not generics:
        # Defensive: a caller-built entry with classes but no generic still counts.
        return (("(unidentified)", classes),) if classes else ()
    return tuple((g, tuple(ingredient_classes(g, classes))) for g in generics)


@lru_cache(maxsize=16384)
def _possible_vka(vocab: _Vocab) -> tuple[str, ...]:
    _, _, matched_by, confirmation, _, inactive, alternatives = vocab
    if confirmation in ("confirmed", "rejected") or inactive:
        return ()
    out: list[str] = []
    if matched_by == "fuzzy":
        out.extend(g for g, c in _systemic(vocab) if VKA_CLASS in c)
    for alt in alternatives:
        alt_med = resolve_medication(alt)
        if VKA_CLASS in alt_med.classes:
            out.extend(g for g in alt_med.generics if g not in out)
    return tuple(dict.fromkeys(out))


# --- cautions ----------------------------------------------------------------------------------


def _applies_to(key: _MedKey, hits: Sequence[str], possible: bool) -> str:
    text, (_, _, matched_by, confirmation, _, _, _) = key
    shown = " ".join(text.split())
    names = ", ".join(hits)
    if matched_by == "unresolved" and possible:
        return f"{shown} (possibly {names}; not recognised, not yet confirmed)"
    if matched_by == "fuzzy" and confirmation != "confirmed":
        return f"{shown} ({names}; {_UNCONFIRMED_NOTE})"
    return shown if shown.casefold() == names.casefold() else f"{shown} ({names})"


@lru_cache(maxsize=16384)
def _rule_hits(vocab: _Vocab) -> tuple[tuple[int, tuple[str, ...], bool], ...]:
    """For one entry: each rule it triggers (by data order), its generics, and whether only
    possibly (an unrecognised name that could be a VKA)."""
    ingredients = _systemic(vocab)
    maybe_vka = _possible_vka(vocab) if vocab[2] == "unresolved" else ()
    out: list[tuple[int, tuple[str, ...], bool]] = []
    for order, rule in enumerate(_rules()):
        hits = tuple(g for g, classes in ingredients if rule.triggered_by(g, classes))
        if hits:
            out.append((order, hits, False))
        elif maybe_vka and VKA_CLASS in rule.classes:
            out.append((order, maybe_vka, True))
    return tuple(out)


@scoped
def _entry_hits(key: _MedKey) -> tuple[tuple[int, tuple[str, ...], str], ...]:
    """For one entry: each rule it triggers (by data order), its generics and its label."""
    return tuple(
        (order, hits, _applies_to(key, hits, possible))
        for order, hits, possible in _rule_hits(key[1])
    )


@scoped
def _caution(order: int, drugs: tuple[str, ...], applies: tuple[str, ...]) -> tuple[Caution, bytes]:
    """One caution for the entries it applies to, with its JSON (shared across lists)."""
    rule = _rules()[order]
    effect = rule.clinical_effect
    for generic, note in rule.generic_notes.items():
        if generic in drugs:
            effect = f"{effect} {note.text}"
    ids = list(rule.evidence)
    for generic, note in rule.generic_notes.items():
        if generic in drugs:
            ids.extend(i for i in note.evidence if i not in ids)
    caution = Caution(
        code=rule.code,
        severity=rule.severity,
        drugs=list(drugs),
        management=rule.management,
        evidence=ids,
        label=rule.label,
        pair=rule.pair.replace("{drug}", ", ".join(drugs)),
        applies_to=list(applies),
        mechanism=rule.mechanism,
        clinical_effect=effect,
        documentation=rule.documentation,
    )
    return caution, caution.__pydantic_serializer__.to_json(caution)


def _cautions_cached(keys: tuple[_MedKey, ...]) -> tuple[tuple[Caution, bytes], ...]:
    """The cautions of a list from its entries' memoised hits (a batch memoises whole lists
    one step up, on the text typed, so a memo here would only repeat that one)."""
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
    written (``applies_to``, e.g. ``Coumadin (warfarin)``). A name that could be a vitamin K
    antagonist gets the VKA caution until confirmed otherwise; other unresolved entries,
    rejected matches, local routes and stopped medicines trigger nothing.
    Pure; memoised only within a ``memo_scope``.
    """
    return [c for c, _ in _cautions_cached(tuple(_key(m) for m in meds))]


def cautions_and_json(meds: Sequence[ResolvedMedication]) -> tuple[list[Caution], bytes]:
    """``cautions_for(meds)`` and the same as a JSON array, from one lookup (for batches)."""
    pairs = _cautions_cached(tuple(_key(m) for m in meds))
    return [c for c, _ in pairs], b"[" + b",".join(j for _, j in pairs) + b"]"


def build_report(
    meds: Sequence[ResolvedMedication],
    *,
    not_current: Sequence[ResolvedMedication] = (),
) -> InteractionReport:
    """The InteractionReport for medications already resolved (e.g. after a confirmation)."""
    cautions = cautions_for(meds)
    unresolved: list[str] = []
    for med in meds:
        unresolved.extend(unresolved_names(med))
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
    statuses: Mapping[str, str] | None = None,
) -> InteractionReport:
    """Resolve medication strings and report the vitamin K2 cautions they trigger.

    ``not_current`` holds medications that are stopped, completed or cancelled (a string, or
    ``(name, status)`` from a FHIR Bundle): they are resolved and reported, with their status
    in ``fhir_status``, but trigger no caution. ``confirmed`` maps an input string to the name
    the user picked for an uncertain match (``None`` or ``""`` rejects the suggestion); see
    ``core.formulary.confirm``. ``statuses`` gives the FHIR status of a current entry read
    from a Bundle, reported in its ``fhir_status``.
    """
    meds: list[ResolvedMedication] = []
    for text in texts:
        med = resolve_medication(text)
        if confirmed and text in confirmed:
            # A stale confirmation (the list changed) is ignored: keep the fresh resolution.
            with contextlib.suppress(InputError):
                med = confirm(med, confirmed[text])
        if statuses and text in statuses:
            med = med.model_copy(update={"fhir_status": statuses[text]})
        meds.append(med)
    stopped: list[ResolvedMedication] = []
    for item in not_current:
        name, status = (item, "not current") if isinstance(item, str) else item
        stopped.append(resolve_medication(name).model_copy(update={"fhir_status": status}))
    return build_report(meds, not_current=stopped)
