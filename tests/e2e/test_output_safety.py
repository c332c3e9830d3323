"""Input shows as text, never as markup, on every page and in every download (real Chromium).

Script tags, an image with an onerror handler, a ``javascript:`` Markdown link, Markdown bold
and a spreadsheet formula go into the medication fields, a FHIR Bundle and a diary's notes.
No script runs, no element is made from them, their text shows as typed, and every CSV
download neutralises a cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest

from core.outputs.safe_csv import FORMULA_START

pytestmark = pytest.mark.e2e

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
LINK = "[x](javascript:alert(1))"
BOLD = "zz **bold** zz"
FORMULA = '=HYPERLINK("http://evil.example/x")'
PAYLOADS = [SCRIPT, IMG, LINK, BOLD, FORMULA]
SHOWN_AS_TYPED = [SCRIPT, IMG, LINK, BOLD]  # the formula's comma-free text is checked apart


def _watch(pg: Any) -> list[str]:
    """Record every dialog (an alert would mean a script ran) and dismiss it."""
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    return dialogs


def _assert_inert(pg: Any, dialogs: list[str], where: str, shown: list[str]) -> None:
    assert dialogs == [], f"{where}: a script ran ({dialogs})"
    assert pg.evaluate("window.__pwned") is None, f"{where}: a script ran"
    assert pg.locator("img[src='x']").count() == 0, f"{where}: an <img> was made from input"
    assert pg.locator("a[href^='javascript']").count() == 0, f"{where}: a javascript: link"
    assert pg.locator("strong", has_text=re.compile(r"^bold$")).count() == 0, f"{where}: bold"
    has_script = "[...document.scripts].some((s) => s.text.includes('__pwned'))"
    assert not pg.evaluate(has_script), f"{where}: a <script> was made from input"
    assert pg.get_by_test_id("stException").count() == 0, where
    text = pg.locator("body").inner_text()
    for payload in shown:
        assert payload in text, f"{where}: {payload!r} is not shown as typed"


def _downloads(pg: Any) -> dict[str, bytes]:
    """Every enabled download button's file on the page (chart images aside), by file name."""
    files: dict[str, bytes] = {}
    buttons = pg.get_by_test_id("stDownloadButton").locator("button")
    buttons.first.wait_for()  # they come at the end of the page's run
    pg.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if not button.is_enabled() or "(PNG)" in button.inner_text():
            continue
        with pg.expect_download() as info:
            button.click()
        download = info.value
        files[download.suggested_filename] = download.path().read_bytes()
    return files


def _check_download(name: str, data: bytes) -> None:
    if name.endswith(".csv"):
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")):
            for cell in row:
                assert not cell.startswith(FORMULA_START) or _is_number(cell), (name, cell)
    elif name.endswith(".json"):
        json.loads(data)  # data, read as data
    elif name.endswith(".pdf"):
        from pypdf import PdfReader

        assert b"/JavaScript" not in data and b"/JS " not in data, name
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                uri = str(annot.get_object().get("/A", {}).get("/URI", ""))
                assert "javascript" not in uri.lower() and "evil.example" not in uri, name
        text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
        if "__pwned" in text:  # printed: literally, markup and all
            assert "<script>window.__pwned=1</script>" in text, name


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_consult_shows_typed_markup_as_text(page: Any, server: str) -> None:
    dialogs = _watch(page)
    page.goto(f"{server}/")
    page.get_by_role("textbox", name="Medications, one a line").fill("\n".join(PAYLOADS))
    page.get_by_role("button", name="Get recommendation").click()
    page.get_by_text("Not recognised").first.wait_for()
    _assert_inert(page, dialogs, "consult", SHOWN_AS_TYPED)
    files = _downloads(page)
    assert files, "the consult offers downloads"
    for name, data in files.items():
        _check_download(name, data)
    _assert_inert(page, dialogs, "consult after downloads", SHOWN_AS_TYPED)


def test_interaction_checker_shows_pasted_and_uploaded_markup_as_text(
    page: Any, server: str
) -> None:
    dialogs = _watch(page)
    page.goto(f"{server}/interactions")
    page.get_by_role("textbox", name="Medication list").fill("\n".join(PAYLOADS))
    statements = [
        {
            "resource": {
                "resourceType": "MedicationStatement",
                "status": "active",
                "medicationCodeableConcept": {"text": f"bundle {p}"},
            }
        }
        for p in PAYLOADS
    ]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": statements}
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="FHIR R4 Bundle")
    uploader.locator("input[type=file]").set_input_files(
        {"name": "b.json", "mimeType": "application/json", "buffer": json.dumps(bundle).encode()}
    )
    uploader.get_by_test_id("stFileChip").wait_for()
    page.get_by_role("button", name="Check interactions").click()
    page.get_by_text("not recognised").first.wait_for()
    _assert_inert(page, dialogs, "interaction checker", SHOWN_AS_TYPED)
    assert f"bundle {SCRIPT}" in page.locator("body").inner_text()
    files = _downloads(page)
    assert files, "the interaction checker offers downloads"
    for name, data in files.items():
        _check_download(name, data)


def _diary_with_markup() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "time", "duration_min", "severity", "side", "notes"])
    notes = [*PAYLOADS, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1"]
    for day, note in enumerate(notes, start=1):
        writer.writerow([f"2024-03-{day:02d}", "03:00", "4", "6", "L", note])
    writer.writerow(['=HYPERLINK("http://evil.example/row")', "03:00", "4", "6", "L", "bad date"])
    return out.getvalue().encode()


def test_diary_notes_stay_text_and_csv_downloads_are_formula_safe(page: Any, server: str) -> None:
    dialogs = _watch(page)
    page.goto(f"{server}/diary")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Diary export")
    uploader.locator("input[type=file]").set_input_files(
        {"name": "markup.csv", "mimeType": "text/csv", "buffer": _diary_with_markup()}
    )
    page.get_by_text("2024-03-01 to 2024-03-09").first.wait_for()
    page.get_by_role("button", name="Cleaned diary (CSV)").wait_for()
    _assert_inert(page, dialogs, "diary", [])
    files = _downloads(page)
    csvs = {n: d for n, d in files.items() if n.endswith(".csv")}
    assert "diary_cleaned.csv" in csvs, sorted(files)
    for name, data in files.items():
        _check_download(name, data)
    cleaned = csvs["diary_cleaned.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK(" in cleaned and "'+1+1" in cleaned and "'@SUM(A1:A9)" in cleaned
    assert SCRIPT in cleaned and BOLD in cleaned  # text kept as typed, not stripped
    _assert_inert(page, dialogs, "diary after downloads", [])


def test_a_typed_url_is_not_made_a_link(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.get_by_role("textbox", name="Medications, one a line").fill(FORMULA)
    page.get_by_role("button", name="Get recommendation").click()
    page.get_by_text("Not recognised").first.wait_for()
    assert page.locator("a[href*='evil.example']").count() == 0
