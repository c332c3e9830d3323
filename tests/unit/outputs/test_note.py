"""The consult note: its layout is held by a golden file; its content follows the decision."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from core.consult import evaluate
from core.models import (
    Action,
    Caution,
    Evidence,
    Finding,
    K2Assessment,
    PatientProfile,
    Recommendation,
    ResolvedMedication,
)
from core.outputs.note import note_text

GOLDEN = Path(__file__).with_name("golden") / "note_layout.txt"
DAY = dt.date(2026, 1, 15)
PROFILE = PatientProfile(
    age=72,
    sex="female",
    cramps_per_week=3,
    dehydration=True,
    medications=["Coumadin 5 mg", "HCTZ 25 mg", "Foo"],
    conditions=["diabetes"],
    symptoms=["unilateral_swelling"],
)


def _fixed_recommendation() -> Recommendation:
    """A hand-built recommendation, so the golden file holds the layout, not the rules data."""
    finding = Finding(
        code="suspected_dvt", label="Flag label", detail="Flag detail.", evidence=["e1"]
    )
    return Recommendation(
        ruleset_version="9.9.9",
        red_flags=[finding],
        risk_factors=[Finding(code="dehydration", label="Factor", detail="Factor detail.")],
        differentials=[],
        medications=[
            ResolvedMedication(input="Coumadin 5 mg", generics=["warfarin"], matched_by="brand"),
            ResolvedMedication(input="Foo", matched_by="unresolved"),
        ],
        cautions=[
            Caution(
                code="vka_interaction",
                severity="major",
                drugs=["warfarin"],
                management="Caution management.",
                evidence=["e1", "e2"],
                label="Caution label",
            )
        ],
        actions=[
            Action(
                code="assess_red_flags",
                label="Action label",
                detail="Action detail.",
                strength="recommended",
                evidence=["e2"],
            ),
            Action(code="magnesium", label="Other", detail="Detail.", strength="defer"),
        ],
        k2=K2Assessment(
            status="consult_prescriber", label="Status label", reasons=["Reason one."], evidence=[]
        ),
        evidence=[
            Evidence(
                id="e1", citation="Author A, Author B. Title. J. 2020.", doi="10/x", summary="s"
            ),
            Evidence(id="e2", citation="Body. Guidance. 2021.", pmid="123", summary="s"),
        ],
    )


def test_note_matches_the_golden_file() -> None:
    """Layout change? Review the diff, then run with UPDATE_GOLDEN=1 to accept it."""
    text = note_text(_fixed_recommendation(), PROFILE, on=DAY)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_note_order_decision_red_flags_inputs_cautions_plan_sources() -> None:
    lines = note_text(evaluate(PROFILE), PROFILE, on=DAY).splitlines()
    assert "not a substitute for clinical judgement" in lines[0]
    assert lines[1] == f"Ruleset {evaluate(PROFILE).ruleset_version}; 2026-01-15"
    heads = ["Vitamin K2: ", "RED FLAGS", "Inputs:", "Cautions:", "Plan:", "Sources:"]
    where = [next(i for i, line in enumerate(lines) if line.startswith(h)) for h in heads]
    assert where == sorted(where)


def test_note_without_profile_still_lists_medications() -> None:
    rec = evaluate(PatientProfile(age=70, medications=["Lipitor"]))
    note = note_text(rec, on=DAY)
    assert "Lipitor -> atorvastatin" in note
    assert "Age 70, sex" not in note


def test_note_is_plain_text_of_short_lines_per_source() -> None:
    rec = evaluate(PROFILE)
    sources = note_text(rec, PROFILE).split("Sources:\n", 1)[1].splitlines()
    assert len(sources) == len(rec.evidence)
    assert all(len(line) < 130 for line in sources)
