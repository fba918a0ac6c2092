"""Which steps queue which mails, to whom, in which language, on a real database."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from notifications.outbox import OUTBOX
from notifications.render import LINK_PLACEHOLDER
from states.config import MILESTONE_LABELS
from states.errors import InvalidInput, Refused
from states.phases import Phase
from tests import support
from tests.support import ACTOR, EXTERNAL, INTERNAL
from tests.web_support import open_sealed
from workflow import audit, links, notify
from workflow.app import App
from workflow.commands import decision, people, procedures, sessions
from workflow.commands.base import changing
from workflow.db import models as m
from workflow.testing import FrozenClock


def outbox(app: App, pid: str, kind: str | None = None) -> list[dict[str, Any]]:
    query = select(OUTBOX).where(OUTBOX.c.procedure_id == pid).order_by(OUTBOX.c.id)
    if kind is not None:
        query = query.where(OUTBOX.c.kind == kind)
    with app.read() as db:
        return [dict(r._mapping) for r in db.execute(query)]


def outbox_size(app: App) -> int:
    with app.read() as db:
        return int(db.scalar(select(func.count()).select_from(OUTBOX)) or 0)


def to_selection(app: App, pid: str) -> None:
    support.drive_to(app, pid, Phase.PLANNING)
    support.plan(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    support.recruit(app, pid)


@pytest.fixture
def pid(app: App) -> str:
    return support.open_procedure(app)


def test_invite_queues_one_dutch_invitation_per_expert_with_a_personal_link(
    app: App, pid: str
) -> None:
    """Inviting without addresses writes one Dutch invitation per expert, each its own link."""
    to_selection(app, pid)
    result = people.invite(app, pid, [], actor=ACTOR)
    assert len(result["invited"]) == 6
    mails = outbox(app, pid, "expert_invitation")
    assert sorted(r["recipient_email"] for r in mails) == sorted(
        e for _, e, _ in INTERNAL + EXTERNAL
    )
    first = mails[0]
    assert first["language"] == "nl"
    assert "Beste " in first["body_text"]
    assert "Met vriendelijke groet" in first["body_text"]
    assert "17 februari 2025" in first["body_text"]  # the RSVP deadline of the planning
    # The stored bodies hold a placeholder; each link waits sealed beside its mail.
    assert not [r for r in mails if "/expert/" in r["body_text"] + r["body_html"]]
    assert all(LINK_PLACEHOLDER in r["body_text"] for r in mails)
    urls = [open_sealed(app, r["link_secret"]) for r in mails]
    assert len(set(urls)) == 6 and all("/expert/" in u for u in urls)
    token = urls[0].rsplit("/", 1)[1]
    with app.engine.connect() as connection:
        grant = links.verify(
            connection,
            keys=links.link_keys(app.keys),
            token=token,
            purpose=links.Purpose.EXPERT,
            now=app.now(),
        )
        stored = set(connection.execute(select(m.AccessLink.nonce_hash)).scalars())
    assert grant.procedure_id == pid
    # Only hashes are stored: the link's own text is in no column.
    assert token not in stored and len(stored) == 6


def test_inviting_again_without_addresses_is_refused_and_queues_nothing(app: App, pid: str) -> None:
    """Once everyone is invited, a bare invite names the problem and writes no mail."""
    to_selection(app, pid)
    people.invite(app, pid, [], actor=ACTOR)
    before = outbox_size(app)
    with pytest.raises(InvalidInput, match="al een uitnodiging"):
        people.invite(app, pid, [], actor=ACTOR)
    assert outbox_size(app) == before


def test_reinviting_one_expert_replaces_their_link(app: App, pid: str) -> None:
    """A second invitation to one address gives that expert a new link and revokes the old."""
    to_selection(app, pid)
    people.invite(app, pid, [EXTERNAL[0][1]], actor=ACTOR)
    people.invite(app, pid, [EXTERNAL[0][1]], actor=ACTOR)
    with app.read() as db:
        rows = db.scalars(select(m.AccessLink).order_by(m.AccessLink.id)).all()
    assert [r.revoked_reason for r in rows] == ["replaced", None]
    assert rows[0].subject_id == rows[1].subject_id
    assert len(outbox(app, pid, "expert_invitation")) == 2


def test_an_english_speaking_expert_gets_english_mail(app: App, pid: str) -> None:
    """The recipient's language, not the facilitator's, decides the text."""
    support.drive_to(app, pid, Phase.PLANNING)
    support.plan(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    people.add_expert(
        app,
        pid,
        name="Emma English",
        email="emma@university.example",
        perspective="external",
        profile="historicus",
        actor=ACTOR,
        language="en",
    )
    people.invite(app, pid, [], actor=ACTOR)
    (mail,) = outbox(app, pid, "expert_invitation")
    assert mail["language"] == "en"
    assert mail["body_text"].startswith("Dear Emma English")
    assert "Beste " not in mail["body_text"]


def test_an_unknown_language_is_refused(app: App, pid: str) -> None:
    """A language the templates do not have is bad input, naming the field."""
    with pytest.raises(InvalidInput) as caught:
        people.add_member(
            app, pid, name="X", email="x@org.example", role="archivaris", actor=ACTOR, language="fr"
        )
    assert caught.value.field == "language"


def test_a_refused_step_queues_nothing(app: App, pid: str) -> None:
    """An advance that the rules refuse writes no phase-change mail."""
    support.drive_to(app, pid, Phase.WORKGROUP)
    people.add_member(
        app, pid, name="Sanne", email="s@org.example", role="procesbegeleider", actor=ACTOR
    )
    with pytest.raises(Refused):
        procedures.advance(app, pid, actor=ACTOR)
    assert outbox(app, pid) == []


def test_every_phase_change_tells_each_workgroup_address_once(app: App, pid: str) -> None:
    """A member with two roles gets one notice per phase change, not two."""
    support.drive_to(app, pid, Phase.WORKGROUP)
    support.fill_workgroup(app, pid)
    people.add_member(
        app, pid, name="Sanne", email="sanne@org.example", role="communicatieadviseur", actor=ACTOR
    )
    procedures.advance(app, pid, actor=ACTOR)
    notices = outbox(app, pid, "phase_changed")
    assert Counter(r["recipient_email"] for r in notices) == {
        "sanne@org.example": 1,
        "bert@org.example": 1,
        "carla@org.example": 1,
        "dirk@org.example": 1,
    }
    assert "Planning" in notices[0]["subject"] or "planning" in notices[0]["body_text"]
    with app.read() as db:
        last = audit.records_of(db, pid)[-1]
    assert last.data["mail"] == {"phase_changed": 4}


def test_session_invitation_update_and_cancellation_share_one_uid(
    app: App, pid: str, clock: FrozenClock
) -> None:
    """Adding, moving and cancelling a session send REQUEST 0, REQUEST 1 and CANCEL 2."""
    support.drive_to(app, pid, Phase.SESSIONS)
    sid = sessions.add_session(app, pid, at="2025-04-10T14:00", location="Zwolle", actor=ACTOR)[
        "session"
    ]
    sessions.move_session(app, pid, sid, at="2025-04-17T10:00", actor=ACTOR)
    sessions.cancel_session(app, pid, sid, reason="Te weinig externe experts", actor=ACTOR)
    calendars = []
    for kind in ("session_invitation", "session_update", "session_cancelled"):
        rows = [r for r in outbox(app, pid, kind) if r["calendar"]]
        rows = [r for r in rows if Calendar.from_ical(r["calendar"]).walk("VEVENT")[0]["UID"]]
        last_six = rows[-6:]
        assert len(last_six) == 6  # one per accepted expert
        assert {r["recipient_email"] for r in last_six} == {e for _, e, _ in INTERNAL + EXTERNAL}
        calendars.append(Calendar.from_ical(last_six[0]["calendar"]))
    methods = [str(c["METHOD"]) for c in calendars]
    events = [c.walk("VEVENT")[0] for c in calendars]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert events[1]["DTSTART"].dt.hour == 10
    assert str(events[1]["DTSTART"].params["TZID"]) == "Europe/Amsterdam"
    assert "Te weinig externe experts" in outbox(app, pid, "session_cancelled")[-1]["body_text"]


def test_a_cancelled_session_cannot_take_attendance(app: App, pid: str) -> None:
    """Attendance on a cancelled session is refused with the cancellation reason."""
    support.drive_to(app, pid, Phase.SESSIONS)
    sid = sessions.add_session(app, pid, at="2025-04-10T14:00", actor=ACTOR)["session"]
    sessions.cancel_session(app, pid, sid, reason="Zaal niet beschikbaar", actor=ACTOR)
    with pytest.raises(Refused) as refused:
        sessions.attend(app, pid, sid, [INTERNAL[0][1]], actor=ACTOR)
    assert refused.value.codes == ["session.cancelled"]
    assert "Zaal niet beschikbaar" in refused.value.verdicts[0].figures.nl
    assert procedures.status(app, pid).counts["sessions"] == 0


def test_accepting_brings_the_planned_session_invitations(
    app: App, pid: str, clock: FrozenClock
) -> None:
    """An expert who accepts after a session was planned gets its invitation and a confirmation."""
    to_selection(app, pid)
    sessions.add_session(app, pid, at="2025-06-10T14:00", actor=ACTOR)
    assert outbox(app, pid, "session_invitation") == []  # nobody accepted yet
    people.respond(app, pid, EXTERNAL[0][1], accept=True, actor=ACTOR)
    (invite,) = outbox(app, pid, "session_invitation")
    (confirmation,) = outbox(app, pid, "expert_response")
    assert invite["recipient_email"] == confirmation["recipient_email"] == EXTERNAL[0][1]
    assert invite["calendar_method"] == "REQUEST"


def test_entering_sessions_calls_the_accepted_experts_for_nominations(app: App, pid: str) -> None:
    """The call for nominations goes to accepted experts only, with the four criteria."""
    to_selection(app, pid)
    people.add_expert(
        app,
        pid,
        name="Dirk Declined",
        email="dirk@elders.example",
        perspective="internal",
        profile="beleid",
        actor=ACTOR,
    )
    support.accept_all(app, pid)
    people.respond(app, pid, "dirk@elders.example", accept=False, actor=ACTOR)
    procedures.advance(app, pid, actor=ACTOR)
    calls = outbox(app, pid, "call_for_nominations")
    assert {r["recipient_email"] for r in calls} == {e for _, e, _ in INTERNAL + EXTERNAL}
    assert "media-aandacht" in calls[0]["body_text"]


def test_decision_phase_mails_the_archivist_then_management_then_experts(
    app: App, pid: str
) -> None:
    """Advice request to the archivist, proposal to management, thanks to the experts."""
    support.drive_to(app, pid, Phase.SESSIONS)
    procedures.deviate(app, pid, "sessions.held", actor=ACTOR, reason="Griepgolf in maart")
    support.hold_sessions(app, pid)
    support.nominate_and_assess(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    (request,) = outbox(app, pid, "advice_request")
    assert request["recipient_email"] == "carla@org.example"
    for title, *_ in support.CANDIDATES:
        assert title in request["body_text"]
    decision.record_advice(app, pid, positive=True, by="Carla", actor="carla")
    (proposal,) = outbox(app, pid, "proposal")
    assert proposal["recipient_email"] == "dirk@org.example"
    assert "Griepgolf in maart" in proposal["body_text"]
    assert "Griepgolf in maart" in proposal["body_html"]
    support.run_clock_to(app, datetime(2025, 5, 13, 10, 0))  # the day of the decision
    decision.record_decision(
        app, pid, adopted=True, day="2025-05-13", ref="GS/2025/0412", actor=ACTOR
    )
    thanks = outbox(app, pid, "list_adopted")
    assert len(thanks) == 6
    assert all("GS/2025/0412" in r["body_text"] for r in thanks)


def test_negative_advice_sends_no_proposal(app: App, pid: str) -> None:
    """Negative advice returns the list; management gets no proposal, the workgroup a notice."""
    support.drive_to(app, pid, Phase.DECISION)
    decision.record_advice(app, pid, positive=False, by="Carla", actor="carla", reason="Te smal")
    assert outbox(app, pid, "proposal") == []
    returned = outbox(app, pid, "phase_changed")[-4:]
    assert all(r["body_text"] for r in returned)
    assert procedures.status(app, pid).phase is Phase.SESSIONS


def test_publication_is_announced_once_to_each_address(app: App, pid: str) -> None:
    """Experts and workgroup each get one announcement with the publication reference."""
    support.drive_to(app, pid, Phase.PUBLICATION)
    support.publish(app, pid)
    mails = outbox(app, pid, "publication")
    addresses = [r["recipient_email"] for r in mails]
    assert len(addresses) == len(set(addresses)) == 6 + 4
    assert all("Prb. 2025, 1234" in r["body_text"] for r in mails)


def test_no_message_ever_names_another_expert_address(app: App, pid: str) -> None:
    """Across a whole procedure, a mail to an expert never contains another expert's address."""
    support.drive_to(app, pid, Phase.PUBLICATION)
    support.publish(app, pid)
    experts = {e for _, e, _ in INTERNAL + EXTERNAL}
    for row in outbox(app, pid):
        if row["recipient_email"] in experts:
            others = experts - {row["recipient_email"]}
            content = row["body_text"] + row["body_html"] + (row["calendar"] or "")
            assert not any(o in content for o in others), row["kind"]


def test_queued_mail_carries_the_command_time(app: App, pid: str, clock: FrozenClock) -> None:
    """Rows are created at the command's clock and are due at once."""
    clock.advance(days=3)
    support.drive_to(app, pid, Phase.PLANNING)
    row = outbox(app, pid)[0]
    assert row["created_at"] == clock() == row["next_attempt_at"]
    assert row["status"] == "pending"


def test_an_overdue_milestone_escalates_to_management_and_the_workgroup(app: App, pid: str) -> None:
    """The escalation the scheduler will queue reaches each address once, with the figures."""
    support.drive_to(app, pid, Phase.PLANNING)
    with changing(app, pid, "system", "milestone.escalate") as change:
        notify.milestone_overdue(
            change,
            "archivist_advice",
            MILESTONE_LABELS["archivist_advice"],
            date(2025, 5, 5),
            days=8,
            working_days=6,
        )
    mails = outbox(app, pid, "milestone_overdue")
    assert sorted(r["recipient_email"] for r in mails) == [
        "bert@org.example",
        "carla@org.example",
        "dirk@org.example",
        "sanne@org.example",
    ]
    assert "5 mei 2025" in mails[0]["body_text"]
    assert "6" in mails[0]["body_text"]
    with app.read() as db:
        assert audit.records_of(db, pid)[-1].data["mail"] == {"milestone_overdue": 4}


def test_status_counts_mail_waiting_and_failed(app: App, pid: str) -> None:
    """`status` shows how much mail waits and how much failed, for the facilitator."""
    support.drive_to(app, pid, Phase.PLANNING)
    counts = procedures.status(app, pid).counts
    assert counts["mail_pending"] == len(outbox(app, pid)) > 0
    assert counts["mail_failed"] == 0


def test_a_held_session_can_be_neither_moved_nor_cancelled(app: App, pid: str) -> None:
    """Once attendance is recorded the session happened: moving or cancelling it is refused."""
    support.drive_to(app, pid, Phase.SESSIONS)
    sid = sessions.add_session(app, pid, at="2025-04-10T14:00", actor=ACTOR)["session"]
    support.run_clock_to(app, datetime(2025, 4, 10, 17, 0))  # it has taken place
    sessions.attend(app, pid, sid, [INTERNAL[0][1]], actor=ACTOR)
    before = outbox_size(app)
    for attempt in (
        lambda: sessions.move_session(app, pid, sid, at="2025-04-17T14:00", actor=ACTOR),
        lambda: sessions.cancel_session(app, pid, sid, reason="toch niet", actor=ACTOR),
    ):
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.codes == ["session.held"]
    assert outbox_size(app) == before


def test_an_expert_csv_may_give_each_expert_a_language(app: App, pid: str, tmp_path: Path) -> None:
    """A `taal` column sets the mail language per expert; an unknown one names its line."""
    support.drive_to(app, pid, Phase.PLANNING)
    support.plan(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    bad = tmp_path / "fout.csv"
    bad.write_text(
        "naam;e-mail;perspectief;profiel;taal\nAnna;anna@x.example;extern;historicus;fr\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        people.import_experts(app, pid, bad, actor=ACTOR)
    assert caught.value.field == "regel 2: language"
    good = tmp_path / "experts.csv"
    good.write_text(
        "naam;e-mail;perspectief;profiel;taal\n"
        "Anna;anna@x.example;extern;historicus;en\nBert;bert@x.example;intern;beleid;\n",
        encoding="utf-8",
    )
    people.import_experts(app, pid, good, actor=ACTOR)
    people.invite(app, pid, [], actor=ACTOR)
    languages = {r["recipient_email"]: r["language"] for r in outbox(app, pid, "expert_invitation")}
    assert languages == {"anna@x.example": "en", "bert@x.example": "nl"}
