"""What a retry, an address correction, a key change and the daily summary may and may not do,
on SQLite and PostgreSQL with a real SMTP server: no live link for a step that is over, one
link per person and step, nobody else's mail moved, no waiting mail left with a link nobody
can open, nothing counted as told that nobody was told.
"""

from __future__ import annotations

import base64
import sqlite3
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, update
from sqlalchemy import text as sa_text

from notifications.kinds import MailKind
from notifications.outbox import OUTBOX, OutgoingMail, Recipient, queue
from notifications.render import RenderedMail
from notifications.sender import PROBLEMS, open_problem, send_due_blocking
from states.errors import Refused
from states.phases import Phase
from tests import support
from tests.e2e.test_cli import Cli
from tests.integration.test_mail_retry import (
    FACILITATOR,
    RIGHT,
    WRONG,
    failed_invitation,
    link_in,
    portal_accepts,
    rows,
    smtp,
)
from tests.smtp_server import SmtpTestServer
from tests.support import ACTOR, EXTERNAL
from tests.web_support import csrf_of, logged_in
from workflow import keys
from workflow.app import App, bootstrap
from workflow.commands import decision, people, procedures
from workflow.commands import mail as mail_commands
from workflow.commands.mail_failures import summarise
from workflow.db import models as m
from workflow.db.engine import _alembic_config as alembic_config
from workflow.db.engine import make_engine
from workflow.testing import FrozenClock

__all__ = ["failed_invitation"]  # the fixture, shared with test_mail_retry
HANNA = EXTERNAL[0][1]


def live_links(app: App, pid: str, purpose: str) -> int:
    with app.read() as db:
        return int(
            db.scalar(
                select(func.count())
                .select_from(m.AccessLink)
                .where(
                    m.AccessLink.procedure_id == pid,
                    m.AccessLink.purpose == purpose,
                    m.AccessLink.revoked_at.is_(None),
                )
            )
            or 0
        )


def key_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def invited_with_key_file(app: App, path: Path) -> tuple[App, str]:
    """An installation whose keys live in `path`; six experts invited (links sealed)."""
    own = bootstrap(replace(app.settings, key_file=str(path)), clock=app.clock)
    pid = support.open_procedure(own)
    support.drive_to(own, pid, Phase.EXPERT_SELECTION)
    support.recruit(own, pid)
    people.invite(own, pid, [], actor=ACTOR)
    return own, pid


# --- H6: no live link for a step that is over ----------------------------------------------


def test_a_retry_after_the_procedure_was_cancelled_is_refused_and_issues_no_link(
    app: App,
    database_url: str,
    failed_invitation: str,
    smtp_server: SmtpTestServer,
    tmp_path: Path,
) -> None:
    """Cancelled: `mail retry --procedure` exits 3 with `mail.procedure_ended` for the
    invitation and for the cancellation notice that bounced too; no link is issued."""
    pid = failed_invitation
    smtp_server.reject(FACILITATOR, "550 5.1.1 Gone")
    procedures.cancel(app, pid, actor=ACTOR, reason="Stopgezet")
    send_due_blocking(app, smtp(smtp_server))
    cli = Cli(database_url, tmp_path, separate_process=False)
    cli.env["HOTSPOT_NOW"] = app.now().isoformat()

    refused = cli.json("mail", "retry", "--procedure", pid, expect=3)

    assert refused["codes"] == ["mail.procedure_ended"] * 2
    assert "geannuleerd" in refused["blockers"][0]["message"]
    assert live_links(app, pid, "expert") == 0
    assert {r.status for r in rows(app, "expert_invitation") if r.recipient_email == WRONG} == {
        "failed"
    }


def test_no_advice_link_goes_out_again_once_the_advice_is_recorded(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """The archivist's request bounced; the advice was recorded anyway: retrying the request
    is refused (`mail.step_done`, naming the advice) and leaves no live advice link."""
    pid = support.open_procedure(app)
    smtp_server.reject("carla@org.example", "550 5.1.1 Gone")
    support.drive_to(app, pid, Phase.DECISION)
    send_due_blocking(app, smtp(smtp_server))
    [request] = rows(app, "advice_request")
    assert request.status == "failed"
    support.run_clock_to(app, datetime(2025, 5, 13, 10, 0))
    decision.record_advice(app, pid, positive=True, by="Carla (archivaris)", actor=ACTOR)

    with pytest.raises(Refused) as caught:
        mail_commands.retry_message(app, request.id, actor=ACTOR)

    assert caught.value.codes == ["mail.step_done"]
    assert "advies" in caught.value.verdicts[0].message.nl
    assert live_links(app, pid, "advice") == 0


def test_no_decision_link_goes_out_again_once_the_decision_is_recorded(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """Management's proposal bounced; the decision was recorded: a retry of the procedure's
    failed mail leaves the proposal out, saying why, and issues no decision link."""
    pid = support.open_procedure(app)
    smtp_server.reject("dirk@org.example", "550 5.1.1 Gone")
    support.drive_to(app, pid, Phase.DECISION)
    support.run_clock_to(app, datetime(2025, 5, 13, 10, 0))
    decision.record_advice(app, pid, positive=True, by="Carla (archivaris)", actor=ACTOR)
    send_due_blocking(app, smtp(smtp_server))
    [proposal] = rows(app, "proposal")
    assert proposal.status == "failed"
    decision.record_decision(
        app, pid, adopted=True, day="2025-05-13", ref="GS/2025/0412", actor=ACTOR
    )

    result = mail_commands.retry_procedure(app, pid, actor=ACTOR)

    # Management's other failed mail (phase notices, no link) goes again; the proposal not.
    assert proposal.id not in result["messages"] and result["messages"]
    assert [(s["message"], s["code"]) for s in result["skipped"]] == [
        (proposal.id, "mail.step_done")
    ]
    assert "besluit" in result["skipped"][0]["reason"]
    assert live_links(app, pid, "decision") == 0


# --- M3: one link per person and step ------------------------------------------------------


def test_two_failed_invitations_to_one_expert_go_again_as_one_with_a_working_link(
    app: App, failed_invitation: str, smtp_server: SmtpTestServer
) -> None:
    """Invited twice at a bad address: after the correction only the newer invitation goes,
    the older is named as replaced, and its link works."""
    pid = failed_invitation
    people.invite(app, pid, [WRONG], actor=ACTOR)
    send_due_blocking(app, smtp(smtp_server))
    older, newer = [r for r in rows(app, "expert_invitation") if r.recipient_email == WRONG]
    people.correct_expert_email(app, pid, WRONG, RIGHT, actor=ACTOR)

    result = mail_commands.retry_procedure(app, pid, actor=ACTOR)
    send_due_blocking(app, smtp(smtp_server))

    assert result["messages"] == [newer.id]
    assert [(s["message"], s["code"]) for s in result["skipped"]] == [(older.id, "mail.superseded")]
    [arrived] = [r for r in smtp_server.received if r.rcpt_tos == (RIGHT,)]
    assert portal_accepts(app, link_in(arrived))


def test_the_procedure_pages_retry_button_says_what_did_not_go_again(
    app: App, failed_invitation: str, smtp_server: SmtpTestServer
) -> None:
    """Pressed with a replaced invitation among the failed mail: the page says which message
    was left out and why, beside the success."""
    pid = failed_invitation
    people.invite(app, pid, [WRONG], actor=ACTOR)
    send_due_blocking(app, smtp(smtp_server))
    older, newer = [r for r in rows(app, "expert_invitation") if r.recipient_email == WRONG]
    web = logged_in(app)
    page = web.get(f"/procedures/{pid}")

    posted = web.post(f"/procedures/{pid}/mail/retry", data={"csrf_token": csrf_of(page.text)})
    shown = web.get(posted.headers["location"]).text

    assert "Niet opnieuw verstuurd" in shown and "Mail opnieuw klaargezet" in shown
    assert f"bericht {older.id}: bericht {newer.id} (nieuwer" in shown
    assert [r.status for r in rows(app) if r.id in (older.id, newer.id)] == ["failed", "pending"]


def test_an_invitation_and_a_call_for_one_expert_share_one_fresh_link(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """Both of Hanna's mails with a link bounced; retried together they carry the same fresh
    link, and it opens the portal from either mail."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    smtp_server.reject(HANNA, "550 5.1.1 Full")
    people.invite(app, pid, [], actor=ACTOR)
    send_due_blocking(app, smtp(smtp_server))
    support.accept_all(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    send_due_blocking(app, smtp(smtp_server))
    smtp_server.handler.reject.clear()

    result = mail_commands.retry_procedure(app, pid, actor=ACTOR)
    send_due_blocking(app, smtp(smtp_server))

    kinds = {r.kind for r in rows(app) if r.id in result["messages"]}
    assert {"expert_invitation", "call_for_nominations"} <= kinds
    assert result["links"] == 1
    links = {
        link_in(r)
        for r in smtp_server.received
        if r.rcpt_tos == (HANNA,) and "/expert/" in r.raw.decode()
    }
    assert len(links) == 1 and portal_accepts(app, links.pop())


# --- M4: an address correction moves that person's mail only ---------------------------------


def test_correcting_an_expert_given_the_facilitators_address_leaves_the_facilitators_mail(
    app: App,
) -> None:
    """An expert entered with Sanne's address by mistake: correcting the expert moves the
    expert's invitation, not Sanne's own waiting mail."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    people.add_expert(
        app,
        pid,
        name="Hanna Historica",
        email=FACILITATOR,
        perspective="external",
        profile="historicus",
        actor=ACTOR,
    )
    people.invite(app, pid, [], actor=ACTOR)
    before = {r.id: r.kind for r in rows(app) if r.recipient_email == FACILITATOR}

    result = people.correct_expert_email(app, pid, FACILITATOR, RIGHT, actor=ACTOR)

    after = {r.id: (r.kind, r.recipient_email) for r in rows(app) if r.id in before}
    assert result["mail"] == 1
    assert {kind for kind, email in after.values() if email == RIGHT} == {"expert_invitation"}
    assert {kind for kind, email in after.values() if email == FACILITATOR} == {"phase_changed"}


def test_an_address_is_found_in_its_international_form_too(app: App) -> None:
    """Entered as jan@exämple.org (kept as xn--), the address is corrected when named so."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    people.add_expert(
        app,
        pid,
        name="Jan",
        email="jan@exämple.org",
        perspective="external",
        profile="journalist",
        actor=ACTOR,
    )

    result = people.correct_expert_email(
        app, pid, "JAN@EXÄMPLE.ORG", "jan@example.org", actor=ACTOR
    )

    assert result["email"] == "jan@example.org"


# --- H2: a retry takes the sender configured now ---------------------------------------------


def test_a_retry_takes_the_current_sender_and_a_fresh_message_id(
    app: App, failed_invitation: str, smtp_server: SmtpTestServer
) -> None:
    """A failed row kept a sender that cannot be used (as an older version stored it) and a
    Message-ID on its domain; the retry takes the sender configured now and a new Message-ID,
    and the invitation arrives from it."""
    pid = failed_invitation
    [bounced] = [r for r in rows(app, "expert_invitation") if r.recipient_email == WRONG]
    with app.transaction() as connection:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == bounced.id)
            .values(sender="Hotspot <hotspot@overijssel.example>", message_id="<x@bad domain>")
        )
    people.correct_expert_email(app, pid, WRONG, RIGHT, actor=ACTOR)
    now_sending = replace(smtp(smtp_server), sender="post@overijssel.example")
    worker = bootstrap(replace(app.settings, mail=now_sending), clock=app.clock)
    try:
        mail_commands.retry_message(worker, bounced.id, actor=ACTOR)
        report = send_due_blocking(worker, now_sending)
    finally:
        worker.dispose()

    [again] = [r for r in rows(app) if r.id == bounced.id]
    assert again.sender == "post@overijssel.example"
    assert again.message_id != bounced.message_id
    assert again.message_id.endswith("@overijssel.example>")
    assert report.sent == 1
    [arrived] = [r for r in smtp_server.received if r.rcpt_tos == (RIGHT,)]
    assert (arrived.mail_from, arrived.message_id) == ("post@overijssel.example", again.message_id)


# --- H4: never a mail without its link ------------------------------------------------------


def test_a_process_with_other_keys_holds_linked_mail_instead_of_sending_it_without(
    app: App, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """A worker started with another key opens none of the sealed links: the invitations
    wait (problem `keys`), none goes without its link; with the right keys they all go."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [], actor=ACTOR)
    stranger = bootstrap(
        replace(app.settings, secret_key=key_text(bytes(range(32)))), clock=app.clock
    )
    try:
        held = send_due_blocking(stranger, smtp(smtp_server))
    finally:
        stranger.dispose()

    assert (held.failed, held.held) == (0, 6)
    assert not [r for r in smtp_server.received if "expert_invitation" in r.raw.decode()]
    assert not [r for r in smtp_server.received if r.rcpt_tos == (HANNA,)]
    assert (open_problem(app) or {}).get("code") == "keys"

    clock.advance(minutes=2)
    assert send_due_blocking(app, smtp(smtp_server)).sent == 6
    delivered = [r for r in smtp_server.received if "/expert/" in r.raw.decode()]
    assert len(delivered) == 6 and all(portal_accepts(app, link_in(r)) for r in delivered)


def test_keys_retire_renews_the_links_of_waiting_mail_which_then_work(
    app: App, database_url: str, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    """Queued under key 1, rotated, then `hotspot keys retire`: the waiting invitations get
    fresh links under key 2 first, and go out with links the portal (on key 2 alone) accepts."""
    path = tmp_path / "keys" / "hotspot.key"
    keys.create_key_file(path)
    own, _ = invited_with_key_file(app, path)
    own.dispose()
    keys.rotate(path)
    cli = Cli(database_url, tmp_path, separate_process=False)
    cli.env["HOTSPOT_KEY_FILE"] = str(path)
    cli.env["HOTSPOT_NOW"] = app.now().isoformat()

    retired = cli.json("keys", "retire")

    assert (retired["retired"], retired["links_renewed"], retired["mail_failed"]) == (1, 6, 0)
    assert len(keys.key_lines(path)) == 1
    worker = bootstrap(replace(app.settings, key_file=str(path)), clock=app.clock)
    try:
        report = send_due_blocking(worker, smtp(smtp_server))
        delivered = [r for r in smtp_server.received if "/expert/" in r.raw.decode()]
        assert (report.sent, report.held, report.failed) == (len(rows(app)), 0, 0)
        assert len(delivered) == 6 and all(portal_accepts(worker, link_in(r)) for r in delivered)
    finally:
        worker.dispose()


# --- M5: nothing counts as told unless a summary told it -------------------------------------


def test_a_set_up_problem_is_marked_reported_only_by_the_summary_that_tells_it(
    app: App, failed_invitation: str, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """A problem that turns up within a day of the last summary is not marked reported; the
    next day's summary tells it, and marks it."""
    pid = failed_invitation
    assert summarise(app, clock()) == 1
    send_due_blocking(app, smtp(smtp_server))
    clock.advance(hours=1)
    people.invite(app, pid, [support.INTERNAL[1][1]], actor=ACTOR)
    asked = replace(
        smtp(smtp_server), smtp=replace(smtp(smtp_server).smtp, username="u", password="p")
    )
    assert (send_due_blocking(app, asked).problem or "").startswith("authentication")

    assert summarise(app, clock()) == 0
    with app.read() as db:
        assert [p.reported_at for p in db.execute(select(PROBLEMS))] == [None]
    clock.advance(days=1, hours=1)
    assert summarise(app, clock()) == 1

    [told] = [r for r in rows(app, "mail_failures")][-1:]
    assert "authentication" in told.body_text or "inloggen" in told.body_text
    with app.read() as db:
        assert [p.reported_at for p in db.execute(select(PROBLEMS))] == [clock()]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_failed_mail_of_a_procedure_without_procesbegeleider_needs_no_write(
    app: App, database_url: str, clock: FrozenClock
) -> None:
    """With another writer holding the database, the summary round passes over a procedure
    that has nobody to tell, at once and without an error."""
    pid = support.open_procedure(app)
    mail = OutgoingMail(
        MailKind.PHASE_CHANGED,
        Recipient("Bert", "bert@org.example"),
        RenderedMail("Fase", "Tekst\n", "<p>Tekst</p>"),
    )
    with app.transaction() as connection:
        queue(connection, [mail], procedure_id=pid, sender="a@overijssel.example", now=clock())
        connection.execute(update(OUTBOX).values(status="failed"))
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=1)
    try:
        writer.execute("BEGIN IMMEDIATE")
        started = datetime.now()
        assert summarise(app, clock()) == 0
        assert (datetime.now() - started).total_seconds() < 5
    finally:
        writer.rollback()
        writer.close()


def test_mail_queued_before_persons_were_kept_is_assigned_where_its_address_is_unambiguous(
    tmp_path: Path,
) -> None:
    """Upgrading a 0004 database: each waiting mail gets the expert or member its address
    names; an address an expert and a member share, or nobody's, stays unassigned."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        people_rows = {
            "organisations": [{"id": 1}],
            "procedures": [{"id": "p"}],
            "experts": [
                {"id": 1, "email_key": "hanna@x.example"},
                {"id": 2, "email_key": "both@x.example"},
            ],
            "members": [
                {"id": 1, "email_key": "sanne@x.example", "role": "procesbegeleider"},
                {"id": 2, "email_key": "sanne@x.example", "role": "informatiebeheerder"},
                {"id": 3, "email_key": "both@x.example", "role": "archivaris"},
            ],
        }
        for table, values in people_rows.items():
            for row in values:
                _insert(connection, table, {"procedure_id": "p", **row})
        addresses = ["Hanna@x.example", "sanne@x.example", "both@x.example", "owner@x.example"]
        for number, address in enumerate(addresses, start=1):
            _insert(
                connection,
                "outbox",
                {"procedure_id": "p", "message_id": f"<{number}@x>", "recipient_email": address},
            )
        command.upgrade(config, "head")
        found = connection.execute(
            sa_text("SELECT recipient_kind, recipient_id FROM outbox ORDER BY id")
        ).all()
    engine.dispose()

    assert [tuple(r) for r in found] == [("expert", 1), ("member", 1), (None, None), (None, None)]


def _insert(connection: Any, table: str, values: dict[str, Any]) -> None:
    """A row with `values`, every other required column filled with a plain value of its type."""
    columns = {c["name"]: c for c in inspect(connection).get_columns(table)}
    row = {k: v for k, v in values.items() if k in columns}
    for name, column in columns.items():
        if name in row or column["nullable"] or column.get("default") is not None:
            continue
        if column.get("autoincrement") is True or name == "id":
            continue
        kind = str(column["type"]).upper()
        row[name] = (
            1
            if "INT" in kind or "BOOL" in kind
            else "{}"
            if "JSON" in kind
            else "2025-01-06"
            if kind == "DATE"
            else "2025-01-06 09:00:00.000000"
            if "DATE" in kind or "TIME" in kind
            else f"{name}-{len(row)}"
        )
    names = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    connection.execute(sa_text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), row)
