"""Run-wide hooks: say where the browser tests left their screenshots."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the screenshot folder when this run saved any (xdist's controller runs this)."""
    fresh = [p for p in SCREENSHOTS.glob("*.png") if p.stat().st_mtime >= _STARTED]
    if fresh:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(fresh)} full-page screenshots of each flow's result:")
        terminalreporter.write_line(str(SCREENSHOTS))
