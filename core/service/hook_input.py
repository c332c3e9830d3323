"""A CDS Hooks request body -> what the consult needs (profile, selected draft orders).

Validation names the field at fault. ``BadRequest`` becomes a 400, ``MissingPrefetch`` a 412:
this service never calls a FHIR server, so data the client did not prefetch cannot be had.
Medication resources are read status-aware by ``core.fhir.read_bundle`` (stopped, completed,
cancelled and entered-in-error orders do not count as current).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, Final

from pydantic import ValidationError

from core.errors import InputError
from core.fhir import read_bundle
from core.models import PatientProfile, format_validation_error

__all__ = [
    "PREFETCH",
    "BadRequest",
    "HookInput",
    "MissingPrefetch",
    "ServiceError",
    "read_hook_request",
]

PREFETCH: Final = {
    "patient": "Patient/{{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}",
}
_FHIR_DATE: Final = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SEX: Final = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}


class ServiceError(Exception):
    """An HTTP error with a JSON message naming what is wrong."""

    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ServiceError):
    """The request is malformed (HTTP 400)."""

    status = 400


class MissingPrefetch(ServiceError):
    """Required data was not prefetched and the service does not fetch it (HTTP 412)."""

    status = 412


@dataclass(frozen=True)
class HookInput:
    """What one hook call gives the consult."""

    profile: PatientProfile
    drafts: tuple[str, ...] = ()


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"field '{field}' must be a JSON object, not {_kind(value)}")
    return value


def _string(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"field '{field}' must be a non-empty string, not {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def _age(birth: Any, today: dt.date) -> int:
    """Whole years from a FHIR date; a partial date counts from its latest possible day."""
    field = "prefetch.patient.birthDate"
    if birth is None:
        raise MissingPrefetch(
            f"'{field}' is missing: the age is needed, and this service does not call a "
            "FHIR server to look it up"
        )
    match = _FHIR_DATE.match(birth) if isinstance(birth, str) else None
    if match is None:
        raise BadRequest(f"field '{field}' must be a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    try:
        if day:
            born = dt.date(int(year), int(month), int(day))
        elif month:
            nxt = dt.date(int(year) + (month == "12"), int(month) % 12 + 1, 1)
            born = nxt - dt.timedelta(days=1)
        else:
            born = dt.date(int(year), 12, 31)
    except ValueError:
        raise BadRequest(f"field '{field}' is not a real date") from None
    if born > today:
        raise BadRequest(f"field '{field}' is in the future")
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _resource(prefetch: dict[str, Any], key: str, expected: str) -> dict[str, Any] | None:
    """One prefetched resource: None when the client had no data (null), 412 when absent."""
    if key not in prefetch:
        raise MissingPrefetch(
            f"prefetch '{key}' ({PREFETCH[key]}) is missing, and this service does not call "
            "a FHIR server to fetch it"
        )
    value = prefetch[key]
    if value is None:
        return None
    res = _object(value, f"prefetch.{key}")
    rtype = res.get("resourceType")
    if rtype == "OperationOutcome":
        raise MissingPrefetch(
            f"prefetch '{key}' is an OperationOutcome: the client could not fetch it, and this "
            "service does not call a FHIR server"
        )
    if rtype != expected:
        raise BadRequest(
            f"field 'prefetch.{key}' must be a FHIR {expected}, not resourceType {rtype!r}"
        )
    return res


def _medications(bundle: dict[str, Any] | None) -> list[str]:
    if bundle is None:
        return []
    try:
        read = read_bundle(json.dumps(bundle), source="prefetch.medications")
    except InputError as exc:
        raise BadRequest(str(exc)) from None
    return read.current


def _selected_drafts(context: dict[str, Any]) -> tuple[str, ...]:
    """Names of the selected draft orders (``context.selections`` in ``draftOrders``)."""
    selections = context.get("selections")
    if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
        raise BadRequest("field 'context.selections' must be an array of strings")
    orders = _object(context.get("draftOrders"), "context.draftOrders")
    if orders.get("resourceType") != "Bundle":
        raise BadRequest("field 'context.draftOrders' must be a FHIR Bundle")
    entries = orders.get("entry", [])
    if not isinstance(entries, list):
        raise BadRequest("field 'context.draftOrders.entry' must be an array")
    by_ref: dict[str, int] = {}
    for i, entry in enumerate(entries):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(res, dict) and isinstance(res.get("id"), str):
            by_ref[f"{res.get('resourceType')}/{res['id']}"] = i
    try:
        # The HL7 order-select examples give draftOrders without Bundle.type.
        typed = orders if "type" in orders else {**orders, "type": "collection"}
        read = read_bundle(json.dumps(typed), source="context.draftOrders")
    except InputError as exc:
        raise BadRequest(str(exc)) from None
    names = {e.where: e.name for e in read.entries if e.current}
    drafts: list[str] = []
    for n, ref in enumerate(selections):
        if ref not in by_ref:
            raise BadRequest(f"field 'context.selections[{n}]' names no resource in draftOrders")
        name = names.get(f"context.draftOrders: entry[{by_ref[ref]}].resource")
        if name is not None and name not in drafts:
            drafts.append(name)
    return tuple(drafts)


def read_hook_request(body: Any, hook: str, *, today: dt.date | None = None) -> HookInput:
    """Validate a hook call for ``hook`` and build the PatientProfile from its prefetch."""
    req = _object(body, "(request body)")
    if "hook" not in req:
        raise BadRequest("field 'hook' is required")
    if _string(req["hook"], "hook") != hook:
        raise BadRequest(f"field 'hook' must be '{hook}' for this service")
    _string(req.get("hookInstance"), "hookInstance")
    context = _object(req.get("context"), "context")
    patient_id = _string(context.get("patientId"), "context.patientId")
    if "prefetch" not in req:
        raise MissingPrefetch(
            "no prefetch: this service needs the 'patient' and 'medications' prefetch and does "
            "not call a FHIR server"
        )
    prefetch = _object(req["prefetch"], "prefetch")
    patient = _resource(prefetch, "patient", "Patient")
    if patient is None:
        raise MissingPrefetch("prefetch 'patient' is null: the patient's age is needed")
    pid = patient.get("id")
    if isinstance(pid, str) and pid != patient_id:
        raise BadRequest("field 'prefetch.patient.id' does not match 'context.patientId'")
    meds = _medications(_resource(prefetch, "medications", "Bundle"))
    drafts = _selected_drafts(context) if hook == "order-select" else ()
    gender = patient.get("gender", "unknown")
    if gender not in _SEX:
        raise BadRequest("field 'prefetch.patient.gender' must be male, female, other or unknown")
    try:
        profile = PatientProfile(
            age=_age(patient.get("birthDate"), today or dt.date.today()),
            sex=_SEX[gender],
            medications=meds,
        )
    except ValidationError as exc:
        raise BadRequest(f"prefetch.patient: {format_validation_error(exc)}") from None
    return HookInput(profile=profile, drafts=drafts)
