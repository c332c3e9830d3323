"""Fuzz medication resolution and list splitting with hostile names and pasted lists.

Per example: no exception, every name given comes back as one result in order (nothing
dropped), and every word of a pasted list is in one of its entries.
"""

from __future__ import annotations

import re

from hypothesis import given

from core.formulary import resolve_medications, split_medication_list
from tests.fuzz.budget import FUZZ, example
from tests.strategies_hostile import medication_lists, pasted_lists

HEADING_WORDS = {
    "medications", "medication", "meds", "medicines", "drugs", "drug", "list",
    "current", "home", "active", "regular", "repeat",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]{3,}")


@FUZZ
@given(meds=medication_lists())
def test_resolve_medications_answers_every_name(meds: list[str]) -> None:
    with example("formulary.resolve_medications"):
        out = resolve_medications(meds)
    assert [m.input for m in out] == meds
    for med in out:
        assert med.matched_by
        if med.matched_by == "unresolved":
            assert not med.generics


@FUZZ
@given(text=pasted_lists())
def test_split_medication_list_keeps_every_word(text: str) -> None:
    with example("formulary.split_medication_list"):
        items = split_medication_list(text)
    for item in items:
        assert item and item == item.strip() and "\n" not in item and ";" not in item
    joined = "\n".join(items)
    for word in WORD.findall(text):
        assert word in joined or word.lower() in HEADING_WORDS, word
