"""The load benchmark's websocket clients really drive the consult (a functional check).

``bench/load_bench.py`` measures 20 sessions speaking Streamlit's protocol instead of
browsers; its figures mean something only if each submit really reaches the form and its
answer is recognised. Two sessions run for a few seconds against the served app: every
submit must come back with its own word and nothing else wrong. A submit answered with
another word than its own must be reported, so the word check cannot pass on its own.
No latency is asserted here; the benchmark prints those.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from bench.load_bench import MEDS, ConsultClient, Results, Run, run_ws

pytestmark = pytest.mark.e2e

T = TypeVar("T")


def _run(job: Awaitable[T]) -> T:
    # A thread of its own: an earlier test in this worker (Playwright's sync API) may have left
    # an event loop running on the main thread, where asyncio.run() refuses to start.
    async def wrapped() -> T:
        return await job

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, wrapped()).result()


def test_two_sessions_get_every_submit_answered_with_its_own_word(server: str) -> None:
    out: Results = _run(run_ws(server, sessions=2, seconds=3))
    assert out.errors == []
    assert sorted(out.sent) == [0, 1]
    assert all(count >= 1 for count in out.sent.values())
    assert len(out.latencies) == len(out.finished) == sum(out.sent.values())


def test_a_result_with_another_word_than_the_submitted_one_is_an_error(server: str) -> None:
    async def submit_another_word() -> Run:
        client = await ConsultClient.open(server)
        try:
            return await client.submit(MEDS + "zzload9x1qq", "zzload9x0qq")
        finally:
            await client.close()

    run = _run(submit_another_word())
    assert run.word_after is None
    assert set(run.problems) == {
        "the result shows another submit's word zzload9x1qq",
        "the run finished without the submitted word",
    }
