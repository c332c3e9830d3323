"""The formulary's data and its indexes: names, compact names, ATC codes, the fuzzy choice list.

Two data files, both read through pydantic models that refuse unknown keys:

- ``core/data/formulary.json``: the curated formulary (generics with their K2-relevant
  classes, ATC codes, synonyms, brands, abbreviations; combinations; look-alike pairs; routes);
- ``core/data/known_drugs.json``: about 9,000 RxNorm names (ingredients, salts, combinations,
  brands) built by ``tools/build_known_drugs.py``, matched exactly only, so that a real drug
  with no K2-relevant class is recognised rather than "not recognised".

Typo-tolerant matching uses the curated names only. A curated name always wins over an
RxNorm name with the same key.

Size (about 480 lines): the schemas of both files and the indexes built from them are checked
against each other at load (classes, groups, brands), so they stay together.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.formulary.tokens import (
    COMBINATION_HINTS,
    IGNORABLE,
    SALT_WORDS,
    SEPARATOR_CHARS,
    SEPARATOR_WORDS,
    name_key,
)
from core.models import MatchKind, Route

__all__ = [
    "CLASS_LABELS",
    "FORMULARY_VERSION",
    "KNOWN_DRUGS_VERSION",
    "VKA_CLASS",
    "Entry",
    "Formulary",
    "GenericInfo",
    "all_names",
    "class_groups",
    "formulary",
    "generic_info",
    "generics_in_class",
    "ingredient_classes",
    "is_atc_code",
    "lookalike_pairs",
]

VKA_CLASS: Final = "vitamin_k_antagonist"
MIN_FUZZY_LEN: Final = 4
# RxNorm has allergen mixes of 200 words; nobody types those, and windows stay cheap.
MAX_KNOWN_WORDS: Final = 12
LOCAL_ROUTES: Final = frozenset({"ophthalmic", "otic", "topical", "nasal", "vaginal"})

KIND_RANK: Final[dict[str, int]] = {
    "exact": 0,
    "brand": 1,
    "abbreviation": 2,
    "fuzzy": 3,
    "unresolved": 4,
}


# --- the data, as schemas -------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GenericRecord(_Strict):
    """One generic in formulary.json."""

    name: str = Field(min_length=1)
    classes: list[str]
    atc: list[str]
    atc_unconfirmed: bool = False
    synonyms: list[str] = []
    brands: list[str] = []
    abbreviations: list[str] = []
    note: str | None = None


class CombinationRecord(_Strict):
    """One fixed combination in formulary.json."""

    generics: list[str] = Field(min_length=2)
    atc: list[str]
    atc_unconfirmed: bool = False
    names: list[str] = []
    brands: list[str] = []
    abbreviations: list[str] = []


class FormularyData(_Strict):
    """formulary.json as a whole."""

    version: str
    source_note: str
    classes: dict[str, str]
    groups: dict[str, list[str]]
    generics: list[GenericRecord]
    combinations: list[CombinationRecord]
    lookalike_pairs: list[tuple[str, str]]
    known_drugs: str
    name_routes: dict[Route, list[str]] = {}
    systemic_despite_route: list[str] = []


class KnownDrugs(_Strict):
    """known_drugs.json: RxNorm names with the RxNorm ingredients each stands for."""

    version: str
    source: str
    names: list[tuple[str, Literal["IN", "PIN", "MIN", "BN"], list[str], str]]


def _load(name: str, model: type[BaseModel]) -> Any:
    raw = resources.files("core.data").joinpath(name).read_text("utf-8")
    try:
        return model.model_validate(json.loads(raw))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"core/data/{name}: {where}: {err['msg']}") from None


@cache
def _data() -> FormularyData:
    data: FormularyData = _load("formulary.json", FormularyData)
    return data


@cache
def _known() -> KnownDrugs:
    data: KnownDrugs = _load("known_drugs.json", KnownDrugs)
    return data


# --- the index ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenericInfo:
    """One generic ingredient: its classes and ATC codes as the formulary holds them.

    ``curated`` is False for an RxNorm ingredient the curated formulary does not hold: it is a
    known drug with no K2-relevant class.
    """

    name: str
    classes: tuple[str, ...]
    atc: tuple[str, ...]
    atc_unconfirmed: bool
    note: str | None = None
    curated: bool = True


@dataclass(frozen=True)
class Entry:
    """One name in the index (a generic, synonym, brand, abbreviation or combination name)."""

    name: str
    kind: MatchKind
    generics: tuple[str, ...]
    product_atc: tuple[str, ...] = ()
    via_atc: bool = False
    route: Route | None = None
    curated: bool = True


@dataclass(frozen=True)
class Formulary:
    """Every index, built once."""

    version: str
    class_labels: dict[str, str]
    generics: dict[str, GenericInfo]
    by_key: dict[str, Entry]
    by_compact: dict[str, Entry]
    by_atc: dict[str, Entry]
    by_display: dict[str, Entry]
    fuzzy_keys: list[str]
    fuzzy_entries: list[Entry]
    lookalike_sets: frozenset[frozenset[tuple[str, ...]]]
    lookalike_names: tuple[tuple[str, str], ...]
    max_words: int
    vocabulary: frozenset[str]
    systemic_keys: frozenset[str]


def gset(entry: Entry) -> tuple[str, ...]:
    """The generic set of an entry, sorted: two entries for the same drug compare equal."""
    return tuple(sorted(entry.generics))


def _check_classes(data: FormularyData) -> None:
    labels = data.classes
    for rec in data.generics:
        unknown = [c for c in rec.classes if c not in labels]
        if unknown:
            raise ValueError(
                f"core/data/formulary.json: generic {rec.name!r} names unknown class {unknown[0]!r}"
            )
    for group, classes in data.groups.items():
        unknown = [c for c in classes if c not in labels]
        if unknown:
            raise ValueError(
                f"core/data/formulary.json: group {group!r} names unknown class {unknown[0]!r}"
            )


@cache
def formulary() -> Formulary:
    """Build every index once: name keys, compact keys, ATC codes and the fuzzy choice list."""
    data = _data()
    _check_classes(data)
    generics: dict[str, GenericInfo] = {}
    entries: list[Entry] = []

    def add(name: str, kind: MatchKind, gens: tuple[str, ...], atc: tuple[str, ...] = ()) -> None:
        entries.append(Entry(name=name, kind=kind, generics=gens, product_atc=atc))

    for rec in data.generics:
        info = GenericInfo(
            name=rec.name,
            classes=tuple(rec.classes),
            atc=tuple(rec.atc),
            atc_unconfirmed=rec.atc_unconfirmed,
            note=rec.note,
        )
        if info.name in generics:
            raise ValueError(f"core/data/formulary.json: duplicate generic {info.name!r}")
        generics[info.name] = info
        gens: tuple[str, ...] = (info.name,)
        add(info.name, "exact", gens)
        for syn in rec.synonyms:
            add(syn, "exact", gens)
        for brand in rec.brands:
            add(brand, "brand", gens)
        for abbr in rec.abbreviations:
            add(abbr, "abbreviation", gens)

    for combo in data.combinations:
        gens = tuple(combo.generics)
        missing = [g for g in gens if g not in generics]
        if missing:
            raise ValueError(
                f"core/data/formulary.json: combination names unknown generic {missing[0]!r}"
            )
        atc = tuple(combo.atc)
        add(" + ".join(gens), "exact", gens, atc)
        add(" ".join(gens), "exact", gens, atc)
        for name in combo.names:
            add(name, "exact", gens, atc)
        for brand in combo.brands:
            add(brand, "brand", gens, atc)
        for abbr in combo.abbreviations:
            add(abbr, "abbreviation", gens, atc)

    routes: dict[str, Route] = {}
    for route, names in data.name_routes.items():
        for name in names:
            routes[name_key(name)] = route

    by_key: dict[str, Entry] = {}
    by_display: dict[str, Entry] = {}
    for entry in entries:
        key = name_key(entry.name)
        if not key:
            raise ValueError(f"core/data/formulary.json: name with no words: {entry.name!r}")
        found = routes.get(key)
        if found is None and len(entry.generics) == 1:
            found = routes.get(name_key(entry.generics[0]))
        if found is not None:
            entry = Entry(entry.name, entry.kind, entry.generics, entry.product_atc, route=found)
        old = by_key.get(key)
        if old is not None and set(old.generics) != set(entry.generics):
            raise ValueError(
                f"core/data/formulary.json: name {entry.name!r} clashes with {old.name!r}"
            )
        if old is None or KIND_RANK[entry.kind] < KIND_RANK[old.kind]:
            by_key[key] = entry
        by_display.setdefault(entry.name.casefold(), entry)

    by_compact: dict[str, Entry] = {}
    for key, entry in by_key.items():
        compact = key.replace(" ", "")
        if compact != key:
            by_compact.setdefault(compact, entry)
        else:
            by_compact[compact] = entry

    # ATC codes that name exactly one generic set resolve directly (e.g. from a FHIR coding).
    atc_sets: dict[str, set[tuple[str, ...]]] = {}
    for info in generics.values():
        for code in info.atc:
            atc_sets.setdefault(code, set()).add((info.name,))
    for combo in data.combinations:
        for code in combo.atc:
            atc_sets.setdefault(code, set()).add(tuple(combo.generics))
    by_atc: dict[str, Entry] = {}
    for code, sets in atc_sets.items():
        if len(sets) == 1:
            (gens,) = tuple(sets)
            product = (code,) if len(gens) > 1 else ()
            by_atc[code] = Entry(
                name=f"ATC {code}", kind="exact", generics=gens, product_atc=product, via_atc=True
            )

    # Typo-tolerant matching: the curated names only.
    fuzzy_keys: list[str] = []
    fuzzy_entries: list[Entry] = []
    for key, entry in by_key.items():
        if entry.kind != "abbreviation" and len(key) >= MIN_FUZZY_LEN:
            fuzzy_keys.append(key)
            fuzzy_entries.append(entry)

    if _known().version != data.known_drugs:
        raise ValueError(
            f"core/data/formulary.json: known_drugs is {data.known_drugs!r} but "
            f"core/data/known_drugs.json is {_known().version!r}; update it and the version"
        )
    _add_known(by_key, by_display, generics, routes)

    pairs: set[frozenset[tuple[str, ...]]] = set()
    pair_names: list[tuple[str, str]] = []
    for a, b in data.lookalike_pairs:
        ea, eb = by_key.get(name_key(a)), by_key.get(name_key(b))
        if ea is None or eb is None:
            raise ValueError(
                f"core/data/formulary.json: look-alike pair names unknown drugs: {a!r}, {b!r}"
            )
        pairs.add(frozenset({gset(ea), gset(eb)}))
        pair_names.append((a, b))

    systemic = frozenset(name_key(n) for n in data.systemic_despite_route)
    unknown_names = [
        n for n in data.systemic_despite_route if name_key(n) not in by_key and n not in generics
    ]
    unknown_names += [
        n for ns in data.name_routes.values() for n in ns if name_key(n) not in by_key
    ]
    if unknown_names:
        raise ValueError(f"core/data/formulary.json: route lists name unknown {unknown_names[0]!r}")

    vocabulary = {w for key in by_key for w in key.split()}
    vocabulary |= IGNORABLE | SALT_WORDS | SEPARATOR_CHARS | SEPARATOR_WORDS | COMBINATION_HINTS
    return Formulary(
        version=data.version,
        class_labels=dict(data.classes),
        generics=generics,
        by_key=by_key,
        by_compact=by_compact,
        by_atc=by_atc,
        by_display=by_display,
        fuzzy_keys=fuzzy_keys,
        fuzzy_entries=fuzzy_entries,
        lookalike_sets=frozenset(pairs),
        lookalike_names=tuple(pair_names),
        max_words=max(len(k.split()) for k in by_key),
        vocabulary=frozenset(vocabulary),
        systemic_keys=systemic,
    )


def _add_known(
    by_key: dict[str, Entry],
    by_display: dict[str, Entry],
    generics: dict[str, GenericInfo],
    routes: dict[str, Route],
) -> None:
    """Add the RxNorm names, each mapped to curated generics where the formulary has them."""
    curated_key = {k: e for k, e in by_key.items() if e.kind == "exact" and len(e.generics) == 1}

    mapped: dict[str, str] = {}
    keys = {name: key for name, _, _, key in _known().names}

    def generic_of(rx_name: str) -> str:
        done = mapped.get(rx_name)
        if done is not None:
            return done
        key = keys.get(rx_name)
        hit = curated_key.get(key if key is not None else name_key(rx_name))
        if hit is not None:
            mapped[rx_name] = hit.generics[0]
            return hit.generics[0]
        if rx_name not in generics:
            generics[rx_name] = GenericInfo(
                name=rx_name, classes=(), atc=(), atc_unconfirmed=False, curated=False
            )
        mapped[rx_name] = rx_name
        return rx_name

    for name, tty, ingredients, key in _known().names:
        if not key or len(key.split()) > MAX_KNOWN_WORDS or key in IGNORABLE:
            continue
        gens = tuple(dict.fromkeys(generic_of(i) for i in ingredients))
        kind: MatchKind = "brand" if tty == "BN" else "exact"
        old = by_key.get(key)
        if old is not None:
            if not old.curated and set(old.generics) != set(gens):
                # "polyethylene glycol 300" and "... 3350" share a key once numbers go: the
                # key names what both are, never one of them at random.
                if key not in generics:
                    generics[key] = GenericInfo(
                        name=key, classes=(), atc=(), atc_unconfirmed=False, curated=False
                    )
                by_key[key] = Entry(name=key, kind="exact", generics=(key,), curated=False)
            continue
        entry = Entry(name=name, kind=kind, generics=gens, route=routes.get(key), curated=False)
        by_key[key] = entry
        by_display.setdefault(name.casefold(), entry)


def _labels() -> dict[str, str]:
    return dict(_data().classes)


# The RxNorm name list is named (by version) in formulary.json, so this one stamp covers both
# files; a mismatch stops the program when the index is built.
FORMULARY_VERSION: Final[str] = _data().version
KNOWN_DRUGS_VERSION: Final[str] = _data().known_drugs
CLASS_LABELS: Final[dict[str, str]] = _labels()


@cache
def class_groups() -> dict[str, frozenset[str]]:
    """Drug-class groups (diuretic, antithrombotic, cramp_associated...), defined once beside
    the classes they group in ``formulary.json``; a group naming an unknown class fails."""
    data = _data()
    _check_classes(data)
    return {name: frozenset(classes) for name, classes in data.groups.items()}


def generic_info(name: str) -> GenericInfo | None:
    """The record of a generic name (curated, or an RxNorm ingredient), or None."""
    return formulary().generics.get(name)


def ingredient_classes(generic: str, entry_classes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The classes of one ingredient: its own, or the whole entry's if it is not in the
    formulary. So a combination names only the ingredient in a class (salmeterol in Advair
    is the LABA, fluticasone is not)."""
    info = generic_info(generic)
    return info.classes if info is not None else tuple(entry_classes)


def generics_in_class(class_code: str) -> list[str]:
    """Every generic in the formulary with ``class_code``, in data order."""
    return [g.name for g in formulary().generics.values() if class_code in g.classes]


def all_names() -> list[str]:
    """Every curated name the formulary resolves exactly (generics, synonyms, brands,
    abbreviations); the RxNorm names are recognised too but not listed here."""
    return [e.name for e in formulary().by_display.values() if e.curated]


def lookalike_pairs() -> list[tuple[str, str]]:
    """The look-alike/sound-alike name pairs the formulary keeps apart."""
    return list(formulary().lookalike_names)


_ATC_FULL_RE: Final = re.compile(r"^[A-Z]\d\d[A-Z][A-Z](?:\d\d)?$")


def is_atc_code(code: str) -> bool:
    """Whether ``code`` has the shape of an ATC code at level 4 or 5 (e.g. B03AC, B01AA03)."""
    return _ATC_FULL_RE.match(code) is not None
