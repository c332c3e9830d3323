"""CDS Hooks 2.0 cards for a Recommendation (cds-hooks.hl7.org/2.0, shared/contract.md).

A card has ``uuid``, ``summary`` (< 140 characters), ``indicator`` (info, warning, critical),
``source.label``, and optionally ``detail`` (GitHub Markdown) and ``links`` (type absolute).
No field is ever null or empty. Summary and detail are built only from the tool's own text
(labels, data, evidence): a sentence that quotes what the user typed is left out, and all
text is Markdown-escaped, so an input string can never become markup in the EHR.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Final

from core.models import Caution, Recommendation, ResolvedMedication

__all__ = [
    "INDICATOR_RANK",
    "K2_GENERICS",
    "card_schema",
    "cds_hooks_cards",
    "is_k2_product",
    "order_select_cards",
]

INDICATOR_RANK: Final = {"info": 0, "warning": 1, "critical": 2}
STATUS_INDICATOR: Final = {
    "consult_prescriber": "critical",
    "evaluate_first": "warning",
    "check_medications": "warning",
    "outside_trial_population": "info",
    "consider": "info",
}
SEVERITY_INDICATOR: Final = {"major": "critical", "moderate": "warning", "minor": "info"}
K2_GENERICS: Final = frozenset({"menaquinone", "menaquinone-7", "menatetrenone"})
VKA_CLASS: Final = "vitamin_k_antagonist"
MAX_LINKS: Final = 3
_MD_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]<>()#+\-!|~])")


@cache
def card_schema() -> dict[str, Any]:
    """The JSON Schema of one card (written from the CDS Hooks 2.0 specification)."""
    text = resources.files("core.outputs").joinpath("cds_hooks_card.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=8192)
def _md(text: str) -> str:
    """Markdown-escape one line of the tool's own text."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _typed_strings(rec: Recommendation) -> list[str]:
    """What the user typed that is not the tool's own vocabulary (folded for matching)."""
    out: list[str] = []
    for m in rec.medications:
        typed = " ".join(m.input.split()).casefold()
        known = {g.casefold() for g in m.generics}
        if m.matched_name:
            known.add(m.matched_name.casefold())
        if typed and typed not in known:
            out.append(typed)
        out += [p.casefold() for p in m.unresolved_parts if p.strip()]
    return out


def _own(texts: Iterable[str], typed: Sequence[str]) -> list[str]:
    """The texts that quote nothing the user typed."""
    return [t for t in texts if t.strip() and not any(s in t.casefold() for s in typed)]


def _links(rec: Recommendation, ids: Iterable[str]) -> list[dict[str, str]]:
    """Absolute links to the cited sources (DOI first, else the catalogue's URL)."""
    wanted = list(dict.fromkeys(ids))
    by_id = {e.id: e for e in rec.evidence}
    links: list[dict[str, str]] = []
    for i in wanted:
        ev = by_id.get(i)
        if ev is None:
            continue
        url = f"https://doi.org/{ev.doi}" if ev.doi else ev.url
        if not url or not url.startswith(("https://", "http://")):
            continue
        label = ev.citation.split(". ")[0].rstrip(".")[:80]
        links.append({"label": f"Source: {label}", "url": url, "type": "absolute"})
        if len(links) == MAX_LINKS:
            break
    return links


def _card(
    summary: str,
    indicator: str,
    source: dict[str, str],
    detail_lines: Sequence[str],
    links: list[dict[str, str]],
) -> dict[str, Any]:
    """One card; optional fields appear only when they have content."""
    text = summary if len(summary) < 140 else summary[:136].rstrip() + "..."
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": text,
        "indicator": indicator,
        "source": dict(source),
    }
    detail = "\n".join(f"- {_md(line)}" for line in detail_lines if line.strip())
    if detail:
        card["detail"] = detail
    if links:
        card["links"] = links
    return card


def _source(rec: Recommendation, source_url: str | None) -> dict[str, str]:
    source = {"label": f"Cramp Consult (ruleset {rec.ruleset_version})"}
    if source_url:
        source["url"] = source_url
    return source


def _max_indicator(cards: Iterable[dict[str, Any]], floor: str) -> str:
    rank = max((INDICATOR_RANK[c["indicator"]] for c in cards), default=0)
    rank = max(rank, INDICATOR_RANK[floor])
    return next(k for k, v in INDICATOR_RANK.items() if v == rank)


def _is_vka_caution(code: str) -> bool:
    return code == "vka_interaction"


def _caution_cards(
    rec: Recommendation, cautions: Sequence[Caution], source: dict[str, str], typed: Sequence[str]
) -> list[dict[str, Any]]:
    """One card per non-minor caution (a vitamin K antagonist caution is always critical)."""
    return [
        _card(
            f"Vitamin K2 caution: {c.label or c.code.replace('_', ' ')}",
            "critical" if _is_vka_caution(c.code) else SEVERITY_INDICATOR[c.severity],
            source,
            _own([c.management, f"Drugs: {', '.join(c.drugs)}" if c.drugs else ""], typed),
            _links(rec, c.evidence),
        )
        for c in cautions
        if c.severity != "minor" or _is_vka_caution(c.code)
    ]


def cds_hooks_cards(rec: Recommendation, source_url: str | None = None) -> dict[str, Any]:
    """A CDS Hooks response body: the K2 status, each red flag and each non-minor caution.

    The K2 card comes first; a vitamin K antagonist caution is ``critical``; a red flag is at
    least ``warning`` and at least as high as any other card.
    """
    source = _source(rec, source_url)
    typed = _typed_strings(rec)
    k2_card = _card(
        f"Vitamin K2 for leg cramps: {rec.k2.label or rec.k2.status.replace('_', ' ')}",
        STATUS_INDICATOR[rec.k2.status],
        source,
        _own(rec.k2.reasons, typed),
        _links(rec, rec.k2.evidence),
    )
    caution_cards = _caution_cards(rec, rec.cautions, source, typed)
    flag_level = _max_indicator([k2_card, *caution_cards], "warning")
    flag_cards = [
        _card(
            f"Red flag: {f.label}",
            flag_level,
            source,
            _own([f.detail], typed),
            _links(rec, f.evidence),
        )
        for f in rec.red_flags
    ]
    return {"cards": [k2_card, *flag_cards, *caution_cards]}


def is_k2_product(med: ResolvedMedication) -> bool:
    """True when a resolved medication is a vitamin K2 (menaquinone) product."""
    return not K2_GENERICS.isdisjoint(med.generics)


def order_select_cards(
    rec: Recommendation,
    drafts: Sequence[ResolvedMedication],
    source_url: str | None = None,
) -> dict[str, Any]:
    """Cards for ``order-select``: the selected draft orders against the patient's medicines.

    A vitamin K2 draft order for a patient on (or possibly on) a vitamin K antagonist gives a
    ``critical`` card first. With a K2 draft the full consult cards follow; otherwise only the
    non-minor cautions that involve a selected draft are returned (no noise for other orders).
    """
    source = _source(rec, source_url)
    on_vka = rec.k2.status == "consult_prescriber" or any(
        _is_vka_caution(c.code) for c in rec.cautions
    )
    if any(is_k2_product(d) for d in drafts):
        base = cds_hooks_cards(rec, source_url)["cards"]
        vka = [c for c in rec.cautions if _is_vka_caution(c.code)]
        if on_vka:
            order = _card(
                "Vitamin K2 order for a patient on a vitamin K antagonist: "
                "talk to the anticoagulation prescriber first",
                "critical",
                source,
                _own([c.management for c in vka] or rec.k2.reasons[:1], _typed_strings(rec)),
                _links(rec, [i for c in vka for i in c.evidence] or rec.k2.evidence),
            )
            return {"cards": [order, *base]}
        return {"cards": base}
    draft_generics = {g for d in drafts for g in d.generics}
    wanted = [c for c in rec.cautions if draft_generics.intersection(c.drugs)]
    return {"cards": _caution_cards(rec, wanted, source, _typed_strings(rec))}
