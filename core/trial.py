"""Figures of the vitamin K2 trial (Tan et al., JAMA Intern Med 2024; evidence id tan2024).

One place for the numbers the rules, models, analytics and charts quote, so they cannot
drift apart. Source: shared/evidence.md, section 1.
"""

from typing import Final

EVIDENCE_ID: Final = "tan2024"
DOSE_MCG: Final = 180
FORM: Final = "menaquinone-7 (MK-7)"
WEEKS: Final = 8
MIN_AGE: Final = 65
K2_BASELINE: Final = 2.60
K2_DURING: Final = 0.96
PLACEBO_BASELINE: Final = 2.71
PLACEBO_DURING: Final = 3.63
