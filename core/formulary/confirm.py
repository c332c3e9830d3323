"""A user's answer to an uncertain match: confirm a suggested name, or reject it.

The state lives in typed fields (``confirmation``), never in the note: a page asks
``confirmation_choices`` what to offer and ``confirm`` returns the entry as the user settled it.
"""

from __future__ import annotations

from dataclasses import replace

from core.errors import InputError
from core.formulary.index import Entry, formulary
from core.formulary.resolve import Resolution, build, resolution
from core.formulary.tokens import name_key
from core.models import ResolvedMedication

__all__ = ["confirm", "confirmation_choices", "lookup_name"]


def lookup_name(name: str) -> Entry | None:
    """The index entry of a name as the formulary spells it (or its key), or None."""
    f = formulary()
    return f.by_display.get(name.casefold()) or f.by_key.get(name_key(name))


def _uncertain(res: Resolution) -> list[int]:
    return [
        i
        for i, p in enumerate(res.parts)
        if p.kind == "fuzzy" or (p.kind == "unresolved" and p.alternatives)
    ]


def confirm(med: ResolvedMedication, name: str | None) -> ResolvedMedication:
    """Turn an uncertain match into a confirmed one after the user picked ``name``.

    ``name`` is a formulary name (one of ``med.matched_name`` or ``med.alternatives``, or any
    name the formulary knows). ``None`` or ``""`` rejects the suggestion: the uncertain part
    becomes unresolved and ``confirmation`` is ``rejected``. Confirmation replaces the first
    uncertain part (fuzzy, or unresolved with alternatives); a confirmed part keeps
    ``matched_by="fuzzy"`` and ``confirmation`` becomes ``confirmed``. The FHIR status is kept.
    Raises ``InputError`` if ``name`` is unknown or the entry has nothing to confirm.
    """
    res = resolution(med.input)
    uncertain = _uncertain(res)
    if not uncertain or med.confirmation in ("confirmed", "rejected"):
        raise InputError(f"nothing to confirm for {med.input!r}", where="confirm")
    keep = {"fhir_status": med.fhir_status}
    if not name:
        parts = tuple(
            replace(p, kind="unresolved", entry=None, possible_vka=False, alternatives=())
            if i in uncertain
            else p
            for i, p in enumerate(res.parts)
        )
        done = build(med.input, replace(res, parts=parts, rejected=True))
        return done.model_copy(update=keep)
    entry = lookup_name(name)
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
    done = build(med.input, replace(res, parts=parts))
    return done.model_copy(update=keep)


def confirmation_choices(med: ResolvedMedication) -> list[str]:
    """The formulary names a page can offer for ``confirm``: for each uncertain part of the
    entry, its suggested match first, then the alternatives. Empty when nothing is uncertain
    or the entry has already been confirmed or rejected."""
    if med.confirmation in ("confirmed", "rejected"):
        return []
    choices: list[str] = []
    res = resolution(med.input)
    for i in _uncertain(res):
        p = res.parts[i]
        offered = ([p.entry.name] if p.entry is not None else []) + list(p.alternatives)
        choices.extend(c for c in offered if c not in choices)
    return choices
