"""The fast JSON path for batches: ``evaluate(...).model_dump_json()`` from cached pieces.

Findings, actions, medications, cautions and evidence repeat across patients, so each piece's
JSON is made once and reused; a property test holds the bytes equal to the model's JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache

from pydantic import TypeAdapter

from core import evidence as evidence_catalogue
from core import memo
from core.consult.engine import decide
from core.consult.worded import to_json
from core.interactions import RULESET_VERSION
from core.models import Evidence, PatientProfile, ResolvedMedication

_EVIDENCE_LIST = TypeAdapter(list[Evidence])
_VERSION_JSON = json.dumps(RULESET_VERSION).encode()
# Resolved medications are shared within a ``memo_scope`` (their resolver memoises them):
# key their JSON by identity, holding the object so its id cannot be reused meanwhile. The
# JSON holds the entry as typed, so it is kept only inside a scope.
_MED_JSON = object()


@lru_cache(maxsize=4096)
def _evidence_json(ids: frozenset[str]) -> bytes:
    return _EVIDENCE_LIST.dump_json(evidence_catalogue.resolve(ids))


def _medication_json(med: ResolvedMedication) -> bytes:
    done: dict[int, tuple[ResolvedMedication, bytes]] | None = memo.table(_MED_JSON)
    if done is None:
        return to_json(med)
    hit = done.get(id(med))
    if hit is not None and hit[0] is med:
        return hit[1]
    data = to_json(med)
    done[id(med)] = (med, data)
    return data


def evaluate_json_parts(
    profile: PatientProfile, medications: Sequence[ResolvedMedication] | None = None
) -> tuple[bytes, ...]:
    """``evaluate_json_bytes`` as its pieces, in order: most are shared cached bytes, so a
    batch can hand them to ``os.writev`` without copying them into one buffer."""
    d = decide(profile, medications)
    return (
        b'{"ruleset_version":',
        _VERSION_JSON,
        b',"risk_factors":[',
        b",".join(j for _, j in d.findings["risk_factor"]),
        b'],"red_flags":[',
        b",".join(j for _, j in d.findings["red_flag"]),
        b'],"differentials":[',
        b",".join(j for _, j in d.findings["differential"]),
        b'],"medications":[',
        b",".join(_medication_json(m) for m in d.meds),
        b'],"cautions":',
        d.cautions_json,
        b',"actions":[',
        b",".join(j for _, j in d.actions),
        b'],"k2":',
        d.k2[1],
        b',"evidence":',
        _evidence_json(d.cited),
        b"}",
    )


def evaluate_json_bytes(
    profile: PatientProfile, medications: Sequence[ResolvedMedication] | None = None
) -> bytes:
    """``evaluate(profile, medications).model_dump_json()`` as UTF-8 bytes, built faster."""
    return b"".join(evaluate_json_parts(profile, medications))


def evaluate_json(
    profile: PatientProfile, medications: Sequence[ResolvedMedication] | None = None
) -> str:
    """``evaluate(profile).model_dump_json()``, built from cached pieces (see the bytes form)."""
    return evaluate_json_bytes(profile, medications).decode("utf-8")
