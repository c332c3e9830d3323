"""Turning a medication string as written into generic drugs, with how it matched.

``resolve_medication`` strips what is not a name (doses, units, routes, forms, frequencies,
strength words such as Forte or Mite), looks the rest up exactly (curated formulary and
RxNorm names, ATC codes), then tries a typo-tolerant match against the curated names with a
margin. Safety rules built in here (they are the point of this module):

- an uncertain name that could be a vitamin K antagonist (a fuzzy match, or a VKA among the
  alternatives offered) is treated as one until confirmed;
- look-alike/sound-alike names stay apart: when two candidates are close, the name is left
  unresolved with the candidates as alternatives ("did you mean ...?");
- a name that is itself a known drug is never matched by spelling to another one;
- an unrecognised name, or part of one, stays in the output (``unresolved_parts``) and is
  never implied to be safe.

Privacy: the only cache holds resolutions keyed on token tuples made entirely of formulary
vocabulary (numbers replaced by ``0``); anything else a user typed is worked out afresh and
never kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from core.formulary.fuzzy import MAX_FUZZY_CALLS, Part, fuzzy_part
from core.formulary.index import KIND_RANK, LOCAL_ROUTES, Entry, formulary
from core.formulary.tokens import (
    ATC_RE,
    COMBINATION_HINTS,
    IGNORABLE,
    MAX_NAME_CHARS,
    SALT_WORDS,
    insignificant,
    is_number,
    is_separator,
    name_key,
    route_of,
    tokens,
)
from core.models import ResolvedMedication, Route

__all__ = [
    "POSSIBLE_VKA_NOTE",
    "clear_caches",
    "is_local",
    "resolve_medication",
    "resolve_medications",
    "unrecognised_parts",
]

POSSIBLE_VKA_NOTE: Final = "possible vitamin K antagonist: treated as one until confirmed"
TOO_LONG_NOTE: Final = (
    f"longer than {MAX_NAME_CHARS} characters, so not read as a medication name; "
    "enter one medication per line"
)

# Every leftover word beside a known name is reported ("Mucinex DM": DM is dextromethorphan).
MIN_UNRESOLVED_LEN: Final = 1


@dataclass(frozen=True)
class Resolution:
    """What the resolver made of one entry, before it becomes a ``ResolvedMedication``."""

    parts: tuple[Part, ...]
    ignored: tuple[str, ...] = ()
    empty: bool = False
    rejected: bool = False
    route: Route | None = None


def _lookup_window(words: list[str]) -> Entry | None:
    f = formulary()
    key = " ".join(words)
    entry = f.by_key.get(key)
    if entry is None and len(words) > 1:
        entry = f.by_compact.get("".join(words))
    if entry is None and len(words) == 1 and ATC_RE.match(words[0]):
        entry = f.by_atc.get(words[0].upper())
    return entry


_COMBINATION_HINT_TEXT: Final = (
    "often means a combination with a second drug (usually a diuretic): check which"
)


def _resolve_tokens(toks: tuple[str, ...]) -> Resolution:
    """Resolve one entry given as normalised tokens."""
    f = formulary()
    # Positions of word tokens (numbers are doses and never part of a name).
    words = [i for i, t in enumerate(toks) if not is_separator(t) and not is_number(t)]
    if not words:
        return Resolution(parts=(), empty=True)
    route = route_of([toks[i] for i in words])

    # 1. Exact windows, longest first, over words (a name may span a hyphen, "co-amilofruse").
    taken: dict[int, int] = {}  # word index -> window id
    windows: list[tuple[int, int, Entry]] = []  # (first word index, length, entry)
    for n in range(min(f.max_words, len(words)), 0, -1):
        # At equal length, a window that starts with a real word beats one that starts with a
        # route or form word: "IV iron sucrose" is iron sucrose, not "IV iron" + "sucrose".
        starts = sorted(range(len(words) - n + 1), key=lambda s: (toks[words[s]] in IGNORABLE, s))
        for start in starts:
            span = range(start, start + n)
            if any(k in taken for k in span):
                continue
            seq = [toks[words[k]] for k in span]
            if n == 1 and seq[0] in SALT_WORDS and words[start] > 0:
                prev = toks[words[start] - 1]  # the token just before, separators included
                if not is_separator(prev) and not is_number(prev) and prev not in IGNORABLE:
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
    bracketed: set[int] = set()  # segments written inside [ ], the RxNorm brand position
    depth = 0
    for i, tok in enumerate(toks):
        if tok == "[":
            depth += 1
        elif tok == "]":
            depth = max(0, depth - 1)
        if is_separator(tok):
            if segments[-1]:
                segments.append([])
        elif i in word_index:
            segments[-1].append(word_index[i])
            if depth:
                bracketed.add(len(segments) - 1)

    parts_by_pos: list[tuple[int, Part]] = [
        (start, Part(" ".join(toks[words[k]] for k in range(start, start + n)), e.kind, e))
        for start, n, e in windows
    ]
    ignored: list[str] = []
    budget = [MAX_FUZZY_CALLS]
    unmatched_brackets: list[tuple[int, Part]] = []

    def fuzzy(query: str) -> Part | None:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
        return fuzzy_part(query)

    outside = any(k in taken for n, seg in enumerate(segments) if n not in bracketed for k in seg)
    for seg_no, seg in enumerate(segments):
        if not seg:
            continue
        if seg_no in bracketed and outside and not any(k in taken for k in seg):
            # "Acetaminophen 325 MG / HYDROcodone 5 MG [Vicodin]": an RxNorm clinical-drug
            # string names the brand of exactly the ingredients listed before it, so a brand
            # the index lacks is not guessed by spelling.
            unmatched_brackets.append(
                (seg[0], Part(" ".join(toks[words[k]] for k in seg), "unresolved", None))
            )
            continue
        runs: list[list[int]] = [[]]
        for k in seg:
            tok = toks[words[k]]
            if k in taken or insignificant(tok) or tok in COMBINATION_HINTS:
                if k not in taken and tok in COMBINATION_HINTS:
                    parts_by_pos.append(
                        (k, Part(tok, "unresolved", None, hint=_COMBINATION_HINT_TEXT))
                    )
                if runs[-1]:
                    runs.append([])
            else:
                runs[-1].append(k)
        runs = [r for r in runs if r]
        seg_parts: list[tuple[int, Part]] = []
        # Words a known name did not account for, with where they are and what was near.
        seg_ignored: list[tuple[int, str, tuple[str, ...]]] = []
        misses: list[Part] = []
        for run in runs:
            whole = fuzzy(" ".join(toks[words[k]] for k in run))
            if whole is not None and whole.entry is not None:
                seg_parts.append((run[0], whole))
                continue
            singles = [(k, fuzzy(toks[words[k]])) for k in run] if len(run) > 1 else []
            best_single = max((p.score or 0.0 for _, p in singles if p is not None), default=0.0)
            if whole is not None and (whole.score or 0.0) >= best_single:
                # The run as a whole is nearer than any word of it: its verdict stands
                # ("vitamine k" is ambiguous between vitamin K products, not "vitamin E").
                misses.append(whole)
                seg_ignored.append((run[0], whole.text, whole.alternatives))
                continue
            if not singles:
                seg_ignored.append((run[0], toks[words[run[0]]], ()))
            for k, part in singles:
                if part is not None and part.entry is not None:
                    seg_parts.append((k, part))
                else:
                    near = part.alternatives if part is not None else ()
                    seg_ignored.append((k, toks[words[k]], near))
                    if part is not None:
                        misses.append(part)
        if seg_parts or any(k in taken for k in seg):
            parts_by_pos.extend(seg_parts)
            for k, text, near in seg_ignored:
                if len(text.replace(" ", "")) >= MIN_UNRESOLVED_LEN:
                    # "Tonic water": a word beside a known name is reported, never dropped.
                    parts_by_pos.append((k, Part(text, "unresolved", None, None, near[:4])))
                else:
                    ignored.append(text)
            continue
        # Nothing in this segment is a known name: it is an unrecognised part.
        significant = [
            toks[words[k]]
            for k in seg
            if not insignificant(toks[words[k]]) and toks[words[k]] not in COMBINATION_HINTS
        ]
        if significant:
            alts: list[str] = []
            for miss in misses:
                alts.extend(a for a in miss.alternatives if a not in alts)
            part = Part(" ".join(significant), "unresolved", None, None, tuple(alts[:4]))
            parts_by_pos.append((seg[0], part))
    ignored.extend(p.text for _, p in unmatched_brackets)

    parts_by_pos.sort(key=lambda p: p[0])
    if route is None:
        route = next(
            (p.entry.route for _, p in parts_by_pos if p.entry is not None and p.entry.route),
            None,
        )
    ignored_words = tuple(dict.fromkeys(w for w in ignored if w))
    if not parts_by_pos:
        return Resolution(parts=(), ignored=ignored_words, empty=True, route=route)
    return Resolution(parts=tuple(p for _, p in parts_by_pos), ignored=ignored_words, route=route)


CACHE_SIZE: Final = 16384
# Keyed on token tuples of formulary vocabulary only; the value is the resolution and the model
# built from it with an empty ``input`` (the caller's text is put back on a copy).
_cache: dict[tuple[str, ...], tuple[Resolution, ResolvedMedication]] = {}


def _cached(toks: tuple[str, ...]) -> tuple[Resolution, ResolvedMedication]:
    """The resolution of a vocabulary-only token tuple, and its model, worked out once."""
    hit = _cache.get(toks)
    if hit is None:
        res = _resolve_tokens(toks)
        hit = (res, build("", res))
        if len(_cache) >= CACHE_SIZE:
            with contextlib.suppress(StopIteration, RuntimeError, KeyError):
                del _cache[next(iter(_cache))]  # the oldest entry first
        _cache[toks] = hit
    return hit


def _vocabulary_only(toks: tuple[str, ...]) -> bool:
    vocabulary = formulary().vocabulary
    return all(t == "0" or t in vocabulary for t in toks)


def normalised(text: str) -> tuple[str, ...]:
    """The tokens the resolver works on: numbers become ``0`` (a dose never names a drug)."""
    return tuple("0" if is_number(t) else t for t in tokens(text))


def resolution(text: str) -> Resolution:
    """Resolve ``text``; the cache is used only when every token is formulary vocabulary."""
    toks = normalised(text)
    if _vocabulary_only(toks):
        return _cached(toks)[0]
    return _resolve_tokens(toks)


def build(text: str, res: Resolution) -> ResolvedMedication:
    """Turn a resolution into the contract model: generics, classes, ATC, how it matched, the
    confirmation state, the route and what was not understood."""
    f = formulary()
    matched = [p for p in res.parts if p.entry is not None]
    missing = [p for p in res.parts if p.entry is None]
    notes: list[str] = []
    uncertain = any(p.kind == "unresolved" and p.alternatives for p in res.parts)
    route: Route = res.route or "unknown"
    if not matched:
        alts: list[str] = []
        for p in missing:
            alts.extend(a for a in p.alternatives if a not in alts)
        if res.rejected:
            notes.append("the suggested match was rejected; not recognised")
        elif res.empty:
            notes.append("no medication name found in this entry")
        notes.extend(f"'{p.text}' {p.hint}" for p in missing if p.hint)
        return ResolvedMedication(
            input=text,
            matched_by="unresolved",
            alternatives=alts,
            note="; ".join(notes) or None,
            confirmation="rejected" if res.rejected else "unconfirmed" if alts else "not_needed",
            route=route,
            # The whole entry is unresolved: unresolved_parts is for part of an entry only.
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
    kind = max((p.kind for p in matched), key=lambda k: KIND_RANK[k])
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
        if p.hint:
            notes.append(f"'{p.text}' {p.hint}")
        else:
            notes.append(f"not recognised: '{p.text}'; no caution can be given for that part")
    if res.ignored:
        notes.append("words not used for matching: " + ", ".join(res.ignored))
    if res.rejected:
        confirmation = "rejected"
    elif any(not p.confirmed for p in fuzzy) or uncertain:
        confirmation = "unconfirmed"
    elif any(p.confirmed for p in matched):
        confirmation = "confirmed"
    else:
        confirmation = "not_needed"
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
        confirmation=confirmation,
        route=route,
        unresolved_parts=[p.text for p in missing],
    )


def resolve_medication(text: str) -> ResolvedMedication:
    """Resolve one medication string as written to its generic ingredient(s).

    Doses, units, routes, forms, frequencies, strength words and harmless salts are ignored.
    Tries curated and RxNorm names exactly (and ATC codes), then a typo-tolerant match against
    the curated names with a cutoff and a margin over the runner-up. A combination resolves to
    every ingredient, and ``matched_by`` is the weakest match among its parts. Never raises on
    a string; what cannot be recognised stays in the output as ``unresolved`` (or, for part
    of an entry, in ``unresolved_parts``). A string over ``MAX_NAME_CHARS`` characters is not
    read: it is unresolved, and its note says why.
    """
    if len(text) > MAX_NAME_CHARS:
        return ResolvedMedication(input=text, matched_by="unresolved", note=TOO_LONG_NOTE)
    toks = normalised(text)
    if _vocabulary_only(toks):
        return _cached(toks)[1].model_copy(update={"input": text})
    return build(text, _resolve_tokens(toks))


def clear_caches() -> None:
    """Forget every cached resolution (for benchmarks that measure the uncached path)."""
    _cache.clear()


def cached_keys() -> list[tuple[str, ...]]:
    """The token tuples the resolution cache holds (the privacy test reads them)."""
    return list(_cache)


def unrecognised_parts(med: ResolvedMedication) -> list[str]:
    """Parts of a partly recognised entry that were not recognised (``xyzzy`` in
    ``lisinopril/xyzzy``); empty for a fully recognised or a wholly unresolved entry."""
    if med.matched_by == "unresolved":
        return []
    return list(med.unresolved_parts)


def resolve_medications(texts: Iterable[str]) -> list[ResolvedMedication]:
    """Resolve each string in order (see ``resolve_medication``)."""
    return [resolve_medication(t) for t in texts]


def is_local(med: ResolvedMedication) -> bool:
    """Whether the entry's route keeps it local (eye, ear, skin, nose, local vaginal use), so
    it triggers no systemic caution or risk factor. A vaginal ring or nasal spray that acts
    systemically (``systemic_despite_route`` in formulary.json) is not local."""
    if med.route not in LOCAL_ROUTES:
        return False
    systemic = formulary().systemic_keys
    names = [med.matched_name or "", *med.generics]
    for name in names:
        for piece in name.split(" + "):
            if name_key(piece) in systemic:
                return False
    return True
