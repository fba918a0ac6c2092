"""`hotspot proposal` on the organisation's own Word template, and a template that is no .docx."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from states.phases import Phase
from tests import support
from workflow.app import App
from workflow.cli.main import main


def _run(database_url: str, tmp_path: Path, template: Path, *args: str) -> tuple[int, Any]:
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOTSPOT_DATABASE_URL", database_url)
        patch.setenv("HOTSPOT_ACTOR", "sanne")
        patch.setenv("HOTSPOT_MAIL_TRANSPORT", "file")
        patch.setenv("HOTSPOT_MAIL_DIR", str(tmp_path / "mail"))
        patch.setenv("HOTSPOT_DOCX_TEMPLATE", str(template))
        patch.setattr(sys, "stdout", out)
        with pytest.raises(SystemExit) as stop:
            main([*args, "--json"])
    return int(stop.value.code or 0), json.loads(out.getvalue())


def test_the_proposal_is_written_on_the_organisations_template(
    app: App, database_url: str, tmp_path: Path
) -> None:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    template = Document()
    template.sections[0].header.paragraphs[0].text = "Provincie Overijssel · huisstijl"
    template.add_paragraph("Tekst uit het sjabloon")
    path = tmp_path / "huisstijl.docx"
    template.save(str(path))

    code, result = _run(database_url, tmp_path, path, "proposal", pid, "--out", str(tmp_path))
    assert code == 0, result
    (docx,) = [Path(f) for f in result["files"] if f.endswith(".docx")]
    written = Document(str(docx))
    assert written.sections[0].header.paragraphs[0].text == "Provincie Overijssel · huisstijl"
    texts = [p.text for p in written.paragraphs]
    assert "Tekst uit het sjabloon" not in texts
    assert any(pid in t or "hotspot" in t.lower() for t in texts)
    assert "Pagina" in written.sections[0].footer.paragraphs[-1].text


def test_a_template_that_is_no_word_file_is_an_environment_problem(
    app: App, database_url: str, tmp_path: Path
) -> None:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG")
    out = tmp_path / "uit"
    code, result = _run(database_url, tmp_path, path, "proposal", pid, "--out", str(out))
    assert code == 7
    assert result["error"] == "environment" and result["subject"] == "HOTSPOT_DOCX_TEMPLATE"
    assert "logo.png" in result["message"]
    assert not out.exists() or not any(out.iterdir())
