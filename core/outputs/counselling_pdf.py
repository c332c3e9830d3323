"""The patient's counselling sheet as a PDF: plain language in large type (at least 14 pt).

Built from ``core.outputs.counselling.patient_sheet``, which refuses (``CounsellingRefused``)
while the K2 status says not to start, unless the clinician gives an override reason; the
reason is printed on the sheet with the date.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from core.models import Recommendation
from core.outputs.counselling import patient_sheet
from core.outputs.pdf import ConsultPDF

__all__ = ["BODY_PT", "counselling_pdf"]

BODY_PT: Final = 14.0
SOURCES_PT: Final = 14.0


def counselling_pdf(
    rec: Recommendation, *, override: str | None = None, on: dt.date | None = None
) -> bytes:
    """The patient sheet PDF; raises ``CounsellingRefused`` when it may not be issued."""
    sheet = patient_sheet(rec, override=override, on=on)
    pdf = ConsultPDF(
        title=sheet.title,
        ruleset_version=sheet.ruleset_version,
        date=sheet.date,
        body_size=BODY_PT,
        footer_size=BODY_PT,
    )
    pdf.title_block(f"From your clinician, {sheet.date}")
    if sheet.override:
        pdf.para(
            f"Issued by clinician override on {sheet.date}. Reason: {sheet.override}",
            bold=True,
        )
    for section in sheet.sections:
        pdf.heading(section.heading)
        pdf.bullets(section.paragraphs)
    pdf.heading("Where this comes from")
    pdf.bullets(sheet.sources, size=SOURCES_PT)
    return pdf.pdf_bytes()
