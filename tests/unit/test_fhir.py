"""Tests for core.fhir: reading FHIR R4 Bundles and plain text medication files."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import InputError
from core.fhir import (
    NOT_CURRENT_STATUSES,
    REQUEST_STATUSES,
    STATEMENT_STATUSES,
    load_medication_file,
    read_bundle,
)
from core.interactions import check_interactions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fhir"


def _bundle(*resources: dict[str, Any], btype: str = "collection") -> str:
    entries = [{"fullUrl": f"urn:uuid:{i}", "resource": r} for i, r in enumerate(resources)]
    return json.dumps({"resourceType": "Bundle", "type": btype, "entry": entries})


def _statement(
    status: str, text: str = "warfarin 5 mg", rtype: str = "MedicationStatement"
) -> dict[str, Any]:
    return {
        "resourceType": rtype,
        "status": status,
        "medicationCodeableConcept": {"text": text},
    }


def test_searchset_with_a_reference_to_an_included_medication() -> None:
    meds = load_medication_file(FIXTURES / "searchset_bundle.json")
    assert meds.current == ["Coumadin 5 mg tablet", "atorvastatin 20 MG Oral Tablet"]
    assert meds.not_current == [("quinine sulfate 324 mg at night", "stopped")]
    assert meds.skipped == []
    assert meds.source == "FHIR R4 Bundle (searchset)"
    assert meds.entries[0].codes == ("RxNorm 855332",)


def test_collection_with_contained_medication_atc_codings_and_every_status() -> None:
    meds = load_medication_file(FIXTURES / "collection_bundle.json")
    assert meds.current == [
        "Eliquis 5 mg",
        "Questran Light sachet",
        "ATC B01AF01",
        "hydrochlorothiazide — ATC C03AA03",
        "local formulary item 4471 — ATC B01AA03",
        "Zestoretic 20/12.5",
    ]
    assert meds.not_current == [
        ("ciprofloxacin 500 mg bid x 7 days", "completed"),
        ("Xenical 120 mg", "cancelled"),
        ("naproxen 250 mg", "not-taken"),
    ]
    assert len(meds.skipped) == 1
    assert meds.skipped[0][1] == "entered-in-error"
    assert "entry[4]" in meds.skipped[0][0]
    statuses = {e.status for e in meds.entries}
    assert statuses == {
        "active",
        "on-hold",
        "completed",
        "cancelled",
        "not-taken",
        "draft",
        "intended",
        "unknown",
    }


def test_bundle_names_resolve_and_atc_codes_resolve_directly() -> None:
    meds = load_medication_file(FIXTURES / "collection_bundle.json")
    report = check_interactions(meds.current, not_current=meds.not_current)
    generics = [m.generics for m in report.medications]
    assert generics[2] == ["rivaroxaban"]
    assert generics[4] == ["warfarin"]
    codes = [c.code for c in report.cautions]
    assert codes[0] == "vka_interaction"
    # Not-current statements trigger nothing: cancelled orlistat, completed ciprofloxacin.
    assert "antibiotic_menaquinone_reduced" not in codes
    assert [m.generics for m in report.not_current] == [
        ["ciprofloxacin"],
        ["orlistat"],
        ["naproxen"],
    ]
    assert report.unresolved == []


def test_entered_in_error_is_skipped_even_for_a_vka() -> None:
    meds = read_bundle(_bundle(_statement("entered-in-error")))
    assert meds.current == []
    assert meds.not_current == []
    assert len(meds.skipped) == 1


@pytest.mark.parametrize("status", sorted(STATEMENT_STATUSES - {"entered-in-error"}))
def test_every_r4_statement_status_is_current_or_not(status: str) -> None:
    meds = read_bundle(_bundle(_statement(status)))
    if status in NOT_CURRENT_STATUSES:
        assert meds.not_current == [("warfarin 5 mg", status)]
        assert meds.current == []
    else:
        assert meds.current == ["warfarin 5 mg"]


@pytest.mark.parametrize("status", sorted(REQUEST_STATUSES - {"entered-in-error"}))
def test_every_r4_request_status_is_current_or_not(status: str) -> None:
    meds = read_bundle(_bundle(_statement(status, rtype="MedicationRequest")))
    current = status not in NOT_CURRENT_STATUSES
    assert (meds.current == ["warfarin 5 mg"]) is current


def test_a_reference_by_resource_type_and_id() -> None:
    data = json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {
                    "resource": {
                        "resourceType": "MedicationRequest",
                        "status": "active",
                        "medicationReference": {"reference": "Medication/x1"},
                    }
                },
                {
                    "resource": {
                        "resourceType": "Medication",
                        "id": "x1",
                        "ingredient": [
                            {"itemCodeableConcept": {"text": "lisinopril"}},
                            {"itemCodeableConcept": {"text": "hydrochlorothiazide"}},
                        ],
                    }
                },
            ],
        }
    )
    assert read_bundle(data).current == ["lisinopril + hydrochlorothiazide"]


def test_a_missing_reference_is_kept_as_an_unresolvable_name() -> None:
    data = _bundle(
        {
            "resourceType": "MedicationStatement",
            "status": "active",
            "medicationReference": {"reference": "Medication/absent"},
        }
    )
    (name,) = read_bundle(data).current
    assert "not found in the Bundle" in name
    assert check_interactions([name]).unresolved == [name]


def test_a_missing_reference_with_a_display_uses_the_display() -> None:
    data = _bundle(
        {
            "resourceType": "MedicationStatement",
            "status": "active",
            "medicationReference": {"reference": "Medication/absent", "display": "Jantoven 2 mg"},
        }
    )
    assert read_bundle(data).current == ["Jantoven 2 mg"]


@pytest.mark.parametrize(
    ("fixture", "needle"),
    [
        ("not_a_bundle.json", "resourceType is 'MedicationStatement'"),
        ("not_json.json", "not valid JSON"),
        ("r5_bundle.json", "entry[0].resource.medication"),
        ("stu3_bundle.json", "entry[0].resource.taken"),
        ("stu3_profile_bundle.json", "meta names another FHIR version"),
        ("dstu2_bundle.json", "MedicationOrder is a DSTU2 resource"),
        ("fhir_version_5_bundle.json", "fhirVersion is '5.0.0'"),
        ("missing_status_bundle.json", "entry[1].resource.status"),
    ],
)
def test_anything_not_an_r4_bundle_is_refused_with_what_and_where(
    fixture: str, needle: str
) -> None:
    with pytest.raises(InputError) as err:
        load_medication_file(FIXTURES / fixture)
    assert needle in str(err.value)
    assert fixture in str(err.value)


def test_an_r5_status_is_refused_with_a_hint() -> None:
    with pytest.raises(InputError, match="look like FHIR R5"):
        read_bundle(_bundle(_statement("recorded")))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"\xff\xfe\x00bad",
        b"<Bundle xmlns='http://hl7.org/fhir'/>",
        b"[1, 2]",
        b'{"resourceType": "Bundle", "type": "nonsense"}',
        b'{"resourceType": "Bundle", "type": "collection", "entry": {}}',
        b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {}}]}',
    ],
)
def test_malformed_input_raises_input_error(data: bytes) -> None:
    with pytest.raises(InputError):
        read_bundle(data, source="upload.json")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda s: s.encode("utf-8")))
def test_read_bundle_only_ever_raises_input_error(data: bytes) -> None:
    try:
        read_bundle(data)
    except InputError as exc:
        assert str(exc)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "resourceType",
                    "status",
                    "entry",
                    "resource",
                    "type",
                    "text",
                    "medicationCodeableConcept",
                    "medicationReference",
                    "coding",
                    "reference",
                    "contained",
                    "id",
                    "code",
                    "meta",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_odd_json_structures_raise_only_input_error(value: Any) -> None:
    with contextlib.suppress(InputError):
        read_bundle(json.dumps(value))


resource_fields = st.fixed_dictionaries(
    {},
    optional={
        "status": st.sampled_from(["active", "stopped", "entered-in-error", "bogus"]) | json_values,
        "medicationCodeableConcept": json_values,
        "medicationReference": st.fixed_dictionaries(
            {"reference": st.sampled_from(["#m", "Medication/m", "urn:uuid:0", "x"]) | json_values}
        )
        | json_values,
        "contained": json_values,
        "meta": json_values,
        "taken": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["MedicationStatement", "MedicationRequest"]), resource_fields, json_values)
def test_odd_medication_resources_raise_only_input_error(
    rtype: str, fields: dict[str, Any], other: Any
) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:0", "resource": {"resourceType": rtype, **fields}},
            {"resource": {"resourceType": "Medication", "id": "m", "code": other}},
        ],
    }
    try:
        meds = read_bundle(json.dumps(bundle))
    except InputError:
        return
    assert all(isinstance(n, str) and n for n in meds.current)


# --- plain text files ----------------------------------------------------------------------------


def test_text_file_one_medication_a_line_with_comments() -> None:
    meds = load_medication_file(FIXTURES / "medication_list.txt")
    assert meds.current == [
        "Coumadin 5 mg po daily",
        "Lipitor 20 mg qhs",
        "lisinopril/HCTZ 20/12.5",
    ]
    assert [e.where for e in meds.entries] == ["line 2", "line 4", "line 5"]


def test_missing_empty_binary_and_comment_only_files_name_the_file(tmp_path: Path) -> None:
    cases = {
        "missing.txt": None,
        "empty.txt": b"",
        "blank.json": b"  \n",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00",
        "latin1.txt": "café crème".encode("latin-1"),
        "comments.txt": b"# nothing here\n\n   # still nothing\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(InputError) as err:
            load_medication_file(path)
        assert str(path) in str(err.value), name


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        load_medication_file(tmp_path)


def test_the_shipped_samples_give_the_vka_caution() -> None:
    from core.fhir import load_medication_file
    from core.interactions import check_interactions

    samples = Path(__file__).resolve().parents[2] / "samples"
    for name in ("med_list_messy.txt", "fhir_r4_bundle.json"):
        loaded = load_medication_file(samples / name)
        report = check_interactions(loaded.current, not_current=loaded.not_current)
        assert report.cautions[0].code == "vka_interaction", name


# --- hardening (issue 11) -------------------------------------------------------------------------


def _entry(i: int, name: str = "warfarin", status: object = "active") -> dict[str, object]:
    return {
        "resource": {
            "resourceType": "MedicationStatement",
            "id": f"s{i}",
            "status": status,
            "medicationCodeableConcept": {"text": name},
        }
    }


def test_two_entry_keys_are_an_error_naming_the_key_and_line() -> None:
    text = (
        '{"resourceType": "Bundle", "type": "collection",\n'
        ' "entry": [{"resource": {"resourceType": "MedicationStatement", "status": "active",'
        ' "medicationCodeableConcept": {"text": "warfarin"}}}],\n'
        ' "entry": []}'
    )
    with pytest.raises(InputError) as err:
        read_bundle(text, source="b.json")
    assert "entry" in str(err.value)
    assert "line 3" in str(err.value)
    assert "b.json" in str(err.value)


@pytest.mark.parametrize("status", [5, True, ["active"], {"code": "active"}])
def test_a_status_that_is_not_a_string_is_called_so_not_missing(status: object) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [_entry(0, status=status)],
    }
    with pytest.raises(InputError) as err:
        read_bundle(json.dumps(bundle), source="b.json")
    assert "not a string" in str(err.value)
    assert "missing" not in str(err.value)
    assert "entry[0].resource.status" in str(err.value)


def test_a_missing_status_is_called_missing() -> None:
    entry = _entry(0)
    del entry["resource"]["status"]  # type: ignore[attr-defined]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [entry]}
    with pytest.raises(InputError, match="missing"):
        read_bundle(json.dumps(bundle), source="b.json")


def test_a_bundle_of_50000_entries_reads_every_one_and_keeps_each_name_once() -> None:
    entries = [_entry(i, name=f"drug {i % 500}") for i in range(50_000)]
    entries += [_entry(50_000 + i, name=f"drug {i}", status="stopped") for i in range(500)]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    read = read_bundle(json.dumps(bundle), source="big.json")
    assert len(read.entries) == 50_500
    assert read.current == [f"drug {i}" for i in range(500)]
    assert len(read.not_current) == 500


def test_an_empty_bundle_reads_as_no_medications() -> None:
    read = read_bundle('{"resourceType": "Bundle", "type": "collection"}', source="e.json")
    assert read.current == []
    assert read.entries == []


def test_a_nul_byte_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "meds.txt"
    path.write_bytes(b"warfarin\naspirin\nlisin\x00opril\n")
    with pytest.raises(InputError) as err:
        load_medication_file(path)
    assert "line 3" in str(err.value)
    assert "NUL" in str(err.value)


def test_a_latin1_byte_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "meds.txt"
    path.write_bytes(b"warfarin\ncaf\xe9\n")
    with pytest.raises(InputError, match="line 2"):
        load_medication_file(path)


@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c"])
def test_unicode_line_separators_do_not_split_one_medication(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "meds.txt"
    path.write_text(f"warfarin{sep}5 mg\naspirin\n", encoding="utf-8")
    read = load_medication_file(path)
    assert read.current == ["warfarin 5 mg", "aspirin"]


@pytest.mark.parametrize(
    ("display", "word"),
    [
        ("Ophthalmic route", "ophthalmic"),
        ("Respiratory tract route", "inhaled"),
        ("Topical route", "topical"),
        ("Oral route", "oral"),
        ("Subcutaneous route", "injection"),
        ("Intraocular route", "ophthalmic"),
    ],
)
def test_a_dosage_route_travels_with_the_name(display: str, word: str) -> None:
    res = _statement("active", text="ciprofloxacin 0.3%")
    res["dosage"] = [
        {"route": {"coding": [{"system": "http://snomed.info/sct", "display": display}]}}
    ]
    read = read_bundle(_bundle(res))
    assert read.current == [f"ciprofloxacin 0.3% ({word})"]


def test_two_dosages_with_different_routes_add_none() -> None:
    res = _statement("active", text="ciprofloxacin 0.3%")
    res["dosage"] = [{"route": {"text": "eye"}}, {"route": {"text": "ear"}}]
    assert read_bundle(_bundle(res)).current == ["ciprofloxacin 0.3%"]
