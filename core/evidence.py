"""The evidence catalogue: every source a rule or caution may cite, loaded from data."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources

from core.models import Evidence


@cache
def catalogue() -> dict[str, Evidence]:
    """All evidence records by id, loaded once from ``core/data/evidence*.json``."""
    data = resources.files("core.data")
    records: list[Evidence] = []
    for name in sorted(p.name for p in data.iterdir() if p.name.startswith("evidence")):
        if name.endswith(".json"):
            raw = json.loads(data.joinpath(name).read_text("utf-8"))
            records.extend(Evidence.model_validate(r) for r in raw["records"])
    by_id = {r.id: r for r in records}
    if len(by_id) != len(records):
        raise ValueError("duplicate evidence id in core/data/evidence*.json")
    return by_id


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
