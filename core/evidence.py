"""The evidence catalogue: every source a rule, caution or text may cite, loaded from data.

Read through a schema that forbids unknown keys: a misspelt field stops the program at start-up
with one line naming the file and the key (``core.errors.DataError``).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, ValidationError

from core.errors import DataError
from core.models import Evidence


class EvidenceFile(BaseModel):
    """One ``core/data/evidence*.json`` file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str | None = None
    source_note: str | None = None
    records: tuple[Evidence, ...]


def _files() -> list[str]:
    data = resources.files("core.data")
    return sorted(
        p.name for p in data.iterdir() if p.name.startswith("evidence") and p.name.endswith(".json")
    )


def load_file(name: str, raw: object) -> EvidenceFile:
    """Validate one evidence file's parsed JSON; a bad key or value is a ``DataError``."""
    try:
        return EvidenceFile.model_validate(raw)
    except ValidationError as exc:
        raise DataError.from_validation(f"core/data/{name}", exc, raw) from None


@cache
def catalogue() -> dict[str, Evidence]:
    """All evidence records by id, loaded once from ``core/data/evidence*.json``."""
    data = resources.files("core.data")
    by_id: dict[str, Evidence] = {}
    for name in _files():
        parsed = load_file(name, json.loads(data.joinpath(name).read_text("utf-8")))
        for record in parsed.records:
            if record.id in by_id:
                raise DataError(f"core/data/{name}", record.id, "duplicate evidence id")
            by_id[record.id] = record
    return by_id


@cache
def content_hash() -> str:
    """A short hash of every evidence file, so the ruleset version changes with them."""
    data = resources.files("core.data")
    digest = hashlib.sha256()
    for name in _files():
        digest.update(data.joinpath(name).read_bytes())
    return digest.hexdigest()[:12]


def check_ids(ids: object, *, file: str, rule: str) -> None:
    """Raise ``DataError`` naming ``file``, ``rule`` and the first id not in the catalogue."""
    cat = catalogue()
    for i in ids if isinstance(ids, list | tuple | set | frozenset) else ():
        if i not in cat:
            raise DataError(file, rule, f"unknown evidence id '{i}'")


def resolve(ids: list[str] | set[str] | tuple[str, ...] | frozenset[str]) -> list[Evidence]:
    """The records for ``ids`` in catalogue order; an unknown id is a programming error."""
    return list(_resolve(frozenset(ids)))


@lru_cache(maxsize=4096)
def _resolve(wanted: frozenset[str]) -> tuple[Evidence, ...]:
    cat = catalogue()
    missing = sorted(wanted - cat.keys())
    if missing:
        raise KeyError(f"unknown evidence ids: {missing}")
    return tuple(e for i, e in cat.items() if i in wanted)
