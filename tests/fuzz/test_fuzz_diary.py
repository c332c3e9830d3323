"""Fuzz the diary reader and the ``diary`` command with hostile diaries (their strategy:
tests/strategies_hostile_diary.py).

Per example: read or refused with an InputError naming the file; a summary accounts for its
rows (none rejected without an error saying which row and why).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given

from core.diary import read_diary, summarize
from core.errors import InputError
from tests.fuzz.budget import FUZZ, check_no_crash, check_refusal, example, run_cli
from tests.strategies_hostile_diary import hostile_diaries


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz_diary")


@FUZZ
@given(upload=hostile_diaries())
def test_read_and_summarise_a_diary_upload(upload: tuple[bytes, str]) -> None:
    data, name = upload
    with example("diary.read_diary + summarize"):
        try:
            table = read_diary(data, name)
            summary = summarize(table)
        except InputError as exc:
            assert exc.where == name or name in str(exc), str(exc)[:300]
            assert exc.message.strip()
            return
    assert 0 <= summary.rows_rejected <= summary.rows_read
    if summary.rows_rejected:
        assert summary.errors, "rows set aside without a message"
    for error in summary.errors:
        assert error.row >= 1 and error.message.strip()


@FUZZ
@given(upload=hostile_diaries())
def test_diary_command(upload: tuple[bytes, str], workdir: Path) -> None:
    data, name = upload
    path = workdir / (name or "diary")
    path.write_bytes(data)
    with example("cli diary FILE"):
        code, out, err = run_cli(["diary", str(path)])
    check_no_crash(code, err)
    if code == 2:
        check_refusal(code, out, err, str(path))
        return
    summary = json.loads(out)
    assert 0 <= summary["rows_rejected"] <= summary["rows_read"]
    assert not summary["rows_rejected"] or summary["errors"]
