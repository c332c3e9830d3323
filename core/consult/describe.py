"""Every consult rule in plain language for the About page, generated from the rule data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core import evidence as evidence_catalogue
from core.consult.ruleset import RuleSet, ruleset


def describe_rules(rules: RuleSet | None = None) -> Mapping[str, list[dict[str, str]]]:
    """Every rule in plain language, grouped for the About page (generated, not hand-copied)."""
    rules = rules or ruleset()
    cat = evidence_catalogue.catalogue()
    labels = rules.fact_labels()

    def cites(ids: Iterable[str]) -> str:
        return "; ".join(cat[i].citation for i in ids)

    status_group = "Vitamin K2 status (first that applies wins)"
    out: dict[str, list[dict[str, str]]] = {
        "Red flags": [],
        "Differentials": [],
        "Contributing factors": [],
        status_group: [],
        "Actions": [],
        "Drug groups narrowed for these rules": [],
    }
    group = {"red_flag": "Red flags", "differential": "Differentials"}
    for f in rules.findings:
        says = f.detail if f.pathway is None else f"{f.detail} Pathway: {f.pathway}."
        out[group.get(f.kind, "Contributing factors")].append(
            {
                "code": f.code,
                "label": f.label,
                "when": f.basis,
                "says": says,
                "evidence": cites(f.evidence),
            }
        )
    for s in rules.k2_status:
        out[status_group].append(
            {
                "code": s.status,
                "label": s.label,
                "when": s.basis,
                "says": s.label,
                "evidence": cites(s.evidence),
            }
        )
    for i, r in enumerate(rules.k2_reasons, start=1):
        out[status_group].append(
            {
                "code": f"k2_reason_{i}",
                "label": f"Reason {i} given with the status",
                "when": r.when.describe(labels),
                "says": r.text,
                "evidence": cites(r.evidence) or "a statement of what the tool knows",
            }
        )
    for a in rules.actions:
        for v in a.variants:
            out["Actions"].append(
                {
                    "code": a.code,
                    "label": f"{a.label} ({v.strength.replace('_', ' ')})",
                    "when": v.basis,
                    "says": v.detail,
                    "evidence": cites(a.evidence),
                }
            )
    for name, exc in rules.group_exceptions.items():
        left_out = sorted(exc.classes) + sorted(exc.generics)
        out["Drug groups narrowed for these rules"].append(
            {
                "code": name,
                "label": f"Drug group {name}, without {', '.join(left_out)}",
                "when": exc.basis,
                "says": exc.basis,
                "evidence": cites(exc.evidence),
            }
        )
    return out


def describe_facts(rules: RuleSet | None = None) -> dict[str, str]:
    """The declared fact vocabulary with labels (what a rule may test)."""
    return (rules or ruleset()).fact_labels()
