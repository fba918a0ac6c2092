"""Rendering the proposal and the public hotspot list from hand-built data, without a database."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from docx import Document

from notifications.documents import (
    CSV_COLUMNS,
    proposal_docx,
    proposal_html,
    public_list_files,
    write_proposal,
    write_public_list,
)
from notifications.files import defuse_cell
from states.balance_report import BalanceLine
from states.i18n import Text
from states.snapshot import ListEntry, ListStatus, Perspective, Publication
from workflow.documents import (
    AdviceInfo,
    DeviationInfo,
    ListInfo,
    ProcedureInfo,
    ProposalData,
    PublicHotspot,
    PublicListData,
)

SCRIPT = "<script>alert('x')</script>"
SHARE_FIGURES = "3 van 7 experts extern (43%), toegestaan 40-60%"


def _entry(number: str, title: str, perspective: Perspective, description: str) -> ListEntry:
    return ListEntry(
        candidate_id=1,
        number=number,
        title=title,
        period_start=date(2020, 3, 1),
        period_end=date(2022, 12, 31) if number.startswith("2020") else None,
        description=description,
        criteria=(1, 2),
        motivation="Veel maatschappelijke onrust",
        nominated_by_perspective=perspective,
    )


def _proposal(entries: tuple[ListEntry, ...] | None = None) -> ProposalData:
    if entries is None:
        entries = (
            _entry("2019-1", "Stikstofcrisis", Perspective.INTERNAL, "Boerenprotesten"),
            _entry("2020-1", "COVID-19-pandemie", Perspective.EXTERNAL, f"Maatregelen {SCRIPT}"),
        )
    return ProposalData(
        procedure=ProcedureInfo(
            "provincie-overijssel-2017-2023",
            "Provincie Overijssel",
            "Gedeputeerde Staten",
            2017,
            2023,
            "Archiefbesluit 1995, art. 5 lid 1 sub e",
        ),
        list_version=ListInfo(1, ListStatus.SUBMITTED, entries),
        balance=(
            BalanceLine(
                "panel.external_share",
                Text("Verhouding intern en extern in het panel", "Internal and external share"),
                Text(f"Evenwichtig vertegenwoordigd ({SHARE_FIGURES})", "Balanced (3 of 7)"),
                ok=True,
                deviated=False,
            ),
            BalanceLine(
                "panel.size",
                Text("Omvang van het expertpanel", "Size of the expert panel"),
                Text("Het panel telt 6 tot en met 16 experts (5 experts toegezegd)", "5 of 6"),
                ok=False,
                deviated=True,
            ),
        ),
        deviations=(
            DeviationInfo(
                "panel.size",
                Text("Omvang van het expertpanel", "Size of the expert panel"),
                "De zesde expert trok zich op het laatste moment terug",
                "procesbegeleider",
                datetime(2025, 3, 1, 23, 30, tzinfo=UTC),
            ),
        ),
        advice=AdviceInfo(
            True, "Collectie Overijssel", "Lijst is evenwichtig", datetime(2025, 4, 2, tzinfo=UTC)
        ),
        empty_list_reason=None,
        proposed_decision=(
            Text("de hotspotlijst 2017–2023 vast te stellen;", "to adopt the list;"),
            Text("het besluit bekend te maken.", "to publish the decision."),
        ),
        prepared_at=datetime(2025, 4, 3, 9, 0, tzinfo=UTC),
    )


def _public(publication: Publication | None = None) -> PublicListData:
    return PublicListData(
        procedure_id="provincie-overijssel-2017-2023",
        organisation="Provincie Overijssel",
        governing_body="Gedeputeerde Staten",
        period_start=2017,
        period_end=2023,
        legal_basis="Archiefbesluit 1995, art. 5 lid 1 sub e",
        list_number=1,
        decision_ref="GS/2025/0412",
        decision_date=date(2025, 5, 13),
        publication=publication,
        hotspots=(
            PublicHotspot(
                "2018-1", "Terugkeer van de wolf", date(2018, 1, 1), None, (1, 2), "Café-debat é"
            ),
            PublicHotspot(
                "2020-1",
                '=HYPERLINK("http://evil.example")',
                date(2020, 3, 1),
                date(2022, 12, 31),
                (1,),
                f"-2+3 {SCRIPT}",
            ),
        ),
    )


PUBLISHED = Publication("Provinciaal Blad", "Prb. 2025, 1234", date(2025, 10, 1), 6)


def _docx_text(content: bytes) -> tuple[list[list[list[str]]], str]:
    """The tables (rows of cell texts) and all paragraph text of a Word file."""
    doc = Document(io.BytesIO(content))
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in doc.tables]
    return tables, "\n".join(p.text for p in doc.paragraphs)


# -- the proposal ---------------------------------------------------------------------------


def test_the_word_proposal_has_the_entries_table_with_every_column() -> None:
    """The concept list is a table: number, name, period, criteria, motivation, perspective."""
    tables, _ = _docx_text(proposal_docx(_proposal()))
    entries = next(t for t in tables if t[0][0] == "Nummer")
    assert entries[0] == [
        "Nummer",
        "Naam",
        "Periode",
        "Criteria",
        "Motivering",
        "Voorgedragen vanuit",
    ]
    assert entries[1] == [
        "2019-1",
        "Stikstofcrisis",
        "1 maart 2020 – heden",
        "1, 2",
        "Veel maatschappelijke onrust",
        "intern (overheidsperspectief)",
    ]
    assert entries[2][0] == "2020-1" and entries[2][2] == "1 maart 2020 – 31 december 2022"


def test_the_word_proposal_states_the_balance_figures_deviation_and_advice() -> None:
    """Balance figures, the deviation with its reason and the advice are all in the document."""
    tables, paragraphs = _docx_text(proposal_docx(_proposal()))
    cells = [cell for table in tables for row in table for cell in row]
    assert any(SHARE_FIGURES in cell for cell in cells)
    assert "niet voldaan; afwijking met reden vastgelegd" in cells
    assert "De zesde expert trok zich op het laatste moment terug" in cells
    # 23:30 UTC on 1 March is 2 March in the Netherlands.
    assert "2 maart 2025" in cells
    assert ["Advies", "positief"] in [row for table in tables for row in table]
    assert "Aan Gedeputeerde Staten wordt voorgesteld:" in paragraphs
    assert "de hotspotlijst 2017–2023 vast te stellen;" in paragraphs


def test_the_word_proposal_in_english_uses_english_labels() -> None:
    """With lang="en" the headings, columns and assessments are English."""
    tables, paragraphs = _docx_text(proposal_docx(_proposal(), "en"))
    assert "The concept list" in paragraphs and "How balance was kept" in paragraphs
    assert tables[1][0][0] == "Number"
    assert "not met; deviation recorded" in [c for t in tables for r in t for c in r]


def test_the_word_proposal_names_the_organisation_not_python_docx_as_author() -> None:
    """The document properties carry the title, the language and the organisation."""
    props = Document(io.BytesIO(proposal_docx(_proposal()))).core_properties
    assert props.author == "Provincie Overijssel"
    assert props.language == "nl-NL"
    assert props.title == "Voorstel hotspotlijst Provincie Overijssel 2017–2023"


def test_the_html_proposal_escapes_markup_from_the_data() -> None:
    """A <script> typed into a description is shown as text, never run."""
    page = proposal_html(_proposal())
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert '<html lang="nl">' in page and SHARE_FIGURES in page


def test_the_html_proposal_in_english_is_marked_english() -> None:
    """The English page declares its language and uses the English headings."""
    page = proposal_html(_proposal(), "en")
    assert '<html lang="en">' in page
    assert (
        "The archivist&#39;s advice" in page and "Gedeputeerde Staten is asked to decide:" in page
    )


def test_an_empty_list_proposal_gives_the_reason_and_no_entries_table() -> None:
    """Without entries the proposal says the list is empty and why, with no empty table."""
    data = replace(_proposal(()), empty_list_reason="Geen gebeurtenis voldeed aan de criteria")
    tables, paragraphs = _docx_text(proposal_docx(data))
    assert not any(t[0][0] == "Nummer" for t in tables)
    assert "Reden: Geen gebeurtenis voldeed aan de criteria" in paragraphs
    assert "Reden: Geen gebeurtenis voldeed aan de criteria" in proposal_html(data)


def test_write_proposal_creates_the_folder_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    """Both files land under their fixed names in a new folder, and nothing else does."""
    out = tmp_path / "nieuw" / "voorstel"
    paths = write_proposal(_proposal(), out)
    names = [
        "voorstel-provincie-overijssel-2017-2023.docx",
        "voorstel-provincie-overijssel-2017-2023.html",
    ]
    assert [p.name for p in paths] == names
    assert sorted(p.name for p in out.iterdir()) == names
    assert paths[1].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_write_proposal_refuses_an_id_that_is_not_a_safe_file_name(tmp_path: Path) -> None:
    """A procedure id with a path in it never decides where a file is written."""
    data = replace(_proposal(), procedure=replace(_proposal().procedure, id="../../etc/x"))
    with pytest.raises(ValueError, match="file name"):
        write_proposal(data, tmp_path)
    assert list(tmp_path.iterdir()) == []


# -- the public list ------------------------------------------------------------------------


def _files(data: PublicListData) -> dict[str, bytes]:
    return {name.rsplit(".", 1)[1]: content for name, content in public_list_files(data).items()}


def test_the_public_page_is_accessible_and_self_contained() -> None:
    """Dutch page with caption and column headers; no script, no external resource."""
    page = _files(_public(PUBLISHED))["html"].decode("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="nl">')
    assert "<title>Hotspotlijst Provincie Overijssel 2017–2023</title>" in page
    assert "<caption>Vastgestelde hotspots 2017–2023 (besluit GS/2025/0412)</caption>" in page
    assert page.count('<th scope="col">') == 5
    assert "<script" not in page and "&lt;script&gt;" in page
    assert "src=" not in page and "href=" not in page and "@import" not in page
    assert "Prb. 2025, 1234" in page and '<time datetime="2025-10-01">1 oktober 2025</time>' in page


def test_the_public_csv_has_a_bom_the_header_and_defused_formulas() -> None:
    """UTF-8 with BOM, the fixed Dutch header, and cells starting with = or - made inert."""
    content = _files(_public(PUBLISHED))["csv"]
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[0] == [
        "nummer",
        "naam",
        "periode_begin",
        "periode_einde",
        "criteria",
        "omschrijving",
        "besluit_kenmerk",
        "besluit_datum",
        "publicatie_kenmerk",
    ]
    assert rows[1] == [
        "2018-1",
        "Terugkeer van de wolf",
        "2018-01-01",
        "",
        "1, 2",
        "Café-debat é",
        "GS/2025/0412",
        "2025-05-13",
        "Prb. 2025, 1234",
    ]
    assert rows[2][1] == '\'=HYPERLINK("http://evil.example")'
    assert rows[2][5].startswith("'-2+3")


def test_the_public_json_is_open_data_with_iso_dates() -> None:
    """Top-level organisation, body, period, decision, publication and hotspots; raw UTF-8."""
    content = _files(_public(PUBLISHED))["json"]
    assert "Café".encode() in content
    document = json.loads(content)
    assert document["organisation"] == "Provincie Overijssel"
    assert document["governing_body"] == "Gedeputeerde Staten"
    assert document["period"] == {"start": 2017, "end": 2023}
    assert document["decision"] == {"reference": "GS/2025/0412", "date": "2025-05-13"}
    assert document["publication"]["in_force"] == "2025-10-01"
    assert document["hotspots"][0] == {
        "number": "2018-1",
        "name": "Terugkeer van de wolf",
        "period_start": "2018-01-01",
        "period_end": None,
        "criteria": [1, 2],
        "description": "Café-debat é",
    }
    # JSON is not a spreadsheet: the text stays exactly as adopted.
    assert document["hotspots"][1]["name"].startswith("=HYPERLINK")


def test_an_unpublished_list_has_no_publication_in_any_format() -> None:
    """Before publication the JSON says null, the CSV cell is empty and the page is silent."""
    files = _files(_public(None))
    assert json.loads(files["json"])["publication"] is None
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert [row[-1] for row in rows[1:]] == ["", ""]
    assert "Bekendgemaakt" not in files["html"].decode("utf-8")


def test_write_public_list_writes_the_three_files(tmp_path: Path) -> None:
    """The html, csv and json files are written under the hotspotlijst-<id> name."""
    paths = write_public_list(_public(PUBLISHED), tmp_path / "publicatie")
    assert [p.name for p in paths] == [
        f"hotspotlijst-provincie-overijssel-2017-2023.{ext}" for ext in ("html", "csv", "json")
    ]
    assert sorted(p.name for p in (tmp_path / "publicatie").iterdir()) == sorted(
        p.name for p in paths
    )
    assert json.loads(paths[2].read_bytes())["hotspots"][0]["number"] == "2018-1"


@pytest.mark.parametrize(
    "typed",
    ["=1+1", ' =HYPERLINK("x")', "\n+cmd", "\t@SUM(A1)", "  -2+3", "\r\n=1"],
)
def test_a_formula_behind_blanks_or_a_line_break_is_defused(typed: str) -> None:
    assert defuse_cell(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["Stikstof", " gewoon tekst", "2019-1", "e-mail", ""])
def test_ordinary_text_stays_as_typed(typed: str) -> None:
    assert defuse_cell(typed) == typed
