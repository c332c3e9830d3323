"""Note text and CDS Hooks cards are faithful views of the recommendation."""

from __future__ import annotations

from hypothesis import given, settings

from core.consult import evaluate
from core.models import PatientProfile
from core.outputs.cds_hooks import cds_hooks_cards
from core.outputs.note import note_text
from tests.strategies import profiles


def test_note_leads_with_the_k2_status_and_lists_sources() -> None:
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3, medications=["Coumadin", "Foo"]))
    note = note_text(rec)
    assert note.splitlines()[3].startswith("Vitamin K2: ")
    assert "[consult_prescriber]" in note
    assert "Foo -> NOT RECOGNISED" in note
    for ev in rec.evidence:
        assert f"[{ev.id}]" in note


@settings(max_examples=100, deadline=None)
@given(profiles())
def test_cards_follow_the_cds_hooks_shape(profile: PatientProfile) -> None:
    rec = evaluate(profile)
    cards = cds_hooks_cards(rec)["cards"]
    assert cards[0]["summary"].startswith("Vitamin K2")
    for card in cards:
        assert len(card["summary"]) < 140
        assert card["indicator"] in {"info", "warning", "critical"}
        assert card["source"]["label"]
    red = [c for c in cards if c["summary"].startswith("Red flag")]
    assert len(red) == len(rec.red_flags)
    if rec.k2.status == "consult_prescriber":
        assert cards[0]["indicator"] == "critical"
