"""Clinic panel: many patients' cramp diaries at once, their flags, and what K2 did across them.

A thin page: reading, flags, pooling, the table's order and the charts all live in ``core``;
this file asks (files or one ZIP, an optional manifest, filters), calls and shows. Uploads
stay in memory: results are held in this browser session's state only, nothing is written
to disk or logged, and file names and values are shown as text, never as Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

import ui
from core.cohort import (
    MAX_FILES,
    MAX_TOTAL_BYTES,
    RATIO_FILTERS,
    SORTS,
    CohortPatient,
    CohortReport,
    Collected,
    DiaryFile,
    build_report,
    collect_uploads,
    flag_labels,
    patient_table,
    pooled_text,
    read_patient,
    select_patients,
    texts,
)
from core.cohort.table import RatioFilter, SortKey
from core.diary import SUPPORTED_TYPES
from core.errors import InputError
from core.outputs import diary_text
from core.outputs.diary_view import DiaryView, build_diary_view
from core.outputs.forest import forest_spec

TABLE_KEY = "panel_rows"
PANEL_KEY = "panel_data"
OPEN_KEY = "panel_open"
SHOWN_KEY = "panel_shown"


@dataclass(frozen=True)
class Panel:
    """One upload's files (in memory) and its report, held for this session only."""

    collected: Collected
    report: CohortReport


def load_panel(key: str, uploads: list[UploadedFile], manifest: UploadedFile | None) -> Panel:
    """Collect, read, flag and pool the uploads once (raises InputError).

    Held in this session's state, not in a cache: nothing is pickled, copied or shared,
    and a new upload replaces the last one.
    """
    held = st.session_state.get(PANEL_KEY)
    if held is not None and held[0] == key:
        return cast(Panel, held[1])
    st.session_state.pop(PANEL_KEY, None)
    with st.spinner("Reading the diaries…"):
        collected = collect_uploads([(u.name, u.getvalue()) for u in uploads])
        extra = DiaryFile(manifest.name, manifest.getvalue()) if manifest else None
        panel = Panel(collected, build_report(collected, extra))
    st.session_state[PANEL_KEY] = (key, panel)
    return panel


@st.cache_data(scope="session", show_spinner=False, max_entries=8)
def forest(key: str, files: tuple[str, ...], _panel: Panel) -> dict[str, Any]:
    """The forest plot's spec for the patients shown (aggregates only)."""
    shown = set(files)
    patients = [p for p in _panel.report.patients if p.file in shown]
    return forest_spec(patients, _panel.report.pooled)


@st.cache_data(scope="session", show_spinner="Opening the diary…", max_entries=4)
def patient_view(key: str, name: str, k2_start: dt.date | None, _panel: Panel) -> DiaryView:
    """One patient's diary view, as on the diary page."""
    data = next(f.data for f in _panel.collected.files if f.name == name)
    return build_diary_view(read_patient(data, name), k2_start)


def ask_files() -> tuple[str, list[UploadedFile], UploadedFile | None] | None:
    """(key, uploaded files, manifest) once something is uploaded; None before."""
    left, right = st.columns([3, 2])
    uploads = left.file_uploader(
        "Diary files, one per patient, or one ZIP of them",
        type=[*SUPPORTED_TYPES, "zip"],
        accept_multiple_files=True,
        key="panel_files",
        help=f"Each file is one patient, named by its file name. At most {MAX_FILES} files "
        f"and {MAX_TOTAL_BYTES // (1024 * 1024)} MB in all; this server takes up to "
        f"{st.get_option('server.maxUploadSize')} MB per uploaded file (a ZIP included). "
        "Read in memory for this session only; never saved or logged.",
    )
    manifest = right.file_uploader(
        "Manifest (optional): CSV with columns file,k2_start",
        type=["csv"],
        key="panel_manifest",
        help="The K2 start of each file as YYYY-MM-DD. Without it, or where a date is blank, "
        "the K2 start comes from the diary's supplement column. A manifest.csv inside the "
        "ZIP works too.",
    )
    if not uploads:
        return None
    ids = [u.file_id for u in uploads] + ([manifest.file_id] if manifest else [])
    return "|".join(ids), list(uploads), manifest


def show_overview(report: CohortReport) -> None:
    """Counts, the pooled estimate in words, and its caveats."""
    compared = sum(p.summary.k2_comparison is not None for p in report.patients)
    cols = st.columns(4)
    cols[0].metric("Patients read", f"{len(report.patients):,}")
    cols[1].metric("Files refused", f"{len(report.refused):,}")
    cols[2].metric("With a before/after comparison", f"{compared:,}")
    pooled = report.pooled
    cols[3].metric("Pooled rate ratio", f"{pooled.rate_ratio:.2f}" if pooled else "—")
    st.subheader("Across the panel")
    for line in pooled_text(pooled):
        st.write(line)
    with st.expander("Caveats: what a panel of diaries cannot show", expanded=True):
        for caveat in texts().caveats:
            st.markdown(f"- {caveat.text}")
    st.download_button(
        "Panel (JSON, as python -m core cohort prints it)",
        data=lambda: report.model_dump_json(indent=2),
        file_name="panel.json",
        mime="application/json",
        on_click="ignore",
        key="panel_json",
    )
    if report.refused:
        with st.expander(f"{len(report.refused):,} files not read", expanded=True):
            refused = {
                "File": [r.file for r in report.refused],
                "Why": [r.error for r in report.refused],
            }
            st.dataframe(refused, hide_index=True)


def ask_filters() -> tuple[list[str], RatioFilter, SortKey]:
    """Flags to show, the rate-ratio filter and the sort order."""
    labels = flag_labels()
    cols = st.columns([3, 2, 2])
    flags = cols[0].multiselect(
        "Show patients with any of these flags (all when empty)",
        list(labels),
        format_func=lambda c: labels[c],
        key="panel_flags",
    )
    ratio = cols[1].selectbox(
        "Rate ratio", list(RATIO_FILTERS), format_func=RATIO_FILTERS.__getitem__, key="panel_rr"
    )
    sort = cols[2].selectbox(
        "Sort by", list(SORTS), format_func=SORTS.__getitem__, key="panel_sort"
    )
    return flags, cast(RatioFilter, ratio), cast(SortKey, sort)


def show_patients(key: str, panel: Panel) -> CohortPatient | None:
    """The forest plot and the table of the patients shown; the patient picked, if any."""
    flags, ratio, sort = ask_filters()
    shown = select_patients(panel.report.patients, flags=flags, ratio=ratio, sort=sort)
    st.caption(f"{len(shown):,} of {len(panel.report.patients):,} patients shown.")
    if any(p.summary.k2_comparison for p in shown):
        st.vega_lite_chart(forest(key, tuple(p.file for p in shown), panel), width="stretch")
    with st.expander("What the flags mean"):
        for f in texts().flags:
            st.markdown(f"- **{f.label}**: {f.description}")
    names = [p.file for p in shown]
    st.session_state[SHOWN_KEY] = names
    st.dataframe(
        patient_table(shown),
        hide_index=True,
        on_select=_row_picked,
        selection_mode="single-row",
        key=TABLE_KEY,
    )
    if st.session_state.get(OPEN_KEY) not in names:
        st.session_state.pop(OPEN_KEY, None)  # filtered out: nothing open
    choice = st.selectbox(
        "Open a patient's diary (or click a row in the table)",
        names,
        index=None,
        key=OPEN_KEY,
        placeholder="Pick a patient",
    )
    return next((p for p in shown if p.file == choice), None)


def _row_picked() -> None:
    """A click on a table row opens that patient, through the same box as picking by name."""
    rows = st.session_state[TABLE_KEY].selection.rows
    names = st.session_state.get(SHOWN_KEY, [])
    if rows and rows[0] < len(names):
        st.session_state[OPEN_KEY] = names[rows[0]]


def show_patient(key: str, panel: Panel, patient: CohortPatient) -> None:
    """That patient's diary view: headline numbers, the K2 reading and the charts."""
    st.subheader("Diary: " + ui.md_escape(patient.file))
    k2 = patient.summary.k2_comparison
    start = dt.date.fromisoformat(k2.k2_start) if k2 else None
    try:
        view = patient_view(key, patient.file, start, panel)
    except InputError as exc:
        st.error(ui.md_escape(exc.message))
        return
    s = view.summary
    cols = st.columns(4)
    cols[0].metric("Cramps", f"{s.episodes:,}")
    cols[1].metric("Per week", f"{s.episodes_per_week:.1f}")
    cols[2].metric("Weeks observed", f"{view.weeks_observed:.1f}")
    cols[3].metric("Rows set aside", f"{s.rows_rejected:,}")
    if view.k2 is not None:
        st.write(diary_text.reading(view.k2))
    else:
        st.info("No K2 start for this patient, so no before/after comparison.")
    for chart in view.charts:
        st.vega_lite_chart(chart.spec, width="stretch")
    st.caption(
        "For the column mapping, rows set aside and downloads, open this file on the "
        "Cramp diary page."
    )


def main() -> None:
    """Page body."""
    ui.disclaimer()
    st.title("Clinic panel")
    st.caption(
        "Drop your patients' cramp diaries (or one ZIP) to see each patient's change since "
        "vitamin K2 (MK-7) started, who to call back, and a pooled estimate beside the trial."
    )
    asked = ask_files()
    if asked is None:
        st.session_state.pop(PANEL_KEY, None)
        st.info("Upload diary files, one per patient, or one ZIP of them.")
        return
    key, uploads, manifest = asked
    try:
        panel = load_panel(key, uploads, manifest)
    except InputError as exc:
        st.error("These files cannot be read as a panel: " + ui.md_escape(str(exc)))
        return
    show_overview(panel.report)
    if not panel.report.patients:
        st.error("No diary could be read; see the files not read above.")
        return
    st.subheader("Patients")
    patient = show_patients(key, panel)
    if patient is not None:
        show_patient(key, panel, patient)


main()
