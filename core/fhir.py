"""Reading medication lists from a FHIR R4 Bundle or a plain text file.

A FHIR R4 Bundle (JSON) may hold MedicationStatement and MedicationRequest resources. Each
names its drug with ``medicationCodeableConcept`` (text, coding displays, RxNorm or ATC
codes) or ``medicationReference`` to a Medication in the Bundle (by ``fullUrl`` or
``Medication/id``) or contained in the resource (``#id``). Status codes follow the R4 value
sets (hl7.org/fhir/R4 valueset-medication-statement-status, valueset-medicationrequest-status):

- ``entered-in-error``: skipped (the statement is void);
- ``stopped``, ``completed``, ``cancelled``, ``not-taken``: not current, reported apart;
- every other R4 code (``active``, ``intended``, ``on-hold``, ``unknown``, ``draft``): current,
  because a medicine on hold or about to start still matters for a vitamin K2 decision.

Anything that is not an R4 Bundle is refused with an ``InputError`` naming what is wrong and
where (``entry[3].resource.status``). Nothing read here is written anywhere or logged.

Size (about 530 lines): one reader, most of it error paths that name the exact place in the
Bundle; they share the path-naming helpers, so they stay in one module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from core.errors import InputError
from core.jsonio import loads

__all__ = [
    "MAX_FILE_BYTES",
    "BundleMedications",
    "MedicationEntry",
    "load_medication_file",
    "read_bundle",
]

MAX_FILE_BYTES: Final = 20 * 1024 * 1024

STATEMENT_STATUSES: Final = frozenset(
    {
        "active",
        "completed",
        "entered-in-error",
        "intended",
        "stopped",
        "on-hold",
        "unknown",
        "not-taken",
    }
)
REQUEST_STATUSES: Final = frozenset(
    {
        "active",
        "on-hold",
        "cancelled",
        "completed",
        "entered-in-error",
        "stopped",
        "draft",
        "unknown",
    }
)
NOT_CURRENT_STATUSES: Final = frozenset({"stopped", "completed", "cancelled", "not-taken"})
SKIPPED_STATUSES: Final = frozenset({"entered-in-error"})
BUNDLE_TYPES: Final = frozenset(
    {
        "document",
        "message",
        "transaction",
        "transaction-response",
        "batch",
        "batch-response",
        "history",
        "searchset",
        "collection",
    }
)
_R5_STATUS_HINT: Final = {"recorded", "ended", "draft"}
_PRE_R4_RESOURCES: Final = {
    "MedicationOrder": "a DSTU2 resource (R4 uses MedicationRequest)",
    "MedicationDispense": None,
    "MedicationAdministration": None,
}
_OTHER_VERSION_RE: Final = re.compile(
    r"hl7\.org/fhir/(?:DSTU1|DSTU2|STU3|R5|R6|[0-35-9]\.\d)|/fhir/(?:dstu2|stu3|r5)/",
    re.IGNORECASE,
)
_RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"


@dataclass(frozen=True)
class MedicationEntry:
    """One medication read from a file: the name to resolve, its status and where it was."""

    name: str
    status: str
    current: bool
    where: str
    resource_type: str
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BundleMedications:
    """Medications read from a FHIR Bundle or a text file.

    ``current`` are the names to check (``current_status`` their FHIR status, for entries read
    from a Bundle); ``not_current`` are ``(name, status)`` pairs for
    stopped, completed, cancelled or not-taken statements; ``skipped`` says which entries
    were left out and why (e.g. entered-in-error).
    """

    current: list[str] = field(default_factory=list)
    current_status: dict[str, str] = field(default_factory=dict)
    not_current: list[tuple[str, str]] = field(default_factory=list)
    entries: list[MedicationEntry] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""


def _fail(message: str, where: str) -> InputError:
    return InputError(message, where=where)


def _check_version_hints(obj: dict[str, Any], where: str) -> None:
    """Refuse a resource whose fhirVersion or meta says it is not R4."""
    version = obj.get("fhirVersion")
    if version is not None and not (
        isinstance(version, str) and (version.startswith("4.0") or version.startswith("4.3"))
    ):
        raise _fail(f"fhirVersion is {version!r}; this reader takes FHIR R4 (4.0.x)", where)
    meta = obj.get("meta")
    if isinstance(meta, dict):
        hints: list[str] = []
        profiles = meta.get("profile")
        if isinstance(profiles, list):
            hints.extend(p for p in profiles if isinstance(p, str))
        tags = meta.get("tag")
        if isinstance(tags, list):
            for tag in tags:
                if isinstance(tag, dict):
                    hints.extend(str(v) for v in tag.values() if isinstance(v, str))
        for hint in hints:
            if _OTHER_VERSION_RE.search(hint):
                raise _fail(
                    f"meta names another FHIR version ({hint!r}); this reader takes FHIR R4",
                    f"{where}.meta",
                )


def _json_type(value: Any) -> str:
    """The JSON name of a value's type (a number, not an 'int')."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _as_dict(value: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"expected {what} (a JSON object), found {type(value).__name__}", where)
    return value


def _as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(f"expected a list, found {type(value).__name__}", where)
    return value


def _concept(cc: Any, where: str) -> tuple[str, tuple[str, ...]]:
    """Name and codes of a CodeableConcept: text, else a coding display, else a code."""
    concept = _as_dict(cc, where, "a CodeableConcept")
    atc: list[str] = []
    rxnorm: list[str] = []
    displays: list[str] = []
    codings = concept.get("coding", [])
    for j, coding in enumerate(_as_list(codings, f"{where}.coding")):
        c = _as_dict(coding, f"{where}.coding[{j}]", "a Coding")
        system = str(c.get("system", "")).lower()
        code = c.get("code")
        display = c.get("display")
        if isinstance(display, str) and display.strip():
            displays.append(display.strip())
        if isinstance(code, str) and code.strip():
            if "whocc.no/atc" in system or system.rstrip("/").endswith("atc"):
                atc.append(code.strip().upper())
            elif system.rstrip("/") == _RXNORM:
                rxnorm.append(code.strip())
    text = concept.get("text")
    name = text.strip() if isinstance(text, str) and text.strip() else ""
    if not name and displays:
        name = displays[0]
    codes = tuple([f"ATC {a}" for a in atc] + [f"RxNorm {r}" for r in rxnorm])
    # An ATC code in a coding resolves directly in the formulary, so it travels with the name.
    extra = [f"ATC {a}" for a in atc if a.casefold() not in name.casefold()]
    if not name and not extra and rxnorm:
        name = f"RxNorm code {rxnorm[0]} (no name given)"
    if extra:
        name = f"{name} — {', '.join(extra)}" if name else ", ".join(extra)
    return name or "(no medication name given)", codes


def _medication_name(med: dict[str, Any], where: str) -> tuple[str, tuple[str, ...]]:
    """Name of a Medication resource: its code, else its ingredients joined with '+'."""
    _check_version_hints(med, where)
    if "code" in med:
        return _concept(med["code"], f"{where}.code")
    names: list[str] = []
    codes: list[str] = []
    for j, ing in enumerate(_as_list(med.get("ingredient", []), f"{where}.ingredient")):
        ing_where = f"{where}.ingredient[{j}]"
        item = _as_dict(ing, ing_where, "an ingredient")
        if "item" in item:
            raise _fail(
                "'item' is the R5 form; FHIR R4 uses itemCodeableConcept or itemReference",
                f"{ing_where}.item",
            )
        if "itemCodeableConcept" in item:
            n, c = _concept(item["itemCodeableConcept"], f"{ing_where}.itemCodeableConcept")
            names.append(n)
            codes.extend(c)
        elif "itemReference" in item:
            ref = _as_dict(item["itemReference"], f"{ing_where}.itemReference", "a Reference")
            if isinstance(ref.get("display"), str):
                names.append(ref["display"])
    if not names:
        return "(Medication with no code or ingredient name)", ()
    return " + ".join(names), tuple(codes)


def _resolve_reference(
    ref: str, resource: dict[str, Any], index: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    if ref.startswith("#"):
        contained_list = resource.get("contained")
        if not isinstance(contained_list, list):
            return None
        for contained in contained_list:
            if isinstance(contained, dict) and contained.get("id") == ref[1:]:
                return contained
        return None
    if ref in index:
        return index[ref]
    parts = ref.rstrip("/").split("/")
    if len(parts) >= 2:
        return index.get(f"{parts[-2]}/{parts[-1]}")
    return None


def _medication_of(
    res: dict[str, Any], where: str, index: dict[str, dict[str, Any]]
) -> tuple[str, tuple[str, ...]]:
    if "medicationCodeableConcept" in res:
        return _concept(res["medicationCodeableConcept"], f"{where}.medicationCodeableConcept")
    if "medicationReference" in res:
        ref_where = f"{where}.medicationReference"
        ref = _as_dict(res["medicationReference"], ref_where, "a Reference")
        target_ref = ref.get("reference")
        display = ref.get("display")
        if isinstance(target_ref, str) and target_ref:
            target = _resolve_reference(target_ref, res, index)
            if target is not None:
                if target.get("resourceType") != "Medication":
                    raise _fail(
                        f"{target_ref!r} is a {target.get('resourceType')!r}, not a Medication",
                        ref_where,
                    )
                return _medication_name(target, f"{ref_where} -> {target_ref}")
        if isinstance(display, str) and display.strip():
            return display.strip(), ()
        return f"medication reference {target_ref!r} (not found in the Bundle)", ()
    raise _fail(
        "no medicationCodeableConcept or medicationReference (R4 requires one of them)", where
    )


# Words in a dosage route's text or coding display (SNOMED CT "Ophthalmic route", "Respiratory
# tract route"...) and the plain route word the medication resolver reads.
_ROUTE_HINTS: Final = (
    # Injection first: "Subcutaneous route" must never be read as "cutaneous" (skin).
    ("subcutaneous", "injection"),
    ("intravenous", "injection"),
    ("intramuscular", "injection"),
    ("intradermal", "injection"),
    ("ophthalmic", "ophthalmic"),
    ("ocular", "ophthalmic"),
    ("conjunctival", "ophthalmic"),
    ("eye", "ophthalmic"),
    ("otic", "otic"),
    ("auricular", "otic"),
    ("ear", "otic"),
    ("nasal", "nasal"),
    ("vaginal", "vaginal"),
    ("vagina", "vaginal"),
    ("transdermal", "transdermal"),
    ("topical", "topical"),
    ("cutaneous", "topical"),
    ("inhal", "inhaled"),
    ("respiratory", "inhaled"),
    ("oral", "oral"),
    ("mouth", "oral"),
)


def _dosage_route(res: dict[str, Any]) -> str | None:
    """The route a resource's dosage states (R4 ``dosage`` or ``dosageInstruction``), as one
    plain word, or None when none is stated or two dosages disagree."""
    found: set[str] = set()
    for key in ("dosage", "dosageInstruction"):
        dosages = res.get(key)
        if not isinstance(dosages, list):
            continue
        for dosage in dosages:
            route = dosage.get("route") if isinstance(dosage, dict) else None
            if not isinstance(route, dict):
                continue
            words = [route.get("text")]
            codings = route.get("coding")
            if isinstance(codings, list):
                words += [c.get("display") for c in codings if isinstance(c, dict)]
            text = " ".join(w.lower() for w in words if isinstance(w, str))
            hit = next((plain for hint, plain in _ROUTE_HINTS if hint in text), None)
            if hit is not None:
                found.add(hit)
    return next(iter(found)) if len(found) == 1 else None


def _read_resource(
    res: dict[str, Any], where: str, index: dict[str, dict[str, Any]]
) -> MedicationEntry | tuple[str, str]:
    """One MedicationStatement or MedicationRequest, or ``(where, reason)`` if skipped."""
    rtype = str(res["resourceType"])
    _check_version_hints(res, where)
    if "medication" in res:
        raise _fail(
            "'medication' is not an R4 element (it is the R5 CodeableReference or an older "
            "form); FHIR R4 uses medicationCodeableConcept or medicationReference",
            f"{where}.medication",
        )
    if rtype == "MedicationStatement" and "taken" in res:
        raise _fail("'taken' is an STU3 element; R4 uses the status 'not-taken'", f"{where}.taken")
    allowed = STATEMENT_STATUSES if rtype == "MedicationStatement" else REQUEST_STATUSES
    if "status" not in res or res["status"] is None:
        raise _fail(f"status is missing (required for an R4 {rtype})", f"{where}.status")
    status = res["status"]
    if not isinstance(status, str):
        raise _fail(
            f"status is not a string (found {_json_type(status)} {status!r}); an R4 {rtype} "
            "status is a code such as 'active'",
            f"{where}.status",
        )
    if not status:
        raise _fail(f"status is empty (required for an R4 {rtype})", f"{where}.status")
    if status not in allowed:
        hint = (
            " ('recorded', 'draft' and 'ended' look like FHIR R5)"
            if status in _R5_STATUS_HINT
            else ""
        )
        raise _fail(
            f"{status!r} is not an R4 {rtype} status{hint}; allowed: {', '.join(sorted(allowed))}",
            f"{where}.status",
        )
    if status in SKIPPED_STATUSES:
        return (where, status)
    name, codes = _medication_of(res, where, index)
    route = _dosage_route(res)
    if route is not None and f"({route})" not in name:
        name = f"{name} ({route})"
    return MedicationEntry(
        name=name,
        status=status,
        current=status not in NOT_CURRENT_STATUSES,
        where=where,
        resource_type=rtype,
        codes=codes,
    )


def read_bundle(data: bytes | str, *, source: str = "Bundle") -> BundleMedications:
    """Read the MedicationStatement and MedicationRequest entries of a FHIR R4 Bundle (JSON).

    ``source`` names the file in error messages. Raises ``InputError`` for anything that is
    not an R4 Bundle: not JSON, another resource type, another FHIR version, or R4 rules
    broken (missing status, unknown status code, no medication).
    """
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise _fail(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", source)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line_no = data.count(b"\n", 0, exc.start) + 1
            raise _fail(
                f"line {line_no} is not UTF-8 text (byte {exc.start}); expected a FHIR R4 "
                "Bundle in JSON",
                source,
            ) from None
    else:
        text = data
    stripped = text.lstrip()
    if not stripped:
        raise _fail("the file is empty; expected a FHIR R4 Bundle in JSON", source)
    if stripped.startswith("<"):
        raise _fail("this looks like XML; this reader takes a FHIR R4 Bundle in JSON", source)
    # Strict JSON: two "entry" keys are an error naming the key and its line, never a Bundle
    # that silently reads only the second list.
    raw = loads(text, where=source)
    bundle = _as_dict(raw, source, "a FHIR Bundle")
    rtype = bundle.get("resourceType")
    if rtype != "Bundle":
        found = f"resourceType is {rtype!r}" if rtype is not None else "no resourceType"
        raise _fail(f"{found}; expected a FHIR R4 Bundle", f"{source}: resourceType")
    _check_version_hints(bundle, f"{source}: Bundle")
    btype = bundle.get("type")
    if btype not in BUNDLE_TYPES:
        raise _fail(
            f"Bundle.type is {btype!r}; an R4 Bundle has one of {', '.join(sorted(BUNDLE_TYPES))}",
            f"{source}: type",
        )
    entries = _as_list(bundle.get("entry", []), f"{source}: entry")

    # First pass: index every resource by fullUrl and by ResourceType/id, for references.
    index: dict[str, dict[str, Any]] = {}
    resources: list[tuple[str, dict[str, Any]]] = []
    for i, item in enumerate(entries):
        where = f"{source}: entry[{i}]"
        entry = _as_dict(item, where, "a Bundle entry")
        if "resource" not in entry:
            continue  # e.g. a transaction-response entry with only a response
        res = _as_dict(entry["resource"], f"{where}.resource", "a resource")
        res_type = res.get("resourceType")
        if not isinstance(res_type, str) or not res_type:
            raise _fail("no resourceType", f"{where}.resource")
        full_url = entry.get("fullUrl")
        if isinstance(full_url, str) and full_url:
            index[full_url] = res
        res_id = res.get("id")
        if isinstance(res_id, str) and res_id:
            index.setdefault(f"{res_type}/{res_id}", res)
        resources.append((f"{where}.resource", res))

    out = BundleMedications(source=f"FHIR R4 Bundle ({btype})")
    seen_current: set[str] = set()  # sets beside the lists: reading stays linear in entries
    seen_not_current: set[tuple[str, str]] = set()
    for where, res in resources:
        res_type = str(res["resourceType"])
        if res_type in _PRE_R4_RESOURCES and _PRE_R4_RESOURCES[res_type] is not None:
            raise _fail(
                f"{res_type} is {_PRE_R4_RESOURCES[res_type]}; this reader takes FHIR R4", where
            )
        if res_type not in ("MedicationStatement", "MedicationRequest"):
            continue
        read = _read_resource(res, where, index)
        if isinstance(read, tuple):
            out.skipped.append(read)
            continue
        out.entries.append(read)
        if read.current:
            if read.name not in seen_current:
                seen_current.add(read.name)
                out.current.append(read.name)
                out.current_status[read.name] = read.status
        elif (read.name, read.status) not in seen_not_current:
            seen_not_current.add((read.name, read.status))
            out.not_current.append((read.name, read.status))
    return out


def load_medication_file(path: Path) -> BundleMedications:
    """Read a medication file for the command line: ``.json`` is a FHIR R4 Bundle, anything
    else is plain text with one medication a line (``#`` comments and blank lines ignored).

    Raises ``InputError`` naming the file for a missing, unreadable, binary or empty file.
    """
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", where)
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail("no such file", where) from None
    except IsADirectoryError:
        raise _fail("is a directory, not a file", where) from None
    except PermissionError:
        raise _fail("permission denied", where) from None
    except OSError as exc:
        raise _fail(f"cannot read the file ({exc.strerror or exc})", where) from None
    if not data.strip():
        raise _fail("the file is empty", where)
    if path.suffix.lower() == ".json":
        return read_bundle(data, source=where)
    nul = data.find(b"\x00")
    if nul >= 0:
        line_no = data.count(b"\n", 0, nul) + 1
        raise _fail(
            f"line {line_no} holds a NUL byte, so this is not a text file; expected one "
            "medication a line or a FHIR R4 Bundle (.json)",
            where,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_no = data.count(b"\n", 0, exc.start) + 1
        raise _fail(f"line {line_no} is not UTF-8 text (byte {exc.start})", where) from None
    out = BundleMedications(source="text file")
    # Lines end at \n, \r\n or \r only: U+2028 and the other separators str.splitlines also
    # honours are spaces inside one medication, never a second one.
    for n, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        name = " ".join(line.split("#", 1)[0].split())
        if not name:
            continue
        out.entries.append(
            MedicationEntry(
                name=name, status="listed", current=True, where=f"line {n}", resource_type="text"
            )
        )
        out.current.append(name)
    if not out.current:
        raise _fail("no medication names in the file (only blank lines and comments)", where)
    return out
