"""The diary's reading, trial comparison and caveats: the exact words for fixed results.

The expected strings are the output of the hard-coded wording in ``core.analytics`` before it
moved into data (``core/data/diary_texts.json``); the move must not change a byte.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.analytics import K2Result
from core.outputs import diary_text

GENERAL = [
    "One diary is not a trial. Treatment is often started when cramps are at their worst, and "
    "counts then tend to fall anyway (regression to the mean).",
    "The trial's placebo arm did not stay level: it rose from 2.71 to 3.63 cramps a week "
    "(tan2024). A before/after diary has no control group, so it cannot separate K2 from such "
    "changes.",
    "The trial enrolled community-dwelling adults aged 65 or over in China and excluded diuretic "
    "and vitamin K antagonist users (tan2024); it was one 8-week trial without independent "
    "replication.",
    "The 95% interval assumes cramps occur independently at a steady rate (Poisson); cramps that "
    "come in clusters make the real uncertainty wider.",
]
SHORT = "the trial measured cramps over 8 weeks of MK-7 (tan2024)."
CORRECTED = (
    "One side of the K2 start has no cramps, so 0.5 was added to both counts (continuity "
    "correction) to compute the ratio and its interval."
)

CASES = [
    (
        K2Result(dt.date(2024, 2, 1), False, "the diary ends on 2024-01-20, before the K2 start"),
        "No before/after comparison: the diary ends on 2024-01-20, before the K2 start.",
        [],
    ),
    (
        K2Result(dt.date(2024, 1, 29), True, "", 36, 8, 28, 56, 9.0, 1.0, 0.1111, 0.0519, 0.2378),
        "9.0 → 1.0 cramps a week since K2 (started 2024-01-29), rate ratio 0.11 (0.05–0.24); "
        "4.0 weeks before, 8.0 weeks after. Fewer cramps since K2 than before, beyond what "
        "chance alone would explain.",
        [],
    ),
    (
        K2Result(dt.date(2024, 3, 4), True, "", 4, 30, 63, 35, 0.4444, 6.0, 13.5, 4.7419, 38.43),
        "0.4 → 6.0 cramps a week since K2 (started 2024-03-04), rate ratio 13.50 (4.74–38.43); "
        "9.0 weeks before, 5.0 weeks after. More cramps since K2 than before, beyond what chance "
        "alone would explain.",
        [f"Only 5.0 weeks on K2 are in the diary; {SHORT}"],
    ),
    (
        K2Result(
            dt.date(2024, 1, 10), True, "", 6, 0, 9, 11, 4.6667, 0.0, 0.0629, 0.0035, 1.13, True
        ),
        "4.7 → 0.0 cramps a week since K2 (started 2024-01-10), rate ratio 0.06 (0.00–1.13); "
        "1.3 weeks before, 1.6 weeks after. The diary cannot tell this change from chance (the "
        "interval includes 1).",
        [f"Only 1.6 weeks on K2 are in the diary; {SHORT}", CORRECTED],
    ),
    (
        K2Result(dt.date(2024, 1, 15), True, "", 0, 9, 70, 70, 0.0, 0.9, 19.0, 1.1, 330.0, True),
        "0.0 → 0.9 cramps a week since K2 (started 2024-01-15), rate ratio 19.00 (1.10–330.00); "
        "10.0 weeks before, 10.0 weeks after. More cramps since K2 than before, beyond what "
        "chance alone would explain.",
        [CORRECTED],
    ),
]


@pytest.mark.parametrize(("result", "reading", "notes"), CASES)
def test_the_words_for_a_result_are_unchanged(
    result: K2Result, reading: str, notes: list[str]
) -> None:
    assert diary_text.reading(result) == reading
    assert diary_text.caveats(result) == [*GENERAL, *notes]


def test_without_a_comparison_only_the_general_caveats_show() -> None:
    assert diary_text.caveats(None) == GENERAL


def test_the_trial_comparison_is_unchanged() -> None:
    assert diary_text.trial_comparison_text() == (
        "In the trial (tan2024), cramps went from 2.60 to 0.96 a week on MK-7 180 µg daily for 8 "
        "weeks, and from 2.71 to 3.63 a week on placebo (×0.37 and ×1.34, computed from the arm "
        "means; not rate ratios reported by the trial)."
    )
