"""Buttons that settle an uncertain medication name: confirm a suggested name, or reject it.

Shared by the consult page and the interaction checker so both ask the same way. Presentation
only: ``core.formulary.confirmation_choices`` says what to offer and the page's callback
applies ``core.formulary.confirm``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from core.models import ResolvedMedication

__all__ = ["REJECT_LABEL", "settle_buttons"]

REJECT_LABEL = "None of these"


def settle_buttons(
    med: ResolvedMedication,
    choices: Sequence[str],
    *,
    key: str,
    index: int,
    on_settle: Callable[[str, str], None],
    offer_reject: bool = True,
) -> None:
    """One "Confirm <name>" button per choice and, if offered, a "None of these" button.

    ``on_settle(med.input, name)`` runs on a click; ``name`` is ``""`` for a rejection.
    Widget keys are ``{key}_confirm_{index}_{j}`` and ``{key}_reject_{index}``.
    """
    if not choices and not offer_reject:
        return
    cols = st.columns(len(choices) + 1)
    for j, name in enumerate(choices):
        cols[j].button(
            f"Confirm {name}",
            key=f"{key}_confirm_{index}_{j}",
            on_click=on_settle,
            args=(med.input, name),
        )
    if offer_reject:
        cols[-1].button(
            REJECT_LABEL,
            key=f"{key}_reject_{index}",
            on_click=on_settle,
            args=(med.input, ""),
        )
