"""Fuzz the FHIR R4 Bundle reader with hostile Bundles and bytes.

Per example: a Bundle is read or refused with an InputError naming the file and the place
(``entry[3].resource.status``); a read Bundle accounts for every MedicationStatement and
MedicationRequest (read, or skipped with its reason).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given

from core.errors import InputError
from core.fhir import read_bundle
from tests.fuzz.budget import FUZZ, example
from tests.strategies_hostile import fhir_bundle_bytes

SOURCE = "hostile.json"


def _statements(data: bytes) -> int:
    """How many MedicationStatement/MedicationRequest entries the Bundle holds."""
    bundle: Any = json.loads(data.decode("utf-8-sig"))
    return sum(
        1
        for item in bundle.get("entry", [])
        if isinstance(item, dict)
        and isinstance(item.get("resource"), dict)
        and item["resource"].get("resourceType") in ("MedicationStatement", "MedicationRequest")
    )


@FUZZ
@given(data=fhir_bundle_bytes())
def test_read_bundle_reads_or_refuses_naming_where(data: bytes) -> None:
    with example("fhir.read_bundle"):
        try:
            out = read_bundle(data, source=SOURCE)
        except InputError as exc:
            assert exc.where and exc.where.startswith(SOURCE), str(exc)
            assert exc.message.strip() and "\n" not in exc.message
            return
    assert len(out.entries) + len(out.skipped) == _statements(data)
    for entry in out.entries:
        assert entry.name.strip() and entry.where.startswith(SOURCE)
    assert set(out.current) == {e.name for e in out.entries if e.current}
