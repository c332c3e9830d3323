"""One checkable line per medication, for pages, notes and the command line."""

from __future__ import annotations

from typing import Final

from core.formulary.confirm import lookup_name
from core.formulary.index import CLASS_LABELS, formulary
from core.formulary.resolve import TOO_LONG_NOTE, is_local
from core.models import ResolvedMedication

__all__ = ["MATCH_KIND_LABELS", "ROUTE_LABELS", "describe", "describe_name"]

MATCH_KIND_LABELS: Final[dict[str, str]] = {
    "exact": "generic name",
    "brand": "brand name",
    "abbreviation": "abbreviation",
    "fuzzy": "spelling match, please confirm",
    "unresolved": "not recognised",
}

ROUTE_LABELS: Final[dict[str, str]] = {
    "oral": "by mouth",
    "topical": "on the skin",
    "ophthalmic": "in the eye",
    "otic": "in the ear",
    "nasal": "in the nose",
    "inhaled": "inhaled",
    "vaginal": "vaginal",
    "transdermal": "patch through the skin",
    "injection": "injection",
    "unknown": "route not stated",
}


def _generic_text(name: str) -> str:
    info = formulary().generics.get(name)
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
    entry = lookup_name(name)
    if entry is None:
        return name
    gens = " + ".join(entry.generics)
    return name if gens.casefold() == name.casefold() else f"{name} ({gens})"


def describe(med: ResolvedMedication) -> str:
    """One checkable line: ``Coumadin → warfarin (vitamin K antagonist, B01AA03)``, with the
    route where it changes what the tool checks, and any part it could not read."""
    shown = " ".join(med.input.split()) or "(empty)"
    if len(shown) > 120:
        shown = shown[:117] + "..."
    if med.matched_by == "unresolved" and med.note == TOO_LONG_NOTE:
        return f"{shown} → not read: {TOO_LONG_NOTE}"
    if med.matched_by == "unresolved":
        text = f"{shown} → not recognised"
        if med.alternatives:
            text += " (did you mean " + " or ".join(describe_name(a) for a in med.alternatives)
            text += "?)"
        return text
    text = f"{shown} → " + " + ".join(_generic_text(g) for g in med.generics)
    if med.route != "unknown":
        text += f"; route: {ROUTE_LABELS[med.route]}"
        if is_local(med):
            text += " (taken into account: a local product gives no systemic caution)"
    if med.unresolved_parts:
        text += "; not recognised: " + ", ".join(f"'{p}'" for p in med.unresolved_parts)
    return text
