"""``python -m core interactions --file``: what a file holds, and what it does not, said plainly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.cli import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_an_empty_bundle_names_the_file_and_never_says_use_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.json"
    path.write_text('{"resourceType": "Bundle", "type": "collection", "entry": []}')
    code, out, err = _run(["interactions", "--file", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert "use --file" not in err
    assert str(path) in err
    assert "MedicationStatement or MedicationRequest" in err


def test_a_bundle_with_two_entry_keys_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "twice.json"
    path.write_text(
        '{"resourceType": "Bundle", "type": "collection",\n'
        ' "entry": [{"resource": {"resourceType": "MedicationStatement", "status": "active",'
        ' "medicationCodeableConcept": {"text": "warfarin"}}}],\n'
        ' "entry": []}'
    )
    code, out, err = _run(["interactions", "--file", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert "entry" in err
    assert "line 3" in err


def test_a_text_file_with_a_line_separator_keeps_one_medication(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "meds.txt"
    path.write_text("Coumadin\u20285 mg daily\n", encoding="utf-8")
    code, out, _ = _run(["interactions", "--file", str(path)], capsys)
    assert code == 0
    report = json.loads(out)
    assert [m["input"] for m in report["medications"]] == ["Coumadin 5 mg daily"]
    assert report["medications"][0]["generics"] == ["warfarin"]


def test_a_very_long_name_is_reported_unresolved_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(["interactions", "x" * 20_000], capsys)
    assert code == 0
    (med,) = json.loads(out)["medications"]
    assert med["matched_by"] == "unresolved"
    assert "longer than 500 characters" in med["note"]


def test_current_bundle_entries_carry_their_fhir_status_and_keep_their_cautions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sample = Path(__file__).resolve().parents[2] / "samples" / "fhir_r4_bundle.json"
    bundle = json.loads(sample.read_text("utf-8"))
    expected = {
        e["resource"]["status"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] in ("MedicationStatement", "MedicationRequest")
    }
    code, out, _ = _run(["interactions", "--file", str(sample)], capsys)
    assert code == 0
    report = json.loads(out)
    current = {m["input"]: m["fhir_status"] for m in report["medications"]}
    assert all(status in expected for status in current.values()), current
    assert current["Coumadin 5 mg tablet"] == "active"
    assert any(c["code"] == "vka_interaction" for c in report["cautions"])
    assert {m["fhir_status"] for m in report["not_current"]} == {"stopped"}


def test_a_pasted_or_typed_list_has_no_fhir_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["interactions", "Coumadin 5 mg", "Lasix 40 mg"], capsys)
    assert code == 0
    assert [m["fhir_status"] for m in json.loads(out)["medications"]] == [None, None]
