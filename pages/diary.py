"""Cramp diary: upload the patient's export and see whether cramps fell after K2.

A thin page: reading, validation, analytics and charts all live in ``core``; this file
only asks (file, date order, column mapping, K2 start), calls and shows. Uploaded bytes
stay in memory: parsed results are cached per browser session only, nothing is written
to disk or logged, and text from the file is shown in tables or plain text, never as
Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pandas as pd
import streamlit as st

import ui
from core import analytics
from core.diary import (
    FIELD_LABELS,
    FIELDS,
    SUPPORTED_TYPES,
    AmbiguousDatesError,
    DateOrder,
    DiaryTable,
    MissingColumnsError,
    cleaned_frame,
    read_diary,
    readable_errors,
)
from core.errors import InputError
from core.evidence import catalogue
from core.outputs import charts, diary_text
from core.outputs.diary_view import DiaryView, build_diary_view
from core.outputs.safe_csv import safe_csv
from ui import styles

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"
SAMPLES: dict[str, str] = {
    "episodes_iso_k2.csv": "One row per cramp, ISO dates, K2 column",
    "eu_semicolon_words.csv": "EU dates, semicolons, decimal commas, words",
    "us_dates.csv": "US dates, 12-hour times, two bad rows",
    "nightly_counts.csv": "One row per night with a count",
    "tracker_long.csv": "Symptom-tracker long export",
    "spreadsheet.xlsx": "Excel workbook",
    "app_export.json": "App export (JSON records)",
    "tracker_started_lasted.csv": "Tracker app: Started, Lasted (h:mm), Pain Level",
    "tracker_ordinal_buckets.csv": "Long tracker export: ordinal dates, parts of the day",
    "tracker_utf16_title.txt": "UTF-16 text with a title line",
    "ambiguous_dates.tsv": "Ambiguous day/month dates",
}
MAX_TABLE_ROWS = 2000


def _order(date_order: str) -> DateOrder:
    return cast(DateOrder, date_order if date_order in ("dmy", "mdy", "ymd") else "auto")


# The cache key is the upload's id (or the sample name), not its bytes: the leading
# underscore keeps ``_data`` out of Streamlit's hashing, so a rerun does not re-hash a
# large file. Entries live in this session's memory only.
@st.cache_data(scope="session", show_spinner="Reading the diary…", max_entries=4)
def load_table(
    key: str,
    filename: str,
    date_order: str,
    column_map: tuple[tuple[str, str], ...],
    _data: bytes,
) -> DiaryTable:
    """Parse an upload once per session (in memory only; the cache ends with the session)."""
    return read_diary(
        _data, filename, date_order=_order(date_order), column_map=dict(column_map) or None
    )


@st.cache_data(scope="session", show_spinner=False, max_entries=16)
def build_view(
    key: str,
    filename: str,
    date_order: str,
    column_map: tuple[tuple[str, str], ...],
    k2_start: dt.date | None,
    exclude_duplicates: bool,
    _data: bytes,
) -> DiaryView:
    """Summary, and the charts built in core from aggregated frames, as cached specs."""
    table = load_table(key, filename, date_order, column_map, _data)
    return build_diary_view(table, k2_start, exclude_duplicates=exclude_duplicates)


def _reset_source(sample: str | None) -> None:
    """Switch between an upload and a sample; a new key empties the uploader."""
    st.session_state["diary_sample"] = sample
    if sample is not None:
        st.session_state["diary_upload_key"] = st.session_state.get("diary_upload_key", 0) + 1


def choose_source() -> tuple[bytes, str, str] | None:
    """(bytes, file name, cache key) of the upload or the chosen sample; None if neither."""
    key = f"diary_upload_{st.session_state.get('diary_upload_key', 0)}"
    uploaded = st.file_uploader(
        "Diary export (CSV, TSV, TXT, XLSX or JSON)",
        type=list(SUPPORTED_TYPES),
        key=key,
        on_change=_reset_source,
        args=(None,),
        help="Whatever the patient's app or spreadsheet exported; no cleaning needed. "
        "The file is read in memory for this session only; it is never saved or logged.",
    )
    with st.expander("No file at hand? Try a synthetic sample diary", expanded=uploaded is None):
        cols = st.columns(2)
        for i, (name, label) in enumerate(SAMPLES.items()):
            if (SAMPLES_DIR / name).exists():
                cols[i % 2].button(
                    label, key=f"sample_{name}", on_click=_reset_source, args=(name,)
                )
    if uploaded is not None:
        return uploaded.getvalue(), uploaded.name, f"upload:{uploaded.file_id}"
    sample = st.session_state.get("diary_sample")
    if sample and (SAMPLES_DIR / sample).exists():
        st.caption(f"Showing the synthetic sample {sample!r} (made-up data).")
        return (SAMPLES_DIR / sample).read_bytes(), str(sample), f"sample:{sample}"
    return None


def ask_mapping(exc: MissingColumnsError, token: str) -> tuple[tuple[str, str], ...] | None:
    """Ask which column holds the date (and optionally the others); None until answered."""
    styles.box(
        styles.CAUTION,
        "No date column could be recognised. Pick the column that holds the date of each "
        "cramp or night; the other fields are optional.",
    )
    chosen: dict[str, str] = {}
    options = list(exc.found)
    for fld in FIELDS:
        value = st.selectbox(
            FIELD_LABELS[fld],
            options,
            index=None,
            key=f"map_{fld}_{token}",
            placeholder="required" if fld == "date" else "not in this file",
        )
        if value:
            chosen[fld] = value
    if "date" not in chosen:
        return None
    return tuple(sorted(chosen.items()))


def ask_date_order(exc: AmbiguousDatesError, token: str) -> str | None:
    """Day-first or month-first, asked only when the file cannot tell."""
    styles.box(
        styles.CAUTION,
        "Every day and month in this file is 12 or less, so its dates could be read "
        "either way. Which order does the export use?",
    )
    st.text("Examples from the file: " + ", ".join(exc.examples))
    choice: str | None = st.radio(
        "Date order",
        ["dmy", "mdy"],
        index=None,
        format_func=lambda o: (
            "Day first (31/12/2024)" if o == "dmy" else "Month first (12/31/2024)"
        ),
        key=f"date_order_{token}",
        horizontal=True,
    )
    return choice


def show_reading(table: DiaryTable) -> None:
    """How the file was read, and a way to change the column mapping."""
    with st.expander("How the file was read"):
        facts = {
            "Format": table.file_format.upper(),
            "Shape": {
                "episodes": "one row per cramp",
                "nightly": "one row per night with a count",
                "tracker": "symptom-tracker export (cramp rows only)",
            }[table.shape],
            "Encoding": table.encoding or "—",
            "Delimiter": {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
                table.delimiter or "", "—"
            ),
            "Decimal commas": "yes" if table.decimal_comma else "no",
            "Header on line": str(table.header_line),
            "Date order": table.date_order,
            "Severity": table.severity_scale,
        }
        st.dataframe(
            pd.DataFrame({"": list(facts), "Value": list(facts.values())}), hide_index=True
        )
        st.dataframe(
            pd.DataFrame(
                {"Field": list(table.mapping), "Column in the file": list(table.mapping.values())}
            ),
            hide_index=True,
        )
        if table.unmapped_columns:
            st.caption("Columns not used:")
            st.text(", ".join(table.unmapped_columns))


def show_summary(view: DiaryView, table: DiaryTable) -> None:
    """Headline numbers, then the before/after K2 reading with its cautions."""
    s = view.summary
    cols = st.columns(5)
    cols[0].metric("Rows read", f"{s.rows_read:,}")
    cols[1].metric("Cramps", f"{s.episodes:,}")
    cols[2].metric("Per week", f"{s.episodes_per_week:.1f}")
    cols[3].metric("Weeks observed", f"{view.weeks_observed:.1f}")
    cols[4].metric("Rows set aside", f"{s.rows_rejected:,}")
    if s.first_date:
        st.caption(
            f"Diary from {s.first_date} to {s.last_date}. Episodes per week are counted over "
            "that span; a diary that logs only cramps cannot show quiet days after its last "
            "entry."
        )
    st.subheader("Before and after K2")
    if view.k2 is None:
        styles.box(styles.NOTE, "Pick the date K2 (MK-7) was started to compare before and after.")
    else:
        st.write(diary_text.reading(view.k2))
    st.write(diary_text.trial_comparison_text())
    for note in diary_text.caveats(view.k2):
        st.markdown(f"- {note}")
    trial = catalogue()[analytics.TRIAL_EVIDENCE_ID]
    st.caption(f"Source ({trial.id}): {trial.citation} {trial.url or ''}")


def _png(spec: dict[str, Any]) -> Callable[[], bytes]:
    def render() -> bytes:
        return charts.spec_png(spec)

    return render


def show_charts(view: DiaryView) -> None:
    """Each chart (built in core from aggregated rows) with its data table and a PNG."""
    st.subheader("Charts")
    for chart in view.charts:
        left, right = st.columns([3, 2])
        # The Altair chart's spec was computed once per view (see build_view), so a rerun
        # does not rebuild and re-validate it; it carries aggregated rows only.
        left.vega_lite_chart(chart.spec, width="stretch")
        right.dataframe(chart.table, hide_index=True, height="auto")
        left.download_button(
            f"{chart.title} (PNG)",
            data=_png(chart.spec),
            file_name=f"{chart.name}.png",
            mime="image/png",
            on_click="ignore",
            key=f"png_{chart.name}",
        )


def _first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.head(MAX_TABLE_ROWS)


def show_problems(table: DiaryTable) -> None:
    """Rows set aside, every bad value, possible duplicates and ignored tracker rows."""
    st.subheader("Rows set aside and problems")
    if table.set_aside.empty and table.errors.empty and table.duplicates.empty:
        styles.box(styles.ALL_CLEAR, "Every row was read: no bad values, nothing set aside.")
    if not table.set_aside.empty:
        st.caption(f"{len(table.set_aside):,} rows without a usable date, as in the file:")
        st.dataframe(_first(table.set_aside), hide_index=True)
        st.download_button(
            "Rows set aside (CSV)",
            data=lambda: safe_csv(table.set_aside),
            file_name="rows_set_aside.csv",
            mime="text/csv",
            on_click="ignore",
            key="dl_set_aside",
        )
    if not table.errors.empty:
        st.caption(f"{len(table.errors):,} bad values (line in the file, column, value, reason):")
        st.dataframe(_first(readable_errors(table)), hide_index=True)
        st.download_button(
            "Problems (CSV)",
            data=lambda: safe_csv(readable_errors(table)),
            file_name="diary_problems.csv",
            mime="text/csv",
            on_click="ignore",
            key="dl_problems",
        )
    if not table.duplicates.empty:
        st.caption(
            f"{len(table.duplicates):,} rows identical to an earlier row (kept and counted; "
            "switch them off above if they were saved twice):"
        )
        dup = cleaned_frame(table)[table.episodes["duplicate_of"].notna()]
        st.dataframe(_first(dup), hide_index=True)
    if not table.ignored.empty:
        with st.expander(f"{len(table.ignored):,} tracker rows that are not cramps"):
            st.dataframe(_first(table.ignored), hide_index=True)


def show_downloads(table: DiaryTable, view: DiaryView) -> None:
    """The cleaned rows (formula-injection safe) and the summary JSON."""
    st.subheader("Downloads")
    cols = st.columns(2)
    cols[0].download_button(
        "Cleaned diary (CSV)",
        data=lambda: safe_csv(cleaned_frame(table)),
        file_name="diary_cleaned.csv",
        mime="text/csv",
        on_click="ignore",
        key="dl_cleaned",
    )
    cols[1].download_button(
        "Summary (JSON)",
        data=view.summary.model_dump_json(indent=2),
        file_name="diary_summary.json",
        mime="application/json",
        on_click="ignore",
        key="dl_summary",
    )


def main() -> None:
    """Page body."""
    ui.disclaimer()
    st.title("Cramp diary")
    st.caption(
        "Upload the patient's cramp diary to see cramps per week, and whether they fell "
        "after vitamin K2 (MK-7) was started, beside the trial's arms."
    )
    source = choose_source()
    if source is None:
        styles.box(styles.NOTE, "Upload a diary export, or try one of the synthetic samples.")
        return
    data, filename, key = source
    token = hashlib.sha256(key.encode()).hexdigest()[:16]
    mapping: tuple[tuple[str, str], ...] = ()
    date_order = "auto"
    while True:
        try:
            table = load_table(key, filename, date_order, mapping, data)
        except MissingColumnsError as exc:
            if mapping:
                styles.box(styles.PROBLEM, ui.md_escape(exc.message))
                return
            answer = ask_mapping(exc, token)
            if answer is None:
                return
            mapping = answer
            continue
        except AmbiguousDatesError as exc:
            if date_order != "auto":
                styles.box(styles.PROBLEM, f"This file cannot be read: {ui.md_escape(exc.message)}")
                return
            order = ask_date_order(exc, token)
            if order is None:
                return
            date_order = order
            continue
        except InputError as exc:
            styles.box(styles.PROBLEM, f"This file cannot be read: {ui.md_escape(exc.message)}")
            return
        break
    show_reading(table)
    default_k2 = table.k2_start_from_file
    bounds: list[dt.date] = []
    if len(table.episodes):
        bounds = [table.episodes["date"].min().date(), table.episodes["date"].max().date()]
    if default_k2 is not None:
        bounds.append(default_k2)  # a tracker's K2 entry may lie outside the cramp rows
    controls = st.columns([2, 2])
    k2_start = controls[0].date_input(
        "K2 (MK-7) start date",
        value=default_k2,
        min_value=min(bounds) if bounds else None,
        max_value=max(bounds) if bounds else None,
        key=f"k2_{token}",
        help="Read from the supplement column when the file has one; change it if needed.",
    )
    exclude = controls[1].toggle(
        "Leave out rows identical to an earlier row",
        value=False,
        key=f"dedup_{token}",
        disabled=table.duplicates.empty,
    )
    if default_k2 is not None:
        controls[0].caption(f"From the file: first K2 entry on {default_k2.isoformat()}.")
    k2 = k2_start if isinstance(k2_start, dt.date) else None
    if table.episodes.empty:
        styles.box(styles.PROBLEM, "No row has a usable date, so there is nothing to chart.")
        show_problems(table)
        return
    view = build_view(key, filename, date_order, mapping, k2, exclude, data)
    show_summary(view, table)
    show_charts(view)
    show_problems(table)
    show_downloads(table, view)


main()
