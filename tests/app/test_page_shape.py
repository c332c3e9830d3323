"""Every page follows one shape: definitions, then ``main()``; the disclaimer first on screen;
severity and strength words from ui/styles, never a page's own icon or colour table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
MINE = ["consult.py", "interactions.py", "diary.py", "about.py"]
ALLOWED_TOP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)


def _tree(name: str) -> ast.Module:
    return ast.parse((ROOT / "pages" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", MINE)
def test_page_is_definitions_then_main(name: str) -> None:
    body = _tree(name).body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    *defs, last = body
    assert all(isinstance(node, ALLOWED_TOP) for node in defs), name
    assert ast.unparse(last) == "main()", name
    assert any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in defs), name


@pytest.mark.parametrize("name", MINE)
def test_no_page_keeps_its_own_severity_look(name: str) -> None:
    source = (ROOT / "pages" / name).read_text(encoding="utf-8")
    for emoji in ("⛔", "⚠️", "❓", "ℹ️", "✅", "🔷", "🚫", "⏸️"):
        assert emoji not in source, (name, emoji)
    assert ".capitalize()" not in source, name  # severity words come from ui/styles


@pytest.mark.parametrize("name", MINE)
def test_disclaimer_is_the_first_thing_shown(name: str) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60).run()
    assert not at.exception
    first = at.main.children[0]
    assert first.type == "caption"
    assert "not a substitute for clinical judgement" in str(getattr(first, "value", ""))


def test_every_verdict_has_an_icon_a_colour_and_a_word() -> None:
    from typing import get_args

    from core.models import K2Status, Severity, Strength
    from ui import styles

    assert set(styles.SEVERITY) == set(get_args(Severity))
    assert set(styles.STRENGTH) == set(get_args(Strength))
    assert set(styles.K2_STATUS) == set(get_args(K2Status))
    for look in [*styles.SEVERITY.values(), *styles.STRENGTH.values()]:
        assert look.word and look.icon.startswith(":material/") and look.kind
    for look in styles.K2_STATUS.values():  # the status's word is the recommendation's label
        assert look.icon.startswith(":material/") and look.kind
