"""Filling the rule texts with this patient's values: names of drugs, flags and numbers.

Most rule texts have nothing to fill; a text with the same values is filled only once.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from functools import lru_cache


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
def _fields(template: str) -> tuple[str, ...]:
    return tuple(f for _, f, _, _ in string.Formatter().parse(template) if f is not None)


_FILLED: dict[tuple[str, ...], str] = {}


def fill(template: str, values: Mapping[str, str]) -> str:
    """The template with this patient's values, starting with a capital letter (the same
    template with the same values is filled once)."""
    fields = _fields(template)
    if not fields:
        return template
    key = (template, *[values[f] for f in fields])
    text = _FILLED.get(key)
    if text is None:
        if len(_FILLED) > 65536:
            _FILLED.clear()
        text = _FILLED[key] = capitalise(template.format_map(values))
    return text
