"""Load benchmark: 20 concurrent browser sessions run the consult for 60 seconds.

Starts the dashboard on a free loopback port (as ``make run`` serves it), opens one headless
Chromium with one context per session, and in each session submits the consult form over
and over, each time with a medication list holding a new unrecognised word, and times
submit -> that word shown in the result. The sessions open four at a time first; the
60-second window starts when all are open. Prints errors and p50/p95 latency; the target
(no errors, p95 < 1 s on a 2-core machine) is printed beside them, not asserted.

    .venv/bin/python bench/load_bench.py [--sessions 20] [--seconds 60] [--url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
TARGET_P95_S = 1.0
MEDS = "Coumadin 5 mg daily\nLasix 40 mg\nLipitor 20 mg po qhs\n"


@dataclass
class Results:
    """Latencies of answered submits and the errors, across sessions."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve() -> Iterator[str]:
    """The app on a free loopback port; its log goes to an unnamed temporary file."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port)],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                        break
                except OSError:
                    time.sleep(0.3)
            else:
                log.seek(0)
                raise SystemExit(f"the server did not start: {log.read()[-2000:]!r}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:160]


async def open_consult(browser: Any, url: str, n: int, gate: asyncio.Semaphore) -> Any:
    """One session's consult page, ready for input (a few open at a time: ramp-up)."""
    async with gate:
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        page = await context.new_page()
        page.set_default_timeout(120_000)
        await page.goto(f"{url}/")
        await page.get_by_role("textbox", name="Medications, one a line").wait_for()
        page.set_default_timeout(30_000)
        return page


async def session(page: Any, n: int, until: float, out: Results) -> None:
    """One clinician: submit the consult and wait for the result until time is up."""
    try:
        box = page.get_by_role("textbox", name="Medications, one a line")
        submit = page.get_by_role("button", name="Get recommendation")
        k = 0
        while time.monotonic() < until:
            word = f"zzload{n}x{k}qq"
            k += 1
            await box.fill(MEDS + word)
            start = time.perf_counter()
            try:
                await submit.click()
                await page.get_by_text(word).first.wait_for()
            except Exception as exc:  # a timeout or a closed page: an error, then go on
                out.errors.append(f"session {n}: {_first_line(exc)}")
                continue
            out.latencies.append(time.perf_counter() - start)
            if await page.get_by_test_id("stException").count():
                out.errors.append(f"session {n}: the page shows an exception")
    finally:
        await page.context.close()


async def run(url: str, sessions: int, seconds: float) -> Results:
    """All sessions at once against the server at ``url``."""
    from playwright.async_api import async_playwright

    out = Results()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        gate = asyncio.Semaphore(4)
        opened = await asyncio.gather(
            *(open_consult(browser, url, n, gate) for n in range(sessions)),
            return_exceptions=True,
        )
        pages = []
        for n, page in enumerate(opened):
            if isinstance(page, BaseException):
                out.errors.append(f"session {n}: could not open the consult: {_first_line(page)}")
            else:
                pages.append((n, page))
        until = time.monotonic() + seconds  # the measured window starts once all are open
        await asyncio.gather(*(session(page, n, until, out) for n, page in pages))
        await browser.close()
    return out


def percentiles(out: Results) -> tuple[float, float]:
    """p50 and p95 of the answered submits (0, 0 when none)."""
    lat = sorted(out.latencies)
    if not lat:
        return 0.0, 0.0
    return statistics.median(lat), lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]


def report(out: Results, sessions: int, seconds: float, baseline: Results | None) -> None:
    """Print submits, errors and latency percentiles (and the one-session baseline)."""
    lat = sorted(out.latencies)
    print(f"load_bench: {sessions} concurrent sessions of the consult for {seconds:.0f} s")
    print(f"  machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end")
    if baseline is not None and baseline.latencies:
        b50, b95 = percentiles(baseline)
        print(f"  baseline, one session alone: p50 {b50:.2f} s, p95 {b95:.2f} s")
    print(f"  submits answered: {len(lat)} ({len(lat) / seconds:.1f}/s); errors: {len(out.errors)}")
    for line in out.errors[:10]:
        print(f"    {line}")
    if lat:
        p50, p95 = percentiles(out)
        print(f"  submit -> result: p50 {p50:.2f} s, p95 {p95:.2f} s, max {lat[-1]:.2f} s")
        if baseline is not None and baseline.latencies:
            print(f"  p50 under load / alone: {p50 / percentiles(baseline)[0]:.1f}x")
        ok = not out.errors and p95 < TARGET_P95_S
        verdict = "met" if ok else "NOT met"
        print(f"  target (no errors, p95 < {TARGET_P95_S:.0f} s): {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--baseline-seconds", type=float, default=10.0, help="0: no baseline")
    parser.add_argument("--url", help="a running server to use instead of starting one")
    args = parser.parse_args()
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"{CHROMIUM} is needed (make browser installs it)")

    def both(url: str) -> tuple[Results, Results | None]:
        base = asyncio.run(run(url, 1, args.baseline_seconds)) if args.baseline_seconds else None
        return asyncio.run(run(url, args.sessions, args.seconds)), base

    if args.url:
        out, base = both(args.url)
    else:
        with serve() as url:
            out, base = both(url)
    report(out, args.sessions, args.seconds, base)


if __name__ == "__main__":
    main()
