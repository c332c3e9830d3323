"""About / how it decides: intended use, inputs, every rule in plain words, and the sources.

The rule list is generated from ``core/data/rules.json`` through ``core.consult.describe_rules``,
so it cannot drift from what the consult actually does.
"""

from __future__ import annotations

import streamlit as st

from core import __version__
from core.consult import describe_facts, describe_rules, ruleset
from core.evidence import catalogue
from core.formulary import CLASS_LABELS
from core.interactions import EVIDENCE_STATUS_LEGEND, RULESET_VERSION, interaction_rules
from core.texts import text
from ui import disclaimer, evidence_line, styles

INTENDED_USE = """
**Intended use.** Decision support for clinicians and pharmacists caring for adults with
nocturnal leg cramps: it gathers the factors, red flags and differentials a careful clinician
checks, the evidence on vitamin K2 (menaquinone-7), and the K2 interaction cautions. It supports
a clinician's decision; it does not diagnose, prescribe, dose or stop any medicine.

**Intended users.** Clinicians in a consult, pharmacists checking a medication list, and anyone
reviewing a patient's cramp diary with a clinician.

**Inputs.** Age, sex, pregnancy, cramps per week, dehydration, prolonged sitting or standing,
medications as written, conditions and symptoms (consult); a medication list or a FHIR R4
Bundle (interaction checker); a diary export (diary).
"""


def main() -> None:
    """Page body: intended use, the rules, the interaction cautions, the sources."""
    disclaimer()
    st.title("About Cramp Consult and how it decides")

    st.markdown(INTENDED_USE)
    st.markdown(f"**How it decides.** {text('about.how_it_decides')}")
    st.markdown(f"**Known gaps.** {text('about.known_gaps')}")

    rules = ruleset()
    st.caption(f"Version {__version__}, ruleset {RULESET_VERSION}.")
    for group, items in describe_rules(rules).items():
        st.header(group)
        for item in items:
            with st.expander(f"{item['label']} (`{item['code']}`)"):
                st.markdown(f"**When:** {item['when']}\n\n**Says:** {item['says']}")
                st.caption(f"Sources: {item['evidence']}")

    with st.expander("Facts the rules may test (the declared vocabulary)"):
        st.markdown(
            "\n".join(f"- `{name}`: {label}" for name, label in describe_facts(rules).items())
        )

    st.header("Vitamin K2 interaction cautions")
    for rule in interaction_rules():
        look = styles.SEVERITY[rule.severity]
        with st.expander(f"{look.word}: {rule.label} (`{rule.code}`)", icon=look.icon):
            triggers = ", ".join(
                sorted(CLASS_LABELS.get(c, c) for c in rule.classes) + sorted(rule.generics)
            )
            st.markdown(
                f"**When the list holds:** {triggers}\n\n**Mechanism:** {rule.mechanism}\n\n"
                f"**Management:** {rule.management}\n\n**Documentation:** {rule.documentation}\n\n"
                f"**Evidence:** {EVIDENCE_STATUS_LEGEND[rule.evidence_status]}"
            )
            st.caption("Sources: " + "; ".join(catalogue()[i].citation for i in rule.evidence))

    st.header("Sources")
    for ev in catalogue().values():
        st.markdown(evidence_line(ev))


main()
