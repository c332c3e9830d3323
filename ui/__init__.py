"""Small Streamlit helpers shared by the pages: presentation only, nothing clinical."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import streamlit as st

from core.models import SEVERITY_WORD as SEVERITY_WORD  # re-exported for the pages
from core.models import STRENGTH_WORD as STRENGTH_WORD
from core.models import Evidence
from ui import styles

DISCLAIMER = (
    "Decision support for clinicians, not a substitute for clinical judgement. "
    "Cramp Consult states the evidence and its limits; it does not prescribe, dose or stop "
    "any medicine. Nothing entered or uploaded here is written to disk, logged or sent anywhere."
)

# Icons beside every severity and strength word (the looks live in ui/styles.py).
SEVERITY_ICON = {name: look.icon for name, look in styles.SEVERITY.items()}
STRENGTH_ICON = {name: look.icon for name, look in styles.STRENGTH.items()}

_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


# After escaping: '://', 'www.' and '@' as they read once escaped. Streamlit's Markdown
# (remark-gfm) still turns URLs and e-mail addresses in text nodes into links, so a word
# joiner (U+2060, invisible) goes after each, which no autolink pattern accepts.
_AUTOLINK = re.compile(r"\\:\\/\\/|www\\\.|\\@", re.IGNORECASE)


def md_escape(text: str) -> str:
    """Escape Markdown so typed or uploaded text shows as text, never as links or markup."""
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _AUTOLINK.sub(lambda m: m.group(0) + "\u2060", escaped)


def disclaimer() -> None:
    """Show the disclaimer; every page calls this itself (AppTest drops the router's output).

    It also sends a deep link on a fresh server through app.py (see ``_route_through_app``).
    """
    _route_through_app()
    st.caption(f":material/medical_information: {DISCLAIMER}")


def _route_through_app() -> None:
    """Rerun through app.py when Streamlit ran a page file on its own.

    Until app.py has run once, Streamlit treats ``pages/`` as an old-style pages folder:
    the first visit of a fresh server to ``/diary`` runs ``pages/diary.py`` alone, without
    the page config and the top navigation. Leaving that mode and rerunning lets app.py's
    ``st.navigation`` draw the same page (the URL path is kept).
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def evidence_line(ev: Evidence) -> str:
    """One reference as Markdown: citation, identifiers, summary (our own catalogue text)."""
    ids = []
    if ev.doi:
        ids.append(f"doi:{ev.doi}")
    if ev.pmid:
        ids.append(f"PMID {ev.pmid}")
    link = f" [source]({ev.url})" if ev.url else ""
    extra = f" *Caveats: {ev.caveats}*" if ev.caveats else ""
    return f"- **{ev.citation}** {' · '.join(ids)}{link}  \n  {ev.summary}{extra}"


def basis_text(basis: str, ids: Iterable[str], evidence: Sequence[Evidence]) -> str:
    """The rule in plain words, then each cited source's line, as one Markdown text."""
    wanted = set(ids)
    parts = [f"**Rule:** {basis}"] if basis else []
    parts += [evidence_line(ev) for ev in evidence if ev.id in wanted]
    return "\n\n".join(parts)


def show_basis(basis: str, ids: Iterable[str], evidence: Sequence[Evidence]) -> None:
    """An expander with the rule in plain words and each cited source with N and effect size.

    One Markdown element, not one per line: every element is a message the server builds,
    hashes and sends on each rerun, and a consult shows ten of these expanders.
    """
    body = basis_text(basis, ids, evidence)
    with st.expander("Basis"):
        if body:
            st.markdown(body)
