"""The dashboard shows a bad data file's one-line message instead of a page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import core.consult
from core.errors import DataError

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_a_bad_data_file_shows_its_message_instead_of_a_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise DataError("core/data/rules.json", "findings[diuretic]", "unknown drug group 'x'")

    monkeypatch.setattr(core.consult, "check_data", broken)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Cramp Consult cannot start: core/data/rules.json: findings[diuretic]: "
        "unknown drug group 'x'"
    ]
    assert not at.title  # no page was drawn


def test_good_data_draws_the_default_page() -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not any("cannot start" in e.value for e in at.error)


def test_a_misspelt_key_in_the_diary_texts_stops_the_dashboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real loader, on a copy of the shipped file with one key misspelt."""
    import json
    from importlib import resources

    import core.outputs.diary_text as diary_text

    raw = json.loads(resources.files("core.data").joinpath("diary_texts.json").read_text("utf-8"))
    raw["misspelt_key"] = raw.pop(next(iter(raw)))
    monkeypatch.setattr(diary_text, "diary_texts", lambda: diary_text.load_diary_texts(raw))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    [message] = [e.value for e in at.error]
    assert message.startswith("Cramp Consult cannot start: core/data/diary_texts.json")
    assert "misspelt_key" in message
    assert not at.title
