"""The Word page: A4 with Dutch margins and page numbers, or the organisation's own template.

An organisation that names its own `.docx` template (header, logo, styles) gets every document
on it: the template's body is emptied and its page set-up, headers, footers and styles kept.
Without one the page is A4 with 2.5 cm margins. Either way the footer says "Pagina 3 van 7"
(Word fills in the numbers when it lays out the pages), unless the template's footer already
holds a page number.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph

from states.i18n import Language

A4_WIDTH_MM, A4_HEIGHT_MM = 210, 297
MARGIN_MM = 25


class TemplateProblem(ValueError):
    """The configured template is not a Word document that can be used."""


def new_document(template: Path | None = None) -> DocxDocument:
    """An empty document on the organisation's template, or on A4."""
    if template is None:
        doc = Document()
        for section in doc.sections:
            section.page_width, section.page_height = Mm(A4_WIDTH_MM), Mm(A4_HEIGHT_MM)
            section.left_margin = section.right_margin = Mm(MARGIN_MM)
            section.top_margin = section.bottom_margin = Mm(MARGIN_MM)
        return doc
    try:
        doc = Document(str(template))
    except Exception as error:  # python-docx raises several kinds for a file that is no .docx
        raise TemplateProblem(f"{template}: {type(error).__name__}: {error}") from None
    body = doc.element.body
    # The template's own text goes; its last section properties (page, header, footer) stay.
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) whose value Word computes when it lays out the pages."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, shown, end):
        run._r.append(element)


def has_page_number(doc: DocxDocument) -> bool:
    """Whether any footer already shows the page number (a template's own)."""
    for section in doc.sections:
        for part in (section.footer, section.first_page_footer, section.even_page_footer):
            if part.is_linked_to_previous:
                continue
            for node in part._element.iter(qn("w:instrText")):
                if "PAGE" in (node.text or "").upper():
                    return True
    return False


def add_page_numbers(doc: DocxDocument, lang: Language) -> None:
    """ "Pagina 3 van 7" centred in every section's footer, unless a footer shows one already."""
    if has_page_number(doc):
        return
    for section in doc.sections:
        paragraph = section.footer.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run("Pagina " if lang == "nl" else "Page ")
        _field(paragraph, "PAGE")
        paragraph.add_run(" van " if lang == "nl" else " of ")
        _field(paragraph, "NUMPAGES")
