"""Run-wide hooks: say where the browser tests left their screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the screenshot folder after a run that saved any (xdist's controller runs this)."""
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"each flow's result, full page: {SCREENSHOTS}")
