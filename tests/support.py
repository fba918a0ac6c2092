"""Drive a procedure through the real command functions up to a given phase, for tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from states.config import MILESTONE_ORDER
from states.i18n import AMSTERDAM, local_date
from states.phases import FORWARD_ORDER, Phase
from workflow import repository
from workflow.app import App
from workflow.commands import decision, people, planning, procedures, records, sessions
from workflow.testing import FrozenClock

ACTOR = "test-procesbegeleider"
INTERNAL = [
    ("Ineke Intern", "ineke@provincie.example", "beleid"),
    ("Jan Intern", "jan@provincie.example", "informatiebeheer"),
    ("Karel Intern", "karel@provincie.example", "bestuur"),
]
EXTERNAL = [
    ("Hanna Historica", "hanna@universiteit.example", "historicus"),
    ("Joost Journalist", "joost@krant.example", "journalist"),
    ("Mira Maatschappij", "mira@vereniging.example", "maatschappelijke-organisatie"),
]
FIRST_MILESTONE = date(2025, 2, 3)


def open_procedure(app: App, org: str = "Provincie Overijssel", period: str = "2017-2023") -> str:
    result = procedures.init_procedure(
        app, organisation=org, body="Gedeputeerde Staten", period=period, actor=ACTOR
    )
    return str(result["procedure"])


def fill_workgroup(app: App, pid: str) -> None:
    for name, role in (
        ("Sanne", "procesbegeleider"),
        ("Bert", "informatiebeheerder"),
        ("Carla", "archivaris"),
        ("Dirk", "management"),
    ):
        people.add_member(
            app, pid, name=name, email=f"{name.lower()}@org.example", role=role, actor=ACTOR
        )


def plan(app: App, pid: str) -> None:
    gaps = [0, 14, 28, 35, 60, 75, 90, 110, 200, 230]
    for key, gap in zip(MILESTONE_ORDER, gaps, strict=True):
        planning.set_milestone(app, pid, key, FIRST_MILESTONE + timedelta(days=gap), actor=ACTOR)


def recruit(app: App, pid: str) -> None:
    for name, email, profile in INTERNAL:
        people.add_expert(
            app, pid, name=name, email=email, perspective="internal", profile=profile, actor=ACTOR
        )
    for name, email, profile in EXTERNAL:
        people.add_expert(
            app, pid, name=name, email=email, perspective="external", profile=profile, actor=ACTOR
        )


def accept_all(app: App, pid: str) -> None:
    for _, email, _ in INTERNAL + EXTERNAL:
        people.respond(app, pid, email, accept=True, actor=ACTOR)


def run_clock_to(app: App, moment: datetime) -> None:
    """Let a test's calendar run on to `moment` (Dutch time when naive); it never runs back.

    Attendance is recorded once a session has begun and a decision is dated no later than
    today, so the steps below move a FrozenClock as the real days would pass.
    """
    local = moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)
    if isinstance(app.clock, FrozenClock) and app.clock() < local:
        app.clock.set(local)


SESSION_DAYS = (datetime(2025, 3, 10, 14, 0), datetime(2025, 3, 24, 14, 0))


def session_days(app: App) -> tuple[datetime, datetime]:
    """Two Dutch afternoons for the sessions: the usual ones, or the next ones if those passed.

    A session lies on or after the day its procedure was opened, so a procedure opened after
    the usual days (a second one in a test, or one on the real clock) meets later.
    """
    usual = tuple(day.replace(tzinfo=AMSTERDAM) for day in SESSION_DAYS)
    now = app.now().astimezone(AMSTERDAM)
    if usual[0] >= now:
        return usual[0], usual[1]
    first = (now + timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
    return first, first + timedelta(days=14)


def hold_sessions(app: App, pid: str) -> list[int]:
    ids = []
    for day in session_days(app):
        sid = sessions.add_session(app, pid, at=day, location="Zwolle", actor=ACTOR)["session"]
        # Attendance is taken at the end of the session (they last three hours).
        run_clock_to(app, day + timedelta(hours=3))
        sessions.attend(app, pid, sid, [e for _, e, _ in INTERNAL[:2] + EXTERNAL[:2]], actor=ACTOR)
        ids.append(int(sid))
    return ids


CANDIDATES = [
    ("COVID-19-pandemie", "2020-03-01", "2022-12-31", EXTERNAL[0][1]),
    ("Stikstofcrisis en boerenprotesten", "2019-10-01", None, INTERNAL[0][1]),
    ("Terugkeer van de wolf", "2018-01-01", None, EXTERNAL[1][1]),
]


def nominate_and_assess(app: App, pid: str) -> list[int]:
    ids = []
    for title, start, end, by in CANDIDATES:
        cid = sessions.add_candidate(
            app,
            pid,
            title=title,
            start=start,
            end=end,
            description=f"Besluitvorming rond {title}",
            nominated_by=by,
            actor=ACTOR,
        )["candidate"]
        sessions.assess(
            app,
            pid,
            cid,
            criteria="1,2",
            motivation="Veel maatschappelijke onrust",
            include=True,
            actor=ACTOR,
        )
        ids.append(int(cid))
    return ids


DECISION_DAY = date(2025, 5, 13)
IN_FORCE = date(2025, 10, 1)


def decision_day(app: App) -> date:
    """The usual decision day, or today when the calendar has passed it: never in the future."""
    return max(DECISION_DAY, local_date(app.now()))


def advise_and_adopt(app: App, pid: str) -> None:
    # The decision is dated the day it is taken: the calendar reaches that day first.
    run_clock_to(app, datetime(2025, 5, 13, 10, 0))
    decision.record_advice(app, pid, positive=True, by="Carla (archivaris)", actor="carla")
    decision.record_decision(
        app, pid, adopted=True, day=decision_day(app), ref="GS/2025/0412", actor=ACTOR
    )


def inventory_all(app: App, pid: str, hotspots: list[str]) -> None:
    for number in hotspots:
        records.add_system(
            app, pid, number, system="Corsa", query="zaaktype hotspot", owner="DIV", actor=ACTOR
        )
        records.mark_dossier(app, pid, number, system="Corsa", dossier=f"Z-{number}", actor=ACTOR)


def publish(app: App, pid: str) -> None:
    # In force on the usual day, or on the day of the decision when that came later.
    with app.read() as db:
        adopted = repository.latest_list_version(db, pid)
    decided = adopted.decision_date if adopted and adopted.decision_date else DECISION_DAY
    records.publish(
        app,
        pid,
        channel="Provinciaal Blad",
        ref="Prb. 2025, 1234",
        day=max(IN_FORCE, decided),
        actor=ACTOR,
    )


def drive_to(app: App, pid: str, target: Phase) -> None:
    """Enter data and advance until the procedure stands in `target`."""
    steps = {
        Phase.WORKGROUP: lambda: fill_workgroup(app, pid),
        Phase.PLANNING: lambda: plan(app, pid),
        Phase.EXPERT_SELECTION: lambda: (recruit(app, pid), accept_all(app, pid)),
        Phase.SESSIONS: lambda: (hold_sessions(app, pid), nominate_and_assess(app, pid)),
        Phase.DECISION: lambda: advise_and_adopt(app, pid),
        Phase.INVENTORY: lambda: inventory_all(app, pid, adopted_numbers(app, pid)),
        Phase.PUBLICATION: lambda: publish(app, pid),
    }
    while True:
        current = Phase(procedures.status(app, pid).phase)
        if current is target or not current.is_open:
            return
        if current in steps:
            steps[current]()
        procedures.advance(app, pid, actor=ACTOR)
        if current is Phase.SESSIONS:
            # The list is now before the archivist and the governing body: their advice and
            # decision come some weeks later, dated the day they are given.
            run_clock_to(app, datetime.combine(DECISION_DAY, time(10, 0)))
        assert FORWARD_ORDER.index(Phase(procedures.status(app, pid).phase)) > FORWARD_ORDER.index(
            current
        )


def adopted_numbers(app: App, pid: str) -> list[str]:
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
        return [str(e["number"]) for e in row.entries] if row else []
