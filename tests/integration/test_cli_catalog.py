"""The command catalog and the CLI agree: each declared command is one `hotspot` command.

The CLI's write commands are rows of workflow/cli/declared.py, dispatched through the
declarations' own mapping (`Command.keywords`, `declarations.run`). These tests walk the click
tree the program really builds, check that every declaration is reachable from it and that each
row's words reach the handler under the names it takes, and then give the CLI (in this
process, through `main`) and the JSON API (TestClient) the same bad input on one real database:
both must refuse it with the same error and the same rule codes.
"""

from __future__ import annotations

import inspect
import io
import json
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from states.audit_actions import AuditAction
from states.phases import Phase
from tests import support, web_support
from workflow.app import App
from workflow.cli import declared
from workflow.cli.main import cli, main
from workflow.commands.declarations import BY_NAME, COMMANDS, Command


def _command_at(path: tuple[str, ...]) -> click.Command | None:
    found: click.Command | None = cli
    for name in path:
        if not isinstance(found, click.Group):
            return None
        found = found.commands.get(name)
    return found


def test_every_declared_command_is_one_cli_command() -> None:
    rows = [row.name for row in declared.ROWS]
    assert len(set(rows)) == len(rows), "two rows for one command"
    assert set(rows).isdisjoint(declared.HAND_WRITTEN)
    assert set(rows) | set(declared.HAND_WRITTEN) == {c.name for c in COMMANDS}
    paths = [row.path for row in declared.ROWS] + list(declared.HAND_WRITTEN.values())
    assert len(set(paths)) == len(paths), "two commands on one CLI path"
    for row in declared.ROWS:
        command = _command_at(row.path)
        assert command is not None, f"{row.name}: no `hotspot {' '.join(row.path)}`"
        # The command click runs is the one made from this row, not one written beside it.
        assert [p.name for p in command.params][: len(row.params)] == declared.click_names(row)
        assert command.help == row.help


@pytest.mark.parametrize("name", list(declared.HAND_WRITTEN), ids=str)
def test_a_hand_written_cli_command_runs_the_declared_handler(name: AuditAction) -> None:
    command = _command_at(declared.HAND_WRITTEN[name])
    assert command is not None and command.callback is not None
    source = inspect.getsource(inspect.unwrap(command.callback))
    assert f"AuditAction.{name.name}" in source and "run(" in source, name


@pytest.mark.parametrize("row", declared.ROWS, ids=[str(r.name) for r in declared.ROWS])
def test_each_cli_word_reaches_the_handler_by_its_domain_name(row: declared.CliRow) -> None:
    command: Command = BY_NAME[row.name]
    domains = {kind: set[str]() for kind in ("field", "path", "cli")}
    for param, click_name in zip(row.params, declared.click_names(row), strict=True):
        domains[param.kind].add(param.to or click_name)
    # The path parameters are the API's; the fields are the input's, every required one given.
    assert domains["path"] == set(command.api.path_params), row.name
    fields = command.input.model_fields
    assert domains["field"] <= set(fields), f"{row.name}: {domains['field'] - set(fields)}"
    required = {name for name, info in fields.items() if info.is_required()}
    assert required <= domains["field"], f"{row.name} lacks {required - domains['field']}"
    # What the dispatcher gives the handler is what it takes, no two words on one keyword.
    keywords = (
        command.keywords(dict.fromkeys(domains["path"]), dict.fromkeys(domains["field"])).keys()
        | domains["cli"]
    )
    size = sum(len(d) for d in domains.values())
    assert len(keywords) == size, f"{row.name}: two words map to one keyword"
    parameters = inspect.signature(command.resolve()).parameters
    assert keywords | {"actor"} <= set(parameters), f"{row.name}: {keywords - set(parameters)}"


# --- The same refusal from both faces ----------------------------------------------------------


class Faces:
    """One database, reached through `hotspot` (in this process) and through /api."""

    def __init__(self, app: App, database_url: str, folder: Path) -> None:
        self.database_url = database_url
        self.folder = folder
        web_support.ensure_user(app)
        self.web = web_support.client(app)
        answer = self.web.post(
            "/api/session",
            json={"username": web_support.FACILITATOR, "password": web_support.PASSWORD},
        )
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["csrf_token"]

    def cli(self, *args: str, expect: int) -> dict[str, Any]:
        out = io.StringIO()
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("HOTSPOT_DATABASE_URL", self.database_url)
            patch.setenv("HOTSPOT_ACTOR", "sanne")
            patch.setenv("HOTSPOT_MAIL_TRANSPORT", "file")
            patch.setenv("HOTSPOT_MAIL_DIR", str(self.folder / "mail"))
            patch.delenv("HOTSPOT_LANG", raising=False)
            patch.setattr(sys, "stdout", out)
            with pytest.raises(SystemExit) as stop:
                main([*args, "--json"])
        assert stop.value.code == expect, out.getvalue()
        found: dict[str, Any] = json.loads(out.getvalue())
        return found

    def api(self, method: str, path: str, body: Any, expect: int) -> dict[str, Any]:
        answer = self.web.request(
            method, f"/api{path}", json=body, headers={"X-CSRF-Token": self.token}
        )
        assert answer.status_code == expect, answer.text
        found: dict[str, Any] = answer.json()
        return found


def _same(cli: dict[str, Any], api: dict[str, Any]) -> None:
    assert cli["ok"] is api["ok"] is False
    assert cli["error"] == api["error"]
    assert cli.get("codes") == api.get("codes")


@pytest.fixture
def faces(app: App, database_url: str, tmp_path: Path) -> Faces:
    return Faces(app, database_url, tmp_path)


def test_a_step_the_phase_does_not_allow_is_refused_alike(app: App, faces: Faces) -> None:
    pid = support.open_procedure(app)  # in preparation: no sessions yet
    cli = faces.cli("session", "add", pid, "--at", "2025-03-12T14:00", expect=3)
    api = faces.api("POST", f"/procedures/{pid}/sessions", {"at": "2025-03-12T14:00"}, 409)
    _same(cli, api)
    assert cli["codes"], "a refusal names its rule"


def test_advancing_past_open_rules_is_refused_alike(app: App, faces: Faces) -> None:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.WORKGROUP)  # with no member yet: the workgroup is not done
    cli = faces.cli("advance", pid, expect=3)
    api = faces.api("POST", f"/procedures/{pid}/advance", None, 409)
    _same(cli, api)
    assert len(cli["codes"]) >= 1


def test_an_unknown_procedure_is_not_found_alike(faces: Faces) -> None:
    cli = faces.cli("cancel", "no-such-procedure", "--reason", "test", expect=4)
    api = faces.api("POST", "/procedures/no-such-procedure/cancel", {"reason": "test"}, 404)
    _same(cli, api)


def test_an_unknown_expert_is_refused_alike(app: App, faces: Faces) -> None:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    email = "niemand@example.org"
    cli = faces.cli("expert", "respond", pid, email, "--accept", expect=2)
    api = faces.api("PUT", f"/procedures/{pid}/experts/{email}/response", {"accept": True}, 422)
    _same(cli, api)
    # One field, each face in its own words: the argument EMAIL, the path parameter email.
    assert (cli["field"], api["field"]) == ("EMAIL", "email")


def test_each_face_names_a_bad_field_in_its_own_words(app: App, faces: Faces) -> None:
    """The handler names its keyword (`day`); the CLI says its option, the API its field."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.DECISION)
    # Months passed on the test's calendar: the API session of the fixture has ended.
    faces = Faces(app, faces.database_url, faces.folder)
    cli = faces.cli("decide", pid, "--adopted", "--date", "gisteren", "--ref", "GS/1", expect=2)
    api = faces.api(
        "POST",
        f"/procedures/{pid}/decision",
        {"adopted": True, "date": "gisteren", "ref": "GS/1"},
        422,
    )
    assert cli["field"] == "--date"
    # The API's own schema check or the handler's: either way the body's name, never a flag.
    assert "--" not in json.dumps(api), api
