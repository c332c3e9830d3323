"""The batch writes its output pieces with writev; a short write resumes where it stopped."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import batch

PIECES = st.lists(st.binary(max_size=40), max_size=60)


@settings(max_examples=60, deadline=None)
@given(parts=PIECES, step=st.integers(min_value=1, max_value=50))
def test_pieces_arrive_whole_and_in_order_however_short_each_write(
    parts: list[bytes], step: int
) -> None:
    written: list[bytes] = []

    def short_writev(fd: int, buffers: Sequence[bytes | memoryview]) -> int:
        assert fd == 1 and len(buffers) <= batch._IOV_MAX
        data = b"".join(bytes(b) for b in buffers)[:step]
        written.append(data)
        return len(data)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "writev", short_writev)
        batch._write_all(list(parts))
    assert b"".join(written) == b"".join(parts)


def test_more_pieces_than_one_writev_takes(capfd: pytest.CaptureFixture[str]) -> None:
    parts = [f"{i}\n".encode() for i in range(batch._IOV_MAX * 2 + 5)]
    batch._write_all(parts)
    assert capfd.readouterr().out == "".join(p.decode() for p in parts)


def test_a_batch_leaves_the_collector_as_it_found_it(capfd: pytest.CaptureFixture[str]) -> None:
    import gc

    assert gc.isenabled()
    assert batch.evaluate_batch(['{"age": 70}', "not json"]) == batch.EXIT_BAD_INPUT
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    out = capfd.readouterr().out.splitlines()
    assert len(out) == 2 and '"line": 2' in out[1]
