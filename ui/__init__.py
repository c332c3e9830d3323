"""Small Streamlit helpers shared by the pages: presentation only, nothing clinical."""

from __future__ import annotations

import streamlit as st

DISCLAIMER = (
    "Decision support for clinicians, not a substitute for clinical judgement. "
    "Cramp Consult states the evidence and its limits; it does not prescribe, dose or stop "
    "any medicine. Patient data entered here stays in this browser session and is not stored."
)

SEVERITY_ICON = {"major": "⛔", "moderate": "⚠️", "minor": "ℹ️"}  # noqa: RUF001


def disclaimer() -> None:
    """Show the disclaimer; every page calls this itself (AppTest drops the router's output)."""
    st.caption(f"⚕️ {DISCLAIMER}")
