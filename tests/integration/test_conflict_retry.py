"""A collision is re-run where the user saw nothing stale; a version the user saw is honoured.

Web forms carry the procedure version their page showed and answer "changed by someone else"
when it moved on; API writes may send `version`; without one, a write that collides is run
again (re-read, re-checked). Only the one transaction that collided runs again, inside the
command (`workflow.commands.base.run_change`): never a whole CLI command or request, which may
have read a pipe or written before. The twenty-process burst is in
tests/e2e/test_concurrent_cli.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from states.errors import Conflict
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from tests.web_support import FACILITATOR, PASSWORD, client, csrf_of, ensure_user, logged_in
from workflow import unit_of_work
from workflow.app import App
from workflow.cli.main import main
from workflow.commands import base, people, procedures, sessions
from workflow.db import models as m
from workflow.web.routes.facilitator import page_of

_VERSION = re.compile(r'name="version" value="(\d+)"')


def _trail(app: App, pid: str) -> int:
    with app.read() as db:
        query = select(func.count()).select_from(m.AuditRecord)
        return int(db.scalar(query.where(m.AuditRecord.procedure_id == pid)) or 0)


def _version(app: App, pid: str) -> int:
    return int(procedures.status(app, pid).procedure.version)


@pytest.fixture
def pid(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.WORKGROUP)
    return pid


def _member(n: int) -> dict[str, str]:
    return {"name": f"Lid {n}", "email": f"lid{n}@org.example", "role": "informatiebeheerder"}


def test_a_form_posted_after_someone_else_changed_the_procedure_says_so(app: App, pid: str) -> None:
    """The page's version is in every form; a change in between is refused, nothing saved."""
    web = logged_in(app)
    page = web.get(page_of(pid)).text
    seen = {int(v) for v in _VERSION.findall(page)}
    assert seen == {_version(app, pid)}
    people.add_member(app, pid, actor="bert", **_member(1))  # someone else, meanwhile
    trail = _trail(app, pid)

    stale = web.post(
        f"{page_of(pid)}/members",
        data={**_member(2), "csrf_token": csrf_of(page), "version": str(seen.pop())},
    )

    assert stale.status_code == 303
    shown = web.get(stale.headers["location"]).text
    assert "De procedure is gewijzigd sinds u haar bekeek" in shown
    assert _trail(app, pid) == trail
    # Seen again, the page carries the new version, and the same form goes through.
    fresh = web.get(page_of(pid)).text
    again = web.post(
        f"{page_of(pid)}/members",
        data={**_member(2), "csrf_token": csrf_of(fresh), "version": _VERSION.findall(fresh)[0]},
    )
    assert "Werkgroeplid toegevoegd" in web.get(again.headers["location"]).text
    assert _trail(app, pid) == trail + 1


def _api(app: App) -> tuple[TestClient, dict[str, str]]:
    ensure_user(app)
    web = client(app)
    login = web.post("/api/session", json={"username": FACILITATOR, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return web, {"X-CSRF-Token": login.json()["csrf_token"]}


def test_an_api_write_with_a_stale_version_is_a_conflict(app: App, pid: str) -> None:
    """`version` as read before someone else's change: 409 conflict; the current one: done."""
    web, headers = _api(app)
    read = web.get(f"/api/procedures/{pid}").json()["version"]
    people.add_member(app, pid, actor="bert", **_member(1))
    trail = _trail(app, pid)
    path = f"/api/procedures/{pid}/members"

    stale = web.post(path, params={"version": read}, json=_member(2), headers=headers)

    assert stale.status_code == 409 and stale.json()["error"] == "conflict"
    assert f"versie {read}" in stale.json()["message"]
    assert _trail(app, pid) == trail
    current = web.get(f"/api/procedures/{pid}").json()["version"]
    done = web.post(path, params={"version": current}, json=_member(2), headers=headers)
    assert done.status_code == 201, done.text


@pytest.fixture
def one_lost_race(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first command reads the procedure a moment before another writer saves it."""
    loads: list[int] = []
    # The unit of work (workflow.unit_of_work) loads the procedure for every command.
    real = unit_of_work.load_procedure

    def load(connection: Any, procedure_id: str) -> Any:
        record = real(connection, procedure_id)
        loads.append(record.version)
        if len(loads) == 1:
            record.version -= 1  # what was read is one change behind: the save collides
        return record

    monkeypatch.setattr(unit_of_work, "load_procedure", load)
    return loads


def test_an_api_write_without_a_version_is_run_again_after_a_collision(
    app: App, pid: str, one_lost_race: list[int]
) -> None:
    """No version sent: the collision is retried, re-read and re-checked, and succeeds once."""
    web, headers = _api(app)
    trail = _trail(app, pid)

    done = web.post(f"/api/procedures/{pid}/members", json=_member(3), headers=headers)

    assert done.status_code == 201, done.text
    assert len(one_lost_race) == 2
    assert _trail(app, pid) == trail + 1


def test_a_command_runs_its_transaction_again_after_a_collision(
    app: App, pid: str, one_lost_race: list[int]
) -> None:
    """The body of the one change is run again, re-read and re-checked; it commits once."""
    trail = _trail(app, pid)
    assert people.add_member(app, pid, actor=ACTOR, **_member(4))["ok"]
    assert len(one_lost_race) == 2
    assert _trail(app, pid) == trail + 1


def _procedures(app: App) -> int:
    with app.read() as db:
        return int(db.scalar(select(func.count()).select_from(m.Procedure)) or 0)


def test_a_collision_after_a_write_outside_the_change_repeats_only_the_change(
    app: App, pid: str, one_lost_race: list[int]
) -> None:
    """A command that opened a procedure and then collided adds no second procedure.

    Before, the CLI ran a whole command again after a collision: `hotspot demo` opened its
    procedure a second time. Now only the transaction that collided runs again.
    """
    before = _procedures(app)
    opened = procedures.init_procedure(
        app, organisation="Gemeente Oss", body="B&W", period="2017-2023", actor=ACTOR
    )
    added = people.add_member(app, str(opened["procedure"]), actor=ACTOR, **_member(5))
    assert added["ok"] and len(one_lost_race) == 2
    assert _procedures(app) == before + 1


def test_retrying_gives_up_after_its_attempts(app: App, pid: str) -> None:
    """A collision that outlasts every attempt is reported as Conflict, unchanged."""
    runs: list[int] = []

    def always() -> None:
        runs.append(1)
        raise Conflict()

    with pytest.raises(Conflict):
        base.retried(always, attempts=3)
    assert len(runs) == 3


def test_a_version_the_user_saw_is_checked_once_and_never_retried(
    app: App, pid: str, one_lost_race: list[int]
) -> None:
    """Inside `seen_version` the first change that collides is a Conflict at once."""
    with pytest.raises(Conflict), base.seen_version(_version(app, pid)):
        sessions.empty_list_reason(app, pid, reason="x", actor=ACTOR)
    assert len(one_lost_race) == 1


def test_the_command_line_never_runs_a_whole_command_again(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Conflict that reaches the command line is exit 5 after one run: no process-wide retry
    (a command may have read a pipe or a prompt, or be a server)."""
    runs: list[int] = []

    def collides(*_: object, **__: object) -> None:
        runs.append(1)
        raise Conflict()

    monkeypatch.setenv("HOTSPOT_DATABASE_URL", f"sqlite:///{tmp_path / 'h.db'}")
    monkeypatch.setattr(procedures, "list_procedures", collides)
    with pytest.raises(SystemExit) as stop:
        main(["list", "--json"])
    assert stop.value.code == 5 and runs == [1]
    assert json.loads(capsys.readouterr().out)["error"] == "conflict"


# In a process of its own: the procedure's first read is one change behind (as if another
# writer saved it a moment later), then `hotspot` runs with the arguments given.
_LOST_RACE = """
import sys
import workflow.unit_of_work as unit_of_work
from workflow.cli.main import main

real, loads = unit_of_work.load_procedure, []

def load(connection, procedure_id):
    record = real(connection, procedure_id)
    loads.append(record.version)
    if len(loads) == 1:
        record.version -= 1
    return record

unit_of_work.load_procedure = load
try:
    main(sys.argv[1:])
finally:
    print("loads", len(loads), file=sys.stderr)
"""

_EXPERTS = (
    "name,email,perspective,profile\n"
    "Anna de Boer,anna@voorbeeld.example,internal,beleid\n"
    "Bram Peters,bram@krant.example,external,journalist\n"
)


@pytest.mark.slow
def test_an_expert_import_from_a_pipe_survives_a_collision(
    app: App, pid: str, database_url: str, tmp_path: Path
) -> None:
    """`hotspot expert import P /dev/stdin` reads the pipe once; the collided transaction runs
    again on what was read. Before, the whole command ran again and read an empty pipe."""
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    env = {**os.environ, "HOTSPOT_DATABASE_URL": database_url, "HOTSPOT_ACTOR": "sanne"}
    env.pop("HOTSPOT_LANG", None)
    done = subprocess.run(
        [sys.executable, "-c", _LOST_RACE, "expert", "import", pid, "/dev/stdin", "--json"],
        input=_EXPERTS,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert len(json.loads(done.stdout)["experts"]) == 2
    assert "loads 2" in done.stderr
    with app.read() as db:
        experts = db.scalars(select(m.Expert.email).where(m.Expert.procedure_id == pid))
        assert sorted(experts) == ["anna@voorbeeld.example", "bram@krant.example"]
