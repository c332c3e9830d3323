"""The formulary as data, and turning medication strings as written into generic drugs.

A pharmacist pastes a list as it comes from a record or a label: brands, abbreviations,
doses, routes, frequencies, combination notation and typos. ``resolve_medication`` strips
what is not a name, looks the rest up (generic, brand, abbreviation, ATC code, then a
typo-tolerant match with a margin) and says how it matched, so that every caution built on
the result can be checked by a human. The data lives in ``core/data/formulary.json``.

Safety rules built in here (they are the point of this module):

- an uncertain name that could be a vitamin K antagonist is treated as one until confirmed;
- look-alike/sound-alike names stay apart: when two candidates are close, the name is left
  unresolved with the candidates as alternatives ("did you mean ...?");
- an unrecognised name stays in the output as ``unresolved`` and is never implied to be safe.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

from rapidfuzz import fuzz, process

from core.errors import InputError
from core.models import MatchKind, ResolvedMedication

__all__ = [
    "CLASS_LABELS",
    "FORMULARY_VERSION",
    "MATCH_KIND_LABELS",
    "POSSIBLE_VKA_NOTE",
    "GenericInfo",
    "all_names",
    "confirm",
    "confirmation_choices",
    "describe",
    "describe_name",
    "generic_info",
    "generics_in_class",
    "is_atc_code",
    "lookalike_pairs",
    "resolve_medication",
    "resolve_medications",
    "split_medication_list",
    "unrecognised_parts",
]

VKA_CLASS: Final = "vitamin_k_antagonist"
POSSIBLE_VKA_NOTE: Final = "possible vitamin K antagonist: treated as one until confirmed"

MATCH_KIND_LABELS: Final[dict[str, str]] = {
    "exact": "generic name",
    "brand": "brand name",
    "abbreviation": "abbreviation",
    "fuzzy": "spelling match, please confirm",
    "unresolved": "not recognised",
}

# Typo-tolerant matching (rapidfuzz ``fuzz.ratio``, 0-100). A match must reach the cutoff and
# beat the best candidate for a *different* drug by the margin; listed look-alike pairs need
# a wider gap. A vitamin K antagonist within reach is never dropped (see module docstring).
FUZZY_CUTOFF: Final = 85.0
FUZZY_CUTOFF_SHORT: Final = 90.0  # queries of 4-5 characters
FUZZY_MARGIN: Final = 5.0
LOOKALIKE_WINDOW: Final = 15.0
ALTERNATIVE_FLOOR: Final = 70.0
VKA_FLOOR: Final = 75.0
VKA_WINDOW: Final = 10.0
PREFIX_SCORE: Final = 90.0
MIN_FUZZY_LEN: Final = 4
MAX_FUZZY_CALLS: Final = 24

_KIND_RANK: Final[dict[str, int]] = {
    "exact": 0,
    "brand": 1,
    "abbreviation": 2,
    "fuzzy": 3,
    "unresolved": 4,
}

# --- vocabulary of words that are not drug names -------------------------------------------------

_SEPARATOR_WORDS: Final = frozenset({"and", "with", "w"})
_SEPARATOR_CHARS: Final = frozenset("/+&,;()[]-")

_ROUTES: Final = (
    "po os iv im sc sq subq subcut subcutaneous intramuscular inh inhaled inhalation neb "
    "nebulised nebulized nebuliser nebulizer pr sl sublingual buccal top topical topically oral "
    "orally mouth nasal intranasal vaginal vaginally rectal rectally transdermal ophthalmic eye "
    "eyes ear ears td pv ng peg ivpb via route"
)
_FORMS: Final = (
    "tab tabs tablet tablets cap caps capsule capsules er xr xl sr cr la dr ec odt mr ir cd "
    "extended delayed modified sustained controlled immediate release released prolonged retard "
    "chewable chew dispersible effervescent soluble film coated enteric liquid solution soln sol "
    "susp suspension syrup elixir cream gel ointment lotion spray sprays powder sachet sachets "
    "granules liquigel liquigels softgel softgels gelcap gelcaps caplet caplets lozenge lozenges "
    "hfa mdi dpi diskus ellipta turbuhaler respimat handihaler breezhaler spiromax accuhaler "
    "evohaler easyhaler nexthaler genuair inhaler inhalers puff puffs actuation actuations act "
    "dose doses unit units strength ds ss plain regular generic brand extra maximum max junior "
    "adult adults pediatric paediatric infant drop drops patch patches injection injections inj "
    "pen pens syringe syringes prefilled vial vials ampoule ampoules amp infusion flush kit pack "
    "packet bottle supply"
)
_FREQUENCIES: Final = (
    "qd od daily once twice thrice bid bd tid tds qid qds qhs hs qam qpm qod qad prn stat nightly "
    "night nights nocte mane morning mornings evening evenings bedtime weekly week weeks monthly "
    "month months day days hourly hour hours hr hrs h min mins minute minutes alternate "
    "every other each per times time sig"
)
_UNITS: Final = (
    "mg mcg ug g gm gram grams milligram milligrams microgram micrograms ml millilitre "
    "milliliter millilitres milliliters l litre liter iu meq mmol mol kg"
)
_STOPWORDS: Final = (
    "a an the as needed required directed at in on of for to from or then up when if before "
    "after meals meal food breakfast lunch dinner supper take takes taking took use uses using "
    "used apply inject inhale pt patient rx otc med meds medication medications medicine drug "
    "drugs vit current currently no not stopped started start stop since also only about approx "
    "approximately usual usually sometimes occasionally x by atc rxnorm snomed code ndc"
)
_SALTS: Final = (
    "sodium potassium calcium magnesium hydrochloride hcl hydrobromide besylate besilate "
    "mesylate mesilate maleate fumarate succinate tartrate citrate sulfate sulphate bisulfate "
    "bisulphate hemihydrate monohydrate dihydrate trihydrate anhydrous acetate phosphate "
    "etexilate medoxomil cilexetil erbumine arginine tosylate bromide dipropionate propionate "
    "furoate xinafoate trometamol tromethamine axetil disodium dipotassium pivoxil proxetil "
    "hyclate lysine valerate gluconate chloride salt base"
)

_IGNORABLE: Final = frozenset(" ".join((_ROUTES, _FORMS, _FREQUENCIES, _UNITS, _STOPWORDS)).split())
_SALT_WORDS: Final = frozenset(_SALTS.split())

# Letters whose following number is part of the name (MK-7, vitamin K 2, menaquinone-4).
_VITAMERS: Final[dict[str, frozenset[str]]] = {
    "mk": frozenset({"4", "7"}),
    "k": frozenset({"1", "2"}),
    "menaquinone": frozenset({"4", "7"}),
}
_TOKEN_RE: Final = re.compile(r"\d+(?:[.,]\d+)*[a-z%]*|[a-z][a-z0-9]*|[/+&,;()\[\]-]")
_ATC_RE: Final = re.compile(r"^[a-z]\d\d(?:[a-z](?:[a-z](?:\d\d)?)?)?$")
_ATC_FULL_RE: Final = re.compile(r"^[A-Z]\d\d[A-Z][A-Z](?:\d\d)?$")
_NOISE_RE: Final = re.compile(r"^(?:q\d+[a-z]?|x\d+|\d+x)$")
_DOTTED_ABBR_RE: Final = re.compile(r"\b(?:[a-z]\.){2,}")
_LETTER_DIGIT_RE: Final = re.compile(r"([a-z]{3,})(\d)")


# --- the data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GenericInfo:
    """One generic ingredient: its classes and ATC codes as the formulary holds them."""

    name: str
    classes: tuple[str, ...]
    atc: tuple[str, ...]
    atc_unconfirmed: bool
    note: str | None = None


@dataclass(frozen=True)
class _Entry:
    """One name in the index (a generic, synonym, brand, abbreviation or combination name)."""

    name: str
    kind: MatchKind
    generics: tuple[str, ...]
    product_atc: tuple[str, ...] = ()
    via_atc: bool = False


@dataclass(frozen=True)
class _Formulary:
    version: str
    class_labels: dict[str, str]
    generics: dict[str, GenericInfo]
    by_key: dict[str, _Entry]
    by_compact: dict[str, _Entry]
    by_atc: dict[str, _Entry]
    by_display: dict[str, _Entry]
    fuzzy_keys: list[str]
    fuzzy_entries: list[_Entry]
    lookalike_sets: frozenset[frozenset[tuple[str, ...]]]
    lookalike_names: tuple[tuple[str, str], ...]
    max_words: int


def _ascii_lower(text: str) -> str:
    """Lower-case ASCII: accents dropped, micro sign as 'u', dotted abbreviations joined."""
    text = text.replace("µ", "u").replace("μ", "u")
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = text.replace("'", "").replace("`", "")
    text = _DOTTED_ABBR_RE.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    return _LETTER_DIGIT_RE.sub(r"\1 \2", text)


def _tokens(text: str) -> list[str]:
    """Tokens of a medication string: words, numbers and separator characters."""
    raw = _TOKEN_RE.findall(_ascii_lower(text))
    out: list[str] = []
    i = 0
    while i < len(raw):
        tok = raw[i]
        # "MK-7", "mk 7", "vitamin K 2", "K-2": join the vitamer number onto its letters.
        if tok in _VITAMERS and i + 1 < len(raw):
            j = i + 1
            if raw[j] == "-" and j + 1 < len(raw):
                j += 1
            nxt = raw[j]
            if nxt in _VITAMERS[tok]:
                out.append(tok + nxt)
                i = j + 1
                continue
        out.append(tok)
        i += 1
    return out


def _is_number(tok: str) -> bool:
    return tok[0].isdigit()


def _insignificant(tok: str) -> bool:
    """A word that is never a drug name on its own: dose, route, form, frequency, salt, filler."""
    return (
        tok in _IGNORABLE
        or tok in _SALT_WORDS
        or _NOISE_RE.match(tok) is not None
        or _ATC_RE.match(tok) is not None
    )


def _is_separator(tok: str) -> bool:
    return tok in _SEPARATOR_CHARS or tok in _SEPARATOR_WORDS


def _name_key(name: str) -> str:
    """The index key of a formulary name: its words, lower-case, separators and numbers dropped."""
    return " ".join(t for t in _tokens(name) if not _is_separator(t) and not _is_number(t))


def _load_json() -> dict[str, Any]:
    raw = resources.files("core.data").joinpath("formulary.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


@cache
def _formulary() -> _Formulary:
    """Build every index once: name keys, compact keys, ATC codes and the fuzzy choice list."""
    data = _load_json()
    generics: dict[str, GenericInfo] = {}
    entries: list[tuple[str, _Entry]] = []

    def add(name: str, kind: MatchKind, gens: tuple[str, ...], atc: tuple[str, ...] = ()) -> None:
        entries.append((name, _Entry(name=name, kind=kind, generics=gens, product_atc=atc)))

    for rec in data["generics"]:
        info = GenericInfo(
            name=rec["name"],
            classes=tuple(rec.get("classes", [])),
            atc=tuple(rec.get("atc", [])),
            atc_unconfirmed=bool(rec.get("atc_unconfirmed", False)),
            note=rec.get("note"),
        )
        if info.name in generics:
            raise ValueError(f"duplicate generic in formulary.json: {info.name}")
        generics[info.name] = info
        gens: tuple[str, ...] = (info.name,)
        add(info.name, "exact", gens)
        for syn in rec.get("synonyms", []):
            add(syn, "exact", gens)
        for brand in rec.get("brands", []):
            add(brand, "brand", gens)
        for abbr in rec.get("abbreviations", []):
            add(abbr, "abbreviation", gens)

    combo_atc_unconfirmed: dict[str, bool] = {}
    for rec in data["combinations"]:
        gens = tuple(rec["generics"])
        missing = [g for g in gens if g not in generics]
        if missing:
            raise ValueError(f"combination names unknown generics: {missing}")
        atc = tuple(rec.get("atc", []))
        for code in atc:
            combo_atc_unconfirmed[code] = bool(rec.get("atc_unconfirmed", False))
        add(" + ".join(gens), "exact", gens, atc)
        add(" ".join(gens), "exact", gens, atc)
        for name in rec.get("names", []):
            add(name, "exact", gens, atc)
        for brand in rec.get("brands", []):
            add(brand, "brand", gens, atc)
        for abbr in rec.get("abbreviations", []):
            add(abbr, "abbreviation", gens, atc)

    by_key: dict[str, _Entry] = {}
    by_display: dict[str, _Entry] = {}
    for name, entry in entries:
        key = _name_key(name)
        if not key:
            raise ValueError(f"formulary name with no words: {name!r}")
        old = by_key.get(key)
        if old is not None and set(old.generics) != set(entry.generics):
            raise ValueError(f"formulary name {name!r} clashes with {old.name!r}")
        if old is None or _KIND_RANK[entry.kind] < _KIND_RANK[old.kind]:
            by_key[key] = entry
        by_display.setdefault(name.casefold(), entry)

    by_compact: dict[str, _Entry] = {}
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
    for rec in data["combinations"]:
        for code in rec.get("atc", []):
            atc_sets.setdefault(code, set()).add(tuple(rec["generics"]))
    by_atc: dict[str, _Entry] = {}
    for code, sets in atc_sets.items():
        if len(sets) == 1:
            (gens,) = tuple(sets)
            product = (code,) if len(gens) > 1 else ()
            by_atc[code] = _Entry(
                name=f"ATC {code}", kind="exact", generics=gens, product_atc=product, via_atc=True
            )

    fuzzy_keys: list[str] = []
    fuzzy_entries: list[_Entry] = []
    for key, entry in by_key.items():
        if entry.kind != "abbreviation" and len(key) >= MIN_FUZZY_LEN:
            fuzzy_keys.append(key)
            fuzzy_entries.append(entry)

    pairs: set[frozenset[tuple[str, ...]]] = set()
    pair_names: list[tuple[str, str]] = []
    for a, b in data.get("lookalike_pairs", []):
        ea, eb = by_key.get(_name_key(a)), by_key.get(_name_key(b))
        if ea is None or eb is None:
            raise ValueError(f"look-alike pair names unknown drugs: {a!r}, {b!r}")
        pairs.add(frozenset({_gset(ea), _gset(eb)}))
        pair_names.append((a, b))

    return _Formulary(
        version=str(data["version"]),
        class_labels=dict(data["classes"]),
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
    )


def _gset(entry: _Entry) -> tuple[str, ...]:
    return tuple(sorted(entry.generics))


FORMULARY_VERSION: Final[str] = str(_load_json()["version"])
CLASS_LABELS: Final[dict[str, str]] = dict(_load_json()["classes"])


@cache
def class_groups() -> dict[str, frozenset[str]]:
    """Drug-class groups (diuretic, antithrombotic, cramp_associated...), defined once beside
    the classes they group in ``formulary.json``; a group naming an unknown class fails."""
    groups = {name: frozenset(classes) for name, classes in _load_json()["groups"].items()}
    for name, classes in groups.items():
        unknown = sorted(classes - CLASS_LABELS.keys())
        if unknown:
            raise ValueError(f"core/data/formulary.json: group '{name}' names unknown {unknown}")
    return groups


# --- splitting a pasted list --------------------------------------------------------------------

_BULLET_RE: Final = re.compile(
    r"^\s*(?:[-*•·‣◦▪●–—>]+\s*|\(?\d{1,3}[.)](?=\s)\s*|\(?[a-zA-Z][.)](?=\s)\s*|#\d+\s*)"
)
_LIST_SPLIT_RE: Final = re.compile(r"[\n\r;]+|,(?!\d{3}(?!\d))|(?<!\d),")
_HEADING_RE: Final = re.compile(
    r"^(?:current |home |active |regular |repeat )?"
    r"(?:medications?|meds|medicines|drugs?|drug list|medication list|rx)\s*:?$",
    re.IGNORECASE,
)


def split_medication_list(text: str) -> list[str]:
    """Split a pasted list into one string per medication.

    Entries are separated by new lines, semicolons or commas (a comma inside a number such as
    ``1,000 mg`` is kept). Bullets and numbering are stripped, blank lines and a heading such as
    ``Medications:`` are dropped. Combination notation (``lisinopril/HCTZ 20/12.5``,
    ``amlodipine-benazepril``) stays one entry.
    """
    items: list[str] = []
    for part in _LIST_SPLIT_RE.split(text):
        item = part.strip()
        previous = None
        while item and item != previous:
            previous = item
            item = _BULLET_RE.sub("", item, count=1).strip()
        item = " ".join(item.split())
        if item and not _HEADING_RE.match(item):
            items.append(item)
    return items


# --- resolution ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One ingredient-level piece of an entry and how it matched."""

    text: str
    kind: MatchKind
    entry: _Entry | None
    score: float | None = None
    alternatives: tuple[str, ...] = ()
    possible_vka: bool = False
    confirmed: bool = False


@dataclass(frozen=True)
class _Resolution:
    parts: tuple[_Part, ...]
    ignored: tuple[str, ...] = ()
    empty: bool = False
    rejected: bool = False


@dataclass(frozen=True)
class _Candidate:
    entry: _Entry
    score: float


def _is_vka(entry: _Entry) -> bool:
    gens = _formulary().generics
    return any(VKA_CLASS in gens[g].classes for g in entry.generics)


def _candidates(query: str) -> list[_Candidate]:
    """The best-scoring formulary name for each different generic set, best first."""
    f = _formulary()
    hits = process.extract(
        query, f.fuzzy_keys, scorer=fuzz.ratio, limit=20, score_cutoff=ALTERNATIVE_FLOOR
    )
    best: dict[tuple[str, ...], _Candidate] = {}
    for key, raw_score, idx in hits:
        entry = f.fuzzy_entries[idx]
        score = float(raw_score)
        if key.startswith(query + " "):
            # "mineral" is the first word of "mineral oil": as near as a one-letter typo.
            score = max(score, PREFIX_SCORE)
        gs = _gset(entry)
        if gs not in best or score > best[gs].score:
            best[gs] = _Candidate(entry=entry, score=score)
    return sorted(best.values(), key=lambda c: (-c.score, c.entry.name))


def _fuzzy_part(query: str) -> _Part | None:
    """A typo-tolerant match for one run of words, or None when nothing is near.

    Returns a fuzzy part (confident, or a possible VKA), an unresolved part carrying the
    near candidates as alternatives, or None when no candidate reaches the floor.
    """
    if len(query.replace(" ", "")) < MIN_FUZZY_LEN:
        return None
    cands = _candidates(query)
    if not cands:
        return None
    f = _formulary()
    top = cands[0]
    cutoff = FUZZY_CUTOFF if len(query) >= 6 else FUZZY_CUTOFF_SHORT
    runner = cands[1] if len(cands) > 1 else None
    margin_ok = runner is None or top.score - runner.score >= FUZZY_MARGIN
    lookalike = any(
        frozenset({_gset(top.entry), _gset(c.entry)}) in f.lookalike_sets
        for c in cands[1:]
        if top.score - c.score < LOOKALIKE_WINDOW
    )
    confident = top.score >= cutoff and margin_ok and not lookalike
    vka = [
        c
        for c in cands
        if _is_vka(c.entry) and c.score >= VKA_FLOOR and c.score >= top.score - VKA_WINDOW
    ]
    near = [c for c in cands if c.score >= top.score - LOOKALIKE_WINDOW]
    if vka and not (confident and _is_vka(top.entry)):
        chosen = vka[0]
        alts = tuple(c.entry.name for c in near if c is not chosen)[:4]
        return _Part(query, "fuzzy", chosen.entry, chosen.score, alts, possible_vka=True)
    if confident:
        alts = tuple(c.entry.name for c in near[1:4])
        return _Part(query, "fuzzy", top.entry, top.score, alts, possible_vka=_is_vka(top.entry))
    return _Part(query, "unresolved", None, top.score, tuple(c.entry.name for c in near)[:4])


def _lookup_window(words: Sequence[str]) -> _Entry | None:
    f = _formulary()
    key = " ".join(words)
    entry = f.by_key.get(key)
    if entry is None and len(words) > 1:
        entry = f.by_compact.get("".join(words))
    if entry is None and len(words) == 1 and _ATC_RE.match(words[0]):
        entry = f.by_atc.get(words[0].upper())
    return entry


@lru_cache(maxsize=8192)
def _resolve_tokens(tokens: tuple[str, ...]) -> _Resolution:
    """Resolve one entry given as normalised tokens (cached: this is the hot path)."""
    f = _formulary()
    # Positions of word tokens (numbers are doses and never part of a name).
    words = [i for i, t in enumerate(tokens) if not _is_separator(t) and not _is_number(t)]
    if not words:
        return _Resolution(parts=(), empty=True)

    # 1. Exact windows, longest first, over words (a name may span a hyphen, "co-amilofruse").
    taken: dict[int, int] = {}  # word index -> window id
    windows: list[tuple[int, int, _Entry]] = []  # (first word index, length, entry)
    for n in range(min(f.max_words, len(words)), 0, -1):
        # At equal length, a window that starts with a real word beats one that starts with a
        # route or form word: "IV iron sucrose" is iron sucrose, not "IV iron" + "sucrose".
        starts = sorted(
            range(len(words) - n + 1), key=lambda s: (tokens[words[s]] in _IGNORABLE, s)
        )
        for start in starts:
            span = range(start, start + n)
            if any(k in taken for k in span):
                continue
            seq = [tokens[words[k]] for k in span]
            if n == 1 and seq[0] in _SALT_WORDS and words[start] > 0:
                prev = tokens[words[start] - 1]  # the token just before, separators included
                if not _is_separator(prev) and not _is_number(prev) and prev not in _IGNORABLE:
                    continue  # "atorvastatin calcium": a salt, not a second drug
            entry = _lookup_window(seq)
            if entry is not None:
                wid = len(windows)
                windows.append((start, n, entry))
                for k in span:
                    taken[k] = wid

    # 2. Segments between explicit separators; leftover words form runs for fuzzy matching.
    word_index = {pos: k for k, pos in enumerate(words)}
    segments: list[list[int]] = [[]]
    for i, tok in enumerate(tokens):
        if _is_separator(tok):
            if segments[-1]:
                segments.append([])
        elif i in word_index:
            segments[-1].append(word_index[i])
    segments = [s for s in segments if s]

    parts_by_pos: list[tuple[int, _Part]] = [
        (start, _Part(" ".join(tokens[words[k]] for k in range(start, start + n)), e.kind, e))
        for start, n, e in windows
    ]
    ignored: list[str] = []
    budget = [MAX_FUZZY_CALLS]

    def fuzzy(query: str) -> _Part | None:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        return _fuzzy_part(query)

    for seg in segments:
        runs: list[list[int]] = [[]]
        for k in seg:
            if k in taken or _insignificant(tokens[words[k]]):
                if runs[-1]:
                    runs.append([])
            else:
                runs[-1].append(k)
        runs = [r for r in runs if r]
        seg_parts: list[tuple[int, _Part]] = []
        seg_ignored: list[str] = []
        misses: list[_Part] = []
        for run in runs:
            whole = fuzzy(" ".join(tokens[words[k]] for k in run))
            if whole is not None and whole.entry is not None:
                seg_parts.append((run[0], whole))
                continue
            singles = [(k, fuzzy(tokens[words[k]])) for k in run] if len(run) > 1 else []
            best_single = max((p.score or 0.0 for _, p in singles if p is not None), default=0.0)
            if whole is not None and (whole.score or 0.0) >= best_single:
                # The run as a whole is nearer than any word of it: its verdict stands
                # ("vitamine k" is ambiguous between vitamin K products, not "vitamin E").
                misses.append(whole)
                seg_ignored.append(whole.text)
                continue
            if not singles:
                seg_ignored.append(tokens[words[run[0]]])
            for k, part in singles:
                if part is not None and part.entry is not None:
                    seg_parts.append((k, part))
                else:
                    seg_ignored.append(tokens[words[k]])
                    if part is not None:
                        misses.append(part)
        if seg_parts or any(k in taken for k in seg):
            parts_by_pos.extend(seg_parts)
            ignored.extend(seg_ignored)
            continue
        # Nothing in this segment is a known name: it is an unrecognised part.
        significant = [tokens[words[k]] for k in seg if not _insignificant(tokens[words[k]])]
        if significant:
            alts: list[str] = []
            for miss in misses:
                alts.extend(a for a in miss.alternatives if a not in alts)
            text = " ".join(significant)
            parts_by_pos.append((seg[0], _Part(text, "unresolved", None, None, tuple(alts[:4]))))

    parts_by_pos.sort(key=lambda p: p[0])
    ignored_words = tuple(dict.fromkeys(w for w in ignored if w))
    if not parts_by_pos:
        return _Resolution(parts=(), ignored=ignored_words, empty=True)
    return _Resolution(parts=tuple(p for _, p in parts_by_pos), ignored=ignored_words)


def _normalised(text: str) -> tuple[str, ...]:
    return tuple(_tokens(text))


def _build(text: str, res: _Resolution) -> ResolvedMedication:
    """Turn a resolution into the contract model: generics, classes, ATC, how it matched, notes."""
    f = _formulary()
    matched = [p for p in res.parts if p.entry is not None]
    missing = [p for p in res.parts if p.entry is None]
    notes: list[str] = []
    if not matched:
        alts: list[str] = []
        for p in missing:
            alts.extend(a for a in p.alternatives if a not in alts)
        if res.rejected:
            notes.append("the suggested match was rejected; not recognised")
        elif res.empty:
            notes.append("no medication name found in this entry")
        return ResolvedMedication(
            input=text,
            matched_by="unresolved",
            alternatives=alts,
            note="; ".join(notes) or None,
        )

    generics: list[str] = []
    product_atc: list[str] = []
    for p in matched:
        assert p.entry is not None
        generics.extend(g for g in p.entry.generics if g not in generics)
        product_atc.extend(c for c in p.entry.product_atc if c not in product_atc)
    classes: list[str] = []
    atc: list[str] = list(product_atc)
    for g in generics:
        info = f.generics[g]
        classes.extend(c for c in info.classes if c not in classes)
        atc.extend(c for c in info.atc if c not in atc)
    kind = max((p.kind for p in matched), key=lambda k: _KIND_RANK[k])
    fuzzy = [p for p in matched if p.kind == "fuzzy"]
    scores = [p.score for p in fuzzy if p.score is not None]
    alternatives: list[str] = []
    for p in fuzzy:
        alternatives.extend(a for a in p.alternatives if a not in alternatives)
    if any(p.possible_vka and not p.confirmed for p in matched):
        notes.append(POSSIBLE_VKA_NOTE)
    for p in matched:
        if p.confirmed and p.entry is not None:
            notes.append(f"confirmed by the user as {p.entry.name}")
    for p in missing:
        notes.append(f"not recognised: '{p.text}'; no caution can be given for that part")
    if res.ignored:
        notes.append("words not used for matching: " + ", ".join(res.ignored))
    names = list(dict.fromkeys(p.entry.name for p in matched if p.entry is not None))
    return ResolvedMedication(
        input=text,
        generics=generics,
        classes=classes,
        atc=atc,
        matched_by=kind,
        matched_name=" + ".join(names),
        score=round(min(scores), 1) if scores else None,
        alternatives=alternatives,
        note="; ".join(notes) or None,
    )


def _resolution(text: str) -> _Resolution:
    return _resolve_tokens(_normalised(text))


@lru_cache(maxsize=16384)
def resolve_medication(text: str) -> ResolvedMedication:
    """Resolve one medication string as written to its generic ingredient(s).

    Doses, units, routes, forms, frequencies and harmless salts are ignored. Tries generic,
    brand and abbreviation names (and ATC codes), then a typo-tolerant match with a cutoff and
    a margin over the runner-up. A combination resolves to every ingredient, and ``matched_by``
    is the weakest match among its parts. Never raises on a string; what cannot be recognised
    is returned as ``unresolved`` and stays in the output. Cached on the exact string: the
    result is a frozen model shared between callers, so treat it as read-only.
    """
    return _build(text, _resolution(text))


def clear_caches() -> None:
    """Forget every cached resolution (for benchmarks that measure the uncached path)."""
    resolve_medication.cache_clear()
    _resolve_tokens.cache_clear()


def unrecognised_parts(med: ResolvedMedication) -> list[str]:
    """Parts of a partly recognised entry that were not recognised (``xyzzy`` in
    ``lisinopril/xyzzy``); empty for a fully recognised or a wholly unresolved entry."""
    if med.matched_by == "unresolved":
        return []
    res = _resolution(med.input)
    if not any(p.entry is not None for p in res.parts):
        return []
    return [p.text for p in res.parts if p.entry is None]


def resolve_medications(texts: Iterable[str]) -> list[ResolvedMedication]:
    """Resolve each string in order (see ``resolve_medication``)."""
    return [resolve_medication(t) for t in texts]


def confirm(med: ResolvedMedication, name: str | None) -> ResolvedMedication:
    """Turn an uncertain match into a confirmed one after the user picked ``name``.

    ``name`` is a formulary name (one of ``med.matched_name`` or ``med.alternatives``, or any
    name the formulary knows). ``None`` or ``""`` rejects the suggestion: the uncertain part
    becomes unresolved. Confirmation replaces the first uncertain part (fuzzy, or unresolved
    with alternatives); a confirmed part keeps ``matched_by="fuzzy"`` and the note records it.
    Raises ``InputError`` if ``name`` is unknown or the entry has nothing to confirm.
    """
    res = _resolution(med.input)
    uncertain = [
        i
        for i, p in enumerate(res.parts)
        if p.kind == "fuzzy" or (p.kind == "unresolved" and p.alternatives)
    ]
    if not uncertain:
        raise InputError(f"nothing to confirm for {med.input!r}", where="confirm")
    if not name:
        parts = tuple(
            replace(p, kind="unresolved", entry=None, possible_vka=False, alternatives=())
            if i in uncertain
            else p
            for i, p in enumerate(res.parts)
        )
        return _build(med.input, _Resolution(parts=parts, ignored=res.ignored, rejected=True))
    entry = _lookup_name(name)
    if entry is None:
        raise InputError(f"{name!r} is not a name in the formulary", where="confirm")
    target = uncertain[0]
    for i in uncertain:
        p = res.parts[i]
        offered = {p.entry.name if p.entry else "", *p.alternatives}
        if name in offered or entry.name in offered:
            target = i
            break
    chosen = replace(
        res.parts[target],
        kind="fuzzy",
        entry=entry,
        possible_vka=False,
        confirmed=True,
        alternatives=(),
    )
    parts = tuple(chosen if i == target else p for i, p in enumerate(res.parts))
    return _build(med.input, _Resolution(parts=parts, ignored=res.ignored))


def confirmation_choices(med: ResolvedMedication) -> list[str]:
    """The formulary names a page can offer for ``confirm``: for each uncertain part of the
    entry, its suggested match first, then the alternatives. Empty when nothing is uncertain
    or the entry has already been confirmed or rejected."""
    if med.note and ("confirmed by the user" in med.note or "was rejected" in med.note):
        return []
    choices: list[str] = []
    for p in _resolution(med.input).parts:
        if p.kind == "fuzzy" or (p.kind == "unresolved" and p.alternatives):
            offered = ([p.entry.name] if p.entry is not None else []) + list(p.alternatives)
            choices.extend(c for c in offered if c not in choices)
    return choices


def _lookup_name(name: str) -> _Entry | None:
    f = _formulary()
    return f.by_display.get(name.casefold()) or f.by_key.get(_name_key(name))


# --- describing ---------------------------------------------------------------------------------


def generic_info(name: str) -> GenericInfo | None:
    """The formulary record of a generic name, or None if it is not in the formulary."""
    return _formulary().generics.get(name)


def ingredient_classes(generic: str, entry_classes: Sequence[str]) -> Sequence[str]:
    """The classes of one ingredient: its own, or the whole entry's if it is not in the
    formulary. So a combination names only the ingredient in a class (salmeterol in Advair
    is the LABA, fluticasone is not)."""
    info = generic_info(generic)
    return info.classes if info is not None else entry_classes


def generics_in_class(class_code: str) -> list[str]:
    """Every generic in the formulary with ``class_code``, in data order."""
    return [g.name for g in _formulary().generics.values() if class_code in g.classes]


def all_names() -> list[str]:
    """Every name the formulary resolves exactly (generics, synonyms, brands, abbreviations)."""
    return [e.name for e in _formulary().by_display.values()]


def lookalike_pairs() -> list[tuple[str, str]]:
    """The look-alike/sound-alike name pairs the formulary keeps apart."""
    return list(_formulary().lookalike_names)


def is_atc_code(code: str) -> bool:
    """Whether ``code`` has the shape of an ATC code at level 4 or 5 (e.g. B03AC, B01AA03)."""
    return _ATC_FULL_RE.match(code) is not None


def _generic_text(name: str) -> str:
    info = _formulary().generics.get(name)
    if info is None:
        return name
    labels = [CLASS_LABELS.get(c, c) for c in info.classes]
    bits = labels or ["no class checked by this tool"]
    if info.atc:
        codes = " / ".join(info.atc)
        bits.append(f"{codes}, ATC unconfirmed" if info.atc_unconfirmed else codes)
    return f"{name} ({', '.join(bits)})"


def describe_name(name: str) -> str:
    """A formulary name with what it is, e.g. ``Celebrex (celecoxib)``."""
    entry = _lookup_name(name)
    if entry is None:
        return name
    gens = " + ".join(entry.generics)
    return name if gens.casefold() == name.casefold() else f"{name} ({gens})"


def describe(med: ResolvedMedication) -> str:
    """One checkable line: ``Coumadin → warfarin (vitamin K antagonist, B01AA03)``."""
    shown = " ".join(med.input.split()) or "(empty)"
    if med.matched_by == "unresolved":
        text = f"{shown} → not recognised"
        if med.alternatives:
            text += " (did you mean " + " or ".join(describe_name(a) for a in med.alternatives)
            text += "?)"
        return text
    return f"{shown} → " + " + ".join(_generic_text(g) for g in med.generics)
