"""ui.md_escape: typed text stays text; no URL or e-mail autolink pattern survives it."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ui import md_escape

# The shapes remark-gfm's autolink-literal transform links in text nodes.
_LINKABLE = re.compile(r"(https?://|www\.)[-.\w]|[-.\w+]@[-\w]", re.IGNORECASE)


def _visible(escaped: str) -> str:
    """What the Markdown text node holds: backslash escapes resolved."""
    return re.sub(r"\\(.)", r"\1", escaped)


@given(
    st.text(max_size=20),
    st.sampled_from(["http://evil.example/x", "https://a.b", "www.evil.com", "me@evil.org"]),
    st.text(max_size=20),
)
def test_no_typed_url_or_address_can_become_a_link(before: str, url: str, after: str) -> None:
    shown = _visible(md_escape(f"{before} {url} {after}"))
    assert not _LINKABLE.search(shown)
    assert shown.replace("\u2060", "").split() == f"{before} {url} {after}".split()


def test_markup_is_escaped() -> None:
    assert (
        _visible(md_escape("**bold** [x](javascript:alert(1))"))
        == "**bold** [x](javascript:alert(1))"
    )
    assert md_escape("**bold**").startswith("\\*\\*")
