"""No process-wide cache keeps what a user typed: caches are shared by every session.

After a medication string with a marker word is resolved (alone, in a consult, in an
interaction check) and the results are dropped, no object still reachable in the process
holds the marker: not an ``lru_cache``, not a module-level dict, not a cached model.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import secrets
import sys
import threading
import types
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.formulary import resolve_medications
from core.models import PatientProfile
from tests.strategies import KNOWN_MEDS, profiles

# Known names, misspellings and names no formulary holds, so unresolved and fuzzy texts recur.
MEDS = st.one_of(
    st.sampled_from(KNOWN_MEDS),
    st.sampled_from(["warfarn", "Lipitr 20 mg", "Frobnicil", "zzq 5 mg", "Coumadin 5mg"]),
)


def _marker() -> str:
    """A fresh word no formulary holds, built at run time (not a constant in this file)."""
    return "zq" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(10)) + "zq"


def _owned_by_core(obj: Any) -> bool:
    """Whether the walk may enter an object: core's own modules, classes and functions, and
    any plain data; another package's modules, classes and functions are left alone."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__ == "core" or obj.__name__.startswith("core.")
    if isinstance(obj, type | types.FunctionType | types.BuiltinFunctionType):
        return str(getattr(obj, "__module__", "")).startswith("core")
    return True


def _holders(marker: str) -> list[str]:
    """Paths from core's modules to every string holding the marker (breadth first)."""
    gc.collect()
    roots = [m for name, m in sys.modules.items() if name == "core" or name.startswith("core.")]
    seen: set[int] = set()
    queue: deque[tuple[Any, str]] = deque((m, m.__name__) for m in roots)
    found: list[str] = []
    while queue and len(seen) < 3_000_000:
        obj, path = queue.popleft()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            if marker in obj:
                found.append(path)
            continue
        if not _owned_by_core(obj):
            continue
        if isinstance(obj, dict):
            for key, value in obj.items():
                queue.append((key, f"{path} > key"))
                queue.append((value, f"{path}[{key!r:.40}]" if isinstance(key, str) else path))
            continue
        for ref in gc.get_referents(obj):
            if not isinstance(ref, int | float | bool | bytes | type(None)):
                queue.append((ref, f"{path} > {_label(ref)}"))
    return found


def _label(obj: Any) -> str:
    name = getattr(obj, "__qualname__", None) if callable(obj) else None
    return f"{type(obj).__name__} {name}" if isinstance(name, str) else type(obj).__name__


def _resolve(marker: str) -> None:
    resolve_medications([f"{marker} 5 mg", f"Coumadin 5 mg {marker}", marker.upper()])


def _consult(marker: str) -> None:
    from core.consult import evaluate, evaluate_json
    from core.models import PatientProfile

    profile = PatientProfile(age=70, medications=[f"{marker} 10 mg", f"warfarin {marker}"])
    evaluate(profile)
    evaluate_json(profile)


def _interactions(marker: str) -> None:
    from core.interactions import check_interactions

    check_interactions([f"{marker} 2 mg", f"Xarelto {marker}"], not_current=[(marker, "stopped")])


def _batch_chunk(marker: str) -> None:
    """The JSON Lines batch memoises within a chunk; the memo goes when the chunk is done."""
    from core.batch import evaluate_batch

    line = json.dumps({"age": 70, "medications": [f"{marker} 1 mg", f"Coumadin {marker}"]})
    out = io.StringIO()
    thresholds = gc.get_threshold()
    try:
        with contextlib.redirect_stdout(out):
            assert evaluate_batch(f"{line}\n{line}\n") == 0
    finally:  # the batch tunes the collector for a whole process; undo it for later tests
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    assert out.getvalue().count(marker) >= 2  # the output itself names the entry


@pytest.mark.parametrize(
    "use", [_resolve, _consult, _interactions, _batch_chunk], ids=lambda f: f.__name__
)
def test_no_cache_keeps_a_typed_medication_string(use: Callable[[str], None]) -> None:
    marker = _marker()
    use(marker)
    held = _holders(marker)
    assert not held, "\n".join(held)


def test_the_scan_finds_a_string_a_cache_does_hold() -> None:
    """The check itself can fail: a dict that keeps the marker is found."""
    marker = _marker()
    kept = {(f"{marker} 5 mg",): 1}
    import core.formulary.resolve as resolve

    resolve.__dict__["_test_kept"] = kept
    try:
        assert any("['_test_kept'] > key" in path for path in _holders(marker))
    finally:
        del resolve.__dict__["_test_kept"]


def test_a_memo_scope_keeps_typed_text_only_until_it_closes() -> None:
    from core.consult import evaluate_json_bytes
    from core.memo import held, memo_scope
    from core.models import PatientProfile

    marker = _marker()
    profile = PatientProfile(age=70, medications=[f"{marker} 10 mg", f"warfarin {marker}"])
    assert held() == 0
    with memo_scope():
        evaluate_json_bytes(profile)
        assert held() > 0
        with memo_scope():  # a nested scope shares the outer memo
            assert held() > 0
        assert held() > 0
    assert held() == 0
    assert not _holders(marker)


def test_a_memo_scope_is_not_seen_by_another_thread() -> None:
    """Streamlit runs each session in its own thread: one session's scope is its own."""
    from core.consult import evaluate
    from core.memo import held, memo_scope
    from core.models import PatientProfile

    seen: list[int] = []
    with memo_scope():
        evaluate(PatientProfile(age=70, medications=["warfarin 5 mg"]))
        assert held() > 0
        other = threading.Thread(target=lambda: seen.append(held()))
        other.start()
        other.join()
    assert seen == [0]


@settings(max_examples=60, deadline=None)
@given(st.lists(profiles(meds=st.lists(MEDS, max_size=4)), min_size=1, max_size=6))
def test_memoised_output_equals_the_model_json(batch: list[PatientProfile]) -> None:
    """Within one scope (as in a batch chunk, names repeating) and outside any scope, every
    profile's JSON is the model's own JSON."""
    from core.consult import evaluate, evaluate_json_bytes
    from core.memo import memo_scope

    expected = [evaluate(p).model_dump_json().encode() for p in batch]
    with memo_scope():
        scoped = [evaluate_json_bytes(p) for p in [*batch, *batch]]
    assert scoped == [*expected, *expected]
    assert [evaluate_json_bytes(p) for p in batch] == expected
