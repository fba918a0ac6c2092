"""The proposal to the governing body, as a Word document and as an HTML page.

Both are made from one `ProposalView` of finished strings, so the two files always say the
same thing; the Word file is built with python-docx, the page with a Jinja2 template.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table

from notifications.document_data import ProposalData
from notifications.documents.common import (
    criteria_legend,
    criteria_text,
    environment,
    file_stem,
    moment_day,
    period_text,
)
from notifications.files import write_atomic
from states.balance_report import BalanceLine
from states.i18n import Language, Text, format_date
from states.snapshot import ListStatus
from states.vocabulary import PERSPECTIVE_LABELS

LABELS: dict[str, Text] = {
    "title": Text("Voorstel hotspotlijst", "Proposal: hotspot list"),
    "to": Text("Voorstel aan", "Proposal to"),
    "prepared": Text("opgesteld op", "prepared on"),
    "h_procedure": Text("De procedure", "The procedure"),
    "h_list": Text("De conceptlijst", "The concept list"),
    "h_descriptions": Text("Toelichting per hotspot", "Description of each hotspot"),
    "h_criteria": Text("De vier criteria", "The four criteria"),
    "h_balance": Text("Hoe het evenwicht is bewaakt", "How balance was kept"),
    "h_deviations": Text("Afwijkingen en hun redenen", "Deviations and their reasons"),
    "h_advice": Text("Advies van de archivaris", "The archivist's advice"),
    "h_decision": Text("Voorgesteld besluit", "Proposed decision"),
    "organisation": Text("Organisatie", "Organisation"),
    "governing_body": Text("Bestuursorgaan", "Governing body"),
    "period": Text("Onderzoeksperiode", "Reference period"),
    "legal_basis": Text("Wettelijke grondslag", "Legal basis"),
    "procedure_id": Text("Procedure", "Procedure"),
    "list_version": Text("Lijstversie", "List version"),
    "col_number": Text("Nummer", "Number"),
    "col_name": Text("Naam", "Name"),
    "col_period": Text("Periode", "Period"),
    "col_criteria": Text("Criteria", "Criteria met"),
    "col_motivation": Text("Motivering", "Motivation"),
    "col_perspective": Text("Voorgedragen vanuit", "Nominated by perspective"),
    "col_aspect": Text("Onderdeel", "Aspect"),
    "col_outcome": Text("Norm en uitkomst", "Norm and outcome"),
    "col_status": Text("Beoordeling", "Assessment"),
    "col_rule": Text("Regel", "Rule"),
    "col_reason": Text("Reden", "Reason"),
    "col_by": Text("Vastgelegd door", "Recorded by"),
    "col_date": Text("Datum", "Date"),
    "entries_count": Text("hotspots op de conceptlijst", "hotspots on the concept list"),
    "empty_list": Text(
        "De conceptlijst is leeg: de expertbijeenkomsten hebben geen hotspots aangewezen.",
        "The concept list is empty: the expert sessions designated no hotspots.",
    ),
    "empty_reason": Text("Reden", "Reason"),
    "balance_intro": Text(
        "Bij de hotspot-monitor mag geen van beide perspectieven de keuze domineren: het "
        "overheidsperspectief (interne experts) en het maatschappelijk perspectief (externe "
        "experts). Het evenwicht is bewaakt in de samenstelling van het panel, in de "
        "aanwezigheid bij de bijeenkomsten en in de herkomst van de voordrachten, aan de hand "
        "van de normen die voor deze procedure gelden.",
        "In the hotspot-monitor neither perspective may dominate the selection: the government "
        "perspective (internal experts) and the society perspective (external experts). Balance "
        "was guarded in the composition of the panel, in who attended the sessions and in where "
        "the nominations came from, against the norms set for this procedure.",
    ),
    "no_deviations": Text(
        "Er is van geen enkele regel afgeweken.", "No deviation from any rule was recorded."
    ),
    "advice_label": Text("Advies", "Advice"),
    "advice_by": Text("Door", "By"),
    "advice_at": Text("Vastgelegd op", "Recorded on"),
    "advice_reason": Text("Toelichting", "Explanation"),
    "advice_positive": Text("positief", "positive"),
    "advice_negative": Text("negatief", "negative"),
    "advice_none": Text(
        "Het advies van de archivaris is nog niet vastgelegd.",
        "The archivist's advice has not been recorded yet.",
    ),
    "advice_no_reason": Text("geen toelichting gegeven", "no explanation given"),
    "decision_intro": Text("Aan {body} wordt voorgesteld:", "{body} is asked to decide:"),
    "decided": Text(
        "Besluit vastgelegd op {day}, kenmerk {ref}.",
        "Decision recorded on {day}, reference {ref}.",
    ),
}

LIST_STATUS: dict[ListStatus, Text] = {
    ListStatus.SUBMITTED: Text("ter besluitvorming", "submitted for decision"),
    ListStatus.RETURNED: Text("teruggestuurd", "sent back"),
    ListStatus.ADOPTED: Text("vastgesteld", "adopted"),
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


def proposal_view(data: ProposalData, lang: Language = "nl") -> ProposalView:
    label = {key: text(lang) for key, text in LABELS.items()}
    proc, version = data.procedure, data.list_version
    period = f"{proc.period_start}–{proc.period_end}"
    entries = version.entries
    empty: list[str] = []
    if not entries:
        empty.append(label["empty_list"])
        if data.empty_list_reason:
            empty.append(f"{label['empty_reason']}: {data.empty_list_reason}")
    decided = None
    if version.decision_date is not None and version.decision_ref:
        decided = label["decided"].format(
            day=format_date(version.decision_date, lang), ref=version.decision_ref
        )
    return ProposalView(
        lang=lang,
        title=f"{label['title']} {proc.organisation} {period}",
        subtitle=(
            f"{label['to']} {proc.governing_body}, {label['prepared']} "
            f"{moment_day(data.prepared_at, lang)}"
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
                f"{version.number} ({LIST_STATUS[version.status](lang)}), "
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
            [line.label(lang), line.message(lang), _assessment(line, lang)] for line in data.balance
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
        decision_intro=label["decision_intro"].format(body=proc.governing_body),
        decision_points=[point(lang) for point in data.proposed_decision],
        decided=decided,
    )


def _assessment(line: BalanceLine, lang: Language) -> str:
    if not line.ok:
        text = (
            Text("niet voldaan; afwijking met reden vastgelegd", "not met; deviation recorded")
            if line.deviated
            else Text("niet voldaan", "not met")
        )
    elif not line.applicable:
        text = Text("nog niet van toepassing", "does not apply yet")
    elif line.deviated:
        text = Text("voldaan (afwijking vastgelegd)", "met (deviation on record)")
    else:
        text = Text("voldaan", "met")
    return text(lang)


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


def proposal_html(data: ProposalData, lang: Language = "nl") -> str:
    return environment().get_template("proposal.html").render(view=proposal_view(data, lang))


def proposal_docx(data: ProposalData, lang: Language = "nl") -> bytes:
    view = proposal_view(data, lang)
    doc = Document()
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
    props.created = data.prepared_at
    props.modified = data.prepared_at
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


def write_proposal(data: ProposalData, out_dir: Path, lang: Language = "nl") -> list[Path]:
    """Write `voorstel-<procedure>.docx` and `.html` into `out_dir` (created); their paths."""
    stem = file_stem("voorstel", data.procedure.id)
    return [
        write_atomic(out_dir / f"{stem}.docx", proposal_docx(data, lang)),
        write_atomic(out_dir / f"{stem}.html", proposal_html(data, lang).encode("utf-8")),
    ]
