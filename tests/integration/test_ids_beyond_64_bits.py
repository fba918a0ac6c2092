"""Ids no row can have (2**31, 2**63, 2**64, -1, 0, "01", " 1", "٣"): 404, 422 or exit 2/4.

Every id column is an INTEGER, so 2**31 (PostgreSQL's INTEGER ends at 2**31 - 1) is as
impossible as 2**64; and an id is written in ASCII digits without sign, spaces or leading zero
on every face, so "01" or "٣" never names row 1 or 3. On the live app (forms, the mail retry
forms, the expert portal's `.ics` and nomination paths, the API, the audit and dashboard pages)
and through real `hotspot` processes, on SQLite and PostgreSQL. Before the fix PostgreSQL
refused 2**31 .. 2**63 - 1 in the query: a 500 on the web and exit 1 with the SQL in the CLI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from states.phases import Phase
from tests import support
from tests.support import ACTOR, EXTERNAL, INTERNAL
from tests.web_support import (
    FACILITATOR,
    PASSWORD,
    client,
    csrf_of,
    ensure_user,
    latest_link,
    logged_in,
    post_form,
)
from workflow.app import App
from workflow.cli.main import main as cli_main
from workflow.commands import sessions
from workflow.db import models as m
from workflow.web.routes.facilitator import page_of

IMPOSSIBLE = [
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    "-1",
    "0",
    str(10**30),
    "01",
    " 1",
    "+1",
    "٣",
    "１",
]
EXPERT = INTERNAL[0][1]


@pytest.fixture
def pid(app: App) -> str:
    """A procedure in the sessions phase with one held session and one candidate."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    support.hold_sessions(app, pid)
    sessions.add_candidate(
        app,
        pid,
        title="Terugkeer van de wolf",
        start="2018-01-01",
        description="Schapen en wolven",
        nominated_by=EXTERNAL[0][1],
        actor=ACTOR,
    )
    return pid


def _trail(app: App, pid: str) -> int:
    with app.read() as db:
        return int(
            db.scalar(
                select(func.count())
                .select_from(m.AuditRecord)
                .where(m.AuditRecord.procedure_id == pid)
            )
            or 0
        )


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_forms_naming_an_impossible_session_or_candidate_flash_not_found(
    app: App, pid: str, value: str
) -> None:
    """Every form that names a session or candidate answers with a flash, nothing stored."""
    web = logged_in(app)
    trail = _trail(app, pid)
    forms: list[tuple[str, dict[str, str | list[str]]]] = [
        ("sessions/move", {"session": value, "at": "2025-04-01T14:00"}),
        ("sessions/cancel", {"session": value, "reason": "weg"}),
        ("sessions/attend", {"session": value, "emails": [EXPERT]}),
        ("candidates/assess", {"candidate": value, "criteria": ["1"], "verdict": "include"}),
    ]
    for action, data in forms:
        response = post_form(web, f"{page_of(pid)}/{action}", data, page_of(pid))
        assert response.status_code == 303, (action, response.text)
        page = web.get(response.headers["location"]).text
        assert "hoort niet bij deze procedure" in page, action
    assert _trail(app, pid) == trail


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_the_version_field_of_a_form_is_checked_as_a_number(app: App, pid: str, value: str) -> None:
    """A tampered hidden version is invalid input, flashed, and nothing is written."""
    web = logged_in(app)
    trail = _trail(app, pid)
    response = post_form(
        web,
        f"{page_of(pid)}/concept-list/empty",
        {"reason": "Niets", "version": value},
        page_of(pid),
    )
    assert response.status_code == 303
    assert "Versie van de pagina: " in web.get(response.headers["location"]).text
    assert _trail(app, pid) == trail


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_the_mail_retry_forms_refuse_an_impossible_message_number(
    app: App, pid: str, value: str
) -> None:
    """The procedure page's and /mail's retry forms: invalid input, flashed, nothing written."""
    web = logged_in(app)
    trail = _trail(app, pid)
    for path, back in ((f"{page_of(pid)}/mail/retry", page_of(pid)), ("/mail/retry", "/mail")):
        response = post_form(web, path, {"message": value}, back)
        assert response.status_code == 303, (path, response.text)
        page = web.get(response.headers["location"]).text
        assert "nummer tussen 1 en 2147483647" in page, path
    assert _trail(app, pid) == trail


def _expert(app: App) -> TestClient:
    web = client(app)
    opened = web.get(latest_link(app, EXPERT, "call_for_nominations"))
    assert opened.status_code == 303, opened.text
    return web


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_the_portal_answers_404_for_an_impossible_session_or_nomination(
    app: App, pid: str, value: str
) -> None:
    """The `.ics` download and the nomination edit path: 404 pages, like an unknown id."""
    me = _expert(app)
    assert me.get(f"/portaal/bijeenkomsten/{value}.ics").status_code == 404
    token = csrf_of(me.get("/portaal").text)
    edit = me.post(f"/portaal/voordrachten/{value}", data={"csrf_token": token, "title": "x"})
    assert edit.status_code == 404
    assert "Niet gevonden" in edit.text


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_the_api_refuses_impossible_ids_as_invalid_input(app: App, pid: str, value: str) -> None:
    """Outside the schema's 1..2**31-1: 422 JSON naming the parameter, as every schema error."""
    ensure_user(app)
    web = client(app)
    login = web.post("/api/session", json={"username": FACILITATOR, "password": PASSWORD})
    assert login.status_code == 200, login.text
    headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    base = f"/api/procedures/{pid}"
    answers = [
        web.patch(f"{base}/sessions/{value}", json={"at": "2025-04-01T14:00"}, headers=headers),
        web.put(
            f"{base}/candidates/{value}/assessment",
            json={"criteria": [1], "motivation": "m", "include": True},
            headers=headers,
        ),
        web.post(f"{base}/advance", params={"version": value}, headers=headers),
    ]
    if re.fullmatch(r"-?(0|[1-9][0-9]*)", value):
        # In a JSON body an id is a JSON number, checked against the same bound.
        message = {"message": int(value)}
        answers.append(web.post(f"{base}/outbox/retry", json=message, headers=headers))
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"] == "invalid_input"


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_pages_with_an_impossible_page_number_show_a_page(app: App, pid: str, value: str) -> None:
    """The dashboard and the audit trail read a page number; an impossible one is page 1."""
    web = logged_in(app)
    assert web.get("/procedures", params={"page": value}).status_code == 200
    assert web.get(f"{page_of(pid)}/audit", params={"page": value}).status_code == 200


def _environment(database_url: str, cwd: Path) -> dict[str, str]:
    return {
        "HOTSPOT_DATABASE_URL": database_url,
        "HOTSPOT_ACTOR": "sanne",
        "HOTSPOT_NOW": datetime(2025, 3, 31, 10, 0).isoformat() + "+02:00",
        "HOTSPOT_MAIL_DIR": str(cwd / "mail"),
    }


def _hotspot(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **_environment(database_url, cwd)}
    env.pop("HOTSPOT_LANG", None)
    return subprocess.run(
        [str(Path(sys.executable).with_name("hotspot")), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _commands_naming(pid: str, value: str) -> list[tuple[str, ...]]:
    return [
        ("session", "attend", pid, "--json", "--", value, EXPERT),
        ("session", "cancel", pid, "--reason", "weg", "--json", "--", value),
        ("session", "move", pid, "--at", "2025-04-01T14:00", "--json", "--", value),
        ("candidate", "assess", pid, "--criteria", "1", "--include", "--json", "--", value),
        ("mail", "retry", "--json", "--", value),
    ]


def test_the_cli_answers_not_found_for_every_impossible_id(
    app: App,
    pid: str,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The CLI's own entry point, every impossible id: exit 4 with one JSON object."""
    for name, value in _environment(database_url, tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HOTSPOT_LANG", raising=False)
    trail = _trail(app, pid)
    for value in IMPOSSIBLE:
        for args in _commands_naming(pid, value):
            with pytest.raises(SystemExit) as exited:
                cli_main(list(args))
            printed = capsys.readouterr()
            assert exited.value.code == 4, (args, printed.out, printed.err)
            assert "Traceback" not in printed.err
            (line,) = printed.out.strip().splitlines()
            assert json.loads(line)["error"] == "not_found"
    assert _trail(app, pid) == trail


@pytest.mark.slow
def test_a_real_hotspot_process_answers_not_found_for_impossible_ids(
    app: App, pid: str, database_url: str, tmp_path: Path
) -> None:
    """A real `hotspot` process (a sample of ids, each command once): exit 4, never a traceback.

    The whole matrix runs in-process above; here the ids that broke the driver before (2**31 on
    PostgreSQL, 2**64 everywhere) go through the installed script, as a user runs it.
    """
    trail = _trail(app, pid)
    samples = [str(2**31), str(2**64), "٣"]
    for n, args in enumerate(_commands_naming(pid, "{}")):
        value = samples[n % len(samples)]
        done = _hotspot(database_url, tmp_path, *(value if a == "{}" else a for a in args))
        assert done.returncode == 4, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        (line,) = done.stdout.strip().splitlines()
        assert json.loads(line)["error"] == "not_found"
    # Without `--` a negative number reads as an option: click's own usage error, exit 2.
    done = _hotspot(database_url, tmp_path, "session", "move", pid, "-1", "--at", "2025-04-01")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert _trail(app, pid) == trail
