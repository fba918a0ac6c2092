"""The read side on real SQLite and PostgreSQL, and one audit filter meaning on every face."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from states.errors import NotFound
from states.phases import Phase
from tests import support, web_support
from workflow.app import App
from workflow.cli import procedure_commands
from workflow.cli.context import CliContext
from workflow.cli.group import cli
from workflow.commands import procedures
from workflow.db import models as m
from workflow.read import audit as read_audit
from workflow.read import people
from workflow.read.audit import AuditFilter, action_matches


def _planned(app: App) -> str:
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    procedures.deviate(app, pid, "panel.size", reason="te klein", actor="carla")
    return pid


def _seqs(app: App, pid: str, wanted: AuditFilter) -> list[int]:
    with app.read() as db:
        return [r.seq for r in read_audit.find(db.connection(), pid, wanted).records]


def test_an_action_filter_is_an_exact_action_or_a_group_ending_in_a_dot(app: App) -> None:
    pid = _planned(app)
    with app.read() as db:
        everything = read_audit.find(db.connection(), pid).records
    actions = {r.action for r in everything}
    assert "member.add" in actions
    for wanted in ("member.add", "member.", "member", "phase.", "m"):
        seqs = _seqs(app, pid, AuditFilter(action=wanted))
        assert seqs == [r.seq for r in everything if action_matches(wanted, r.action)]
    # A group name without its dot is no action: it finds nothing.
    assert _seqs(app, pid, AuditFilter(action="member")) == []
    assert _seqs(app, pid, AuditFilter(action="member.")) == [
        r.seq for r in everything if r.action.startswith("member.")
    ]
    # '_' is a letter of the action here, not a LIKE wildcard.
    assert _seqs(app, pid, AuditFilter(action="membe_.")) == []


def test_find_pages_newest_first_and_counts_all_matches(app: App) -> None:
    pid = _planned(app)
    with app.read() as db:
        connection = db.connection()
        whole = read_audit.find(connection, pid)
        page = read_audit.find(connection, pid, newest_first=True, limit=2, offset=1)
        carla = read_audit.find(connection, pid, AuditFilter(actor="carla"))
        assert read_audit.count(connection, pid, AuditFilter(actor="carla")) == 1
        assert read_audit.verify(connection, pid).ok
    assert [r.seq for r in whole.records] == list(range(1, whole.total + 1))
    assert page.total == whole.total
    assert [r.seq for r in page.records] == [whole.total - 1, whole.total - 2]
    assert [r.action for r in carla.records] == ["deviation.record"]
    assert carla.records[0].reason == "te klein"


def test_an_unknown_procedure_is_not_found(app: App) -> None:
    with app.read() as db, pytest.raises(NotFound):
        read_audit.find(db.connection(), "geen-procedure")


def test_people_are_read_only_within_their_procedure(app: App) -> None:
    pid = _planned(app)
    support.recruit(app, pid)
    other = support.open_procedure(app, org="Gemeente Zwolle")
    with app.read() as db:
        member = db.scalars(select(m.Member).where(m.Member.procedure_id == pid)).first()
        expert = db.scalars(select(m.Expert).where(m.Expert.procedure_id == pid)).first()
        assert member is not None and expert is not None
        connection = db.connection()
        found = people.member(connection, member.id, pid)
        assert found == people.MemberRef(member.id, pid, member.name)
        assert people.member(connection, member.id, other) is None
        assert people.expert(connection, expert.id, pid) == people.ExpertRef(
            expert.id, pid, expert.name, expert.email, expert.response
        )
        assert people.expert(connection, expert.id, other) is None
        assert people.open_sessions(connection, pid) == ()
        assert people.nominations_by(connection, pid, expert.id) == ()
        assert people.organisation_name(connection, None) == ""


def _cli_seqs(app: App, pid: str, *options: str) -> list[int]:
    assert procedure_commands  # imported for its commands on the shared group
    result = CliRunner().invoke(
        cli, ["audit", pid, "--format", "json", *options], obj=CliContext(_app=app)
    )
    assert result.exit_code == 0, result.output
    return [r["seq"] for r in json.loads(result.output)["records"]]


@pytest.mark.parametrize(
    "wanted", [{"action": "member.add"}, {"action": "member."}, {"actor": "carla"}]
)
def test_one_filter_finds_the_same_records_on_api_web_and_cli(
    app: App, wanted: dict[str, str]
) -> None:
    pid = _planned(app)
    asked = AuditFilter(actor=wanted.get("actor", ""), action=wanted.get("action", ""))
    expected = _seqs(app, pid, asked)
    assert expected

    web = web_support.logged_in(app)
    api = web.get(f"/api/procedures/{pid}/audit", params=wanted).json()
    assert sorted(r["seq"] for r in api["records"]) == expected
    assert api["total"] == len(expected)

    page = web.get(f"/procedures/{pid}/audit.json", params=wanted).json()
    assert [r["seq"] for r in page["records"]] == expected
    html = web.get(f"/procedures/{pid}/audit", params=wanted).text
    assert f"{len(expected)} records, nieuwste eerst" in html

    # On the command line --actor names who runs the command: the actor filter is --by.
    cli_names = {"action": "--action", "actor": "--by"}
    options = [f"{cli_names[name]}={value}" for name, value in wanted.items()]
    assert _cli_seqs(app, pid, *options) == expected
