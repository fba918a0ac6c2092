"""`hotspot demo`: one complete, simulated hotspot-monitor of the Provincie Overijssel, 2017–2023.

This is the first thing a new user sees (`make run`). It walks one procedure through every phase
by calling the same command functions as the CLI, so each step passes the same rules and lands
in the same audit trail; the demo never writes to the database itself. A frozen clock moves
through 2025 so dates and audit times look like a real year's work. Two refusals are provoked on
purpose to show the rules at work; every other error propagates, so a broken engine makes the
demo fail loudly instead of looking fine.
"""

from __future__ import annotations

import secrets
import shlex
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.engine import make_url

from notifications import sender
from notifications.documents import write_proposal
from notifications.outbox import OUTBOX
from states.errors import HotspotError, Refused
from states.i18n import AMSTERDAM, Language, Text, format_date, local_date
from states.phases import FORWARD_ORDER, Phase
from states.reminders import RULE_LABELS, Rule
from states.snapshot import ListEntry
from workflow import audit, documents, repository, users, worker
from workflow.app import App, bootstrap
from workflow.cli import render
from workflow.cli.demo_data import (
    ARCHIVIST,
    BODY,
    CANDIDATES,
    DECISION_REF,
    DEMO,
    DEMO_DATABASE,
    DEMO_DOCUMENTS,
    DEMO_MAIL,
    DEMO_PUBLIC,
    FACILITATOR,
    FIRST_PANEL,
    INTERNAL,
    MEMBERS_FIRST,
    MEMBERS_LATER,
    MILESTONES,
    ORGANISATION,
    PERIOD,
    RECORDS_MANAGER,
    REPLACEMENT,
    SEARCHES,
    SECOND_ROUND,
    SESSION_ONE,
    SESSION_TWO,
    START,
    SessionDay,
)
from workflow.commands import decision, people, procedures, sessions
from workflow.publishing import public_list_to
from workflow.resources import config_dir
from workflow.scenario import Candidate, Expert, Member
from workflow.settings import Settings
from workflow.testing import FrozenClock

# The facilitator's account in `hotspot demo --web`; the password is new every run.
DEMO_LOGIN = "procesbegeleider"
FACILITATOR_NAME = "Procesbegeleider (demo)"
# The demo's worker sweeps each simulated morning at this time (reminders go out at 09:00).
WORKER_SWEEP_AT = time(9, 5)


@dataclass
class Demo:
    """The running demo: where it prints, the app it drives and the simulated calendar."""

    console: Console
    app: App
    clock: FrozenClock
    language: Language
    procedure: str = ""
    session_ids: list[int] = field(default_factory=list)
    mails: Counter[str] = field(default_factory=Counter)
    # Reminders the worker sent on the way, by rule of the reminder policy.
    reminders: Counter[str] = field(default_factory=Counter)
    files: list[Path] = field(default_factory=list)

    def deliver(self) -> None:
        """What the worker would do: deliver the outbox at the simulated moment (to files)."""
        report = sender.send_due_blocking(self.app, self.app.settings.mail, now=self.clock())
        if report.sent:
            line = self.t(f"{report.sent} mail(s) verstuurd", f"{report.sent} mail(s) sent")
            self.console.print(f"[dim]✉ {escape(line)}[/]")

    def t(self, nl: str, en: str) -> str:
        return en if self.language == "en" else nl

    def today(self) -> str:
        return format_date(self.clock().astimezone(AMSTERDAM).date(), self.language)

    def on(self, day: date, at: time = time(10, 0)) -> None:
        """Move the calendar forward to `day` at `at` (Dutch time); never backwards.

        On the way the worker sweeps every morning, as `hotspot worker` would, and the demo
        shows the reminders it sent.
        """
        moment = datetime.combine(day, at, tzinfo=AMSTERDAM)
        if moment < self.clock():
            raise ValueError(f"demo timeline goes backwards: {moment} < {self.clock()}")
        if self.procedure:
            self._sweep_mornings_until(moment)
        self.clock.set(moment)

    def _sweep_mornings_until(self, moment: datetime) -> None:
        day = local_date(self.clock())
        while (morning := datetime.combine(day, WORKER_SWEEP_AT, tzinfo=AMSTERDAM)) <= moment:
            if morning > self.clock():
                self.clock.set(morning)
                self._show_reminders(worker.tick(self.app))
            day += timedelta(days=1)

    def _show_reminders(self, report: worker.TickReport) -> None:
        swept = report.reminders
        if not swept.sent:
            return
        self.reminders.update(swept.by_rule)
        kinds = ", ".join(
            f"{RULE_LABELS[Rule(rule)](self.language)} ×{count}"
            for rule, count in sorted(swept.by_rule.items())
        )
        messages = self.t(f"{swept.mails} bericht(en)", f"{swept.mails} message(s)")
        self.console.print(
            f"[cyan]⏰ {escape(self.today())}[/] [dim]{escape(kinds)} · {messages}[/]"
        )

    def header(self, phase: Phase) -> None:
        number = FORWARD_ORDER.index(phase) + 1
        label = phase.label(self.language)
        self.console.print()
        self.console.rule(
            f"[bold]{number}. {escape(label[:1].upper() + label[1:])}[/] [dim]· {self.today()}[/]",
            align="left",
        )

    def tick(self) -> None:
        """A few minutes pass between two commands, so audit times read like real work."""
        self.clock.advance(minutes=3)

    def did(self, nl: str, en: str) -> None:
        """One line per action (or per group of like actions)."""
        self.console.print(f"[green]✔[/] {escape(self.t(nl, en))}")
        self.tick()

    def say(self, nl: str, en: str) -> None:
        self.console.print(f"[dim]{escape(self.t(nl, en))}[/]")

    def advance(self) -> dict[str, object]:
        result = procedures.advance(self.app, self.procedure, actor=FACILITATOR)
        label = Phase(str(result["phase"])).label(self.language)
        self.console.print(
            f"[bold green]→[/] [bold]{escape(self.t('Door naar', 'On to'))}: {escape(label)}[/]"
        )
        self.tick()
        self.deliver()
        return result

    def expect_refusal(self, attempt: Callable[[], object], codes: set[str]) -> None:
        """Run a step that must be refused for `codes`, and show why it was refused."""
        try:
            attempt()
        except Refused as refusal:
            if not codes <= set(refusal.codes):
                raise
            render.error(self.console, refusal, self.language)
            return
        raise HotspotError(
            Text(
                f"De demo verwachtte een weigering ({', '.join(sorted(codes))}), "
                "maar de stap werd uitgevoerd",
                f"The demo expected a refusal ({', '.join(sorted(codes))}), "
                "but the step was carried out",
            )
        )


@dataclass(frozen=True, slots=True)
class WebDemo:
    """`hotspot demo --web`: stop at the sessions phase and hand the app to the web server."""

    host: str
    port: int
    # Runs the server until it is stopped (uvicorn with the worker beside it).
    serve: Callable[[App, Path], None]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def run_demo(
    console: Console,
    *,
    database_url: str | None,
    language: Language,
    web: WebDemo | None = None,
) -> dict[str, object]:
    """Run the complete demo procedure on `database_url`, or on a fresh var/demo.db.

    With `web`, the demo stops once the expert sessions have begun and serves the web app
    over the same database, its calendar running on from the demo's last moment.
    Returns a summary (procedure, phase, audit records, database) for `--json`.
    """
    url, procedure_id, organisation = database_url, None, ORGANISATION
    if url is None:
        url = _fresh_sqlite_file()
    else:
        # A shared database may hold earlier demo runs, even one that stopped half-way and so
        # still covers 2017-2023: a fresh id and organisation name keep them apart.
        token = secrets.token_hex(3)
        procedure_id = f"demo-overijssel-{token}"
        organisation = f"{ORGANISATION} (demo {token})"
    clock = FrozenClock(START)
    # The demo mails invented people: always to files, never through a configured server.
    mail = replace(Settings.from_env().mail, transport="file", out_dir=_fresh_folder(DEMO_MAIL))
    if web is not None:
        # The personal links in the mails must open this server.
        mail = replace(mail, base_url=web.url)
    settings = Settings(database_url=url, language=language, now_override=None, mail=mail)
    app = bootstrap(settings, clock=clock)
    try:
        demo = Demo(console, app, clock, language)
        _introduction(demo)
        _preparation(demo, procedure_id, organisation)
        _workgroup(demo)
        _planning(demo)
        _expert_selection(demo)
        if web is not None:
            _serve(demo, web)
            return {"ok": True, "procedure": demo.procedure, "url": web.url}
        _sessions(demo)
        _decision(demo)
        _inventory(demo)
        _publication(demo)
        _audit_trail(demo)
        _mail_and_documents(demo)
        _where_to_look(demo, url, given=database_url is not None)
        with app.read() as db:
            procedure = repository.get_procedure(db, demo.procedure)
            return {
                "ok": True,
                "procedure": procedure.id,
                "phase": procedure.phase,
                "audit_records": procedure.audit_seq,
                "database": make_url(url).render_as_string(hide_password=True),
                "mail": dict(sorted(demo.mails.items())),
                "mail_folder": DEMO_MAIL.as_posix(),
                "documents": [p.as_posix() for p in demo.files],
            }
    finally:
        app.dispose()


class ContinuingClock:
    """The demo's calendar running on in real time from where the simulation stopped."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._started = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self._start + (datetime.now(UTC) - self._started)


def _serve(d: Demo, web: WebDemo) -> None:
    """Make the facilitator's account, say how to log in, and serve until stopped."""
    password = secrets.token_urlsafe(12)
    users.add_user(d.app, username=DEMO_LOGIN, name=FACILITATOR_NAME, password=password)
    d.console.print()
    d.console.rule(d.t("[bold]Webapplicatie[/]", "[bold]Web application[/]"), align="left")
    d.say(
        "De procedure staat in de fase expertbijeenkomsten: er is werk te doen. De experts "
        "kunnen via de persoonlijke link in hun uitnodiging toezeggen en voordragen.",
        "The procedure stands in the expert-sessions phase: there is work to do. The experts "
        "can accept and nominate through the personal link in their invitation.",
    )
    lines = (
        (d.t("Adres", "Address"), f"{web.url}/"),
        (d.t("Gebruiker", "User"), DEMO_LOGIN),
        (d.t("Wachtwoord", "Password"), password),
        (d.t("Verstuurde mail", "Sent mail"), f"{web.url}/mail"),
    )
    for label, value in lines:
        d.console.print(f"  [bold]{escape(label)}:[/] {escape(value)}", highlight=False)
    d.say("Stoppen: Ctrl-C.", "Stop: Ctrl-C.")
    # Shown now, even when the output goes to a pipe, before the server takes over.
    d.console.file.flush()
    # From here the calendar runs in real time, so the worker's reminders keep their pace.
    d.app.clock = ContinuingClock(d.clock())
    web.serve(d.app, DEMO_MAIL)


def _fresh_folder(folder: Path) -> Path:
    """Empty a folder only the demo writes to, so its files are those of this run."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fresh_sqlite_file() -> str:
    """Delete the previous demo database, so every run starts from the same empty state."""
    DEMO_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        DEMO_DATABASE.with_name(DEMO_DATABASE.name + suffix).unlink(missing_ok=True)
    return f"sqlite:///{DEMO_DATABASE.as_posix()}"


def _introduction(d: Demo) -> None:
    d.console.rule(
        d.t(
            "[bold]Demo: periodieke hotspot-monitor Provincie Overijssel, 2017–2023[/]",
            "[bold]Demo: periodic hotspot monitor, Provincie Overijssel, 2017–2023[/]",
        )
    )
    d.say(
        "Gesimuleerde datums: de klok loopt van 6 januari tot 14 oktober 2025.",
        "Simulated dates: the clock runs from 6 January to 14 October 2025.",
    )
    d.say(
        "Personen, adressen, beoordelingen en zaaknummers zijn verzonnen.",
        "People, addresses, assessments and case numbers are made up.",
    )
    d.say(
        "Elke stap gaat door de opdrachten van de CLI en komt in het auditspoor.",
        "Every step goes through the CLI's commands and into the audit trail.",
    )
    d.console.print(render.phase_line(Phase.PREPARATION, d.language))


def _preparation(d: Demo, procedure_id: str | None, organisation: str) -> None:
    d.header(Phase.PREPARATION)
    config_file = config_dir() / "organisations" / "provincie-overijssel.toml"
    result = procedures.init_procedure(
        d.app,
        organisation=organisation,
        body=BODY,
        period=PERIOD,
        actor=FACILITATOR,
        procedure_id=procedure_id,
        config_file=config_file,
    )
    d.procedure = str(result["procedure"])
    d.did(
        f"Procedure {d.procedure} geopend: {organisation}, {BODY}, {PERIOD}",
        f"Procedure {d.procedure} opened: {organisation}, {BODY}, {PERIOD}",
    )
    d.say(
        "Regels: de standaard plus provincie-overijssel.toml (o.a. minimaal 8 experts).",
        "Rules: the defaults plus provincie-overijssel.toml (e.g. at least 8 experts).",
    )
    d.advance()


def _add_members(d: Demo, members: tuple[Member, ...]) -> None:
    for member in members:
        DEMO.add_members(d.app, d.procedure, (member,))
        note = f" ({member.note})" if member.note else ""
        d.did(
            f"Werkgroeplid {member.name}{note}: {member.role}",
            f"Workgroup member {member.name}{note}: {member.role}",
        )


def _workgroup(d: Demo) -> None:
    d.on(date(2025, 1, 13))
    d.header(Phase.WORKGROUP)
    _add_members(d, MEMBERS_FIRST)
    d.say(
        "De archivaris is nog niet aangewezen. Toch proberen door te gaan naar de planning:",
        "No archivist has been named yet. Trying to move on to planning anyway:",
    )
    d.expect_refusal(
        lambda: procedures.advance(d.app, d.procedure, actor=FACILITATOR),
        {"workgroup.required_roles"},
    )
    d.on(date(2025, 1, 16))
    _add_members(d, MEMBERS_LATER)
    d.advance()


def _planning(d: Demo) -> None:
    d.on(date(2025, 1, 20))
    d.header(Phase.PLANNING)
    for key, day in DEMO.milestones.items():
        DEMO.but(milestones={key: day}).plan(d.app, d.procedure)
        d.tick()
    d.did(f"{len(MILESTONES)} mijlpalen vastgelegd:", f"{len(MILESTONES)} milestones set:")
    grid = Table.grid(padding=(0, 2, 0, 0))
    for day, label in MILESTONES.values():
        grid.add_row("  " + label(d.language), format_date(day, d.language))
    d.console.print(grid)
    for plan in (SESSION_ONE, SESSION_TWO):
        at = datetime.combine(plan.day, time(14, 0), tzinfo=AMSTERDAM)
        result = sessions.add_session(
            d.app, d.procedure, at=at, location=plan.place, actor=FACILITATOR
        )
        d.session_ids.append(int(str(result["session"])))
        d.did(
            f"Expertbijeenkomst gepland: {format_date(plan.day)} 14.00 uur, {plan.place}",
            f"Expert session planned: {format_date(plan.day, 'en')} 2 pm, {plan.place}",
        )
    d.advance()


def _invite(d: Demo, experts: tuple[Expert, ...]) -> None:
    _add_experts(d, experts)
    people.invite(d.app, d.procedure, [e.email for e in experts], actor=FACILITATOR)
    d.did(
        f"{len(experts)} persoonlijke uitnodiging(en) met antwoordlink klaargezet",
        f"{len(experts)} personal invitation(s) with a response link queued",
    )
    d.deliver()


def _add_experts(d: Demo, experts: tuple[Expert, ...]) -> None:
    for expert in experts:
        DEMO.add_experts(d.app, d.procedure, (expert,))
        side = (
            d.t("intern", "internal")
            if expert.perspective is INTERNAL
            else d.t("extern", "external")
        )
        d.did(
            f"Expert: {expert.name} ({side}, {expert.profile})",
            f"Expert: {expert.name} ({side}, {expert.profile})",
        )


def _answers(d: Demo, experts: tuple[Expert, ...]) -> None:
    for expert in experts:
        DEMO.answer(d.app, d.procedure, (expert,))
        d.tick()
    accepted = [e.name for e in experts if e.accepts]
    declined = [e.name for e in experts if not e.accepts]
    d.did(
        f"Toegezegd: {', '.join(accepted)}",
        f"Accepted: {', '.join(accepted)}",
    )
    for name in declined:
        d.console.print(f"[yellow]✘[/] {escape(d.t(f'Afgezegd: {name}', f'Declined: {name}'))}")
    d.deliver()


def _expert_selection(d: Demo) -> None:
    d.on(date(2025, 2, 3))
    d.header(Phase.EXPERT_SELECTION)
    _invite(d, FIRST_PANEL)
    d.on(date(2025, 2, 21), time(16, 0))
    _answers(d, FIRST_PANEL)
    d.say(
        "Iedereen zegt toe, maar het panel leunt op het overheidsperspectief. "
        "Door naar de bijeenkomsten?",
        "Everyone accepts, but the panel leans on the government side. On to the sessions?",
    )
    d.expect_refusal(
        lambda: procedures.advance(d.app, d.procedure, actor=FACILITATOR),
        {"panel.size", "panel.external_share", "panel.external_profiles"},
    )
    d.on(date(2025, 2, 24))
    d.say(
        "De procesbegeleider nodigt meer externe experts uit:",
        "The facilitator invites more external experts:",
    )
    _invite(d, SECOND_ROUND)
    d.on(date(2025, 3, 3), time(16, 0))
    _answers(d, SECOND_ROUND)
    d.say(
        "Zonder Willem Post ontbreekt het profiel maatschappelijke-organisatie weer; "
        "een vervanger wordt gevraagd:",
        "Without Willem Post the profile maatschappelijke-organisatie is missing again; "
        "a replacement is asked:",
    )
    d.on(date(2025, 3, 4))
    _invite(d, (REPLACEMENT,))
    d.on(date(2025, 3, 6))
    _answers(d, (REPLACEMENT,))
    d.on(date(2025, 3, 6), time(11, 0))
    second = datetime.combine(SESSION_TWO.day, time(13, 30), tzinfo=AMSTERDAM)
    sessions.move_session(d.app, d.procedure, d.session_ids[1], at=second, actor=FACILITATOR)
    d.did(
        f"Bijeenkomst {SESSION_TWO.place} verplaatst naar 13.30 uur: de experts krijgen een "
        "bijgewerkte agenda-uitnodiging (zelfde UID, hoger SEQUENCE)",
        f"Session {SESSION_TWO.place} moved to 1.30 pm: the experts get an updated calendar "
        "invitation (same UID, higher SEQUENCE)",
    )
    d.deliver()
    d.say(
        "Nu 10 experts, 5 intern en 5 extern, met elk vereist extern profiel.",
        "Now 10 experts, 5 internal and 5 external, with every required external profile.",
    )
    d.advance()


def _expert(local: str) -> Expert:
    """A panel member by the part of the address before the @ (short to write in the data)."""
    return next(
        e for e in (*FIRST_PANEL, *SECOND_ROUND, REPLACEMENT) if e.email.split("@")[0] == local
    )


def _address(local: str) -> str:
    return _expert(local).email


def _attend(d: Demo, session_id: int, plan: SessionDay) -> None:
    d.on(plan.day, time(14, 0))
    present = [_address(x) for x in plan.attendees]
    sessions.attend(d.app, d.procedure, session_id, present, actor=FACILITATOR)
    internal = sum(1 for x in plan.attendees if _expert(x).perspective is INTERNAL)
    external, total = len(present) - internal, len(present)
    d.did(
        f"Bijeenkomst {plan.place}: {total} aanwezig ({internal} intern, {external} extern)",
        f"Session {plan.place}: {total} present ({internal} internal, {external} external)",
    )


def _period(start: date, end: date | None, language: Language) -> str:
    until = end.strftime("%Y-%m") if end else ("nog lopend" if language == "nl" else "ongoing")
    return f"{start:%Y-%m} – {until}"


def _assess(d: Demo, ids: dict[str, int], candidates: tuple[Candidate, ...]) -> None:
    for c in candidates:
        DEMO.assess(d.app, d.procedure, ids[c.title], c)
        criteria = c.criteria.replace(",", ", ") or "-"
        if c.include:
            d.did(
                f"Beoordeeld: {c.title} — criteria {criteria} → conceptlijst",
                f"Assessed: {c.title} — criteria {criteria} → concept list",
            )
        else:
            d.did(
                f"Beoordeeld: {c.title} — geen criterium → niet op de lijst",
                f"Assessed: {c.title} — no criterion → not listed",
            )
            d.console.print(f"  [dim]{escape(c.motivation)}[/]")


def _sessions(d: Demo) -> None:
    d.header(Phase.SESSIONS)
    ids: dict[str, int] = {}
    # Nominations arrive by mail in the week before the nomination deadline.
    day = date(2025, 3, 7)
    for c in CANDIDATES:
        d.on(day)
        day += timedelta(days=1)
        result = sessions.add_candidate(
            d.app,
            d.procedure,
            title=c.title,
            start=c.start,
            end=c.end,
            description=c.description,
            nominated_by=_address(c.nominated_by),
            actor=FACILITATOR,
        )
        ids[c.title] = int(str(result["candidate"]))
        nominator = _expert(c.nominated_by)
        side = (
            d.t("intern", "internal")
            if nominator.perspective is INTERNAL
            else d.t("extern", "external")
        )
        d.did(
            f"Voordracht: {c.title}, door {nominator.name} ({side})",
            f"Nomination: {c.title}, by {nominator.name} ({side})",
        )

    _attend(d, d.session_ids[0], SESSION_ONE)
    d.on(date(2025, 3, 20), time(16, 30))
    _assess(d, ids, CANDIDATES[:3])

    d.say(
        "In Deventer melden twee externe experts zich af; zij sturen hun inbreng schriftelijk.",
        "In Deventer two external experts send regrets; they send their input in writing.",
    )
    _attend(d, d.session_ids[1], SESSION_TWO)
    d.on(date(2025, 4, 3), time(16, 30))
    _assess(d, ids, CANDIDATES[3:])

    d.on(date(2025, 4, 7))
    d.say(
        "Stand van zaken (hotspot status): wat staat de besluitvorming nog in de weg?",
        "Status (hotspot status): what still stands in the way of the decision phase?",
    )
    render.status(d.console, procedures.status(d.app, d.procedure), d.language)
    d.say(
        "De werkgroep weegt af: een derde bijeenkomst kost zes weken, de schriftelijke inbreng "
        "houdt het evenwicht. Dat wordt een vastgelegde afwijking:",
        "The workgroup weighs it up: a third session costs six weeks, the written input keeps "
        "the balance. That becomes a recorded deviation:",
    )
    reason = (
        "In Deventer waren 4 interne en 2 externe experts aanwezig (67%); de 2 afwezige externe "
        "experts hebben hun voordrachten en oordelen schriftelijk ingebracht. De werkgroep acht "
        "het evenwicht daarmee bewaakt; een derde bijeenkomst zou de planning zes weken vertragen."
    )
    procedures.deviate(d.app, d.procedure, "sessions.held", actor=FACILITATOR, reason=reason)
    d.did(
        "Afwijking van sessions.held vastgelegd, met reden (komt in het voorstel aan GS)",
        "Deviation from sessions.held recorded, with its reason (goes into the proposal to GS)",
    )
    d.on(date(2025, 4, 25))
    result = d.advance()
    d.say(
        f"De conceptlijst is bevroren als versie {result['list_version']}: "
        "wat de archivaris en GS beoordelen, verandert niet meer.",
        f"The concept list is frozen as version {result['list_version']}: "
        "what the archivist and GS judge no longer changes.",
    )


def _concept_list(d: Demo) -> tuple[int, tuple[ListEntry, ...]]:
    with d.app.read() as db:
        row = repository.latest_list_version(db, d.procedure)
        if row is None:
            raise HotspotError(Text("geen conceptlijst gevonden", "no concept list found"))
        return row.number, repository.list_entries(row)


def _decision(d: Demo) -> None:
    d.header(Phase.DECISION)
    number, entries = _concept_list(d)
    table = Table(title=d.t(f"Conceptlijst, versie {number}", f"Concept list, version {number}"))
    table.add_column(d.t("nr", "no."), no_wrap=True)
    table.add_column("hotspot")
    table.add_column(d.t("periode", "period"), no_wrap=True)
    table.add_column("criteria", no_wrap=True)
    table.add_column(d.t("voorgedragen", "nominated"), no_wrap=True)
    for e in entries:
        side = (
            Text("intern", "internal")
            if e.nominated_by_perspective is INTERNAL
            else Text("extern", "external")
        )
        table.add_row(
            e.number,
            escape(e.title),
            _period(e.period_start, e.period_end, d.language),
            ", ".join(str(c) for c in e.criteria),
            side(d.language),
        )
    d.console.print(table)

    d.on(date(2025, 5, 21))
    decision.record_advice(
        d.app,
        d.procedure,
        positive=True,
        by=DEMO.advice_by,
        reason="De lijst is evenwichtig tot stand gekomen en elke hotspot is gemotiveerd; "
        "de afwijking bij de tweede bijeenkomst is navolgbaar vastgelegd.",
        actor=ARCHIVIST,
    )
    d.did(
        "Positief advies van de archivaris (Jeroen Kamphuis, Collectie Overijssel)",
        "Positive advice from the archivist (Jeroen Kamphuis, Collectie Overijssel)",
    )
    written = write_proposal(
        documents.proposal_data(d.app, d.procedure),
        DEMO_DOCUMENTS,
        d.language,
        template=d.app.settings.docx_template,
    )
    d.files.extend(written)
    d.did(
        "Voorstel aan GS gemaakt (Word en HTML) en gemaild aan het management",
        "Proposal to GS written (Word and HTML) and mailed to management",
    )
    d.deliver()
    d.on(date(2025, 6, 24), time(15, 0))
    decision.record_decision(
        d.app,
        d.procedure,
        adopted=True,
        day=date(2025, 6, 24),
        ref=DECISION_REF,
        actor=FACILITATOR,
    )
    d.did(
        f"Gedeputeerde Staten stellen de hotspotlijst vast op 24 juni 2025, besluit {DECISION_REF}",
        f"Gedeputeerde Staten adopt the hotspot list on 24 June 2025, decision {DECISION_REF}",
    )
    d.deliver()
    d.on(date(2025, 6, 25))
    d.advance()


def _inventory(d: Demo) -> None:
    d.on(date(2025, 7, 1))
    d.header(Phase.INVENTORY)
    _, entries = _concept_list(d)
    numbers = {e.title: e.number for e in entries}
    d.say(
        "Per hotspot: welke systemen, welke zoekvraag, welke eigenaar. Gevonden dossiers krijgen "
        "archiefnominatie blijvend bewaren (de nummers zijn voorbeelden).",
        "Per hotspot: which systems, which query, which owner. Dossiers found get the "
        "archiefnominatie blijvend bewaren, retain permanently (the numbers are examples).",
    )
    day = date(2025, 7, 1)
    first_reason = ""
    for s in SEARCHES:
        hotspot = numbers[s.hotspot]
        marked = DEMO.but(actor=RECORDS_MANAGER).search(d.app, d.procedure, hotspot, s)
        for result in marked:
            first_reason = first_reason or str(result["reason"])
            d.tick()
        if s.none_reason is not None:
            d.did(
                f"{hotspot} {s.hotspot} · {s.system}: niets gevonden, reden vastgelegd",
                f"{hotspot} {s.hotspot} · {s.system}: nothing found, reason recorded",
            )
        else:
            found = ", ".join(s.dossiers)
            d.did(
                f"{hotspot} {s.hotspot} · {s.system}: {found}",
                f"{hotspot} {s.hotspot} · {s.system}: {found}",
            )
        day += timedelta(days=7)
        d.on(day)
    d.say(
        f"Reden bij elk dossier: {first_reason}",
        f"Reason stored with each dossier (in Dutch): {first_reason}",
    )
    d.on(date(2025, 9, 26))
    d.advance()


def _publication(d: Demo) -> None:
    d.on(date(2025, 10, 14))
    d.header(Phase.PUBLICATION)
    with public_list_to(DEMO_PUBLIC) as public:
        DEMO.publish(d.app, d.procedure)
    d.did(
        "Gepubliceerd in het Provinciaal Blad (Prb. 2025, 1234), in werking 15 oktober 2025, "
        "bezwaartermijn 6 weken",
        "Published in the Provinciaal Blad (Prb. 2025, 1234), in force 15 October 2025, "
        "objection period 6 weeks",
    )
    d.files.extend(public.files)
    d.did(
        "Openbare hotspotlijst geschreven als HTML, CSV en JSON (zonder persoonsgegevens)",
        "Public hotspot list written as HTML, CSV and JSON (without personal data)",
    )
    d.deliver()
    d.advance()


def _audit_trail(d: Demo) -> None:
    d.header(Phase.CLOSED)
    d.console.print(render.phase_line(Phase.CLOSED, d.language))
    with d.app.read() as db:
        procedure = repository.get_procedure(db, d.procedure)
        trail = audit.records_of(db, procedure.id)
        check = audit.verify(db, procedure)
        last = [
            (r.seq, r.recorded_at, r.actor, r.action, r.phase_before, r.phase_after)
            for r in trail[-8:]
        ]
    table = Table(
        title=d.t(
            f"Auditspoor: {len(trail)} records, de laatste {len(last)}",
            f"Audit trail: {len(trail)} records, the last {len(last)}",
        )
    )
    table.add_column("#", justify="right")
    table.add_column(d.t("tijd", "time"), no_wrap=True)
    table.add_column(d.t("door", "actor"))
    table.add_column(d.t("actie", "action"), no_wrap=True)
    table.add_column(d.t("fase", "phase"))
    for seq, at, actor, action, before, after in last:
        phase = after if before == after else f"{before or '-'} → {after}"
        # The name is enough in this overview; `hotspot audit` shows the actor in full.
        name = actor.split(" (")[0]
        table.add_row(
            str(seq), f"{at.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}", escape(name), action, phase
        )
    d.console.print(table)
    if not check.ok:
        # A broken chain right after writing it means the engine is broken: fail the demo.
        raise HotspotError(
            Text(
                f"Auditspoor beschadigd bij volgnummer {check.first_bad_seq}: {check.problem}",
                f"Audit trail broken at sequence number {check.first_bad_seq}: {check.problem}",
            )
        )
    d.console.print(
        d.t(
            f"[bold green]✔ Auditspoor intact: {check.records} records, hashketen klopt[/]",
            f"[bold green]✔ Audit trail intact: {check.records} records, hash chain verified[/]",
        )
    )


def _mail_and_documents(d: Demo) -> None:
    with d.app.read() as db:
        rows = db.execute(
            select(OUTBOX.c.kind, OUTBOX.c.status).where(OUTBOX.c.procedure_id == d.procedure)
        ).all()
    d.mails = Counter(kind for kind, _ in rows)
    unsent = sum(1 for _, status in rows if status != "sent")
    table = Table(
        title=d.t(
            f"Verstuurde mail: {len(rows) - unsent} berichten, elk aan één ontvanger",
            f"Mail sent: {len(rows) - unsent} messages, each to one recipient",
        )
    )
    table.add_column(d.t("soort", "kind"))
    table.add_column(d.t("aantal", "count"), justify="right")
    for kind, count in sorted(d.mails.items()):
        table.add_row(kind, str(count))
    d.console.print(table)
    if unsent:
        raise HotspotError(
            Text(f"{unsent} berichten niet verstuurd", f"{unsent} messages not sent")
        )
    d.console.print(
        d.t(
            f"Mail (.eml, te openen in een mailprogramma): {DEMO_MAIL.as_posix()}/",
            f"Mail (.eml, opens in a mail program): {DEMO_MAIL.as_posix()}/",
        ),
        highlight=False,
    )
    d.console.print(d.t("Documenten:", "Documents:"))
    for path in d.files:
        d.console.print(f"  {escape(path.as_posix())}", highlight=False)


def _where_to_look(d: Demo, url: str, *, given: bool) -> None:
    shown = make_url(url).render_as_string(hide_password=True)
    # Repeat the program as the user started it (`make run` starts .venv/bin/hotspot).
    program = sys.argv[0] if Path(sys.argv[0]).name == "hotspot" else "hotspot"
    env = f"HOTSPOT_DATABASE_URL={shlex.quote(shown)}"
    lang = " --lang en" if d.language == "en" else ""
    d.console.print()
    if given:
        d.console.print(d.t("Database: ", "Database: ") + escape(shown))
    else:
        d.console.print(
            d.t(
                f"Database: {DEMO_DATABASE.as_posix()} (SQLite; wordt bij de volgende demo "
                "opnieuw aangemaakt)",
                f"Database: {DEMO_DATABASE.as_posix()} (SQLite; recreated by the next demo)",
            )
        )
    d.console.print(d.t("Zelf bekijken:", "Look for yourself:"))
    # (command words, options after the procedure id)
    examples: tuple[tuple[list[str], list[str]], ...] = (
        (["status"], []),
        (["audit"], []),
        (["audit"], ["--verify"]),
        (["mail", "list"], []),
        (["deadlines"], []),
    )
    for words, options in examples:
        command = " ".join([env, program, *words, d.procedure, *options]) + lang
        d.console.print(f"  {escape(command)}", soft_wrap=True, highlight=False)
