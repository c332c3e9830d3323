"""The app's pages as app.py lists them (title, URL path), read from its ``st.Page`` calls.

Browser tests take the page list from here, so a new page in app.py is checked without
editing them.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

APP = Path(__file__).resolve().parents[2] / "app.py"


class AppPage(NamedTuple):
    """One ``st.Page`` entry: its title and the path it is served at ("" for the default)."""

    title: str
    path: str


def app_pages() -> list[AppPage]:
    """Every ``st.Page(..., title=..., url_path=...)`` in app.py, in order."""
    pages = []
    for node in ast.walk(ast.parse(APP.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page":
            kw = {k.arg: k.value for k in node.keywords}
            values = {
                key: value.value
                for key, value in kw.items()
                if isinstance(value, ast.Constant) and key
            }
            default = values.get("default") is True
            pages.append(
                AppPage(str(values.get("title", "")), "" if default else str(values["url_path"]))
            )
    return pages
