"""The consult page in Streamlit's AppTest: fill the form, submit, read what is shown."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.models import ConditionCode, SymptomCode

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
