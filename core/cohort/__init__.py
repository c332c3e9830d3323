"""The clinic panel (issue #12): many diaries, triage flags, and a pooled before/after ratio.

A decisions-layer package: it reads files with ``core.diary`` and counts with
``core.analytics``; pages, the command line and cluster jobs call the names below.
"""

from core.cohort.collected import MAX_FILES, MAX_TOTAL_BYTES, Collected, DiaryFile
from core.cohort.manifest import match_manifest, read_manifest
from core.cohort.panel import assess_files, assess_one, build_report, k2_starts
from core.cohort.patient import assess_diary, assess_table, read_patient, triage_flags
from core.cohort.pooling import Estimate, dersimonian_laird, estimate_from_ci, pool
from core.cohort.schema import CohortPatient, CohortReport, PooledEstimate, RefusedFile
from core.cohort.sources import collect_dir, collect_path, collect_uploads
from core.cohort.table import RATIO_FILTERS, SORTS, patient_table, select_patients
from core.cohort.texts import FLAG_CODES, flag_labels, pooled_text, texts
from core.cohort.zipped import collect_zip

__all__ = [
    "FLAG_CODES",
    "MAX_FILES",
    "MAX_TOTAL_BYTES",
    "RATIO_FILTERS",
    "SORTS",
    "CohortPatient",
    "CohortReport",
    "Collected",
    "DiaryFile",
    "Estimate",
    "PooledEstimate",
    "RefusedFile",
    "assess_diary",
    "assess_files",
    "assess_one",
    "assess_table",
    "build_report",
    "collect_dir",
    "collect_path",
    "collect_uploads",
    "collect_zip",
    "dersimonian_laird",
    "estimate_from_ci",
    "flag_labels",
    "k2_starts",
    "match_manifest",
    "patient_table",
    "pool",
    "pooled_text",
    "read_manifest",
    "read_patient",
    "select_patients",
    "texts",
    "triage_flags",
]
