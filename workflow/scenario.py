"""One way to carry a procedure through its phases with the real commands.

The demo, the tests and the benchmarks all build their procedures here: a `Scenario` holds the
data a procedure needs (workgroup, milestones, experts, sessions, candidates, decision,
searches, publication) and its steps enter that data through the same command functions the
CLI, the web and the API run, so a procedure built here is exactly what a real one looks like.
Each step also works on its own, for a caller that narrates (the demo) or walks a calendar (the
reminder scenario of the tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from states.i18n import AMSTERDAM, local_date
from states.phases import FORWARD_ORDER, Phase
from workflow import repository
from workflow.app import App
from workflow.commands import decision, people, planning, procedures, records, sessions
from workflow.testing import FrozenClock


class Member(NamedTuple):
    name: str
    email: str
    role: str
    note: str = ""


class Expert(NamedTuple):
    name: str
    email: str
    perspective: str  # "internal" or "external"
    profile: str
    accepts: bool = True


class SessionPlan(NamedTuple):
    at: datetime  # Dutch time when naive
    place: str
    attendees: tuple[str, ...]  # e-mail addresses


class Candidate(NamedTuple):
    title: str
    start: date | str
    end: date | str | None
    description: str
    nominated_by: str  # e-mail address
    criteria: str
    motivation: str
    include: bool = True


class Search(NamedTuple):
    """A search for one hotspot's records (`hotspot` a number or title; "" is every hotspot).

    `{number}` in a dossier stands for the hotspot's number. Without dossiers, `none_reason`
    records that the system held nothing.
    """

    hotspot: str
    system: str
    query: str
    owner: str
    dossiers: tuple[str, ...] = ("Z-{number}",)
    none_reason: str | None = None
    owner_email: str | None = None


class Publication(NamedTuple):
    channel: str
    ref: str
    in_force: date
    objection_weeks: int | None = None


@dataclass(frozen=True)
class Scenario:
    """The data of one procedure, and the steps that enter it phase by phase."""

    actor: str
    organisation: str
    body: str
    period: str
    members: tuple[Member, ...]
    milestones: Mapping[str, date]
    experts: tuple[Expert, ...]
    sessions: tuple[SessionPlan, ...]
    candidates: tuple[Candidate, ...]
    advice_by: str
    advice_actor: str
    decision_at: datetime  # the decision is dated the day the calendar reaches this
    decision_ref: str
    searches: tuple[Search, ...]
    publication: Publication
    # Milestones planned for a procedure opened on this day move on with a later opening (a
    # milestone lies at most a year before its procedure's opening); None keeps them as given.
    milestones_from: date | None = None
    config_file: Path | None = None

    def but(self, **changes: object) -> Scenario:
        """The same scenario with some data changed (another organisation, other experts)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    # --- the steps -------------------------------------------------------------------------

    def open(self, app: App, *, procedure_id: str | None = None) -> str:
        result = procedures.init_procedure(
            app,
            organisation=self.organisation,
            body=self.body,
            period=self.period,
            actor=self.actor,
            procedure_id=procedure_id,
            config_file=self.config_file,
        )
        return str(result["procedure"])

    def add_members(self, app: App, pid: str, members: tuple[Member, ...] | None = None) -> None:
        for member in self.members if members is None else members:
            people.add_member(
                app, pid, name=member.name, email=member.email, role=member.role, actor=self.actor
            )

    def plan(self, app: App, pid: str) -> None:
        shift = timedelta(0)
        if self.milestones_from is not None:
            shift = max(timedelta(0), local_date(app.now()) - self.milestones_from)
        for key, day in self.milestones.items():
            planning.set_milestone(app, pid, key, day + shift, actor=self.actor)

    def add_experts(self, app: App, pid: str, experts: tuple[Expert, ...] | None = None) -> None:
        for expert in self.experts if experts is None else experts:
            people.add_expert(
                app,
                pid,
                name=expert.name,
                email=expert.email,
                perspective=expert.perspective,
                profile=expert.profile,
                actor=self.actor,
            )

    def answer(self, app: App, pid: str, experts: tuple[Expert, ...] | None = None) -> None:
        for expert in self.experts if experts is None else experts:
            people.respond(app, pid, expert.email, accept=expert.accepts, actor=self.actor)

    def session_moments(self, app: App) -> list[datetime]:
        """The sessions' moments: as planned, or moved on together when the first has passed.

        A session lies after its procedure's opening, so a procedure opened after the planned
        days (a second one in a test, one on the real clock) meets from the next day on, at
        the same hour and with the same days between the sessions.
        """
        planned = [to_local(plan.at) for plan in self.sessions]
        now = app.now().astimezone(AMSTERDAM)
        if not planned or planned[0] >= now:
            return planned
        first = datetime.combine(
            (now + timedelta(days=1)).date(), planned[0].timetz().replace(tzinfo=None)
        ).replace(tzinfo=AMSTERDAM)
        return [first + (moment - planned[0]) for moment in planned]

    def add_session(self, app: App, pid: str, at: datetime, place: str) -> int:
        result = sessions.add_session(app, pid, at=at, location=place, actor=self.actor)
        return int(str(result["session"]))

    def attend(self, app: App, pid: str, session_id: int, attendees: tuple[str, ...]) -> None:
        sessions.attend(app, pid, session_id, list(attendees), actor=self.actor)

    def hold_sessions(self, app: App, pid: str) -> list[int]:
        """Each session planned, and its attendance taken at its end (they last three hours)."""
        ids = []
        for plan, at in zip(self.sessions, self.session_moments(app), strict=True):
            session_id = self.add_session(app, pid, at, plan.place)
            run_clock_to(app, at + timedelta(hours=3))
            self.attend(app, pid, session_id, plan.attendees)
            ids.append(session_id)
        return ids

    def nominate(self, app: App, pid: str, candidate: Candidate) -> int:
        result = sessions.add_candidate(
            app,
            pid,
            title=candidate.title,
            start=candidate.start,
            end=candidate.end,
            description=candidate.description,
            nominated_by=candidate.nominated_by,
            actor=self.actor,
        )
        return int(str(result["candidate"]))

    def assess(self, app: App, pid: str, candidate_id: int, candidate: Candidate) -> None:
        sessions.assess(
            app,
            pid,
            candidate_id,
            criteria=candidate.criteria,
            motivation=candidate.motivation,
            include=candidate.include,
            actor=self.actor,
        )

    def nominate_and_assess(self, app: App, pid: str) -> list[int]:
        ids = []
        for candidate in self.candidates:
            candidate_id = self.nominate(app, pid, candidate)
            self.assess(app, pid, candidate_id, candidate)
            ids.append(candidate_id)
        return ids

    def advise_and_adopt(self, app: App, pid: str) -> None:
        # Dated the day it is taken: the calendar reaches that day first (or has passed it).
        run_clock_to(app, self.decision_at)
        decision.record_advice(app, pid, positive=True, by=self.advice_by, actor=self.advice_actor)
        decision.record_decision(
            app,
            pid,
            adopted=True,
            day=local_date(app.now()),
            ref=self.decision_ref,
            actor=self.actor,
        )

    def search(self, app: App, pid: str, number: str, search: Search) -> list[dict[str, Any]]:
        """Record one system searched for hotspot `number`; the results of its dossiers."""
        records.add_system(
            app,
            pid,
            number,
            system=search.system,
            query=search.query,
            owner=search.owner,
            owner_email=search.owner_email,
            actor=self.actor,
        )
        marked = [
            records.mark_dossier(
                app,
                pid,
                number,
                system=search.system,
                dossier=dossier.format(number=number),
                actor=self.actor,
            )
            for dossier in search.dossiers
        ]
        if search.none_reason is not None:
            records.nothing_found(
                app, pid, number, system=search.system, reason=search.none_reason, actor=self.actor
            )
        return marked

    def inventory(self, app: App, pid: str) -> None:
        adopted = adopted_hotspots(app, pid)
        for search in self.searches:
            for number, title in adopted:
                if search.hotspot in ("", number, title):
                    self.search(app, pid, number, search)

    def publish(self, app: App, pid: str) -> None:
        # In force on the planned day, or on the day of the decision when that came later.
        with app.read() as db:
            adopted = repository.latest_list_version(db, pid)
        decided = adopted.decision_date if adopted and adopted.decision_date else None
        day = max(self.publication.in_force, decided or self.publication.in_force)
        records.publish(
            app,
            pid,
            channel=self.publication.channel,
            ref=self.publication.ref,
            day=day,
            objection_weeks=self.publication.objection_weeks,
            actor=self.actor,
        )

    # --- whole phases ----------------------------------------------------------------------

    def fill(self, app: App, pid: str, phase: Phase) -> None:
        """Enter what the procedure needs in `phase` before `advance` may leave it."""
        entry: dict[Phase, Callable[[App, str], object]] = {
            Phase.WORKGROUP: self.add_members,
            Phase.PLANNING: self.plan,
            Phase.EXPERT_SELECTION: self._select_experts,
            Phase.SESSIONS: self._sessions,
            Phase.DECISION: self.advise_and_adopt,
            Phase.INVENTORY: self.inventory,
            Phase.PUBLICATION: self.publish,
        }
        if phase in entry:
            entry[phase](app, pid)

    def _select_experts(self, app: App, pid: str) -> None:
        self.add_experts(app, pid)
        self.answer(app, pid)

    def _sessions(self, app: App, pid: str) -> None:
        self.hold_sessions(app, pid)
        self.nominate_and_assess(app, pid)

    def drive_to(self, app: App, pid: str, target: Phase) -> None:
        """Enter data and advance until the procedure stands in `target` (or has closed)."""
        while True:
            current = Phase(procedures.status(app, pid).phase)
            if current is target or not current.is_open:
                return
            self.fill(app, pid, current)
            procedures.advance(app, pid, actor=self.actor)
            if current is Phase.SESSIONS:
                # The list is now before the archivist and the governing body: their advice
                # and decision come some weeks later, dated the day they are given.
                run_clock_to(app, self.decision_at)
            now = Phase(procedures.status(app, pid).phase)
            if FORWARD_ORDER.index(now) <= FORWARD_ORDER.index(current):
                raise RuntimeError(f"advance left {pid} in {now.value}, not past {current.value}")


def to_local(moment: datetime) -> datetime:
    """A moment in Dutch time; a naive one is read as Dutch time."""
    return moment.astimezone(AMSTERDAM) if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


def run_clock_to(app: App, moment: datetime) -> None:
    """Let a frozen calendar run on to `moment` (Dutch time when naive); it never runs back.

    Attendance is recorded once a session has begun and a decision is dated no later than
    today, so the steps move a FrozenClock as the real days would pass. A real clock is left
    alone: its days pass by themselves.
    """
    local = to_local(moment)
    if isinstance(app.clock, FrozenClock) and app.clock() < local:
        app.clock.set(local)


def adopted_hotspots(app: App, pid: str) -> list[tuple[str, str]]:
    """The number and title of each hotspot on the latest list."""
    with app.read() as db:
        row = repository.latest_list_version(db, pid)
        return [(str(e["number"]), str(e["title"])) for e in row.entries] if row else []
