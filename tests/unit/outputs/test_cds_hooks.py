"""CDS Hooks cards: valid against the 2.0 card schema, ranked as the contract says, and never
carrying what the user typed in their Markdown."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from core.consult import evaluate
from core.models import PatientProfile
from core.outputs.cds_hooks import (
    INDICATOR_RANK,
    card_schema,
    cds_hooks_cards,
    order_select_cards,
)
from tests.strategies import KNOWN_MEDS, profile_dicts, profiles

VALIDATOR = Draft202012Validator(card_schema())


def _no_empty(value: Any, path: str = "card") -> None:
    assert value is not None, path
    if isinstance(value, str | list | dict):
        assert len(value) > 0, path
    if isinstance(value, dict):
        for k, v in value.items():
            _no_empty(v, f"{path}.{k}")
    if isinstance(value, list):
        for i, v in enumerate(value):
            _no_empty(v, f"{path}[{i}]")


def _check(cards: list[dict[str, Any]]) -> None:
    for card in cards:
        VALIDATOR.validate(card)
        _no_empty(card)


def test_the_schema_is_a_valid_2020_12_schema_and_refuses_bad_cards() -> None:
    Draft202012Validator.check_schema(card_schema())
    good = {
        "uuid": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
        "summary": "x",
        "indicator": "info",
        "source": {"label": "s"},
    }
    VALIDATOR.validate(good)
    bad = [
        {**good, "indicator": "urgent"},
        {**good, "summary": "x" * 140},
        {**good, "detail": ""},
        {**good, "links": [{"label": "l", "url": "https://e.org"}]},
        {**good, "links": []},
        {**good, "source": {}},
        {k: v for k, v in good.items() if k != "summary"},
        {**good, "suggestions": [{"label": "s"}]},
    ]
    for card in bad:
        assert not VALIDATOR.is_valid(card), card


@settings(max_examples=150, deadline=None)
@given(profiles())
def test_every_card_is_valid_and_red_flags_rank_highest(profile: PatientProfile) -> None:
    rec = evaluate(profile)
    cards = cds_hooks_cards(rec)["cards"]
    _check(cards)
    assert cards[0]["summary"].startswith("Vitamin K2")
    flags = [c for c in cards if c["summary"].startswith("Red flag")]
    assert len(flags) == len(rec.red_flags)
    top = max(INDICATOR_RANK[c["indicator"]] for c in cards)
    for c in flags:
        assert INDICATOR_RANK[c["indicator"]] == top
        assert c["indicator"] in {"warning", "critical"}
    if any(c.code == "vka_interaction" for c in rec.cautions):
        vka = [c for c in cards if "antagonist" in c["summary"] and "caution" in c["summary"]]
        assert vka and all(c["indicator"] == "critical" for c in vka)
    if rec.k2.status == "consult_prescriber":
        assert cards[0]["indicator"] == "critical"
    assert len({c["uuid"] for c in cards}) == len(cards)


TYPED = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\\"),
    min_size=4,
    max_size=30,
).filter(lambda s: s.strip() and any(ch.isalpha() for ch in s))


@settings(max_examples=100, deadline=None)
@given(profile_dicts(meds=st.lists(TYPED | st.sampled_from(KNOWN_MEDS), min_size=1, max_size=4)))
def test_detail_never_quotes_what_the_user_typed(data: dict[str, Any]) -> None:
    profile = PatientProfile.model_validate(data)
    rec = evaluate(profile)
    typed = [m.input for m in rec.medications if m.matched_by == "unresolved"]
    for card in cds_hooks_cards(rec)["cards"]:
        _check([card])
        for text in typed:
            folded = " ".join(text.split()).casefold()
            assert folded not in card.get("detail", "").casefold()


def test_markdown_in_a_medication_name_never_reaches_the_cards() -> None:
    evil = "[click](https://evil.example) **now**"
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3, medications=[evil]))
    body = str(cds_hooks_cards(rec))
    assert "evil.example" not in body
    assert "click" not in body


def test_vka_caution_is_critical() -> None:
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3, medications=["Coumadin"]))
    cards = cds_hooks_cards(rec)["cards"]
    caution = [c for c in cards if c["summary"].startswith("Vitamin K2 caution")]
    assert caution and caution[0]["indicator"] == "critical"
    assert all(link["type"] == "absolute" for c in cards for link in c.get("links", []))


def test_red_flag_matches_a_critical_vka_card() -> None:
    rec = evaluate(
        PatientProfile(age=75, medications=["warfarin"], symptoms=["unilateral_swelling"])
    )
    cards = cds_hooks_cards(rec)["cards"]
    flag = next(c for c in cards if c["summary"].startswith("Red flag"))
    assert flag["indicator"] == "critical"


def _resolved(*names: str) -> list[Any]:
    base = PatientProfile(age=75, cramps_per_week=3, medications=list(names))
    return list(evaluate(base).medications)


@pytest.mark.parametrize("k2", ["Vitamin K2 (menaquinone-7) 180 mcg oral capsule", "MK-7 180 mcg"])
def test_order_select_k2_for_a_vka_patient_is_critical_and_first(k2: str) -> None:
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3, medications=["warfarin 5 mg"]))
    cards = order_select_cards(rec, _resolved(k2))["cards"]
    _check(cards)
    assert cards[0]["indicator"] == "critical"
    assert "vitamin K antagonist" in cards[0]["summary"]


def test_order_select_k2_without_vka_gives_the_consult_cards_only() -> None:
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3))
    cards = order_select_cards(rec, _resolved("MK-7 180 mcg"))["cards"]
    _check(cards)
    assert all(c["indicator"] != "critical" for c in cards)
    assert cards[0]["summary"].startswith("Vitamin K2 for leg cramps")


def test_order_select_for_an_unrelated_order_is_quiet() -> None:
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3, medications=["amoxicillin"]))
    assert order_select_cards(rec, _resolved("amoxicillin"))["cards"] == []


def test_order_select_warfarin_draft_for_a_k2_user_gives_the_critical_caution() -> None:
    rec = evaluate(
        PatientProfile(age=75, cramps_per_week=3, medications=["MK-7 180 mcg", "warfarin"])
    )
    cards = order_select_cards(rec, _resolved("warfarin"))["cards"]
    _check(cards)
    assert [c["indicator"] for c in cards] == ["critical"]
    assert cards[0]["summary"].startswith("Vitamin K2 caution")
