"""Filling the rule texts with this patient's values: names of drugs, flags and numbers.

Most rule texts have nothing to fill; a text with the same values is filled only once. Texts
whose values come from what the patient entered (age, frequency, names as typed) are memoised
only inside a ``core.memo.memo_scope``, never in the process-wide table.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from functools import lru_cache

from core import memo

# Values taken from the patient's own entries: numbers and medication names as typed.
PRIVATE_FIELDS = frozenset(
    {"age", "cramps_per_week", "possible_vka", "unresolved", "k2_supplement"}
)


def fmt_number(value: float) -> str:
    """A frequency as a person would say it: 3, 0.5, 2.3."""
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def join(names: Iterable[str]) -> str:
    """Names joined with commas, each once, in order; 'none' when there are none."""
    seen = list(dict.fromkeys(n for n in names if n))
    return ", ".join(seen) if seen else "none"


def capitalise(text: str) -> str:
    """The text with its first letter in upper case (a drug name opening a sentence)."""
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1024)
def fields_of(template: str) -> tuple[str, ...]:
    """The names a template fills, in order (``{age}`` -> ``age``); repeats kept."""
    return tuple(f for _, f, _, _ in string.Formatter().parse(template) if f is not None)


@lru_cache(maxsize=1024)
def is_private(template: str) -> bool:
    """Whether the template takes a value from the patient's own entries (see PRIVATE_FIELDS)."""
    return not PRIVATE_FIELDS.isdisjoint(fields_of(template))


# Filled texts made only of rule and formulary vocabulary (drug generics, labels).
_FILLED: dict[tuple[str, ...], str] = {}
_PRIVATE_SLOT = object()


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with this patient's values, starting with a capital letter (the same
    template with the same values is filled once)."""
    fields = fields_of(template)
    if not fields:
        return template
    key = (template, *[values[f] for f in fields])
    filled = memo.table(_PRIVATE_SLOT) if is_private(template) else _FILLED
    if filled is None:
        return capitalise(template.format_map(values))
    text = filled.get(key)
    if text is None:
        if len(filled) > 65536:
            filled.clear()
        text = filled[key] = capitalise(template.format_map(values))
    return text
