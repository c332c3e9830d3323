"""How a status, severity or strength looks: an icon and a word with every colour.

One table for every page, so one verdict looks the same everywhere and nothing is told by
colour alone (WCAG 2.1, 1.4.1). The words come from ``core.models``; the icons are Material
Symbols, which Streamlit ships with its front end, so they show without an emoji font.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import streamlit as st

from core.models import SEVERITY_WORD, STRENGTH_WORD

Kind = Literal["error", "warning", "info", "success"]


@dataclass(frozen=True)
class Look:
    """The icon, the Streamlit box (its colour) and the word for one verdict."""

    icon: str
    kind: Kind
    word: str = ""


SEVERITY: dict[str, Look] = {
    "major": Look(":material/dangerous:", "error", SEVERITY_WORD["major"]),
    "moderate": Look(":material/warning:", "warning", SEVERITY_WORD["moderate"]),
    "minor": Look(":material/info:", "info", SEVERITY_WORD["minor"]),
}
STRENGTH: dict[str, Look] = {
    "recommended": Look(":material/check_circle:", "success", STRENGTH_WORD["recommended"]),
    "consider": Look(":material/lightbulb:", "info", STRENGTH_WORD["consider"]),
    "defer": Look(":material/pause_circle:", "warning", STRENGTH_WORD["defer"]),
    "not_recommended": Look(":material/block:", "error", STRENGTH_WORD["not_recommended"]),
}
# The K2 status's words are the recommendation's own label (core); this gives its look.
K2_STATUS: dict[str, Look] = {
    "consult_prescriber": Look(":material/dangerous:", "error"),
    "evaluate_first": Look(":material/warning:", "warning"),
    "check_medications": Look(":material/help:", "warning"),
    "outside_trial_population": Look(":material/info:", "info"),
    "consider": Look(":material/check_circle:", "success"),
}
RED_FLAG = Look(":material/emergency:", "error", "Red flag")
DIFFERENTIAL = Look(":material/alt_route:", "warning", "Differential")
# Other page states: a problem the user must fix, a caution, a fact, all clear.
PROBLEM = Look(":material/error:", "error")
CAUTION = Look(":material/warning:", "warning")
NOTE = Look(":material/info:", "info")
ALL_CLEAR = Look(":material/check_circle:", "success")
UNSURE = Look(":material/help:", "warning")


def tag(look: Look, word: str | None = None) -> str:
    """Inline Markdown: the icon and the word in bold, e.g. before a finding's label."""
    return f"{look.icon} **{word if word is not None else look.word}**"


def box(look: Look, body: str) -> None:
    """A coloured Streamlit box with the look's icon; ``body`` should start with the word."""
    show = {"error": st.error, "warning": st.warning, "info": st.info, "success": st.success}
    show[look.kind](body, icon=look.icon)
