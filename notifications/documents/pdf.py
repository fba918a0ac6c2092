"""PDF/A for the archive: a document's HTML page rendered by WeasyPrint as PDF/A-2b.

PDF/A-2b embeds every font and an sRGB output intent and carries its conformance in the XMP
metadata, so the file reads the same in decades. The page is A4 with the page number and the
count at the bottom; the document's own stylesheet stays in charge of everything else.
"""

from __future__ import annotations

from notifications import i18n
from states.i18n import Language

# ISO 19005-2, level B: what an archive's ingest checks for a born-digital document.
PDF_VARIANT = "pdf/a-2b"


def _page_css(lang: Language) -> str:
    # WeasyPrint fills counter(page) and counter(pages); the words around them are translated.
    page = i18n.gettext("pagina", lang)
    of = i18n.gettext("van", lang)
    return (
        "@page { size: A4; margin: 2cm 2cm 2.5cm;"
        f" @bottom-center {{ content: '{page} ' counter(page) ' {of} ' counter(pages);"
        " font-family: sans-serif; font-size: 9pt; } }"
        " body { max-width: none; margin: 0; padding: 0; }"
        " table { width: 100%; } tr, li { break-inside: avoid; }"
    )


def pdf_a(html: str, lang: Language = "nl") -> bytes:
    """The page as a PDF/A-2b file; the same HTML gives the same bytes."""
    # Imported here: WeasyPrint and its Pango binding are loaded only when a PDF is made.
    from weasyprint import CSS, HTML  # type: ignore[import-untyped]

    document = HTML(string=html, base_url=None)
    pdf = document.write_pdf(stylesheets=[CSS(string=_page_css(lang))], pdf_variant=PDF_VARIANT)
    assert isinstance(pdf, bytes)
    return pdf
