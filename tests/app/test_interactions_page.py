"""AppTest of pages/interactions.py: paste or upload, check, confirm, and what is shown."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "pages" / "interactions.py"
FIXTURES = ROOT / "tests" / "fixtures" / "fhir"


def _page() -> AppTest:
    # AppTest resolves a relative path against this file, so the page is given absolutely.
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.run()
    assert not at.exception
    return at


def _submit(at: AppTest, text: str) -> AppTest:
    at.text_area(key="ix_text").input(text)
    at.button[0].click()
    at.run()
    assert not at.exception
    return at


def _button(at: AppTest, label: str) -> int:
    labels = [b.label for b in at.button]
    assert label in labels, labels
    return labels.index(label)


def test_the_disclaimer_comes_first_and_nothing_is_shown_before_a_submit() -> None:
    at = _page()
    assert at.main[0].type == "caption"
    assert "Decision support for clinicians" in at.caption[0].value
    assert not at.error
    assert not at.warning


def test_a_messy_list_shows_the_vka_caution_as_an_error_first() -> None:
    at = _submit(
        _page(),
        "Medications:\n1. Coumadin 5 mg po daily\n- Lipitor 20mg qhs; ASA 81 EC, "
        "lisinopril/HCTZ 20/12.5\nxyzzy",
    )
    assert (at.text_area(key="ix_text").value or "").startswith("Medications:")
    errors = [e.value for e in at.error]
    assert errors
    assert "Major: Vitamin K antagonist" in errors[0]
    assert "**Applies to:** Coumadin 5 mg po daily \\(warfarin\\)" in errors[0]
    infos = [i.value for i in at.info]
    assert any("Minor: Antiplatelet" in i for i in infos)
    texts = [t.value for t in at.text]
    assert "Lipitor 20mg qhs → atorvastatin (statin, C10AA05)" in texts
    assert any(t.startswith("lisinopril/HCTZ 20/12.5 → lisinopril") for t in texts)
    warnings = [w.value for w in at.warning]
    assert any("xyzzy: not recognised: no caution can be given" in w for w in warnings)
    labels = [getattr(d, "label", "") for d in at.get("download_button")]
    assert "Download counselling text (.txt)" in labels
    assert "Download report (JSON)" in labels


def test_a_fuzzy_vka_is_treated_as_a_vka_until_confirmed_then_confirmed() -> None:
    at = _submit(_page(), "Coumadine 5 mg")
    assert "Major: Vitamin K antagonist" in at.error[0].value
    assert any("Did you mean Coumadin" in w.value for w in at.warning)
    at.button[_button(at, "Confirm Coumadin")].click()
    at.run()
    assert not at.exception
    assert "Major: Vitamin K antagonist" in at.error[0].value
    assert any("confirmed by the user as Coumadin" in t.value for t in at.text)
    assert "Confirm Coumadin" not in [b.label for b in at.button]


def test_rejecting_a_fuzzy_vka_drops_the_caution_and_warns_not_recognised() -> None:
    at = _submit(_page(), "Coumadine 5 mg")
    at.button[_button(at, "None of these")].click()
    at.run()
    assert not at.exception
    assert not at.error
    assert any("not recognised: no caution can be given" in w.value for w in at.warning)


def test_an_ambiguous_name_offers_both_lookalikes_and_confirms_the_chosen_one() -> None:
    at = _submit(_page(), "Cerebrex")
    assert any("not recognised" in w.value for w in at.warning)
    at.button[_button(at, "Confirm Cerebyx")].click()
    at.run()
    assert not at.exception
    assert any(t.value.startswith("Cerebrex → fosphenytoin") for t in at.text)


def test_user_text_is_never_live_markdown() -> None:
    at = _submit(_page(), "zz **bold** [link](http://example.invalid) :red[x]")
    warnings = " ".join(w.value for w in at.warning)
    assert "\\*\\*bold\\*\\*" in warnings
    assert "\\[link\\]" in warnings
    assert "\\:red\\[x\\]" in warnings


def test_a_fhir_bundle_upload_shows_cautions_and_not_current_statements() -> None:
    at = _page()
    data = (FIXTURES / "searchset_bundle.json").read_bytes()
    at.file_uploader(key="ix_file").upload("bundle.json", data, "application/json")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert "Major: Vitamin K antagonist" in at.error[0].value
    assert "Not current (from the FHIR Bundle)" in [h.value for h in at.subheader]
    assert any("quinine sulfate 324 mg at night → quinine" in t.value for t in at.text)
    # The stopped quinine triggers nothing.
    assert not any("Quinine for leg cramps" in e.value for e in at.error)


def test_a_bad_upload_shows_the_input_error_not_a_traceback() -> None:
    at = _page()
    data = (FIXTURES / "not_a_bundle.json").read_bytes()
    at.file_uploader(key="ix_file").upload("statement.json", data, "application/json")
    at.button[0].click()
    at.run()
    assert not at.exception
    (error,) = at.error
    assert "resourceType is" in error.value
    assert "MedicationStatement" in error.value


def test_a_list_over_the_cap_is_refused_with_its_count_and_the_text_is_kept() -> None:
    text = "\n".join(f"warfarin {i} mg" for i in range(501))
    at = _submit(_page(), text)
    shown = " ".join(e.value for e in at.error)
    assert "501 medications" in shown and "at most 500" in shown
    assert at.text_area(key="ix_text").value == text
    assert not any("Vitamin K antagonist" in str(e.value) for e in at.markdown)
