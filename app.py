"""Cramp Consult: the router. Page config and navigation only; nothing clinical here."""

from __future__ import annotations

import streamlit as st

from core.errors import DataError

st.set_page_config(page_title="Cramp Consult", page_icon="🦵", layout="wide")

try:  # a wrong data file stops here with its one-line message, instead of a page
    from core.consult import check_data
    from core.outputs.diary_text import diary_texts

    check_data()
    diary_texts()
except DataError as exc:
    st.error(f"Cramp Consult cannot start: {exc}")
    st.stop()

PAGES = [
    st.Page(
        "pages/consult.py",
        title="Consult",
        icon=":material/stethoscope:",
        url_path="consult",
        default=True,
    ),
    st.Page(
        "pages/interactions.py",
        title="Interaction checker",
        icon=":material/medication:",
        url_path="interactions",
    ),
    st.Page("pages/diary.py", title="Cramp diary", icon=":material/monitoring:", url_path="diary"),
    st.Page("pages/panel.py", title="Clinic panel", icon=":material/groups:", url_path="panel"),
    st.Page(
        "pages/about.py",
        title="About / how it decides",
        icon=":material/menu_book:",
        url_path="about",
    ),
]
st.navigation(PAGES, position="top").run()
