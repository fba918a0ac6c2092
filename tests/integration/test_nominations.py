"""An expert's own nominations through the command functions, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select

from states.errors import InvalidInput, NotFound, Refused
from states.phases import Phase
from tests import support
from tests.support import ACTOR, EXTERNAL, INTERNAL
from workflow.app import App
from workflow.commands import nominations, people, sessions
from workflow.db import models as m
from workflow.testing import FrozenClock

FIELDS: dict[str, Any] = {
    "title": "Terugkeer van de wolf",
    "start": "2018-01-01",
    "end": None,
    "description": "Gedode schapen en een verdeelde provincie.",
    "criteria": ["2", "1"],
}


def expert_id(app: App, email: str) -> int:
    with app.read() as db:
        found = db.scalar(select(m.Expert.id).where(m.Expert.email == email))
    assert found is not None
    return found


def candidate(app: App, cid: int) -> m.Candidate:
    with app.read() as db:
        row = db.get(m.Candidate, cid)
    assert row is not None
    return row


def last_audit(app: App, pid: str) -> m.AuditRecord:
    with app.read() as db:
        row = db.scalars(
            select(m.AuditRecord)
            .where(m.AuditRecord.procedure_id == pid)
            .order_by(m.AuditRecord.seq.desc())
        ).first()
    assert row is not None
    return row


def submit(app: App, pid: str, email: str = INTERNAL[0][1], **changes: Any) -> int:
    who = expert_id(app, email)
    result = nominations.submit_nomination(
        app, pid, who, **{**FIELDS, **changes}, actor=f"expert:{who}"
    )
    return int(result["candidate"])


def edit(app: App, pid: str, cid: int, email: str = INTERNAL[0][1], **changes: Any) -> None:
    who = expert_id(app, email)
    nominations.edit_nomination(app, pid, who, cid, **{**FIELDS, **changes}, actor=f"expert:{who}")


@pytest.fixture
def pid(app: App) -> str:
    """A procedure in the sessions phase; its nomination deadline is 3 March 2025."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    return pid


def test_a_nomination_is_stored_with_its_criteria_and_audited(app: App, pid: str) -> None:
    """The proposed criteria are kept sorted, the audit names the candidate and the expert."""
    cid = submit(app, pid)
    row = candidate(app, cid)
    assert row.proposed_criteria == "1,2"
    assert (row.assessed, row.criteria, row.updated_at) == (False, "", None)
    assert row.nominated_by == expert_id(app, INTERNAL[0][1])
    record = last_audit(app, pid)
    assert record.action == "nomination.submit"
    assert record.data["candidate"] == cid and record.data["title"] == FIELDS["title"]
    assert record.data["by_expert"] == row.nominated_by
    assert record.actor == f"expert:{row.nominated_by}"


def test_an_edit_keeps_the_previous_values_on_record(
    app: App, pid: str, clock: FrozenClock
) -> None:
    """The edit changes the row, stamps it and audits what it was before."""
    cid = submit(app, pid)
    clock.advance(days=1)
    edit(app, pid, cid, title="De wolf in Overijssel", end="2023-06-30", criteria="1")
    row = candidate(app, cid)
    assert (row.title, str(row.period_end), row.proposed_criteria) == (
        "De wolf in Overijssel",
        "2023-06-30",
        "1",
    )
    assert row.updated_at == clock()
    record = last_audit(app, pid)
    assert record.action == "nomination.edit"
    assert record.data["previous"] == {
        "title": FIELDS["title"],
        "start": "2018-01-01",
        "end": None,
        "description": FIELDS["description"],
        "criteria": [1, 2],
    }
    assert record.data["criteria"] == [1]


def test_an_edit_that_changes_nothing_is_refused(app: App, pid: str) -> None:
    """Saving the same values writes no audit record."""
    cid = submit(app, pid)
    with pytest.raises(InvalidInput, match="niet gewijzigd"):
        edit(app, pid, cid)
    assert last_audit(app, pid).action == "nomination.submit"


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        # 23:59 on 3 March in Amsterdam (CET, UTC+1): the deadline's last minute.
        (datetime(2025, 3, 3, 22, 59, tzinfo=UTC), True),
        # Midnight in Amsterdam, still 3 March in UTC: closed.
        (datetime(2025, 3, 3, 23, 0, tzinfo=UTC), False),
    ],
)
def test_the_window_closes_at_the_end_of_the_deadline_day_in_amsterdam(
    app: App, pid: str, clock: FrozenClock, moment: datetime, open_: bool
) -> None:
    """The nomination deadline is a Dutch calendar day, whatever the UTC date says."""
    cid = submit(app, pid)
    clock.set(moment)
    if open_:
        edit(app, pid, cid, title="Net op tijd")
        submit(app, pid, title="Nog een")
        return
    with pytest.raises(Refused) as refused:
        edit(app, pid, cid, title="Te laat")
    assert refused.value.codes == ["nomination.closed"]
    assert "3 maart 2025" in refused.value.verdicts[0].figures.nl
    with pytest.raises(Refused):
        submit(app, pid, title="Ook te laat")
    assert candidate(app, cid).title == FIELDS["title"]


def test_without_a_nomination_deadline_the_sessions_phase_is_the_window(
    app: App, pid: str, clock: FrozenClock
) -> None:
    """A planning without the milestone leaves nominations open while the sessions run."""
    with app.write() as db:
        db.execute(
            delete(m.Milestone).where(
                m.Milestone.procedure_id == pid, m.Milestone.key == "nomination_deadline"
            )
        )
    clock.set(datetime(2025, 6, 1, 9, 0, tzinfo=UTC))
    assert candidate(app, submit(app, pid)).title == FIELDS["title"]


def test_only_an_accepted_expert_nominates(app: App, pid: str) -> None:
    """An expert who withdrew is refused with the rule and their answer."""
    people.respond(app, pid, EXTERNAL[2][1], accept=False, actor=ACTOR)
    with pytest.raises(Refused) as refused:
        submit(app, pid, email=EXTERNAL[2][1])
    assert refused.value.codes == ["nomination.not_accepted"]
    assert "declined" in refused.value.verdicts[0].figures.en


def test_nominations_wait_for_the_sessions_phase(app: App) -> None:
    """Before the sessions the phase refuses the step."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    support.accept_all(app, pid)
    with pytest.raises(Refused) as refused:
        submit(app, pid)
    assert refused.value.codes == ["phase.action_not_allowed"]


def test_an_assessed_nomination_can_no_longer_be_edited(app: App, pid: str) -> None:
    """Once the session assessed it, the nomination belongs to the session."""
    cid = submit(app, pid)
    sessions.assess(app, pid, cid, criteria="1", motivation="Onrust", include=True, actor=ACTOR)
    with pytest.raises(Refused) as refused:
        edit(app, pid, cid, title="Later bedacht")
    assert refused.value.codes == ["nomination.assessed"]
    assert candidate(app, cid).title == FIELDS["title"]


def test_an_expert_cannot_edit_someone_elses_nomination(app: App, pid: str) -> None:
    """Another expert's candidate is reported as not found and stays as it was."""
    cid = submit(app, pid, email=EXTERNAL[0][1])
    with pytest.raises(NotFound):
        edit(app, pid, cid, email=INTERNAL[0][1], title="Gekaapt")
    with pytest.raises(NotFound):
        edit(app, pid, 999_999, title="Bestaat niet")
    assert candidate(app, cid).title == FIELDS["title"]


def test_an_expert_of_another_procedure_cannot_nominate_here(app: App, pid: str) -> None:
    """An expert id from another procedure is not found in this one."""
    other = support.open_procedure(app, org="Gemeente Zwolle")
    support.drive_to(app, other, Phase.EXPERT_SELECTION)
    people.add_expert(
        app,
        other,
        name="Els Elders",
        email="els@elders.example",
        perspective="external",
        profile="historicus",
        actor=ACTOR,
    )
    stranger = expert_id(app, "els@elders.example")
    with pytest.raises(NotFound):
        nominations.submit_nomination(app, pid, stranger, **FIELDS, actor="expert:x")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": "2017-12-31"}, "einde"),
        ({"title": ""}, "naam"),
        ({"description": "   "}, "beschrijving"),
        ({"start": "31-02-2019"}, "begin"),
        ({"criteria": ["5"]}, "criteria"),
        ({"start": "2024-02-01"}, "begin"),
    ],
)
def test_bad_input_names_the_form_field(
    app: App, pid: str, changes: dict[str, Any], field: str
) -> None:
    """Each bad field is refused under the name the portal's form gives it."""
    with pytest.raises(InvalidInput) as invalid:
        submit(app, pid, **changes)
    assert invalid.value.field == field


def test_the_facilitators_add_candidate_still_checks_as_before(app: App, pid: str) -> None:
    """The shared checks name the handler's fields and keep the reference-period rule."""
    with pytest.raises(InvalidInput) as invalid:
        sessions.add_candidate(
            app,
            pid,
            title="Buiten de periode",
            start="2010-01-01",
            end="2012-01-01",
            description="Te vroeg",
            nominated_by=INTERNAL[0][1],
            actor=ACTOR,
        )
    assert invalid.value.field == "start"
    with pytest.raises(InvalidInput) as invalid:
        sessions.add_candidate(
            app,
            pid,
            title="Omgekeerd",
            start="2020-01-01",
            end="2019-01-01",
            description="Einde voor begin",
            nominated_by=INTERNAL[0][1],
            actor=ACTOR,
        )
    assert invalid.value.field == "end"


@pytest.mark.parametrize(
    ("criteria", "motivation", "missing"),
    [("", "Veel onrust", "criterium"), ("2", "  ", "motivering"), ("", "", "criterium en")],
)
def test_including_without_criterion_or_motivation_is_refused_at_once(
    app: App, pid: str, criteria: str, motivation: str, missing: str
) -> None:
    """`candidate assess --include` needs a criterion and a motivation when it is recorded,
    not only when the phase is left; nothing of the candidate or the trail changes."""
    cid = submit(app, pid)
    before, trail = candidate(app, cid), last_audit(app, pid)
    with pytest.raises(Refused) as refused:
        sessions.assess(
            app, pid, cid, criteria=criteria, motivation=motivation, include=True, actor=ACTOR
        )
    assert refused.value.codes == ["sessions.concept_list_criteria"]
    assert missing in refused.value.explain("nl")
    after = candidate(app, cid)
    assert (after.assessed, after.included, after.criteria) == (
        before.assessed,
        before.included,
        before.criteria,
    )
    assert last_audit(app, pid).id == trail.id
    # Leaving it off the list needs neither; including it with both is recorded.
    sessions.assess(app, pid, cid, criteria="", motivation="", include=False, actor=ACTOR)
    sessions.assess(app, pid, cid, criteria="3", motivation="Onrust", include=True, actor=ACTOR)
    assert candidate(app, cid).included is True
