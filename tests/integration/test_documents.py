"""The proposal and the public list made from a real procedure, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from notifications.documents import public_list_files, write_proposal
from states.errors import NotFound, Refused
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from workflow.app import App
from workflow.cli import document_commands
from workflow.cli.context import CliContext
from workflow.commands import decision, people, procedures
from workflow.documents import proposal_data, public_list_data

SIZE_REASON = "Een externe expert zegde af; het panel gaat met vijf experts verder"
PROFILE_REASON = "Geen andere maatschappelijke organisatie beschikbaar binnen de termijn"
ADVICE_REASON = "De lijst is evenwichtig tot stand gekomen"
PEOPLE = [name for name, _, _ in support.INTERNAL + support.EXTERNAL]
MEMBERS = ["Sanne", "Bert", "Dirk"]
AT_SIGN = re.compile(r"@")


def _to_decision(app: App) -> str:
    """A procedure in the decision phase whose panel of five needed two recorded deviations."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    for _, email, _ in support.INTERNAL + support.EXTERNAL[:2]:
        people.respond(app, pid, email, accept=True, actor=ACTOR)
    people.respond(app, pid, support.EXTERNAL[2][1], accept=False, actor=ACTOR)
    procedures.deviate(app, pid, "panel.size", actor=ACTOR, reason=SIZE_REASON)
    procedures.deviate(app, pid, "panel.external_profiles", actor=ACTOR, reason=PROFILE_REASON)
    procedures.advance(app, pid, actor=ACTOR)
    support.drive_to(app, pid, Phase.DECISION)
    decision.record_advice(
        app, pid, positive=True, by="Collectie Overijssel", reason=ADVICE_REASON, actor="carla"
    )
    return pid


def _to_closed(app: App, pid: str) -> None:
    decision.record_decision(
        app, pid, adopted=True, day="2025-05-13", ref="GS/2025/0412", actor=ACTOR
    )
    procedures.advance(app, pid, actor=ACTOR)
    support.drive_to(app, pid, Phase.CLOSED)


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _all_docx_parts(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_a_proposal_before_the_decision_phase_is_refused(app: App) -> None:
    """Without a frozen list there is nothing to propose, and the refusal says so."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    with pytest.raises(Refused) as refused:
        proposal_data(app, pid)
    assert refused.value.codes == ["documents.no_list_version"]
    assert "besluitvorming" in refused.value.explain("nl")
    assert "decision phase" in refused.value.explain("en")


def test_the_proposal_states_list_balance_deviations_and_advice(app: App, tmp_path: Path) -> None:
    """Word and HTML hold every entry, the figures, the reasons and the advice, no address."""
    pid = _to_decision(app)
    data = proposal_data(app, pid)
    assert [e.number for e in data.list_version.entries] == ["2018-1", "2019-1", "2020-1"]
    docx_path, html_path = write_proposal(data, tmp_path / "voorstel")
    html = html_path.read_text(encoding="utf-8")
    for text in (_docx_text(docx_path), html):
        for number, (title, *_rest) in zip(
            ("2020-1", "2019-1", "2018-1"), support.CANDIDATES, strict=True
        ):
            assert number in text and title in text
        assert "5 experts toegezegd, toegestaan 6 tot en met 16" in text
        assert "2 van 3 vereiste profielen; ontbreekt: maatschappelijke-organisatie" in text
        assert "niet voldaan; afwijking met reden vastgelegd" in text
        assert SIZE_REASON in text and PROFILE_REASON in text
        assert "positief" in text and ADVICE_REASON in text and "Collectie Overijssel" in text
        assert "Aan Gedeputeerde Staten wordt voorgesteld:" in text
        assert not any(name in text for name in PEOPLE + MEMBERS)
    assert AT_SIGN.search(html) is None
    assert b"@" not in _all_docx_parts(docx_path)


def test_the_proposal_in_english(app: App, tmp_path: Path) -> None:
    """With lang="en" both files are English, the data as recorded."""
    pid = _to_decision(app)
    docx_path, html_path = write_proposal(proposal_data(app, pid), tmp_path, "en")
    text = _docx_text(docx_path)
    assert "How balance was kept" in text and "5 experts accepted, allowed 6 to 16" in text
    assert '<html lang="en">' in html_path.read_text(encoding="utf-8")


def test_a_list_sent_back_is_not_proposed_again(app: App) -> None:
    """After negative advice the procedure is back in the sessions and no proposal is made."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    decision.record_advice(
        app, pid, positive=False, by="Collectie Overijssel", actor="carla", reason="Te smal"
    )
    with pytest.raises(Refused) as refused:
        proposal_data(app, pid)
    assert refused.value.codes == ["documents.list_sent_back"]


def test_the_public_list_waits_for_adoption(app: App) -> None:
    """A submitted list with positive advice is not yet a list to publish."""
    pid = _to_decision(app)
    with pytest.raises(NotFound):
        public_list_data(app, pid)


def test_the_published_list_has_entries_decision_and_no_personal_data(app: App) -> None:
    """HTML, CSV and JSON hold the hotspots, decision and publication, and nobody's name."""
    pid = _to_decision(app)
    _to_closed(app, pid)
    data = public_list_data(app, pid)
    files = {name.rsplit(".", 1)[1]: body for name, body in public_list_files(data).items()}
    assert data.publication is not None and data.publication.reference == "Prb. 2025, 1234"
    for ext, body in files.items():
        text = body.decode("utf-8-sig")
        for title, *_rest in support.CANDIDATES:
            assert title in text, ext
        for number in ("2018-1", "2019-1", "2020-1"):
            assert number in text, ext
        assert "GS/2025/0412" in text and "Prb. 2025, 1234" in text, ext
        assert AT_SIGN.search(text) is None, ext
        assert not any(name in text for name in PEOPLE + MEMBERS), ext
        # The assessment's motivation and the nominating side stay in the proposal.
        assert "Veel maatschappelijke onrust" not in text and "extern" not in text, ext
    document = json.loads(files["json"])
    assert document["decision"] == {"reference": "GS/2025/0412", "date": "2025-05-13"}
    assert [h["number"] for h in document["hotspots"]] == ["2018-1", "2019-1", "2020-1"]


def _cli(app: App, *args: str) -> tuple[int, str, BaseException | None]:
    # The module registers its commands on the shared group when imported.
    group = document_commands.cli
    result = CliRunner().invoke(group, list(args), obj=CliContext(_app=app))
    return result.exit_code, result.output, result.exception


def test_the_cli_writes_the_proposal_and_prints_the_paths(app: App, tmp_path: Path) -> None:
    """`hotspot proposal PROC --out DIR` writes both files and names them, in Dutch."""
    pid = _to_decision(app)
    code, output, error = _cli(app, "proposal", pid, "--out", str(tmp_path / "uit"))
    assert (code, error) == (0, None)
    lines = output.splitlines()
    assert lines[0] == "Voorstel geschreven:"
    assert [Path(line).name for line in lines[1:]] == [
        f"voorstel-{pid}.docx",
        f"voorstel-{pid}.html",
    ]
    assert all(Path(line).is_file() for line in lines[1:])


def test_the_cli_public_list_in_json_mode_and_before_adoption(app: App, tmp_path: Path) -> None:
    """--json prints the written files; before adoption the command raises NotFound."""
    pid = _to_decision(app)
    code, _, error = _cli(app, "public-list", pid, "--out", str(tmp_path))
    assert isinstance(error, NotFound) and code != 0
    _to_closed(app, pid)
    code, output, error = _cli(app, "public-list", pid, "--out", str(tmp_path), "--json")
    assert (code, error) == (0, None)
    result = json.loads(output)
    assert result["ok"] is True
    assert [Path(f).suffix for f in result["files"]] == [".html", ".csv", ".json"]
    assert Path(result["files"][1]).read_bytes()[:3] == b"\xef\xbb\xbf"
