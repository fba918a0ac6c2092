"""A six-month procedure, day by day: the steps people take and the worker sweeping each morning.

Provincie Overijssel, 6 January to 6 July 2025. People act at 16:00 Amsterdam time; the worker
sweeps at 09:05 (reminders go out at 09:00). The expected reminders in the tests were worked out
by hand from the default policy and these dates, Dutch public holidays included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from states.i18n import AMSTERDAM, local_date
from workflow import scenario
from workflow.app import App, bootstrap
from workflow.commands import decision, people, planning, procedures, records
from workflow.db import models as m
from workflow.scenario import Candidate, Expert, Member, Publication, Search, SessionPlan
from workflow.testing import FrozenClock
from workflow.worker import tick

ACTOR = "sanne"
START = date(2025, 1, 6)
END = date(2025, 7, 6)
SWEEP_AT = time(9, 5)
WORK_AT = time(16, 0)

MEMBERS = (
    ("Sanne", "procesbegeleider"),
    ("Bert", "informatiebeheerder"),
    ("Carla", "archivaris"),
    ("Dirk", "management"),
)
INTERNAL = (
    ("Ineke Intern", "ineke@provincie.example", "beleid"),
    ("Jan Intern", "jan@provincie.example", "informatiebeheer"),
    ("Karel Intern", "karel@provincie.example", "bestuur"),
    ("Piet Pending", "piet@provincie.example", "communicatie"),
)
EXTERNAL = (
    ("Hanna Historica", "hanna@universiteit.example", "historicus"),
    ("Joost Journalist", "joost@krant.example", "journalist"),
    ("Mira Maatschappij", "mira@vereniging.example", "maatschappelijke-organisatie"),
    ("Dora Declines", "dora@erfgoed.example", "erfgoedorganisatie"),
)
MILESTONES = {
    "invitations_sent": date(2025, 1, 8),
    "rsvp_deadline": date(2025, 1, 24),
    "nomination_deadline": date(2025, 3, 7),
    "first_session": date(2025, 3, 10),
    "concept_list": date(2025, 4, 4),
    "archivist_advice": date(2025, 4, 18),
    # Thursday after Easter: three working days before it skip Good Friday and Easter Monday.
    "proposal_to_body": date(2025, 4, 24),
    "decision": date(2025, 5, 13),
    "inventory_done": date(2025, 6, 13),
    "publication": date(2025, 7, 1),
}
MOVED_NOMINATION_DEADLINE = date(2025, 3, 14)
OWNER = "div@provincie.example"


def member_email(name: str) -> str:
    return f"{name.lower()}@provincie.example"


def moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=AMSTERDAM)


@dataclass
class Run:
    """One simulated run; `app` is replaced when the worker process is restarted."""

    app: App
    clock: FrozenClock
    pid: str = ""
    organisation: str = "Provincie Overijssel"
    sweeps: int = 0
    hotspots: list[str] = field(default_factory=list)


Step = Callable[[Run], None]


def open_and_invite(run: Run) -> None:
    """The first two days: the procedure planned and every expert invited on 7 January."""
    run.clock.set(moment(START, WORK_AT))
    _open(run)
    run.clock.set(moment(START + timedelta(days=1), WORK_AT))
    people.invite(run.app, run.pid, [], actor=ACTOR)


SCENARIO = scenario.Scenario(
    actor=ACTOR,
    organisation="Provincie Overijssel",
    body="Gedeputeerde Staten",
    period="2017-2023",
    members=tuple(Member(name, member_email(name), role) for name, role in MEMBERS),
    milestones=MILESTONES,
    experts=tuple(Expert(n, e, "internal", p) for n, e, p in INTERNAL)
    + tuple(Expert(n, e, "external", p) for n, e, p in EXTERNAL),
    sessions=tuple(
        SessionPlan(
            datetime.combine(day, time(14, 0)),
            "Zwolle, Provinciehuis",
            tuple(e for _, e, _ in INTERNAL[:2] + EXTERNAL[:2]),
        )
        for day in (date(2025, 3, 10), date(2025, 3, 24))
    ),
    candidates=(),
    advice_by="Carla (archivaris)",
    advice_actor="carla",
    decision_at=datetime(2025, 5, 12, 16, 0),
    decision_ref="GS/2025/0412",
    searches=(
        Search("", "Corsa", "zaaktype covid", "DIV", dossiers=(), owner_email=OWNER),
        # No address for this owner: the informatiebeheerder (Bert) gets the reminder.
        Search("", "Mailarchief", "stikstof", "Team archief", dossiers=()),
        Search("", "Corsa", "wolf", "DIV", dossiers=(), owner_email=OWNER),
    ),
    publication=Publication("Provinciaal Blad", "Prb. 2025, 1234", date(2025, 6, 30)),
)


def _open(run: Run) -> None:
    app = run.app
    run.pid = pid = SCENARIO.but(organisation=run.organisation).open(app)
    SCENARIO.add_members(app, pid)
    procedures.advance(app, pid, actor=ACTOR)
    procedures.advance(app, pid, actor=ACTOR)
    SCENARIO.plan(app, pid)
    SCENARIO.add_experts(app, pid)
    procedures.advance(app, pid, actor=ACTOR)


def _respond(emails: tuple[str, ...], accept: bool = True) -> Step:
    def step(run: Run) -> None:
        for email in emails:
            people.respond(run.app, run.pid, email, accept=accept, actor=ACTOR)

    return step


def _add_sessions(run: Run) -> None:
    for plan in SCENARIO.sessions:
        SCENARIO.add_session(run.app, run.pid, scenario.to_local(plan.at), plan.place)
    procedures.advance(run.app, run.pid, actor=ACTOR)


def _nominate(title: str, start: str, by: str) -> Step:
    candidate = Candidate(
        title,
        start,
        None,
        f"Besluitvorming rond {title}",
        by,
        criteria="1,2",
        motivation="Veel maatschappelijke onrust",
    )

    def step(run: Run) -> None:
        SCENARIO.assess(run.app, run.pid, SCENARIO.nominate(run.app, run.pid, candidate), candidate)

    return step


def _attend(index: int) -> Step:
    def step(run: Run) -> None:
        with run.app.read() as db:
            ids = list(
                db.scalars(
                    select(m.ExpertSession.id)
                    .where(m.ExpertSession.procedure_id == run.pid)
                    .order_by(m.ExpertSession.at)
                )
            )
        SCENARIO.attend(run.app, run.pid, ids[index], SCENARIO.sessions[index].attendees)

    return step


def _advance(run: Run) -> None:
    procedures.advance(run.app, run.pid, actor=ACTOR)


def _adopt(run: Run) -> None:
    decision.record_decision(
        run.app, run.pid, adopted=True, day="2025-05-12", ref=SCENARIO.decision_ref, actor=ACTOR
    )
    procedures.advance(run.app, run.pid, actor=ACTOR)
    run.hotspots = [number for number, _ in scenario.adopted_hotspots(run.app, run.pid)]


def _systems(run: Run) -> None:
    for number, search in zip(run.hotspots, SCENARIO.searches, strict=True):
        SCENARIO.search(run.app, run.pid, number, search)


def _dossier(index: int) -> Step:
    def step(run: Run) -> None:
        records.mark_dossier(
            run.app, run.pid, run.hotspots[index], system="Corsa", dossier=f"Z-{index}", actor=ACTOR
        )

    return step


def _nothing_found(run: Run) -> None:
    records.nothing_found(
        run.app,
        run.pid,
        run.hotspots[1],
        system="Mailarchief",
        reason="Geen mail uit die jaren bewaard",
        actor=ACTOR,
    )


def _publish(run: Run) -> None:
    procedures.advance(run.app, run.pid, actor=ACTOR)


def _close(run: Run) -> None:
    SCENARIO.publish(run.app, run.pid)


def _move_nomination_deadline(run: Run) -> None:
    planning.set_milestone(
        run.app, run.pid, "nomination_deadline", MOVED_NOMINATION_DEADLINE, actor=ACTOR
    )


ACCEPTING = tuple(e for _, e, _ in INTERNAL[:3] + EXTERNAL[:3])
STEPS: dict[date, list[Step]] = {
    date(2025, 1, 6): [_open],
    date(2025, 1, 7): [lambda run: people.invite(run.app, run.pid, [], actor=ACTOR)],
    date(2025, 1, 9): [_respond(ACCEPTING[:3])],
    date(2025, 1, 13): [_respond(ACCEPTING[3:])],
    date(2025, 1, 20): [_respond(("dora@erfgoed.example",), accept=False)],
    date(2025, 2, 4): [_add_sessions],
    date(2025, 2, 20): [_nominate("COVID-19-pandemie", "2020-03-01", "hanna@universiteit.example")],
    date(2025, 2, 24): [_move_nomination_deadline],
    date(2025, 3, 10): [_attend(0)],
    date(2025, 3, 12): [
        _nominate("Stikstofcrisis", "2019-10-01", "ineke@provincie.example"),
        _nominate("Terugkeer van de wolf", "2018-01-01", "joost@krant.example"),
    ],
    date(2025, 3, 24): [_attend(1)],
    date(2025, 4, 2): [_advance],
    date(2025, 4, 22): [
        lambda run: decision.record_advice(
            run.app, run.pid, positive=True, by=SCENARIO.advice_by, actor=SCENARIO.advice_actor
        )
    ],
    date(2025, 5, 12): [_adopt],
    date(2025, 5, 14): [_systems],
    date(2025, 5, 26): [_dossier(0)],
    date(2025, 6, 5): [_nothing_found],
    date(2025, 6, 12): [_dossier(2)],
    date(2025, 6, 16): [_publish],
    date(2025, 6, 30): [_close],
}


def days(first: date = START, last: date = END) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def walk(
    runs: list[Run],
    clock: FrozenClock,
    *,
    last: date = END,
    steps: Mapping[date, list[Step]] = STEPS,
    sweeper: Callable[[App], object] = tick,
    down: frozenset[date] = frozenset(),
    restart_on: date | None = None,
) -> None:
    """Walk the calendar for procedures sharing one app: a sweep each morning (except on
    `down` days), then the day's steps for each procedure.

    On `restart_on` the application is thrown away and built again on the same database, as a
    restarted worker would be.
    """
    for day in days(START, last):
        if day == restart_on:
            settings = runs[0].app.settings
            runs[0].app.dispose()
            rebuilt = bootstrap(settings, clock=clock)
            for run in runs:
                run.app = rebuilt
        if day not in down and runs[0].pid:
            clock.set(moment(day, SWEEP_AT))
            sweeper(runs[0].app)
            for run in runs:
                run.sweeps += 1
        clock.set(moment(day, WORK_AT))
        for step in steps.get(day, []):
            for run in runs:
                step(run)


def simulate(
    app: App,
    clock: FrozenClock,
    *,
    down: frozenset[date] = frozenset(),
    restart_on: date | None = None,
) -> Run:
    """The six months for one procedure (see `walk`)."""
    run = Run(app, clock)
    walk([run], clock, down=down, restart_on=restart_on)
    return run


@dataclass(frozen=True, order=True)
class SentReminder:
    day: date
    kind: str
    to: str


def sent_reminders(app: App, pid: str) -> list[SentReminder]:
    """Every reminder mail in the outbox: the day it was queued, its kind and recipient."""
    with app.read() as db:
        rows = db.execute(
            select(
                m.OutboxMessage.created_at, m.OutboxMessage.kind, m.OutboxMessage.recipient_email
            ).where(
                m.OutboxMessage.procedure_id == pid,
                m.OutboxMessage.kind.like("reminder_%")
                | (m.OutboxMessage.kind == "milestone_overdue"),
            )
        ).all()
    return sorted(SentReminder(local_date(r.created_at), r.kind, r.recipient_email) for r in rows)
