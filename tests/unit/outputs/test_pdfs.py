"""Both PDFs, read back with pypdf: Unicode prints, every page has its footer, content is there."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from core.consult import evaluate
from core.models import DiarySummary, K2Comparison, PatientProfile, WeeklyPoint
from core.outputs.counselling import CounsellingRefused
from core.outputs.counselling_pdf import counselling_pdf
from core.outputs.report_pdf import report_pdf, weekly_chart_png

DAY = dt.date(2026, 1, 15)
PROFILE = PatientProfile(
    age=72, sex="female", cramps_per_week=3, medications=["Lipitor 20 mg", "metformin"]
)


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _diary() -> DiarySummary:
    weeks = [
        WeeklyPoint(week_start=f"2025-{m:02d}-{d:02d}", episodes=e)
        for (m, d), e in zip(
            [(9, 1), (9, 8), (9, 15), (9, 22), (9, 29), (10, 6), (10, 13), (10, 20)],
            [4, 3, 5, 3, 2, 1, 1, 0],
            strict=True,
        )
    ]
    return DiarySummary(
        rows_read=19,
        episodes=19,
        rows_rejected=0,
        first_date="2025-09-01",
        last_date="2025-10-26",
        weekly=weeks,
        episodes_per_week=2.38,
        k2_comparison=K2Comparison(
            k2_start="2025-09-29",
            before_per_week=3.75,
            after_per_week=1.0,
            rate_ratio=0.27,
            ci95=(0.11, 0.63),
            weeks_before=4.0,
            weeks_after=4.0,
        ),
    )


def _footers(pages: list[str], ruleset: str) -> None:
    n = len(pages)
    for i, text in enumerate(pages, start=1):
        flat = _flat(text)
        assert f"Page {i} of {n}" in flat
        assert "not a substitute for clinical judgement" in flat
        assert ruleset in flat
        assert "2026-01-15" in flat


def test_report_prints_unicode_content_and_footer_on_every_page() -> None:
    rec = evaluate(PROFILE)
    pages = _pages(report_pdf(rec, PROFILE, on=DAY))
    _footers(pages, rec.ruleset_version)
    text = _flat(" ".join(pages))
    for ch in ("µ", "≥", "→"):
        assert ch in text
    assert f"Vitamin K2: {rec.k2.label}" in text
    assert "Lipitor 20 mg -> atorvastatin" in text
    for heading in ("Inputs", "Cautions", "Plan", "Sources"):
        assert heading in text
    assert "Cramp diary" not in text


def test_report_with_a_diary_has_the_chart_and_before_after_beside_the_trial() -> None:
    rec = evaluate(PROFILE)
    data = report_pdf(rec, PROFILE, _diary(), on=DAY)
    pages = _pages(data)
    _footers(pages, rec.ruleset_version)
    text = _flat(" ".join(pages))
    assert "Cramp diary" in text
    assert "0.27 (0.11 to 0.63)" in text
    assert "3.75" in text and "1.00" in text
    assert "2.60" in text and "0.96" in text and "2.71" in text and "3.63" in text
    images = [img for p in PdfReader(io.BytesIO(data)).pages for img in p.images]
    assert images, "the weekly chart is embedded"


def test_weekly_chart_png_is_a_png() -> None:
    assert weekly_chart_png(_diary()).startswith(b"\x89PNG")


def test_a_long_report_numbers_every_page() -> None:
    many = ["Coumadin", "HCTZ 25 mg", "Lasix 40mg", "Lipitor", "Advair Diskus", "Questran"]
    profile = PatientProfile(
        age=80,
        cramps_per_week=5,
        medications=many,
        conditions=["diabetes", "ckd", "cirrhosis"],
        symptoms=["unilateral_swelling", "exertional_calf_pain", "muscle_weakness"],
    )
    rec = evaluate(profile)
    pages = _pages(report_pdf(rec, profile, _diary(), on=DAY))
    assert len(pages) >= 3
    _footers(pages, rec.ruleset_version)


def test_counselling_sheet_is_large_type_with_unicode_and_footer() -> None:
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3))
    data = counselling_pdf(rec, on=DAY)
    pages = _pages(data)
    _footers(pages, rec.ruleset_version)
    text = _flat(" ".join(pages))
    for ch in ("µ", "≥", "→"):
        assert ch in text
    assert "180 µg once a day for 8 weeks" in text
    assert "Call your clinician" in text
    sizes = {float(s) for s in re.findall(rb"/F\d+ ([\d.]+) Tf", _content(data))}
    assert sizes and min(sizes) >= 14


def _content(data: bytes) -> bytes:
    reader = PdfReader(io.BytesIO(data))
    return b"".join(p.get_contents().get_data() for p in reader.pages)  # type: ignore[union-attr]


def test_counselling_refused_without_override_and_printed_with_one() -> None:
    rec = evaluate(PatientProfile(age=75, cramps_per_week=3, medications=["warfarin"]))
    with pytest.raises(CounsellingRefused):
        counselling_pdf(rec, on=DAY)
    reason = "Anticoagulation clinic agreed; INR in 1 week"
    text = _flat(" ".join(_pages(counselling_pdf(rec, override=reason, on=DAY))))
    assert "override on 2026-01-15" in text
    assert reason in text


def test_input_text_prints_as_text() -> None:
    profile = PatientProfile(age=70, medications=["<b>{nb}</b> µ-drug"])
    text = _flat(" ".join(_pages(report_pdf(evaluate(profile), profile, on=DAY))))
    assert "<b>" in text
