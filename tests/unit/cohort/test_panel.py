"""A generated clinic panel with known effects: per-patient figures, flags, refusals, pool."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from core.cohort import (
    CohortReport,
    DiaryFile,
    assess_diary,
    build_report,
    collect_uploads,
    patient_table,
    select_patients,
)
from core.errors import InputError
from tests.unit.cohort.factory import START, nightly_diary

Z_EXACT = 1.959963984540054
# name -> (cramps before, cramps after) over 56 nights each side
KNOWN = {
    "improving_a.csv": (28, 8),
    "improving_b.csv": (40, 12),
    "improving_c.csv": (20, 10),
    "unchanged.csv": (30, 30),
    "worse.csv": (14, 35),
}


def panel() -> CohortReport:
    uploads = [(name, nightly_diary(b, a)) for name, (b, a) in KNOWN.items()]
    uploads.append(("broken.csv", b"\x00\x01\x02 not a diary"))
    uploads.append(("scan.pdf", b"%PDF-1.4 ..."))
    return build_report(collect_uploads(uploads), workers=1)


def hand_pooled() -> tuple[float, float, float, float, float]:
    """The pooled ratio, its CI, I² and τ², computed here from the generation parameters."""
    y, v = [], []
    for before, after in KNOWN.values():
        rr = (after / 56) / (before / 56)
        se = math.sqrt(1 / after + 1 / before)
        lo = round(math.exp(math.log(rr) - Z_EXACT * se), 4)  # as the JSON reports them
        hi = round(math.exp(math.log(rr) + Z_EXACT * se), 4)
        y.append(math.log(round(rr, 4)))
        v.append(((math.log(hi) - math.log(lo)) / (2 * 1.96)) ** 2)
    ya, va = np.array(y), np.array(v)
    w = 1 / va
    fixed = (w * ya).sum() / w.sum()
    q = (w * (ya - fixed) ** 2).sum()
    df = len(ya) - 1
    tau2 = max(0.0, (q - df) / (w.sum() - (w**2).sum() / w.sum()))
    ws = 1 / (va + tau2)
    mu = (ws * ya).sum() / ws.sum()
    se_mu = math.sqrt(1 / ws.sum())
    i2 = max(0.0, (q - df) / q) * 100
    return (
        math.exp(mu),
        math.exp(mu - 1.96 * se_mu),
        math.exp(mu + 1.96 * se_mu),
        i2,
        tau2,
    )


def test_each_patient_has_its_known_rate_ratio() -> None:
    report = panel()
    assert [p.file for p in report.patients] == list(KNOWN)
    for p in report.patients:
        before, after = KNOWN[p.file]
        k2 = p.summary.k2_comparison
        assert k2 is not None
        assert k2.k2_start == (START + dt.timedelta(days=56)).isoformat()
        assert k2.rate_ratio == pytest.approx(after / before, abs=1e-4)
        assert k2.weeks_before == k2.weeks_after == 8


def test_the_pooled_estimate_matches_the_hand_computation() -> None:
    pooled = panel().pooled
    assert pooled is not None
    rr, lo, hi, i2, tau2 = hand_pooled()
    assert pooled.patients == len(KNOWN)
    assert pooled.rate_ratio == pytest.approx(rr, abs=1e-4)
    assert pooled.ci95[0] == pytest.approx(lo, abs=1e-4)
    assert pooled.ci95[1] == pytest.approx(hi, abs=1e-4)
    assert pooled.i2 == pytest.approx(i2, abs=0.01)
    assert pooled.tau2 == pytest.approx(tau2, abs=1e-6)
    assert pooled.i2 > 50  # one patient got worse: the panel disagrees
    assert pooled.rate_ratio < 1


def test_flags_and_refusals() -> None:
    report = panel()
    flags = {p.file: p.flags for p in report.patients}
    assert flags["worse.csv"] == ["cramps_rising"]
    assert flags["improving_a.csv"] == []
    assert flags["unchanged.csv"] == []  # a ratio of exactly 1 is not rising
    refused = {r.file: r.error for r in report.refused}
    assert set(refused) == {"broken.csv", "scan.pdf"}
    assert "binary" in refused["broken.csv"]
    assert ".pdf" in refused["scan.pdf"]


def test_short_sides_gaps_rows_set_aside_and_missing_k2_are_flagged() -> None:
    short = assess_diary(nightly_diary(6, 4, nights_before=10, nights_after=7), "short.csv")
    assert short.flags == ["short_before", "short_after"]
    gap = assess_diary(nightly_diary(20, 10, skip=range(60, 90)), "gap.csv")
    assert gap.flags == ["logging_gap"]
    almost = assess_diary(nightly_diary(20, 10, skip=range(60, 86)), "almost.csv")
    assert almost.flags == []  # 26 days without a row: under the 28-day threshold
    messy = nightly_diary(20, 10) + b"not a date,3,yes\n"
    set_aside = assess_diary(messy, "messy.csv")
    assert set_aside.flags == ["rows_set_aside"]
    assert set_aside.summary.rows_rejected == 1
    no_k2 = assess_diary(nightly_diary(20, 10, k2_column=False), "nok2.csv")
    assert no_k2.flags == ["no_k2_start"]
    assert no_k2.summary.k2_comparison is None
    late = assess_diary(nightly_diary(20, 10), "late.csv", k2_start=dt.date(2023, 6, 1))
    assert late.flags == ["no_comparison"]


def test_a_manifest_sets_the_k2_start_and_a_blank_keeps_the_files() -> None:
    uploads = [
        ("a.csv", nightly_diary(20, 10, k2_column=False)),
        ("b.csv", nightly_diary(20, 10)),
        ("manifest.csv", b"file,k2_start\na.csv,2024-01-29\nb.csv,\n"),
    ]
    report = build_report(collect_uploads(uploads), workers=1)
    starts = {p.file: p.summary.k2_comparison for p in report.patients}
    assert starts["a.csv"] is not None and starts["a.csv"].k2_start == "2024-01-29"
    assert starts["b.csv"] is not None and starts["b.csv"].k2_start == "2024-02-26"


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (b"file,k2_start\nnobody.csv,2024-01-01\n", "line 2: no diary named 'nobody.csv'"),
        (b"file,k2_start\na.csv,01/02/2024\n", "line 2, column k2_start"),
        (b"file,k2_start\na.csv,2024-01-01\na.csv,2024-01-02\n", "line 3"),
        (b"name,start\na.csv,2024-01-01\n", "no file or k2_start column"),
    ],
)
def test_a_bad_manifest_is_refused_naming_its_line(manifest: bytes, message: str) -> None:
    collected = collect_uploads([("a.csv", nightly_diary(20, 10))])
    with pytest.raises(InputError) as err:
        build_report(collected, DiaryFile("clinic.csv", manifest), workers=1)
    assert message in str(err.value)
    assert "clinic.csv" in str(err.value)


def test_forked_workers_give_the_same_report() -> None:
    uploads = [(f"p{i:03d}.csv", nightly_diary(20 + i % 7, 5 + i % 11)) for i in range(70)]
    uploads.append(("broken.csv", b"\x00 binary"))
    collected = collect_uploads(uploads)
    forked = build_report(collected, workers=2)
    assert forked == build_report(collected, workers=1)
    assert [r.file for r in forked.refused] == ["broken.csv"]


def test_the_table_filters_by_flag_and_ratio_and_sorts_for_triage() -> None:
    report = panel()
    order = [p.file for p in select_patients(report.patients)]
    assert order[0] == "worse.csv"  # flagged first
    rising = select_patients(report.patients, flags=["cramps_rising"])
    assert [p.file for p in rising] == ["worse.csv"]
    below = select_patients(report.patients, ratio="below_1", sort="ratio_low")
    assert [p.file for p in below] == ["improving_a.csv", "improving_b.csv", "improving_c.csv"]
    high = select_patients(report.patients, ratio="1_or_above", sort="ratio_high")
    assert [p.file for p in high] == ["worse.csv", "unchanged.csv"]
    table = patient_table(rising)
    assert table.loc[0, "Flags"] == "Cramps rising since K2"
    assert table.loc[0, "Rate ratio"] == pytest.approx(2.5)


def test_two_panels_built_at_once_never_mix_their_files() -> None:
    from concurrent.futures import ThreadPoolExecutor

    def run(prefix: str, before: int) -> CohortReport:
        uploads = [(f"{prefix}{i:03d}.csv", nightly_diary(before, 10)) for i in range(20)]
        return build_report(collect_uploads(uploads), workers=2)

    with ThreadPoolExecutor(2) as threads:
        a, b = threads.map(run, ["a", "b"], [20, 40])
    assert {p.file[0] for p in a.patients} == {"a"}
    assert {p.file[0] for p in b.patients} == {"b"}
    assert {p.summary.episodes for p in a.patients} == {30}
    assert {p.summary.episodes for p in b.patients} == {50}
