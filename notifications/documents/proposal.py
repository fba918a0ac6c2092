"""The proposal to the governing body, as a Word document and as an HTML page.

Both are made from one `ProposalView` of finished strings, so the two files always say the
same thing; the Word file is built with python-docx, the page with a Jinja2 template.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table

from notifications import i18n
from notifications.document_data import ProposalData
from notifications.documents.common import (
    criteria_legend,
    criteria_text,
    environment,
    file_stem,
    moment_day,
    period_text,
)
from notifications.documents.word import add_page_numbers, new_document
from notifications.files import write_atomic
from states.balance_report import BalanceLine
from states.i18n import Language
from states.snapshot import ListStatus
from states.vocabulary import PERSPECTIVE_LABELS


def labels(lang: Language) -> dict[str, str]:
    """The proposal's headings and fixed sentences in `lang` (the English is in the catalog)."""

    def _(message: str) -> str:
        return i18n.gettext(message, lang)

    def pgettext(context: str, message: str) -> str:
        return i18n.pgettext(context, message, lang)

    return {
        "title": _("Voorstel hotspotlijst"),
        "advice_title": _("Adviesaanvraag hotspotlijst"),
        "to": _("Voorstel aan"),
        "advice_to": _("Ter advies aan de archivaris"),
        "prepared": _("opgesteld op"),
        "h_procedure": _("De procedure"),
        "h_list": _("De conceptlijst"),
        "h_descriptions": _("Toelichting per hotspot"),
        "h_criteria": _("De vier criteria"),
        "h_balance": _("Hoe het evenwicht is bewaakt"),
        "h_deviations": _("Afwijkingen en hun redenen"),
        "h_advice": _("Advies van de archivaris"),
        "h_decision": _("Voorgesteld besluit"),
        "organisation": _("Organisatie"),
        "governing_body": _("Bestuursorgaan"),
        "period": _("Onderzoeksperiode"),
        "legal_basis": _("Wettelijke grondslag"),
        "procedure_id": _("Procedure"),
        "list_version": _("Lijstversie"),
        "col_number": _("Nummer"),
        "col_name": _("Naam"),
        "col_period": _("Periode"),
        "col_criteria": pgettext("voorstel", "Criteria"),
        "col_motivation": _("Motivering"),
        "col_perspective": pgettext("voorstel", "Voorgedragen vanuit"),
        "col_aspect": _("Onderdeel"),
        "col_outcome": _("Norm en uitkomst"),
        "col_status": _("Beoordeling"),
        "col_rule": _("Regel"),
        "col_reason": _("Reden"),
        "col_by": _("Vastgelegd door"),
        "col_date": _("Datum"),
        "entries_count": _("hotspots op de conceptlijst"),
        "empty_list": _(
            "De conceptlijst is leeg: de expertbijeenkomsten hebben geen hotspots aangewezen."
        ),
        "empty_reason": _("Reden"),
        "balance_intro": _(
            "Bij de hotspot-monitor mag geen van beide perspectieven de keuze domineren: het "
            "overheidsperspectief (interne experts) en het maatschappelijk perspectief (externe "
            "experts). Het evenwicht is bewaakt in de samenstelling van het panel, in de "
            "aanwezigheid bij de bijeenkomsten en in de herkomst van de voordrachten, aan de hand "
            "van de normen die voor deze procedure gelden."
        ),
        "no_deviations": _("Er is van geen enkele regel afgeweken."),
        "advice_label": _("Advies"),
        "advice_by": _("Door"),
        "advice_at": _("Vastgelegd op"),
        "advice_reason": _("Toelichting"),
        "advice_positive": _("positief"),
        "advice_negative": _("negatief"),
        "advice_none": _("Het advies van de archivaris is nog niet vastgelegd."),
        "advice_no_reason": _("geen toelichting gegeven"),
        "decision_intro": _("Aan %(body)s wordt voorgesteld:"),
        "decided": _("Besluit vastgelegd op %(day)s, kenmerk %(ref)s."),
        "status_submitted": _("ter besluitvorming"),
        "status_returned": _("teruggestuurd"),
        "status_adopted": _("vastgesteld"),
        "met_deviated": _("niet voldaan; afwijking met reden vastgelegd"),
        "not_met": _("niet voldaan"),
        "not_applicable": pgettext("voorstel", "nog niet van toepassing"),
        "met_with_deviation": _("voldaan (afwijking vastgelegd)"),
        "met": _("voldaan"),
        "adoption": _(
            "Na vaststelling door %(body)s wordt het besluit bekendgemaakt in %(gazette)s."
        ),
    }


_STATUS_KEYS: dict[ListStatus, str] = {
    ListStatus.SUBMITTED: "status_submitted",
    ListStatus.RETURNED: "status_returned",
    ListStatus.ADOPTED: "status_adopted",
}


@dataclass(frozen=True, slots=True)
class ProposalView:
    """The proposal as finished strings in one language, ready for either format."""

    lang: Language
    title: str
    subtitle: str
    labels: dict[str, str]
    procedure_rows: list[tuple[str, str]]
    entry_header: list[str]
    entry_rows: list[list[str]]
    empty_list: list[str]
    descriptions: list[tuple[str, str]]
    criteria: list[str]
    balance_header: list[str]
    balance_rows: list[list[str]]
    deviation_header: list[str]
    deviation_rows: list[list[str]]
    advice_rows: list[tuple[str, str]]
    decision_intro: str
    decision_points: list[str]
    decided: str | None
    # Who adopts the list and where it is published, when the body's kind is known.
    adoption: str | None = None


def proposal_view(
    data: ProposalData, lang: Language = "nl", *, advice_request: bool = False
) -> ProposalView:
    """The proposal, or with `advice_request` the same content as the request for the
    archivist's advice that precedes it."""
    label = labels(lang)
    proc, version = data.procedure, data.list_version
    kind = proc.governing_body_kind
    # The body by its proper name when its kind is known ("Gedeputeerde Staten van Overijssel").
    body = kind.named(proc.organisation)(lang) if kind else proc.governing_body
    period = f"{proc.period_start}–{proc.period_end}"
    entries = version.entries
    empty: list[str] = []
    if not entries:
        empty.append(label["empty_list"])
        if data.empty_list_reason:
            empty.append(f"{label['empty_reason']}: {data.empty_list_reason}")
    title_key = "advice_title" if advice_request else "title"
    decided = None
    if version.decision_date is not None and version.decision_ref:
        decided = label["decided"] % {
            "day": i18n.format_day(version.decision_date, lang),
            "ref": version.decision_ref,
        }
    return ProposalView(
        lang=lang,
        title=f"{label[title_key]} {proc.organisation} {period}",
        subtitle=(
            f"{label['advice_to'] if advice_request else label['to'] + ' ' + body}, "
            f"{label['prepared']} {moment_day(data.prepared_at, lang)}"
        ),
        labels=label,
        procedure_rows=[
            (label["organisation"], proc.organisation),
            (label["governing_body"], proc.governing_body),
            (label["period"], period),
            (label["legal_basis"], proc.legal_basis),
            (label["procedure_id"], proc.id),
            (
                label["list_version"],
                f"{version.number} ({label[_STATUS_KEYS[version.status]]}), "
                f"{len(entries)} {label['entries_count']}",
            ),
        ],
        entry_header=[
            label[k]
            for k in (
                "col_number",
                "col_name",
                "col_period",
                "col_criteria",
                "col_motivation",
                "col_perspective",
            )
        ],
        entry_rows=[
            [
                e.number,
                e.title,
                period_text(e.period_start, e.period_end, lang),
                criteria_text(e.criteria),
                e.motivation,
                PERSPECTIVE_LABELS[e.nominated_by_perspective](lang),
            ]
            for e in entries
        ],
        empty_list=empty,
        descriptions=[(f"{e.number} {e.title}", e.description) for e in entries],
        criteria=criteria_legend(lang),
        balance_header=[label["col_aspect"], label["col_outcome"], label["col_status"]],
        balance_rows=[
            [line.label(lang), line.message(lang), _assessment(line, label)]
            for line in data.balance
        ],
        deviation_header=[label[k] for k in ("col_rule", "col_reason", "col_by", "col_date")],
        deviation_rows=[
            [
                f"{d.label(lang)} ({d.rule_code})",
                d.reason,
                d.actor,
                moment_day(d.recorded_at, lang),
            ]
            for d in data.deviations
        ],
        advice_rows=_advice_rows(data, label, lang),
        decision_intro=label["decision_intro"] % {"body": proc.governing_body},
        decision_points=[point(lang) for point in data.proposed_decision],
        decided=decided,
        adoption=(
            label["adoption"] % {"body": body, "gazette": kind.gazette(lang)} if kind else None
        ),
    )


def _assessment(line: BalanceLine, label: dict[str, str]) -> str:
    if not line.ok:
        return label["met_deviated"] if line.deviated else label["not_met"]
    if not line.applicable:
        return label["not_applicable"]
    return label["met_with_deviation"] if line.deviated else label["met"]


def _advice_rows(
    data: ProposalData, label: dict[str, str], lang: Language
) -> list[tuple[str, str]]:
    advice = data.advice
    if advice is None:
        return []
    rows = [
        (
            label["advice_label"],
            label["advice_positive"] if advice.positive else label["advice_negative"],
        ),
        (label["advice_by"], advice.by),
    ]
    if advice.at is not None:
        rows.append((label["advice_at"], moment_day(advice.at, lang)))
    rows.append((label["advice_reason"], advice.reason or label["advice_no_reason"]))
    return rows


def proposal_html(
    data: ProposalData, lang: Language = "nl", *, advice_request: bool = False
) -> str:
    view = proposal_view(data, lang, advice_request=advice_request)
    return environment(lang).get_template("proposal.html").render(view=view, lang=lang)


def proposal_docx(
    data: ProposalData,
    lang: Language = "nl",
    *,
    template: Path | None = None,
    advice_request: bool = False,
) -> bytes:
    """The proposal as a Word file: A4 with page numbers, or on the organisation's template."""
    view = proposal_view(data, lang, advice_request=advice_request)
    doc = new_document(template)
    add_page_numbers(doc, view.lang)
    _describe(doc, view, data)
    label = view.labels
    doc.add_heading(view.title, level=0)
    doc.add_paragraph(view.subtitle)

    doc.add_heading(label["h_procedure"], level=1)
    _table(doc, [], [list(row) for row in view.procedure_rows])

    doc.add_heading(label["h_list"], level=1)
    for line in view.empty_list:
        doc.add_paragraph(line)
    if view.entry_rows:
        _table(doc, view.entry_header, view.entry_rows)
        doc.add_heading(label["h_descriptions"], level=2)
        for name, description in view.descriptions:
            paragraph = doc.add_paragraph()
            paragraph.add_run(name).bold = True
            paragraph.add_run(f" — {description}")
    doc.add_heading(label["h_criteria"], level=2)
    for line in view.criteria:
        doc.add_paragraph(line)

    doc.add_heading(label["h_balance"], level=1)
    doc.add_paragraph(label["balance_intro"])
    _table(doc, view.balance_header, view.balance_rows)

    doc.add_heading(label["h_deviations"], level=1)
    if view.deviation_rows:
        _table(doc, view.deviation_header, view.deviation_rows)
    else:
        doc.add_paragraph(label["no_deviations"])

    doc.add_heading(label["h_advice"], level=1)
    if view.advice_rows:
        _table(doc, [], [list(row) for row in view.advice_rows])
    else:
        doc.add_paragraph(label["advice_none"])

    doc.add_heading(label["h_decision"], level=1)
    doc.add_paragraph(view.decision_intro)
    for point in view.decision_points:
        doc.add_paragraph(point, style="List Number")
    if view.adoption:
        doc.add_paragraph(view.adoption)
    if view.decided:
        doc.add_paragraph(view.decided)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _describe(doc: DocxDocument, view: ProposalView, data: ProposalData) -> None:
    """Document properties: title and language for assistive technology, no personal author."""
    props = doc.core_properties
    props.title = view.title
    props.language = "nl-NL" if view.lang == "nl" else "en-GB"
    # python-docx's template says "python-docx"; the organisation is the author of record.
    props.author = data.procedure.organisation
    props.last_modified_by = data.procedure.organisation
    # python-docx writes the clock time with a "Z" whatever the zone: give it UTC.
    prepared = data.prepared_at.astimezone(UTC)
    props.created = prepared
    props.modified = prepared
    props.revision = 1
    props.comments = view.subtitle
    # Spelling checkers and screen readers take the language from the text's run properties.
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), props.language)
    doc.styles["Normal"].element.get_or_add_rPr().append(language)
    # The template ships a thumbnail of some other page; a file browser would preview that.
    rels = doc.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]


def _table(doc: DocxDocument, header: list[str], rows: list[list[str]]) -> None:
    """A bordered table; a header row repeats on every page and is marked as a header."""
    width = len(header) or max((len(row) for row in rows), default=1)
    body = [header, *rows] if header else rows
    table: Table = doc.add_table(rows=len(body), cols=width)
    table.style = "Table Grid"
    for row, texts in zip(table.rows, body, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    if header:
        for cell in table.rows[0].cells:
            for run in cell.paragraphs[0].runs:
                run.bold = True
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(marker)


def write_proposal(
    data: ProposalData, out_dir: Path, lang: Language = "nl", *, template: Path | None = None
) -> list[Path]:
    """Write `voorstel-<procedure>.docx` and `.html` into `out_dir` (created); their paths."""
    stem = file_stem("voorstel", data.procedure.id)
    return [
        write_atomic(out_dir / f"{stem}.docx", proposal_docx(data, lang, template=template)),
        write_atomic(out_dir / f"{stem}.html", proposal_html(data, lang).encode("utf-8")),
    ]
