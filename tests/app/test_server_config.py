"""Server settings that carry a measured reason, checked against Streamlit's own option list
so that a renamed or dropped option in an upgrade is noticed instead of silently ignored."""

from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit import config as st_config

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_every_setting_is_an_option_streamlit_knows() -> None:
    known = st_config.get_config_options()
    unknown = [
        f"{section}.{name}"
        for section, values in CONFIG.items()
        for name in values
        if f"{section}.{name}" not in known
    ]
    assert not unknown, f"Streamlit does not know these settings: {unknown}"


def test_no_forced_full_collection_after_each_run() -> None:
    """A forced gc.collect(2) after every run cost ~120 ms of the one server process's CPU
    per consult submit (load bench, issue 11); Python's own collector still runs."""
    assert CONFIG["runner"]["postScriptGC"] is False
