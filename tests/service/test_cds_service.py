"""The CDS Hooks 2.0 service over real HTTP, acting as an EHR would.

Prefetch is built from a FHIR R4 patient Bundle (Patient + MedicationRequests); the order-select
call has the shape of the HL7 order-select R4 example. Every card is checked against the card
schema written from the 2.0 specification.
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from core.outputs.cds_hooks import card_schema
from tests.service.conftest import ALLOWED_ORIGIN, Server, start_server, stop_server

VALIDATOR = Draft202012Validator(card_schema())
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _born(years: int) -> str:
    today = dt.date.today()
    return dt.date(today.year - years, 1, 1).isoformat()


def _med_request(rid: str, text: str, status: str = "active", code: str = "") -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": RXNORM, "code": code, "display": text}]
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": concept,
        "subject": {"reference": "Patient/p-1"},
    }


def patient_bundle(age: int = 74, meds: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A FHIR R4 Bundle of one patient and their medication requests."""
    patient = {
        "resourceType": "Patient",
        "id": "p-1",
        "gender": "female",
        "birthDate": _born(age),
        "name": [{"family": "Synthetic", "given": ["Test"]}],
    }
    if meds is None:
        meds = [
            _med_request("mr-1", "Warfarin Sodium 5 MG Oral Tablet", code="855332"),
            _med_request("mr-2", "Atorvastatin 20 MG Oral Tablet"),
            _med_request("mr-3", "quinine sulfate 324 mg", status="stopped"),
        ]
    entries = [{"fullUrl": "urn:uuid:p-1", "resource": patient}]
    entries += [{"fullUrl": f"urn:uuid:{m['id']}", "resource": m} for m in meds]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def prefetch_from(bundle: dict[str, Any]) -> dict[str, Any]:
    """What an EHR sends for the discovery templates, from the patient's Bundle."""
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    requests = [r for r in resources if r["resourceType"] == "MedicationRequest"]
    return {
        "patient": patient,
        "medications": {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(requests),
            "entry": [{"resource": r, "search": {"mode": "match"}} for r in requests],
        },
    }


def patient_view(bundle: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "fhirServer": "https://fhir.example.org",
        "context": {"userId": "Practitioner/example", "patientId": "p-1"},
        "prefetch": prefetch_from(bundle or patient_bundle()),
    }


def order_select(draft_text: str, bundle: dict[str, Any] | None = None) -> dict[str, Any]:
    """The HL7 order-select R4 example's shape: a NutritionOrder and a MedicationRequest."""
    draft = _med_request("smart-MedicationRequest-103", draft_text, status="draft")
    draft["dosageInstruction"] = [{"text": "1 capsule daily with a meal"}]
    return {
        "hook": "order-select",
        "hookInstance": str(uuid.uuid4()),
        "fhirServer": "https://fhir.example.org",
        "context": {
            "userId": "PractitionerRole/123",
            "patientId": "p-1",
            "encounterId": "89284",
            "selections": ["NutritionOrder/pureeddiet-simple", "MedicationRequest/" + draft["id"]],
            "draftOrders": {
                "resourceType": "Bundle",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "NutritionOrder",
                            "id": "pureeddiet-simple",
                            "status": "draft",
                            "patient": {"reference": "Patient/p-1"},
                            "dateTime": "2014-09-17",
                        }
                    },
                    {"resource": draft},
                ],
            },
        },
        "prefetch": prefetch_from(bundle or patient_bundle()),
    }


def _cards(reply: Any) -> list[dict[str, Any]]:
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("application/json")
    cards: list[dict[str, Any]] = reply.json()["cards"]
    for card in cards:
        VALIDATOR.validate(card)
    return cards


def test_discovery_lists_both_hooks_with_prefetch(server: Server) -> None:
    reply = server.request("GET", "/cds-services")
    assert reply.status == 200
    services = {s["hook"]: s for s in reply.json()["services"]}
    assert {"patient-view", "order-select"} <= set(services)
    for s in services.values():
        assert s["id"] and s["title"] and s["description"]
        assert s["prefetch"]["patient"] == "Patient/{{context.patientId}}"
        assert s["prefetch"]["medications"].startswith("MedicationRequest?patient=")
        assert "does not call a FHIR server" in s["description"]


def test_patient_view_on_warfarin_is_critical(server: Server) -> None:
    cards = _cards(server.request("POST", "/cds-services/patient-view", patient_view()))
    assert cards[0]["summary"].startswith("Vitamin K2 for leg cramps")
    assert cards[0]["indicator"] == "critical"
    assert any("antagonist" in c["summary"] and c["indicator"] == "critical" for c in cards)


def test_patient_view_status_aware_stopped_orders_do_not_count(server: Server) -> None:
    meds = [_med_request("mr-9", "warfarin 5 mg", status="stopped")]
    cards = _cards(
        server.request("POST", "/cds-services/patient-view", patient_view(patient_bundle(74, meds)))
    )
    assert all(c["indicator"] != "critical" for c in cards)
    assert "Worth considering" in cards[0]["summary"]


def test_patient_view_age_from_birth_date(server: Server) -> None:
    cards = _cards(
        server.request("POST", "/cds-services/patient-view", patient_view(patient_bundle(40, [])))
    )
    assert "Outside the trial population" in cards[0]["summary"]


def test_patient_view_null_medications_means_none(server: Server) -> None:
    body = patient_view(patient_bundle(74, []))
    body["prefetch"]["medications"] = None
    cards = _cards(server.request("POST", "/cds-services/patient-view", body))
    assert "Worth considering" in cards[0]["summary"]


def test_order_select_k2_for_a_warfarin_patient_is_critical(server: Server) -> None:
    body = order_select("Vitamin K2 (menaquinone-7) 180 mcg oral capsule")
    cards = _cards(server.request("POST", "/cds-services/order-select", body))
    assert cards[0]["indicator"] == "critical"
    assert "vitamin K antagonist" in cards[0]["summary"]


def test_order_select_k2_without_an_antagonist_is_not_critical(server: Server) -> None:
    body = order_select("MK-7 180 mcg", patient_bundle(74, []))
    cards = _cards(server.request("POST", "/cds-services/order-select", body))
    assert cards and all(c["indicator"] != "critical" for c in cards)


def test_order_select_unrelated_order_gives_no_cards(server: Server) -> None:
    body = order_select(
        "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension",
        patient_bundle(74, []),
    )
    assert _cards(server.request("POST", "/cds-services/order-select", body)) == []


def test_feedback_is_accepted_and_counted(server: Server) -> None:
    cards = _cards(server.request("POST", "/cds-services/patient-view", patient_view()))
    fb = {
        "feedback": [
            {
                "card": cards[0]["uuid"],
                "outcome": "overridden",
                "overrideReason": {"userComment": "discussed"},
                "outcomeTimestamp": "2026-01-15T10:00:00Z",
            }
        ]
    }
    first = server.request("POST", "/cds-services/patient-view/feedback", fb)
    second = server.request("POST", "/cds-services/patient-view/feedback", fb)
    assert first.status == 200 and second.status == 200
    assert second.json()["total"] == first.json()["total"] + 1
    bad = server.request("POST", "/cds-services/patient-view/feedback", {"feedback": [{}]})
    assert bad.status == 400 and "feedback[0].card" in bad.json()["error"]


def _error(reply: Any, status: int, *words: str) -> None:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"].startswith("application/json")
    message = reply.json()["error"]
    for w in words:
        assert w in message
    assert "Traceback" not in reply.body.decode()


def test_not_json_is_400(server: Server) -> None:
    _error(server.request("POST", "/cds-services/patient-view", b"{not json"), 400, "JSON")


def test_duplicate_keys_are_400(server: Server) -> None:
    body = b'{"hook": "patient-view", "hook": "order-select"}'
    _error(server.request("POST", "/cds-services/patient-view", body), 400, "duplicate")


def test_no_hook_is_400_naming_the_field(server: Server) -> None:
    body = patient_view()
    del body["hook"]
    _error(server.request("POST", "/cds-services/patient-view", body), 400, "'hook'")


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("patient", {"resourceType": "Bundle", "type": "searchset"}, "prefetch.patient"),
        ("patient", "Patient/p-1", "prefetch.patient"),
        ("medications", {"resourceType": "Patient", "id": "p-1"}, "prefetch.medications"),
        ("medications", [1, 2], "prefetch.medications"),
    ],
)
def test_prefetch_of_the_wrong_type_is_400(
    server: Server, key: str, value: Any, field: str
) -> None:
    body = patient_view()
    body["prefetch"][key] = value
    _error(server.request("POST", "/cds-services/patient-view", body), 400, field)


def test_bad_birth_date_is_400(server: Server) -> None:
    body = patient_view()
    body["prefetch"]["patient"]["birthDate"] = "15/01/1950"
    _error(server.request("POST", "/cds-services/patient-view", body), 400, "birthDate")


@pytest.mark.parametrize("drop", ["prefetch", "patient", "medications"])
def test_missing_prefetch_is_412(server: Server, drop: str) -> None:
    body = patient_view()
    if drop == "prefetch":
        del body["prefetch"]
    else:
        del body["prefetch"][drop]
    _error(server.request("POST", "/cds-services/patient-view", body), 412, "FHIR server")


def test_operation_outcome_prefetch_is_412(server: Server) -> None:
    body = patient_view()
    body["prefetch"]["medications"] = {"resourceType": "OperationOutcome", "issue": []}
    _error(server.request("POST", "/cds-services/patient-view", body), 412, "OperationOutcome")


def test_unknown_service_is_404(server: Server) -> None:
    _error(server.request("POST", "/cds-services/no-such-service", patient_view()), 404, "no-such")
    _error(server.request("POST", "/cds-services/no-such/feedback", {"feedback": []}), 404)


def test_order_select_selection_not_in_draft_orders_is_400(server: Server) -> None:
    body = order_select("MK-7 180 mcg")
    body["context"]["selections"] = ["MedicationRequest/nope"]
    _error(server.request("POST", "/cds-services/order-select", body), 400, "selections[0]")


def test_hook_mismatch_is_400(server: Server) -> None:
    body = copy.deepcopy(patient_view())
    _error(server.request("POST", "/cds-services/order-select", body), 400, "'hook'")


def test_cors_preflight_for_an_allowed_origin(server: Server) -> None:
    reply = server.request(
        "OPTIONS",
        "/cds-services/patient-view",
        headers={
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert reply.status == 200
    assert reply.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in reply.headers["access-control-allow-methods"]
    allowed = reply.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    get = server.request("GET", "/cds-services", headers={"Origin": ALLOWED_ORIGIN})
    assert get.headers["access-control-allow-origin"] == ALLOWED_ORIGIN


def test_cors_refuses_an_origin_not_on_the_list(server: Server) -> None:
    other = "https://evil.example.com"
    reply = server.request(
        "OPTIONS",
        "/cds-services/patient-view",
        headers={"Origin": other, "Access-Control-Request-Method": "POST"},
    )
    assert reply.status == 400
    assert reply.headers.get("access-control-allow-origin") != other
    get = server.request("GET", "/cds-services", headers={"Origin": other})
    assert "access-control-allow-origin" not in get.headers


def test_no_cors_by_default_and_bodies_never_logged() -> None:
    srv = start_server()
    marker = "Zyxwvut-private-medicine-name"
    try:
        get = srv.request("GET", "/cds-services", headers={"Origin": ALLOWED_ORIGIN})
        assert "access-control-allow-origin" not in get.headers
        body = patient_view(patient_bundle(74, [_med_request("mr-x", marker)]))
        assert srv.request("POST", "/cds-services/patient-view", body).status == 200
        bad = srv.request("POST", "/cds-services/patient-view", b'{"x": "' + marker.encode())
        assert bad.status == 400
    finally:
        logs = stop_server(srv)
    assert marker not in logs
    assert "POST /cds-services" not in logs


def test_a_body_over_the_limit_is_413(server: Server) -> None:
    body = b'{"hook": "patient-view", "pad": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    _error(server.request("POST", "/cds-services/patient-view", body), 413, "larger")


def test_wrong_method_is_a_json_405(server: Server) -> None:
    _error(server.request("GET", "/cds-services/patient-view"), 405)
