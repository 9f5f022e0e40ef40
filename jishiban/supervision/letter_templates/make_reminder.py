"""Writes ``reminder.docx``, the default 提醒函 template, in the letter layout of GB/T 9704-2012
(党政机关公文格式, 信函格式): A4 with the standard type area (margins 37 / 35 / 28 / 26 mm),
the issuing organ in red centred at the top over a red double rule, the document number under
it on the right, the title in 2号 centred, the addressee flush left, the body in 3号 with a
two-character indent at a fixed 28 pt line pitch (22 lines a page), the organ's name and the
date four characters from the right with room above them for the seal, which is pressed over
both.

    python jishiban/supervision/letter_templates/make_reminder.py

Placeholders are filled by ``supervision.letters.render``; a city may keep its own template
(``JISHIBAN_LETTER_TEMPLATE``) with the same placeholders.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

RED = RGBColor(0xFF, 0x00, 0x00)
BODY_FONT, TITLE_FONT, ORGAN_FONT = "仿宋_GB2312", "方正小标宋简体", "方正小标宋简体"
# What LibreOffice and Word fall back to on machines without the official fonts.
LATIN = "Times New Roman"


def _font(run, name: str, size: float, *, color=None, bold=False) -> None:
    run.font.name = LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _para(doc, text: str, *, font=BODY_FONT, size=16.0, align=None, indent_chars=0, right_chars=0,
          color=None, bold=False, before=0, after=0, exact=28.0):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(exact)
    if align is not None:
        p.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    if right_chars:
        fmt.right_indent = Pt(size * right_chars)
    _font(p.add_run(text), font, size, color=color, bold=bold)
    return p


def _red_rule(paragraph) -> None:
    """The red double rule (thick over thin) under the organ's name."""
    pPr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "thickThinSmallGap"), ("w:sz", "24"), ("w:space", "6"), ("w:color", "FF0000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    pPr.append(borders)


def build(path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    organ = _para(doc, "{{organ}}", font=ORGAN_FONT, size=36, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED,
                  exact=0, after=4)
    _red_rule(organ)
    _para(doc, "{{number}}", align=WD_ALIGN_PARAGRAPH.RIGHT, before=10)
    _para(doc, "{{title}}", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, before=22, after=14,
          exact=36)
    # The words are the renderer's, in the reader's language (``letters.letter_texts``); the
    # template holds the layout.
    _para(doc, "{{addressee}}")
    _para(doc, "{{body}}", indent_chars=2)
    _para(doc, "{{request}}", indent_chars=2)
    _para(doc, "{{list_heading}}", indent_chars=2)
    _para(doc, "{{appeals_table}}")
    for _i in range(3):  # room for the seal, pressed over the name and the date
        _para(doc, "")
    _para(doc, "{{centre}}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    _para(doc, "{{date}}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
    doc.core_properties.title = "{{title}}"
    doc.save(str(path))


if __name__ == "__main__":
    build(Path(__file__).resolve().parent / "reminder.docx")
