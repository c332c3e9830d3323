"""The About page lists every rule and caution from the data, not from a hand-made copy."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.consult import ruleset
from core.interactions import interaction_rules

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "about.py")


def test_about_lists_every_rule_and_caution() -> None:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    labels = " ".join(e.label for e in at.expander)
    rules = ruleset()
    for code in [f.code for f in rules.findings] + [s.status for s in rules.k2_status]:
        assert f"`{code}`" in labels, code
    for action in rules.actions:
        assert f"`{action.code}`" in labels, action.code
    for rule in interaction_rules():
        assert f"`{rule.code}`" in labels, rule.code
    assert any("not a substitute for clinical judgement" in c.value for c in at.caption)
