"""Word documents on A4 with page numbers, or on the organisation's own template."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from notifications.documents.word import (
    TemplateProblem,
    add_page_numbers,
    has_page_number,
    new_document,
)


def _fields(doc: object) -> list[str]:
    footer = doc.sections[0].footer._element  # type: ignore[attr-defined]
    return [(n.text or "").strip() for n in footer.iter(qn("w:instrText"))]


def _reopened(doc: object) -> object:
    buffer = io.BytesIO()
    doc.save(buffer)  # type: ignore[attr-defined]
    return Document(io.BytesIO(buffer.getvalue()))


def test_without_a_template_the_page_is_a4_with_dutch_page_numbers() -> None:
    doc = new_document()
    add_page_numbers(doc, "nl")
    again = _reopened(doc)
    section = again.sections[0]  # type: ignore[attr-defined]
    # Stored in twentieths of a point: within a tenth of a millimetre of A4.
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210, 297)
    assert round(section.left_margin.mm, 1) == 25
    assert _fields(again) == ["PAGE", "NUMPAGES"]
    assert "Pagina" in section.footer.paragraphs[-1].text
    assert " van " in section.footer.paragraphs[-1].text


def test_an_organisation_template_keeps_its_header_and_loses_its_text(tmp_path: Path) -> None:
    template = Document()
    template.sections[0].header.paragraphs[0].text = "Provincie Overijssel — huisstijl"
    template.add_paragraph("Voorbeeldtekst die weg moet")
    template.styles["Normal"].font.name = "Verdana"
    path = tmp_path / "huisstijl.docx"
    template.save(str(path))

    doc = new_document(path)
    assert [p.text for p in doc.paragraphs] == []
    doc.add_paragraph("Voorstel")
    add_page_numbers(doc, "en")
    again = _reopened(doc)
    assert again.sections[0].header.paragraphs[0].text == "Provincie Overijssel — huisstijl"  # type: ignore[attr-defined]
    assert again.styles["Normal"].font.name == "Verdana"  # type: ignore[attr-defined]
    assert [p.text for p in again.paragraphs] == ["Voorstel"]  # type: ignore[attr-defined]
    assert "Page " in again.sections[0].footer.paragraphs[-1].text  # type: ignore[attr-defined]


def test_a_template_with_its_own_page_number_gets_no_second_one(tmp_path: Path) -> None:
    own = new_document()
    add_page_numbers(own, "nl")
    path = tmp_path / "met-nummers.docx"
    own.save(str(path))
    doc = new_document(path)
    assert has_page_number(doc)
    add_page_numbers(doc, "nl")
    assert _fields(doc) == ["PAGE", "NUMPAGES"]


def test_a_file_that_is_no_word_document_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG not a docx")
    with pytest.raises(TemplateProblem) as problem:
        new_document(path)
    assert "logo.png" in str(problem.value)
