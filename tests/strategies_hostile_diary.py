"""Hypothesis strategies for hostile cramp diaries (issue 11), shared by unit tests and fuzzing.

``hostile_diaries()`` draws ``(bytes, filename)``: random bytes; delimited text with ragged
rows, stray quotes, formulas and HTML/Markdown in notes, in every encoding the reader claims
(UTF-8 with and without BOM, UTF-16 with BOM, BOM-less UTF-16LE, cp1252, Latin-1) and any
line ending; giant and very wide files; JSON records (duplicate keys, nesting, non-objects);
and XLSX workbooks with formulas lacking values or a claimed dimension far past their data.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

from hypothesis import strategies as st

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1")
"""Every text encoding the diary reader claims to read."""

MARKUP = (
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "**bold**",
    "<b>bold</b>",
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "# heading",
    "`code`",
)
CELLS = (
    "2024-01-02",
    "13/01/2024",
    "1/2/24",
    "10/7/2026 11:53 PM",
    "2nd Feb 2026",
    "Tue, 5 Mar 2024 02:30",
    "2023-02-29",
    "",
    " ",
    "5",
    "2,5",
    "0:05",
    "mild",
    "L",
    "night",
    '"',
    '"unclosed',
    "=1+1",
    "\u2028",
    "é",
    "x" * 300,
)
HEADERS = (
    "date",
    "Started",
    "time",
    "time of day",
    "Lasted",
    "Pain Level",
    "side",
    "count",
    "notes",
    "k2",
    "category",
    "detail",
    "x",
    "",
)

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
cells = st.one_of(st.sampled_from(CELLS + MARKUP), _text)


def _encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


@st.composite
def delimited(draw: st.DrawFn, max_rows: int = 12, max_cols: int = 8) -> tuple[bytes, str]:
    """A CSV/TSV/TXT diary with ragged rows, stray quotes, formulas and markup."""
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=max_cols))
    rows = draw(st.lists(st.lists(cells, max_size=max_cols + 2), max_size=max_rows))
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    title = draw(st.sampled_from(["", "My cramp log" + newline]))
    text = title + newline.join([delim.join(header)] + [delim.join(r) for r in rows]) + newline
    encoding = draw(st.sampled_from(ENCODINGS))
    name = draw(st.sampled_from(["d.csv", "d.tsv", "d.txt", "d"]))
    return _encode(text, encoding), name


@st.composite
def giant(draw: st.DrawFn) -> tuple[bytes, str]:
    """Many rows (up to ~1.5 MB) or very many columns, repeating one drawn row."""
    if draw(st.booleans()):
        n = draw(st.integers(1_000, 60_000))
        row = draw(st.sampled_from(["2024-01-02,02:30,5,L,calf", "2024-01-02,x,,,", ",,,,"]))
        return ("date,time,pain,side,notes\n" + (row + "\n") * n).encode(), "giant.csv"
    width = draw(st.integers(200, 3_000))
    header = ",".join(["date"] + [f"c{i}" for i in range(width)])
    return (header + "\n" + "2024-01-02" + ",1" * width + "\n").encode(), "wide.csv"


@st.composite
def json_records(draw: st.DrawFn) -> tuple[bytes, str]:
    """JSON lists of records, some with a duplicate key, nesting or non-object items."""
    records = draw(
        st.lists(
            st.one_of(
                st.fixed_dictionaries({"date": cells, "pain": cells, "note": cells}),
                st.just([1, [2, [3]]]),
                st.just("text"),
                st.just(None),
            ),
            max_size=6,
        )
    )
    text = json.dumps(records, indent=draw(st.sampled_from([None, 1])))
    if draw(st.booleans()) and '"pain"' in text:
        text = text.replace('"pain"', '"pain": 1, "pain"', 1)
    return text.encode(), draw(st.sampled_from(["d.json", "d"]))


@st.composite
def workbooks(draw: st.DrawFn) -> tuple[bytes, str]:
    """XLSX with formulas saved without values, markup, and optionally a huge claimed range."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5)))
    for row in draw(st.lists(st.lists(cells, max_size=6), max_size=6)):
        ws.append([_sheet_text(c) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if draw(st.booleans()):
        data = _claim(data, "A1:XFD1048576")
    return data, "d.xlsx"


def _sheet_text(cell: str) -> str:
    """A cell openpyxl can store: control characters dropped, any formula a simple one."""
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", cell)
    return "=1+1" if text.startswith("=") else text


def _claim(data: bytes, ref: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(
                    rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), body
                )
            dst.writestr(info, body)
    return out.getvalue()


def hostile_diaries() -> st.SearchStrategy[tuple[bytes, str]]:
    """Any hostile diary upload: ``(bytes, filename)``."""
    return st.one_of(
        st.tuples(st.binary(max_size=400), st.sampled_from(["a.csv", "a.json", "a.xlsx", "a"])),
        delimited(),
        json_records(),
        workbooks(),
        giant(),
    )
