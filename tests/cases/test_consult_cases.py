"""The clinician-reviewable case table (consult_cases.tsv), run through the public ``evaluate``.

One row a patient: the profile in plain columns, then what a clinician expects (status, findings
that must and must not appear, actions with their strengths, cautions, words in the reasons).
Lists in a cell are separated by ``;``; a blank cell checks nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from core.consult import evaluate
from core.models import PatientProfile, Recommendation

TABLE = Path(__file__).with_name("consult_cases.tsv")


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _items(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _profile(row: dict[str, str]) -> PatientProfile:
    data: dict[str, Any] = {
        "age": int(row["age"]),
        "sex": row["sex"] or "unknown",
        "pregnant": row["pregnant"] == "yes",
        "cramps_per_week": float(row["cramps_per_week"]) if row["cramps_per_week"] else None,
        "medications": _items(row["medications"]),
        "conditions": _items(row["conditions"]),
        "symptoms": _items(row["symptoms"]),
    }
    for flag in _items(row["flags"]):
        data[flag] = True
    return PatientProfile.model_validate(data)


def _findings(rec: Recommendation) -> set[str]:
    return {f.code for f in [*rec.risk_factors, *rec.red_flags, *rec.differentials]}


ROWS = _rows()


def test_the_table_covers_what_the_issue_asks() -> None:
    assert len(ROWS) >= 60
    assert len({r["case"] for r in ROWS}) == len(ROWS)
    statuses = {r["status"] for r in ROWS}
    assert statuses == {
        "consult_prescriber", "evaluate_first", "check_medications",
        "outside_trial_population", "consider",
    }  # fmt: skip
    symptoms = {s for r in ROWS for s in _items(r["symptoms"])}
    assert {
        "unilateral_swelling",
        "exertional_calf_pain",
        "muscle_weakness",
        "fasciculations",
    } <= symptoms
    conditions = {c for r in ROWS for c in _items(r["conditions"])}
    assert {
        "hemodialysis", "peripheral_neuropathy", "hypothyroidism", "lumbar_stenosis",
        "neuromuscular_disease", "peripheral_artery_disease",
    } <= conditions  # fmt: skip
    assert {"17", "18", "64", "65"} <= {r["age"] for r in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=[r["case"] for r in ROWS])
def test_case(row: dict[str, str]) -> None:
    rec = evaluate(_profile(row))
    where = f"{row['case']}: {row['checks']}"
    found = _findings(rec)
    actions = {a.code: a.strength for a in rec.actions}
    cautions = {c.code for c in rec.cautions}
    reasons = " ".join(rec.k2.reasons)
    if row["status"]:
        assert rec.k2.status == row["status"], (where, rec.k2.reasons)
    assert set(_items(row["findings_required"])) <= found, (where, found)
    assert not set(_items(row["findings_forbidden"])) & found, (where, found)
    for item in _items(row["actions"]):
        code, strength = item.split("=")
        assert actions.get(code) == strength, (where, code, actions.get(code))
    assert not set(_items(row["actions_absent"])) & set(actions), (where, actions)
    if row["first_action"]:
        assert rec.actions[0].code == row["first_action"], (where, rec.actions[0].code)
    assert set(_items(row["cautions"])) <= cautions, (where, cautions)
    assert not set(_items(row["cautions_forbidden"])) & cautions, (where, cautions)
    for words in _items(row["reasons_include"]):
        assert words in reasons, (where, words)
    for words in _items(row["reasons_exclude"]):
        assert words not in reasons, (where, words)
    if row["dose_mcg"] == "null":
        assert (rec.k2.dose_mcg, rec.k2.form, rec.k2.duration_weeks) == (None, None, None), where
    elif row["dose_mcg"]:
        assert rec.k2.dose_mcg == int(row["dose_mcg"]), where
