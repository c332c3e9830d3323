"""The consult page in Streamlit's AppTest: fill the form, submit, read what is shown."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.models import ConditionCode, SymptomCode
from core.texts import text

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "consult.py")


def fresh() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def submit(at: AppTest) -> AppTest:
    at.button[0].click().run()
    assert not at.exception
    return at


def shown(at: AppTest) -> str:
    parts = [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    parts += [m.value for m in at.markdown]
    return "\n".join(str(p) for p in parts)


def test_disclaimer_is_on_the_page_itself() -> None:
    at = fresh()
    assert any("not a substitute for clinical judgement" in c.value for c in at.caption)


def test_warfarin_patient_gets_consult_prescriber_and_a_major_caution() -> None:
    at = fresh()
    at.number_input(key="age").set_value(78)
    at.number_input(key="cramps_per_week").set_value(3.0)
    at.text_area(key="medications_text").input("Coumadin 5 mg daily\nLipitor 20 mg po qhs")
    submit(at)
    errors = [e.value for e in at.error]
    assert any("Talk to the anticoagulation prescriber first" in e for e in errors)
    assert any("Major" in e and "warfarin" in e.lower() for e in errors)
    assert "Statin" in shown(at)
    assert not at.success  # never "worth considering" on a VKA


def test_trial_like_patient_gets_consider() -> None:
    at = fresh()
    at.number_input(key="age").set_value(72)
    at.number_input(key="cramps_per_week").set_value(2.5)
    submit(at)
    assert any("Worth considering" in s.value for s in at.success)
    assert "180 µg once daily for 8 weeks" in shown(at)


def test_red_flag_and_restless_legs_are_shown_before_k2() -> None:
    at = fresh()
    at.multiselect(key="symptoms").set_value(
        [
            SymptomCode.unilateral_swelling,
            SymptomCode.urge_to_move,
            SymptomCode.worse_at_rest,
            SymptomCode.relieved_by_movement,
            SymptomCode.worse_in_evening,
        ]
    )
    at.multiselect(key="conditions").set_value([ConditionCode.diabetes])
    submit(at)
    text = shown(at)
    assert "Evaluate first" in text
    assert "Possible deep-vein thrombosis" in text
    assert "Restless legs syndrome" in text


def test_unresolved_medication_is_a_warning_and_text_stays_text() -> None:
    at = fresh()
    at.text_area(key="medications_text").input("![x](http://example.invalid/t.png)")
    submit(at)
    warnings = [w.value for w in at.warning]
    assert any("not recognised" in w for w in warnings)
    assert all("](http" not in w for w in warnings)  # escaped: no link or image markup


def test_input_survives_a_submit() -> None:
    at = fresh()
    at.text_area(key="medications_text").input("HCTZ 25mg")
    at.number_input(key="age").set_value(66)
    submit(at)
    assert at.text_area(key="medications_text").value == "HCTZ 25mg"
    assert at.number_input(key="age").value == 66
    assert "Outside the trial population" in shown(at)


def test_router_shows_the_consult_first() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("Consult" in t.value for t in at.title)


def k2_status(at: AppTest) -> str:
    """The text of the K2 status box (one per result)."""
    boxes = [e.value for e in (*at.error, *at.warning, *at.info, *at.success)]
    found = [str(b) for b in boxes if "Vitamin K2:" in str(b)]
    assert len(found) == 1, found
    return found[0]


def note(at: AppTest) -> str:
    """The hand-off note for the record, as the page shows it."""
    return "\n".join(str(c.value) for c in at.code)


def uncertain_vka(at: AppTest, meds: str = "Coumadine\nLipitor 20 mg") -> AppTest:
    at.number_input(key="age").set_value(72)
    at.number_input(key="cramps_per_week").set_value(3.0)
    at.text_area(key="medications_text").input(meds)
    return submit(at)


def click(at: AppTest, label: str) -> AppTest:
    labels = [b.label for b in at.button]
    assert label in labels, labels
    at.button[labels.index(label)].click().run()
    assert not at.exception
    return at


def vka_caution_shown(at: AppTest) -> bool:
    return any("Major" in e.value and "warfarin" in e.value.lower() for e in at.error)


def test_a_fuzzy_vka_is_treated_as_one_and_the_page_asks_to_settle_it() -> None:
    at = uncertain_vka(fresh())
    assert "`consult_prescriber`" in k2_status(at)
    assert "Names to check" in [s.value for s in at.subheader]
    labels = [b.label for b in at.button]
    assert "Confirm Coumadin" in labels and "None of these" in labels


def test_confirming_a_fuzzy_vka_keeps_consult_prescriber_and_the_vka_caution() -> None:
    at = click(uncertain_vka(fresh()), "Confirm Coumadin")
    assert "`consult_prescriber`" in k2_status(at)
    assert [t.value for t in at.toast] == [
        "Recomputed. Vitamin K2: Talk to the anticoagulation prescriber first"
    ]
    assert vka_caution_shown(at)
    assert "Confirm Coumadin" not in [b.label for b in at.button]
    assert any("confirmed by the user as Coumadin" in c.value for c in at.caption)
    assert "Coumadine -> warfarin" in note(at)  # the hand-off gets the settled recommendation
    assert at.text_area(key="medications_text").value == "Coumadine\nLipitor 20 mg"
    assert at.number_input(key="age").value == 72


def test_rejecting_a_fuzzy_vka_drops_the_vka_caution_and_asks_for_the_name() -> None:
    at = click(uncertain_vka(fresh()), "None of these")
    status = k2_status(at)
    assert "`check_medications`" in status
    assert "Coumadine" in status
    assert not vka_caution_shown(at)
    assert "anticoagulation prescriber" not in status.lower()
    assert "warfarin" not in note(at).lower()
    assert "Coumadine -> NOT RECOGNISED" in note(at)
    assert "Statin" in shown(at)  # the other entry is untouched
    assert text("medication.correct_in_form") in shown(at)
    assert not [b for b in at.button if b.label in ("Confirm Coumadin", "None of these")]


def test_an_unknown_name_gives_check_medications_naming_it() -> None:
    at = uncertain_vka(fresh(), "Blorptax 5 mg")
    status = k2_status(at)
    assert "`check_medications`" in status
    assert "Blorptax 5 mg" in status
    assert text("medication.correct_in_form") in shown(at)
    assert not [b for b in at.button if b.label.startswith("Confirm ")]


def test_a_new_submit_forgets_the_earlier_answers() -> None:
    at = click(uncertain_vka(fresh()), "None of these")
    submit(at)
    assert "`consult_prescriber`" in k2_status(at)
    assert "Confirm Coumadin" in [b.label for b in at.button]
