"""Serve the real app on loopback and drive it with Debian's headless Chromium (Playwright).

Fixtures for every browser test: ``server`` (one app per test session), ``fresh_server``
(a new app for a test that needs its first render), ``browser``, ``page`` (1400×900),
``open_page`` (a page at any width), ``screenshot`` (full-page PNGs under
``test-output/screenshots/``; tests/conftest.py prints the path at the end of the run) and
``axe`` (axe-core's serious and critical violations).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"  # git-ignored
VIEWPORT = {"width": 1400, "height": 900}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve() -> Iterator[str]:
    """Start ``streamlit run app.py`` as ``make run`` does, on a free loopback port."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # The server's log goes to a file, not a pipe nobody reads (a full pipe would block it).
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )  # fmt: skip
        try:
            _wait_healthy(url, proc, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The dashboard as ``make run`` serves it, shared by the session's tests."""
    with _serve() as url:
        yield url


@pytest.fixture
def fresh_server() -> Iterator[str]:
    """A server no browser has opened yet, for tests of the very first render."""
    with _serve() as url:
        yield url


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    log.seek(0)
    pytest.fail(f"streamlit did not start: {log.read().decode(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium; missing Chromium skips locally and fails in CI."""
    if not os.access(CHROMIUM, os.X_OK):
        msg = f"{CHROMIUM} not installed (make test installs it when run as root)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _new_page(browser: Any, width: int, height: int) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.requests_seen = []
    pg.on("request", lambda req: pg.requests_seen.append(req.url))
    pg.set_default_timeout(60_000)  # a cold server on a busy machine; not a speed check
    return context, pg


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh 1400×900 page that records every request, to prove nothing leaves loopback."""
    context, pg = _new_page(browser, VIEWPORT["width"], VIEWPORT["height"])
    yield pg
    context.close()


@pytest.fixture
def open_page(browser: Any, server: str) -> Iterator[Callable[[int, int], Any]]:
    """Open more pages at a given width and height (closed after the test)."""
    contexts: list[Any] = []

    def make(width: int, height: int = VIEWPORT["height"]) -> Any:
        context, pg = _new_page(browser, width, height)
        contexts.append(context)
        return pg

    yield make
    for context in contexts:
        context.close()


FULL_HEIGHT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const header = document.querySelector('[data-testid="stHeader"]');
  return Math.ceil((main ? main.scrollHeight : document.body.scrollHeight)
                   + (header ? header.getBoundingClientRect().height : 0));
}"""


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """Save a full-page PNG of a flow's result as evidence (``test-output/screenshots/``)."""

    def save(pg: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = pg.viewport_size
        path = SCREENSHOTS / f"{name}-{size['width']}.png"
        pg.wait_for_timeout(300)  # let charts and fonts settle before the picture
        # Streamlit scrolls inside its own container, so a "full page" screenshot would show
        # one screen: grow the window to the content's height for the picture, then restore.
        height = pg.evaluate(FULL_HEIGHT_JS)
        pg.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
        pg.wait_for_timeout(500)
        pg.screenshot(path=str(path), full_page=True)
        pg.set_viewport_size(size)
        return path

    return save


SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def axe() -> Callable[[Any, str], None]:
    """Fail on any serious or critical axe-core (WCAG 2.1 AA) violation on the page as shown."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    checker = Axe()
    options = {
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"],
    }

    def check(pg: Any, where: str) -> None:
        pg.wait_for_timeout(500)  # let the rerun finish painting
        found = checker.run(pg, options=options).response["violations"]
        bad = [v for v in found if v.get("impact") in SERIOUS]
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(n.get("target")) + " " + n.get("failureSummary", "")[:160]
                        for n in v["nodes"][:4])
            for v in bad
        ]  # fmt: skip
        assert not bad, f"axe-core on {where}:\n" + "\n".join(lines)

    return check
