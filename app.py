"""Cramp Consult: the router. Page config and navigation only; nothing clinical here."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Cramp Consult", page_icon="🦵", layout="wide")

PAGES = [
    st.Page("pages/consult.py", title="Consult", icon="🩺", url_path="consult", default=True),
    st.Page(
        "pages/interactions.py", title="Interaction checker", icon="💊", url_path="interactions"
    ),
    st.Page("pages/diary.py", title="Cramp diary", icon="📈", url_path="diary"),
    st.Page("pages/panel.py", title="Clinic panel", icon="🏥", url_path="panel"),
    st.Page("pages/about.py", title="About / how it decides", icon="📖", url_path="about"),
]
st.navigation(PAGES, position="top").run()
