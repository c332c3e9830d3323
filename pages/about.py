"""About / how it decides: intended use, inputs, every rule in plain words, and the sources.

The rule list is generated from ``core/data/rules.json`` through ``core.rules.describe_rules``,
so it cannot drift from what the consult actually does.
"""

from __future__ import annotations

import streamlit as st

from core import __version__
from core.evidence import catalogue
from core.formulary import CLASS_LABELS
from core.interactions import interaction_rules
from core.rules import describe_rules, ruleset
from ui import disclaimer, evidence_line

st.title("📖 About Cramp Consult and how it decides")
disclaimer()

st.markdown(
    """
**Intended use.** Decision support for clinicians and pharmacists caring for adults with
nocturnal leg cramps: it gathers the factors, red flags and differentials a careful clinician
checks, the evidence on vitamin K2 (menaquinone-7), and the K2 interaction cautions. It supports
a clinician's decision; it does not diagnose, prescribe, dose or stop any medicine.

**Intended users.** Clinicians in a consult, pharmacists checking a medication list, and anyone
reviewing a patient's cramp diary with a clinician.

**Inputs.** Age, sex, pregnancy, cramps per week, dehydration, prolonged sitting or standing,
medications as written, conditions and symptoms (consult); a medication list or a FHIR R4
Bundle (interaction checker); a diary export (diary).

**How it decides.** Facts are computed from the inputs (for example *age 65 or over*, or
*a medicine in the class vitamin K antagonist*). Each rule below names the facts it needs and
the sources it rests on. The K2 status is the first of four that applies: talk to the
anticoagulation prescriber first; evaluate first; outside the trial population; worth
considering.

**Known gaps.** The K2 evidence is one 8-week trial in Chinese adults aged 65 or over, with
self-reported outcomes and no independent replication; vitamin K antagonist users, diuretic users
and dialysis patients were excluded. Whether DOAC or antiplatelet users were excluded is
unconfirmed. Figures marked *unconfirmed* in the sources are shown as such. A medicine name the
formulary does not recognise gets no caution, and the tool says so.
"""
)

rules = ruleset()
st.caption(f"Version {__version__}, ruleset {rules.ruleset_version}.")
for group, items in describe_rules(rules).items():
    st.header(group)
    for item in items:
        with st.expander(f"{item['label']} (`{item['code']}`)"):
            st.markdown(f"**When:** {item['when']}\n\n**Says:** {item['says']}")
            st.caption(f"Sources: {item['evidence']}")

st.header("Vitamin K2 interaction cautions")
for rule in interaction_rules():
    with st.expander(f"{rule.severity.capitalize()}: {rule.label} (`{rule.code}`)"):
        triggers = ", ".join(
            sorted(CLASS_LABELS.get(c, c) for c in rule.classes) + sorted(rule.generics)
        )
        st.markdown(
            f"**When the list holds:** {triggers}\n\n**Mechanism:** {rule.mechanism}\n\n"
            f"**Management:** {rule.management}\n\n**Documentation:** {rule.documentation}"
        )
        st.caption("Sources: " + "; ".join(catalogue()[i].citation for i in rule.evidence))

st.header("Sources")
for ev in catalogue().values():
    st.markdown(evidence_line(ev))
