"""Typo-tolerant matching against the curated formulary names only, with a margin.

A match must reach a cutoff and beat the best candidate for a *different* drug by a margin;
listed look-alike pairs need a wider gap. A vitamin K antagonist within reach of what was
typed (the chosen match, or one of the alternatives that would be offered) is chosen, so an
uncertain name that could be a VKA is treated as one until the user confirms otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process

from core.formulary.index import MIN_FUZZY_LEN, VKA_CLASS, Entry, formulary, gset
from core.models import MatchKind

__all__ = ["MAX_FUZZY_CALLS", "Part", "fuzzy_part", "is_vka"]

# Typo-tolerant matching (rapidfuzz ``fuzz.ratio``, 0-100). A match must reach the cutoff and
# beat the best candidate for a *different* drug by the margin; listed look-alike pairs need
# a wider gap. A vitamin K antagonist within reach is never dropped (see module docstring).
FUZZY_CUTOFF: Final = 85.0
FUZZY_CUTOFF_SHORT: Final = 90.0  # queries of 4-5 characters
FUZZY_MARGIN: Final = 5.0
LOOKALIKE_WINDOW: Final = 15.0
ALTERNATIVE_FLOOR: Final = 70.0
VKA_FLOOR: Final = 75.0
PREFIX_SCORE: Final = 90.0
MAX_FUZZY_CALLS: Final = 24


@dataclass(frozen=True)
class Part:
    """One ingredient-level piece of an entry and how it matched."""

    text: str
    kind: MatchKind
    entry: Entry | None
    score: float | None = None
    alternatives: tuple[str, ...] = ()
    possible_vka: bool = False
    confirmed: bool = False
    hint: str | None = None


@dataclass(frozen=True)
class _Candidate:
    entry: Entry
    score: float


def is_vka(entry: Entry) -> bool:
    """Whether any ingredient of ``entry`` is a vitamin K antagonist."""
    gens = formulary().generics
    return any(VKA_CLASS in gens[g].classes for g in entry.generics)


def _candidates(query: str) -> list[_Candidate]:
    """The best-scoring curated name for each different generic set, best first."""
    f = formulary()
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
        gs = gset(entry)
        if gs not in best or score > best[gs].score:
            best[gs] = _Candidate(entry=entry, score=score)
    return sorted(best.values(), key=lambda c: (-c.score, c.entry.name))


def fuzzy_part(query: str) -> Part | None:
    """A typo-tolerant match for one run of words, or None when nothing is near.

    Returns a fuzzy part (confident, or a possible VKA), an unresolved part carrying the
    near candidates as alternatives, or None when no candidate reaches the floor.
    """
    if len(query.replace(" ", "")) < MIN_FUZZY_LEN:
        return None
    cands = _candidates(query)
    if not cands:
        return None
    f = formulary()
    top = cands[0]
    cutoff = FUZZY_CUTOFF if len(query) >= 6 else FUZZY_CUTOFF_SHORT
    runner = cands[1] if len(cands) > 1 else None
    margin_ok = runner is None or top.score - runner.score >= FUZZY_MARGIN
    lookalike = any(
        frozenset({gset(top.entry), gset(c.entry)}) in f.lookalike_sets
        for c in cands[1:]
        if top.score - c.score < LOOKALIKE_WINDOW
    )
    confident = top.score >= cutoff and margin_ok and not lookalike
    near = [c for c in cands if c.score >= top.score - LOOKALIKE_WINDOW]
    # A VKA that would be offered as an alternative is a possible VKA: it is chosen.
    vka = [c for c in near if is_vka(c.entry) and c.score >= VKA_FLOOR]
    if not vka and not confident:
        vka = [c for c in near if is_vka(c.entry)]
    if vka and not (confident and is_vka(top.entry)):
        chosen = vka[0]
        alts = tuple(c.entry.name for c in near if c is not chosen)[:4]
        return Part(query, "fuzzy", chosen.entry, chosen.score, alts, possible_vka=True)
    if confident:
        alts = tuple(c.entry.name for c in near[1:4])
        return Part(query, "fuzzy", top.entry, top.score, alts, possible_vka=is_vka(top.entry))
    return Part(query, "unresolved", None, top.score, tuple(c.entry.name for c in near)[:4])
