"""Print how many examples each fuzzed entry point ran (``make fuzz`` reports the budget)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from tests.fuzz.budget import COUNTS, EXAMPLES

_MERGED: Counter[str] = Counter()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker, hand this worker's counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["fuzz_counts"] = json.dumps(dict(COUNTS))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller, add up the workers' counts."""
    _MERGED.update(json.loads(getattr(node, "workeroutput", {}).get("fuzz_counts", "{}")))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Examples run per entry point (hypothesis also runs a few while shrinking a failure)."""
    counts = _MERGED + COUNTS
    if not counts:
        return
    terminalreporter.write_sep("-", f"fuzz examples per entry point (budget {EXAMPLES})")
    for name, n in sorted(counts.items()):
        terminalreporter.write_line(f"{name:<36} {n:>8}")
