"""The PDF page both printed outputs share: a bundled Unicode font and the running footer.

fpdf2 (pure Python, no browser) with DejaVu Sans from ``core/outputs/fonts`` (licence beside
it), so µ, ≥, → and − print. Every page carries the ruleset version, the date, "Page N of M"
and the disclaimer. Text is always written as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos

__all__ = ["DISCLAIMER", "FONT", "ConsultPDF"]

FONT: Final = "DejaVu"
FONT_DIR: Final = Path(__file__).with_name("fonts")
DISCLAIMER: Final = (
    "Decision support for clinicians: not a substitute for clinical judgement. "
    "It does not prescribe, dose or stop any medicine."
)
_NB_ALIAS: Final = "{nb}"


def plain(text: str) -> str:
    """Text as it should print: collapsed whitespace, and no page-count alias from input."""
    return " ".join(text.split()).replace(_NB_ALIAS, "{ nb }")


class ConsultPDF(FPDF):
    """A4 portrait with the project's footer on every page."""

    def __init__(
        self,
        *,
        title: str,
        ruleset_version: str,
        date: str,
        body_size: float,
        footer_size: float = 8.0,
    ) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.doc_title = plain(title)
        self.ruleset_version = ruleset_version
        self.date = date
        self.body_size = body_size
        self.footer_size = footer_size
        # Room for three footer lines at the footer size, plus a gap.
        self.footer_height = footer_size * 0.5 * 3 + 4
        self.set_title(self.doc_title)
        self.set_creator("Cramp Consult")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=self.footer_height + 6)
        self.alias_nb_pages(_NB_ALIAS)
        self.add_page()

    def footer(self) -> None:
        """Ruleset, date, page N of M and the disclaimer, on every page."""
        self.set_y(-self.footer_height)
        self.set_font(FONT, "", self.footer_size)
        self.set_text_color(60, 60, 60)
        self.multi_cell(
            0,
            self.footer_size * 0.45,
            f"Cramp Consult ruleset {self.ruleset_version} · {self.date} · "
            f"Page {self.page_no()} of {_NB_ALIAS}\n{DISCLAIMER}",
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(0, 0, 0)

    def title_block(self, subtitle: str = "") -> None:
        """The document title and an optional subtitle line."""
        self.set_font(FONT, "B", self.body_size + 8)
        self.multi_cell(0, (self.body_size + 8) * 0.5, self.doc_title, new_x=XPos.LMARGIN)
        if subtitle:
            self.set_font(FONT, "", self.body_size)
            self.multi_cell(0, self.body_size * 0.5, plain(subtitle), new_x=XPos.LMARGIN)
        self.ln(2)

    def heading(self, text: str) -> None:
        """A section heading, kept with at least a few lines of what follows."""
        if self.will_page_break(self.body_size * 2.2):
            self.add_page()
        self.ln(2)
        self.set_font(FONT, "B", self.body_size + 3)
        self.multi_cell(0, (self.body_size + 3) * 0.5, plain(text), new_x=XPos.LMARGIN)
        self.ln(1)

    def para(self, text: str, *, bold: bool = False, size: float | None = None) -> None:
        """One paragraph of plain text."""
        fs = size or self.body_size
        self.set_font(FONT, "B" if bold else "", fs)
        self.multi_cell(0, fs * 0.48, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(0.8)

    def bullets(self, items: Iterable[str], *, size: float | None = None) -> None:
        """A bulleted list; continuation lines hang under the text."""
        fs = size or self.body_size
        self.set_font(FONT, "", fs)
        indent = fs * 0.45
        for item in items:
            x = self.l_margin
            self.set_x(x)
            self.cell(indent, fs * 0.48, "•")
            self.set_left_margin(x + indent)
            self.multi_cell(0, fs * 0.48, plain(item), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_left_margin(x)
            self.ln(0.6)

    def pdf_bytes(self) -> bytes:
        """The finished document."""
        return bytes(self.output())
