"""Failed mail made right: correct the address, send again (CLI, web, API), be told once a day,
and personal links that live only in the delivered mail, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from notifications.outbox import OUTBOX
from notifications.sealed import Sealer
from notifications.sender import send_due_blocking
from notifications.settings import MailSettings, SmtpSettings
from states.errors import InvalidInput, Refused
from states.phases import Phase
from tests import support
from tests.e2e.test_cli import Cli
from tests.integration.test_web_api import log_in
from tests.smtp_server import Received, SmtpTestServer
from tests.support import ACTOR, EXTERNAL
from tests.web_support import client, csrf_of, logged_in
from workflow import audit
from workflow.app import App, bootstrap
from workflow.commands import mail as mail_commands
from workflow.commands import people, procedures
from workflow.commands.mail_failures import summarise
from workflow.db import models as m
from workflow.keys import KeyUse
from workflow.settings import Settings
from workflow.testing import FrozenClock
from workflow.worker import tick

WRONG = "hana@universiteit.example"
RIGHT = EXTERNAL[0][1]  # hanna@universiteit.example
FACILITATOR = "sanne@org.example"
_LINK_PATHS = ("/expert/", "/advies/", "/besluit/")


def smtp(server: SmtpTestServer) -> MailSettings:
    return replace(
        MailSettings(),
        transport="smtp",
        sender="hotspotmonitor@overijssel.example",
        smtp=SmtpSettings(host=server.host, port=server.port, tls="none", timeout_seconds=10),
    )


def rows(app: App, kind: str | None = None) -> list[Any]:
    query = select(OUTBOX).order_by(OUTBOX.c.id)
    if kind:
        query = query.where(OUTBOX.c.kind == kind)
    with app.read() as db:
        return list(db.execute(query))


def trail(app: App, pid: str) -> list[m.AuditRecord]:
    with app.read() as db:
        return list(audit.records_of(db, pid))


def link_in(received: Received) -> str:
    text = received.message.get_body(preferencelist=("plain",))
    assert text is not None
    [url] = [w for w in text.get_content().split() if any(p in w for p in _LINK_PATHS)]
    return url.rstrip(".").split("://", 1)[1].split("/", 1)[1]


def portal_accepts(app: App, path: str) -> bool:
    return client(app).get(f"/{path.lstrip('/')}").status_code == 303


@pytest.fixture
def failed_invitation(app: App, smtp_server: SmtpTestServer) -> str:
    """Hanna was entered with a typo; her invitation bounced (550) and failed for good."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.PLANNING)
    support.plan(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    for name, email, profile in [*support.INTERNAL, ("Hanna Historica", WRONG, "historicus")]:
        people.add_expert(
            app,
            pid,
            name=name,
            email=email,
            perspective="external" if email == WRONG else "internal",
            profile=profile,
            actor=ACTOR,
        )
    people.invite(app, pid, [], actor=ACTOR)
    smtp_server.reject(WRONG, "550 5.1.1 No such user")
    send_due_blocking(app, smtp(smtp_server))
    [bounced] = [r for r in rows(app, "expert_invitation") if r.recipient_email == WRONG]
    assert bounced.status == "failed"
    return pid


def test_after_correcting_the_address_the_retried_invitation_arrives_with_a_working_link(
    app: App,
    database_url: str,
    failed_invitation: str,
    smtp_server: SmtpTestServer,
    tmp_path: Path,
) -> None:
    """`hotspot expert email` then `hotspot mail retry --procedure`: the invitation goes to
    the corrected address with a fresh link the portal accepts; both steps are audited."""
    pid = failed_invitation
    cli = Cli(database_url, tmp_path, separate_process=False)
    cli.env["HOTSPOT_NOW"] = app.now().isoformat()
    # The CLI process must hold the installation's keys, as a second machine would.
    cli.env["HOTSPOT_SECRET_KEY"] = ",".join(
        base64.urlsafe_b64encode(key).rstrip(b"=").decode() for key in app.keys.masters
    )

    corrected = cli.json("expert", "email", pid, WRONG, RIGHT)
    retried = cli.json("mail", "retry", "--procedure", pid)
    report = send_due_blocking(app, smtp(smtp_server))

    assert (corrected["email"], corrected["mail"]) == (RIGHT, 1)
    assert retried["count"] == 1
    assert report.sent == 1
    [arrived] = [r for r in smtp_server.received if r.rcpt_tos == (RIGHT,)]
    assert portal_accepts(app, link_in(arrived))
    actions = [r.action for r in trail(app, pid)]
    assert actions[-2:] == ["expert.email", "mail.retry"]
    assert trail(app, pid)[-2].data["from"] == WRONG


def test_retrying_mail_that_has_not_failed_is_refused_naming_the_rule(
    app: App, database_url: str, failed_invitation: str, tmp_path: Path
) -> None:
    """A sent message cannot be sent again: exit 3 with `mail.not_failed` and its status in
    Dutch; nothing changes."""
    cli = Cli(database_url, tmp_path, separate_process=False)
    sent = next(r for r in rows(app) if r.status == "sent")

    refused = cli.json("mail", "retry", str(sent.id), expect=3)
    missing = cli.json("mail", "retry", str(2**70), expect=4)

    assert refused["codes"] == ["mail.not_failed"]
    assert refused["blockers"][0]["figures"] == "status: verzonden"
    assert missing["error"] == "not_found"
    mail_commands.retry_procedure(app, failed_invitation, actor=ACTOR)
    with pytest.raises(Refused) as caught:
        mail_commands.retry_procedure(app, failed_invitation, actor=ACTOR)
    assert caught.value.codes == ["mail.nothing_failed"]


def test_the_web_retry_button_is_for_the_facilitator_with_csrf_and_audited(
    app: App, failed_invitation: str
) -> None:
    """/mail lists the failed invitation with a button; posting it queues the message again
    (audited on the procedure's trail); without login or CSRF nothing happens."""
    pid = failed_invitation
    [bounced] = [r for r in rows(app, "expert_invitation") if r.recipient_email == WRONG]
    anonymous = client(app).post("/mail/retry", data={"message": str(bounced.id)})
    assert anonymous.status_code in (303, 403)
    web = logged_in(app)
    page = web.get("/mail")
    assert WRONG in page.text and "550 5.1.1 No such user" in page.text
    assert web.post("/mail/retry", data={"message": str(bounced.id)}).status_code == 403
    assert rows(app, "expert_invitation")[-1].status == "failed"

    posted = web.post(
        "/mail/retry", data={"message": str(bounced.id), "csrf_token": csrf_of(page.text)}
    )

    assert posted.status_code == 303
    [again] = [r for r in rows(app, "expert_invitation") if r.id == bounced.id]
    assert (again.status, again.attempts, again.link_secret is not None) == ("pending", 0, True)
    assert trail(app, pid)[-1].action == "mail.retry"


def test_the_procedure_page_shows_failed_mail_and_corrects_and_retries_by_form(
    app: App, failed_invitation: str, smtp_server: SmtpTestServer
) -> None:
    """The page warns about the failed mail; the address form and the retry button fix it."""
    pid = failed_invitation
    web = logged_in(app)
    page = web.get(f"/procedures/{pid}")
    assert "1 bericht definitief niet bezorgd" in page.text
    assert "1 bericht definitief niet bezorgd" in web.get("/procedures").text

    corrected = web.post(
        f"/procedures/{pid}/experts/email",
        data={"old": WRONG, "new": RIGHT, "csrf_token": csrf_of(page.text)},
    )
    page = web.get(f"/procedures/{pid}")
    retried = web.post(f"/procedures/{pid}/mail/retry", data={"csrf_token": csrf_of(page.text)})

    assert corrected.status_code == retried.status_code == 303
    assert send_due_blocking(app, smtp(smtp_server)).sent == 1
    assert "definitief niet bezorgd" not in web.get(f"/procedures/{pid}").text
    assert [r.action for r in trail(app, pid)][-2:] == ["expert.email", "mail.retry"]


def test_the_api_corrects_an_address_and_retries_one_message(
    app: App, failed_invitation: str
) -> None:
    """PUT …/experts/{email}/email and POST …/outbox/retry do what the CLI does."""
    pid = failed_invitation
    api = log_in(app)
    [bounced] = [r for r in rows(app, "expert_invitation") if r.recipient_email == WRONG]

    corrected = api.ok("PUT", f"/api/procedures/{pid}/experts/{WRONG}/email", {"email": RIGHT})
    retried = api.ok("POST", f"/api/procedures/{pid}/outbox/retry", {"message": bounced.id})
    elsewhere = api.write("POST", "/api/procedures/nergens/outbox/retry", {"message": bounced.id})

    assert (corrected["email"], retried["messages"]) == (RIGHT, [bounced.id])
    assert elsewhere.status_code == 404
    [again] = [r for r in rows(app, "expert_invitation") if r.id == bounced.id]
    assert (again.status, again.recipient_email) == ("pending", RIGHT)


def test_an_address_correction_is_checked_like_any_address(
    app: App, failed_invitation: str
) -> None:
    """The new address passes the one check; it must not belong to another expert."""
    pid = failed_invitation
    with pytest.raises(InvalidInput, match="SMTPUTF8"):
        people.correct_expert_email(app, pid, WRONG, "hänna@universiteit.example", actor=ACTOR)
    with pytest.raises(InvalidInput, match="al als expert"):
        people.correct_expert_email(app, pid, WRONG, support.INTERNAL[0][1], actor=ACTOR)
    with pytest.raises(InvalidInput) as unknown:
        people.correct_expert_email(app, pid, "niemand@example.org", RIGHT, actor=ACTOR)
    assert unknown.value.field == "old"
    assert trail(app, pid)[-1].action != "expert.email"


def test_a_member_address_is_corrected_in_every_role(app: App) -> None:
    """A member holding two roles gets the new address in both, audited once."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.WORKGROUP)
    for role in ("procesbegeleider", "informatiebeheerder"):
        people.add_member(app, pid, name="Sanne", email="sane@org.example", role=role, actor=ACTOR)

    result = people.correct_member_email(app, pid, "SANE@org.example", FACILITATOR, actor=ACTOR)

    with app.read() as db:
        addresses = set(db.scalars(select(m.Member.email).where(m.Member.procedure_id == pid)))
    assert addresses == {FACILITATOR} and len(result["members"]) == 2
    assert trail(app, pid)[-1].data["roles"] == ["procesbegeleider", "informatiebeheerder"]


def test_failed_mail_is_summarised_to_the_facilitator_at_most_once_a_day(
    app: App, failed_invitation: str, smtp_server: SmtpTestServer, clock: FrozenClock
) -> None:
    """The worker mails the procesbegeleider one summary naming the failed invitation; no
    second one that day, nor about a summary that failed itself."""
    pid = failed_invitation
    mail_settings = smtp(smtp_server)
    worker_app = bootstrap(replace(app.settings, mail=mail_settings), clock=clock)
    try:
        tick(worker_app)
        tick(worker_app)
        clock.advance(hours=3)
        tick(worker_app)
    finally:
        worker_app.dispose()

    summaries = rows(app, "mail_failures")
    assert len(summaries) == 1
    assert summaries[0].recipient_email == FACILITATOR
    [got] = [r for r in smtp_server.received if "Mail niet bezorgd" in str(r.message["Subject"])]
    text = got.message.get_body(preferencelist=("plain",))
    assert text is not None and WRONG in text.get_content()
    assert f"hotspot mail retry --procedure {pid}" in text.get_content()
    assert trail(app, pid)[-1].action == "mail.failures_reported"

    # The facilitator's own address now bounces: the next summary fails, and is not reported.
    smtp_server.reject(FACILITATOR, "550 5.1.1 Gone")
    people.invite(app, pid, [WRONG], actor=ACTOR)
    send_due_blocking(app, mail_settings)
    clock.advance(days=1, minutes=1)
    assert summarise(app, clock()) == 1
    send_due_blocking(app, mail_settings)
    clock.advance(days=1, minutes=1)
    assert summarise(app, clock()) == 0
    assert [r.status for r in rows(app, "mail_failures")] == ["sent", "failed"]


def _stored_text(app: App) -> list[tuple[str, str, str]]:
    """Every value of every column of every table, as text: (table, column, value)."""
    found = []
    with app.read() as db:
        for table in m.Base.metadata.sorted_tables:
            for row in db.execute(select(table)):
                for column, value in row._mapping.items():
                    if value is not None:
                        found.append((table.name, str(column), str(value)))
    return found


def _tokens(urls: list[str]) -> set[str]:
    return {url.rstrip("/").rsplit("/", 1)[1] for url in urls}


def test_no_usable_link_is_stored_in_any_table_before_or_after_the_mail_is_sent(
    app: App, smtp_server: SmtpTestServer
) -> None:
    """While waiting, the invitations' links exist only sealed; once sent, not at all: no
    table of the database holds a link's secret, while each delivered link opens the portal."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [], actor=ACTOR)
    opener = Sealer(app.keys.derive(KeyUse.OUTBOX))
    waiting = [opener.open(r.link_secret) for r in rows(app, "expert_invitation")]
    assert all(waiting)
    waiting_tokens = _tokens([url for url in waiting if url])
    stored = _stored_text(app)
    assert not [(t, c) for t, c, value in stored for token in waiting_tokens if token in value]

    send_due_blocking(app, smtp(smtp_server))

    delivered = [r for r in smtp_server.received if "/expert/" in r.raw.decode("utf-8", "replace")]
    assert len(delivered) == 6 and all(portal_accepts(app, link_in(r)) for r in delivered)
    tokens = _tokens([link_in(r) for r in delivered])
    assert tokens == waiting_tokens
    stored = _stored_text(app)
    assert not [(t, c) for t, c, value in stored for token in tokens if token in value]
    assert all(row.link_secret is None for row in rows(app))


def test_a_pending_link_still_opens_after_a_key_rotation(
    app: App, smtp_server: SmtpTestServer, tmp_path: Path
) -> None:
    """Queued before a new key became current, the invitation still goes with its link, and
    the portal of the rotated installation accepts it."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [EXTERNAL[0][1]], actor=ACTOR)
    old = base64.urlsafe_b64encode(app.keys.masters[-1]).rstrip(b"=").decode()
    new = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
    rotated = bootstrap(replace(app.settings, secret_key=f"{old},{new}"), clock=app.clock)
    try:
        assert send_due_blocking(rotated, smtp(smtp_server)).failed == 0
        [invitation] = [r for r in smtp_server.received if r.rcpt_tos == (EXTERNAL[0][1],)]
        link = link_in(invitation)
        assert link.startswith("expert/")
        assert portal_accepts(rotated, link)
    finally:
        rotated.dispose()


def test_settings_accept_the_retry_window_from_the_mail_table() -> None:
    """retry_window_hours, backoff_seconds and max_backoff_seconds come from [mail]."""
    settings = MailSettings.from_sources(
        {"retry_window_hours": 48, "backoff_seconds": 30, "max_backoff_seconds": 600}, {}
    )
    assert (settings.retry_window_hours, settings.backoff_seconds) == (48, 30)
    assert settings.max_backoff_seconds == 600
    assert Settings.from_env({}).mail.retry_window_hours == 24
    with pytest.raises(InvalidInput) as caught:
        MailSettings.from_sources({"retry_window_hours": 0}, {})
    assert caught.value.field == "mail.retry_window_hours"
