"""What the facilitator's pages show (dashboard, procedure, deadlines, audit trail), read in a
fixed number of queries into frozen dataclasses.

The procedure page loads each table of the procedure once (no query per expert, candidate
or audit record) and asks `states` for the verdicts, the balance report and the session
counts; the templates only lay the result out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import (
    BindParameter,
    Connection,
    Row,
    Select,
    String,
    bindparam,
    cast,
    func,
    literal_column,
    select,
    union_all,
)

from notifications.kinds import kind_label
from notifications.sender import PROBLEMS
from states.actions import ALLOWED_PHASES
from states.audit_actions import action_label, describe
from states.balance_report import BalanceLine, balance_report, rule_label
from states.config import MILESTONE_LABELS, RuleConfig
from states.i18n import AMSTERDAM, Language, Text, format_date, local_date, percent
from states.machine import definition
from states.phases import FORWARD_ORDER, Phase
from states.rules import RULES_BY_CODE
from states.rules.sessions import count_session
from states.snapshot import (
    Candidate,
    Expert,
    ListVersion,
    Part,
    Perspective,
    ProcedureSnapshot,
    Response,
)
from states.verdicts import Verdict
from states.vocabulary import CRITERIA, PERSPECTIVE_LABELS
from workflow import repository, validation
from workflow.app import App
from workflow.audit import canonical_json
from workflow.db import models as m
from workflow.db.models import table_of
from workflow.deadlines.listing import deadline_overview, overdue_milestones
from workflow.mail_labels import STATUS_LABELS, problem_label
from workflow.procedure_store import ProcedureRecord, load_procedure, record_from_row
from workflow.procedure_store import select_procedures as procedure_columns
from workflow.read import audit as read_audit
from workflow.read.audit import AuditFilter
from workflow.read.documents import DocumentRow, document_rows

PT, OT, DVT = table_of(m.Procedure), table_of(m.Organisation), table_of(m.Deviation)
ET, ST = table_of(m.Expert), table_of(m.ExpertSession)
MST, OBT, ART = table_of(m.Milestone), table_of(m.OutboxMessage), table_of(m.AuditRecord)
PID: BindParameter[str] = bindparam("pid")
T = TypeVar("T")

# Shown on the procedure page; the rest of the trail and the outbox is one link away.
LATEST = 20
AUDIT_PAGE_SIZE = 50

# What the page shows besides what the exit rules of the current phase need.
DISPLAY_PARTS = frozenset(
    {
        Part.MEMBERS,
        Part.MILESTONES,
        Part.EXPERTS,
        Part.SESSIONS,
        Part.CANDIDATES,
        Part.LIST_VERSION,
    }
)

RESPONSE_LABELS: dict[str, Text] = {
    Response.PENDING.value: Text("nog geen antwoord", "no answer yet"),
    Response.ACCEPTED.value: Text("toegezegd", "accepted"),
    Response.DECLINED.value: Text("afgezegd", "declined"),
}
OUTBOX_LABELS: dict[str, Text] = STATUS_LABELS
LIST_STATUS_LABELS: dict[str, Text] = {
    "submitted": Text("voorgelegd", "submitted"),
    "returned": Text("teruggestuurd", "sent back"),
    "adopted": Text("vastgesteld", "adopted"),
}

_INVITED: Select[Any] = select(ET.c.id, ET.c.invited_at).where(ET.c.procedure_id == PID)
_ALL_SESSIONS: Select[Any] = (
    select(ST.c.id, ST.c.at, ST.c.location, ST.c.cancelled_at, ST.c.cancel_reason)
    .where(ST.c.procedure_id == PID)
    .order_by(ST.c.at, ST.c.id)
)
_OUTBOX: Select[Any] = (
    select(
        OBT.c.id,
        OBT.c.kind,
        OBT.c.recipient_name,
        OBT.c.status,
        OBT.c.created_at,
        OBT.c.sent_at,
        OBT.c.last_error,
    )
    .where(OBT.c.procedure_id == PID)
    .order_by(OBT.c.created_at.desc(), OBT.c.id.desc())
    .limit(LATEST)
)
_AUDIT_LATEST: Select[Any] = (
    select(ART.c.seq, ART.c.recorded_at, ART.c.actor, ART.c.action, ART.c.data, ART.c.reason)
    .where(ART.c.procedure_id == PID)
    .order_by(ART.c.seq.desc())
    .limit(LATEST)
)
_ORGANISATION = select(OT.c.name).where(OT.c.id == bindparam("oid"))


@dataclass(frozen=True, slots=True)
class PhaseStep:
    phase: Phase
    # "done", "current" or "todo": the template says it in words as well as in colour.
    state: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a chart: how many of a group are internal and how many external."""

    label: Text
    internal: int
    external: int
    figures: str = ""

    @property
    def total(self) -> int:
        return self.internal + self.external

    @property
    def internal_width(self) -> int:
        """The internal share in steps of 5 (the CSS has a class per step; no inline styles)."""
        return 5 * round(percent(self.internal, self.total) / 5) if self.total else 0

    @property
    def external_width(self) -> int:
        return 100 - self.internal_width if self.external else 0


@dataclass(frozen=True, slots=True)
class ExpertRow:
    """An expert as the page shows them, in the page's language (no filters per row)."""

    id: int
    name: str
    email: str
    perspective: str
    profile: str
    invited: str
    answer: str
    expert_response: Response

    @property
    def accepted(self) -> bool:
        return self.expert_response is Response.ACCEPTED


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: int
    at: datetime
    location: str | None
    cancelled: bool
    cancel_reason: str | None
    attendees: int = 0
    # Why the session does not count towards balance (empty when it counts or is ahead).
    problems: tuple[Text, ...] = ()


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A candidate hotspot in the page's language; the longer texts only when a page asks."""

    candidate: Candidate
    nominator: Expert | None
    lang: Language

    @property
    def id(self) -> int:
        return self.candidate.id

    @property
    def title(self) -> str:
        return self.candidate.title

    @property
    def assessed(self) -> bool:
        return self.candidate.assessed

    @property
    def description(self) -> str:
        return self.candidate.description

    @property
    def motivation(self) -> str:
        return self.candidate.motivation

    @property
    def period(self) -> str:
        c, lang = self.candidate, self.lang
        end = format_date(c.period_end, lang) if c.period_end else Text("lopend", "ongoing")(lang)
        return f"{format_date(c.period_start, lang)} – {end}"

    @property
    def nominated_by(self) -> str:
        by = self.nominator
        return f"{by.name} ({_SIDE[by.perspective](self.lang)})" if by else ""

    @property
    def verdict(self) -> str:
        return _VERDICTS[(self.candidate.assessed, self.candidate.included)](self.lang)

    @property
    def criteria(self) -> str:
        return ", ".join(str(n) for n in self.candidate.criteria) or "–"

    @property
    def proposed(self) -> tuple[int, ...]:
        """The criteria the nominating expert ticked."""
        return self.candidate.proposed

    @property
    def ticked(self) -> tuple[int, ...]:
        """What the assessment form starts from: the assessment's criteria once there is one,
        else the expert's."""
        c = self.candidate
        return c.criteria if c.assessed else c.proposed


@dataclass(frozen=True, slots=True)
class TrailRow:
    """One audit record on the procedure page: a sentence, with its data as short JSON."""

    seq: int
    when: str
    actor: str
    action: str
    data: str
    reason: str | None
    # In the page's language: "Bijeenkomst verplaatst", "Sanne verplaatste bijeenkomst 2 ...".
    label: str = ""
    sentence: str = ""
    # The actor's name where known ("Sanne de Vries" for "sanne").
    who: str = ""


@dataclass(frozen=True, slots=True)
class MailRow:
    kind: str
    recipient: str
    status: str
    created: str
    sent: str
    failed: bool
    # For the retry button and the reason shown beside a failed message.
    id: int = 0
    error: str = ""


@dataclass(frozen=True, slots=True)
class TimelineItem:
    day: date
    label: Text
    kind: str  # "milestone", "session" or "today"
    days_overdue: int = 0
    past: bool = False
    cancelled: bool = False


# --- failed mail and the mail set-up (dashboard, procedure page) ---------------------------


@dataclass(frozen=True, slots=True)
class MailAlerts:
    """Mail that failed for good per procedure, and the set-up problem holding mail back."""

    failed: dict[str, int] = field(default_factory=dict)
    problem: dict[str, Any] | None = None

    @property
    def total(self) -> int:
        return sum(self.failed.values())


# The sender changes the outbox without a command (no version moves), so these are read on
# every request, but folded into a query the page makes anyway: only when something failed,
# or the mail set-up has a problem, does the page read more (the rows to show).
_P = PROBLEMS.c
_OPEN_PROBLEM = (
    select(func.max(_P.id)).where(_P.resolved_at.is_(None)).scalar_subquery().label("problem")
)
_FAILED = OBT.c.status == "failed"
_FAILED_TOTAL = (
    select(func.count())
    .select_from(OBT)
    .where(_FAILED, OBT.c.procedure_id.is_not(None))
    .scalar_subquery()
    .label("failed")
)
_FAILED_COUNTS: Select[Any] = (
    select(OBT.c.procedure_id, func.count())
    .where(_FAILED, OBT.c.procedure_id.is_not(None))
    .group_by(OBT.c.procedure_id)
    .order_by(OBT.c.procedure_id)
)
_PROBLEM = select(_P.code, _P.detail, _P.first_seen_at).where(_P.id == bindparam("problem"))


def _mail_alerts(
    connection: Connection,
    lang: Language,
    failed: dict[str, int] | None,
    problem: int | None,
    procedure_id: str | None = None,
) -> MailAlerts:
    """The alerts, given what the page's own query found: `failed` None means "read them"
    (of `procedure_id` only, if given)."""
    if failed is None:
        query = _FAILED_COUNTS
        if procedure_id is not None:
            query = query.where(OBT.c.procedure_id == procedure_id)
        failed = {str(pid): int(n) for pid, n in connection.execute(query)}
    if problem is None:
        return MailAlerts(failed)
    row = connection.execute(_PROBLEM, {"problem": problem}).first()
    shown = (
        {
            "code": row.code,
            "label": problem_label(row.code, lang),
            "detail": row.detail,
            "first_seen_at": _day(row.first_seen_at, lang),
        }
        if row is not None
        else None
    )
    return MailAlerts(failed, shown)


NO_ALERTS = MailAlerts()


@dataclass(frozen=True)
class ProcedurePage:
    record: ProcedureRecord
    organisation: str
    phase: Phase
    today: date
    steps: tuple[PhaseStep, ...]
    blockers: tuple[Verdict, ...]
    verdicts: tuple[Verdict, ...]
    deviations: tuple[Row[Any], ...]
    allowed: frozenset[str]
    snapshot: ProcedureSnapshot
    experts: tuple[ExpertRow, ...]
    sessions: tuple[SessionRow, ...]
    candidates: tuple[CandidateRow, ...]
    balance: tuple[BalanceLine, ...]
    panel_bars: tuple[Bar, ...]
    panel_figures: Text
    attendance_bars: tuple[Bar, ...]
    concept_bars: tuple[Bar, ...]
    timeline: tuple[TimelineItem, ...]
    overdue: dict[str, int]
    outbox: tuple[MailRow, ...]
    trail: tuple[TrailRow, ...]
    milestone_choices: tuple[tuple[str, Text], ...]
    hotspots: tuple[tuple[str, str], ...] = ()
    systems: tuple[str, ...] = ()
    labels: dict[str, dict[str, Text]] = field(default_factory=dict)
    # Read on every request by `procedure_page`, never cached.
    mail: MailAlerts = NO_ALERTS
    # The person behind each actor the page names (the trail's and the deviations').
    names: Mapping[str, str] = field(default_factory=dict)
    # The documents the procedure produced, every version (workflow.read.documents).
    documents: tuple[DocumentRow, ...] = ()

    def who(self, actor: str, lang: Language) -> str:
        return actor_name(actor, self.names, lang)

    @property
    def accepted(self) -> tuple[ExpertRow, ...]:
        return tuple(e for e in self.experts if e.accepted)

    @property
    def counts(self) -> dict[str, int]:
        """The figures the page states next to its links to the full lists."""
        answers = [e.expert_response for e in self.experts]
        listed = self.snapshot.concept_list()
        return {
            "declined": answers.count(Response.DECLINED),
            "pending": answers.count(Response.PENDING),
            "assessed": sum(1 for c in self.candidates if c.assessed),
            "listed": len(listed),
        }

    @property
    def open_sessions(self) -> tuple[SessionRow, ...]:
        return tuple(s for s in self.sessions if not s.cancelled)

    @property
    def config(self) -> RuleConfig:
        return self.record.config

    @property
    def list_version(self) -> ListVersion | None:
        return self.snapshot.list_version


def allowed_actions(phase: Phase) -> frozenset[str]:
    """The codes of the actions the phase allows (states.actions decides, not the page)."""
    return frozenset(a.value for a, phases in ALLOWED_PHASES.items() if phase in phases)


def phase_steps(phase: Phase) -> tuple[PhaseStep, ...]:
    if phase is Phase.CANCELLED:
        return (*(PhaseStep(p, "todo") for p in FORWARD_ORDER), PhaseStep(phase, "current"))
    here = FORWARD_ORDER.index(phase)
    return tuple(
        PhaseStep(p, "done" if i < here else "current" if i == here else "todo")
        for i, p in enumerate(FORWARD_ORDER)
    )


class VersionCache(Generic[T]):
    """What was built from a procedure at one version, by (procedure, version, day, ...).

    Every command bumps the procedure's version in its own transaction (the optimistic lock),
    so what was built for a version is what a fresh build of that version gives; the day is
    in the key because "overdue" and "today" change at midnight. The newest few are kept.
    """

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._items: OrderedDict[tuple[Any, ...], T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> T | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[Any, ...], item: T) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass
class Caches:
    """The web process's caches; the outbox, which the sender changes without a command,
    is never cached."""

    pages: VersionCache[ProcedurePage] = field(default_factory=VersionCache)
    # Dashboard: (overdue milestones, number of blockers) of an open procedure. A true LRU
    # (a hit moves to the end) read one page at a time, so it never cycles through more
    # procedures than it holds.
    standing: VersionCache[Standing] = field(
        default_factory=lambda: VersionCache(STANDING_CACHE_SIZE)
    )


# The version (the cache key), and whether any mail failed (counted on the outbox's status
# index: failed mail is rare, a procedure's mail is not) or the mail set-up has a problem.
_PAGE_HEAD = select(PT.c.version, _FAILED_TOTAL, _OPEN_PROBLEM).where(PT.c.id == PID)


def procedure_page(
    app: App, procedure_id: str, lang: Language, cache: VersionCache[ProcedurePage] | None = None
) -> ProcedurePage:
    """Everything the procedure page shows; NotFound for an unknown procedure."""
    now = app.now()
    today = local_date(now)
    with app.reading() as connection:
        params = {"pid": procedure_id}
        head = connection.execute(_PAGE_HEAD, params).first()
        version = head.version if head is not None else None
        key = (procedure_id, int(version or 0), today, lang)
        page = cache.get(key) if cache is not None and version is not None else None
        if page is None:
            page = _build_page(connection, procedure_id, now, lang)
            if cache is not None:
                cache.put(key, page)
        outbox = _mail_rows(connection.execute(_OUTBOX, params), lang)
        failed: dict[str, int] | None = {}
        if head is not None and head.failed:
            failed = None  # some mail failed somewhere: read this procedure's count
        problem = head.problem if head is not None else None
        mail = _mail_alerts(connection, lang, failed, problem, page.record.id)
    return replace(page, outbox=outbox, mail=mail)


def _build_page(
    connection: Connection, procedure_id: str, now: datetime, lang: Language
) -> ProcedurePage:
    today = local_date(now)
    record = load_procedure(connection, procedure_id)
    phase = Phase(record.phase)
    defn = definition(record.definition_version)
    snapshot = repository.load_snapshot(connection, record, DISPLAY_PARTS | defn.exit_needs(phase))
    run, params = connection.execute, {"pid": record.id}
    organisation = run(_ORGANISATION, {"oid": record.organisation_id}).scalar() or ""
    deviations = tuple(repository.deviation_rows(connection, record.id))
    invited = {r.id: r.invited_at for r in run(_INVITED, params)}
    session_rows = run(_ALL_SESSIONS, params).all()
    latest = run(_AUDIT_LATEST, params).all()
    actors = {r.actor for r in latest} | {d.actor for d in deviations}
    names = actor_names(connection, record.id, actors, snapshot.experts)
    trail = _trail_rows(latest, lang, names)
    # Overdue milestones only: the full deadline overview (every reminder of every expert)
    # has a page of its own, so this page stays cheap for a large panel.
    overdue = (
        {
            o["key"]: int(o["days_overdue"])
            for o in overdue_milestones(connection, record, now, dates=snapshot.milestones)
        }
        # Only a day already past can be overdue: then the facts are worth a read.
        if any(day < today for day in snapshot.milestones.values())
        else {}
    )
    verdicts = tuple(defn.evaluate(snapshot, record.config)) if phase.is_open else ()
    sessions = _sessions(session_rows, snapshot, record.config, today)
    shares = RULES_BY_CODE["panel.external_share"].evaluate(snapshot, record.config)
    return ProcedurePage(
        documents=document_rows(connection, record.id),
        record=record,
        organisation=organisation,
        phase=phase,
        today=today,
        steps=phase_steps(phase),
        blockers=tuple(v for v in verdicts if v.blocks),
        verdicts=verdicts,
        deviations=deviations,
        names=names,
        allowed=allowed_actions(phase),
        snapshot=snapshot,
        experts=_expert_rows(snapshot, invited, lang),
        sessions=sessions,
        candidates=_candidate_rows(snapshot, lang),
        balance=balance_report(snapshot, record.config),
        panel_bars=_panel_bars(snapshot),
        panel_figures=shares.figures,
        attendance_bars=tuple(
            Bar(
                Text(f"#{s.id} {_day(s.at)}", f"#{s.id} {_day(s.at, 'en')}"),
                *_attendance(s.id, snapshot),
            )
            for s in sessions
            if not s.cancelled
        ),
        concept_bars=_concept_bars(snapshot),
        timeline=_timeline(snapshot.milestones, sessions, overdue, today),
        overdue=overdue,
        # Read on every request by `procedure_page`, never cached.
        outbox=(),
        trail=trail,
        milestone_choices=tuple(
            (key, MILESTONE_LABELS.get(key, Text(key, key)))
            for key in record.config.planning.milestones
        ),
        hotspots=_hotspots(snapshot),
        systems=tuple(sorted({s.system for s in snapshot.inventory})),
        labels={
            "list": LIST_STATUS_LABELS,
            "perspective": {p.value: t for p, t in PERSPECTIVE_LABELS.items()},
            "milestone": MILESTONE_LABELS,
            "criteria": {str(k): v for k, v in CRITERIA.items()},
        },
    )


_SIDE: dict[Perspective, Text] = {
    Perspective.INTERNAL: Text("intern", "internal"),
    Perspective.EXTERNAL: Text("extern", "external"),
}


def _expert_rows(
    snapshot: ProcedureSnapshot, invited: dict[int, datetime | None], lang: Language
) -> tuple[ExpertRow, ...]:
    no = Text("nee", "no")(lang)
    return tuple(
        ExpertRow(
            e.id,
            e.name,
            e.email,
            _SIDE[e.perspective](lang),
            e.profile,
            format_date(local_date(moment), lang) if (moment := invited.get(e.id)) else no,
            RESPONSE_LABELS[e.response.value](lang),
            e.response,
        )
        for e in snapshot.experts
    )


_VERDICTS = {
    (False, False): Text("nog niet beoordeeld", "not assessed yet"),
    (False, True): Text("nog niet beoordeeld", "not assessed yet"),
    (True, True): Text("op de lijst", "on the list"),
    (True, False): Text("niet op de lijst", "not on the list"),
}


def _candidate_rows(snapshot: ProcedureSnapshot, lang: Language) -> tuple[CandidateRow, ...]:
    experts = snapshot.expert_by_id()
    return tuple(CandidateRow(c, experts.get(c.nominated_by), lang) for c in snapshot.candidates)


# Data of a record on the page is cut here; the trail page and the exports show all of it.
DATA_SHOWN = 300


def _trail_rows(
    rows: Iterable[Row[Any]], lang: Language, names: Mapping[str, str]
) -> tuple[TrailRow, ...]:
    result = []
    for r in rows:
        data = canonical_json(r.data)
        if len(data) > DATA_SHOWN:
            data = data[: DATA_SHOWN - 1] + "…"
        who = actor_name(r.actor, names, lang)
        result.append(
            TrailRow(
                r.seq,
                _day(r.recorded_at, lang),
                r.actor,
                r.action,
                data,
                r.reason,
                action_label(r.action, lang),
                describe(r.action, who, _mapping(r.data), lang),
                who,
            )
        )
    return tuple(result)


# --- who an audit record names --------------------------------------------------------------

# The worker and the daily mail summary act as `system`.
SYSTEM_ACTOR = "system"
_SYSTEM = Text("het systeem", "the system")
UT, MT = table_of(m.User), table_of(m.Member)
_USERNAMES: BindParameter[list[str]] = bindparam("usernames", expanding=True)
_EXPERT_IDS: BindParameter[list[int]] = bindparam("experts", expanding=True)
_MEMBER_IDS: BindParameter[list[int]] = bindparam("members", expanding=True)
# One statement for every name a page of records needs: facilitators by user name, link
# holders ("expert:12", "archivaris:3") by their id within this procedure.
_ACTOR_NAMES = union_all(
    select(literal_column("'user'").label("kind"), UT.c.username.label("key"), UT.c.name).where(
        UT.c.username.in_(_USERNAMES)
    ),
    select(literal_column("'expert'"), cast(ET.c.id, String), ET.c.name).where(
        ET.c.procedure_id == PID, ET.c.id.in_(_EXPERT_IDS)
    ),
    select(literal_column("'member'"), cast(MT.c.id, String), MT.c.name).where(
        MT.c.procedure_id == PID, MT.c.id.in_(_MEMBER_IDS)
    ),
)


def _link_holder(actor: str) -> tuple[str, int] | None:
    """("expert", 12) for "expert:12", ("member", 3) for "archivaris:3"; None otherwise."""
    prefix, colon, number = actor.partition(":")
    if not colon or not number.isdecimal() or len(number) > 18:
        return None
    return ("expert" if prefix == "expert" else "member"), int(number)


def actor_names(
    connection: Connection,
    procedure_id: str,
    actors: Iterable[str],
    experts: Iterable[Expert] = (),
) -> dict[str, str]:
    """The name of each actor that has one, by actor; `experts` already loaded save a lookup."""
    known = {f"expert:{e.id}": e.name for e in experts}
    # Per actor still to name: the kind of row and its key in `_ACTOR_NAMES`.
    wanted: dict[str, tuple[str, str]] = {}
    for actor in set(actors) - set(known) - {SYSTEM_ACTOR}:
        holder = _link_holder(actor)
        wanted[actor] = ("user", actor) if holder is None else (holder[0], str(holder[1]))
    if not wanted:
        return known
    keys = list(wanted.values())
    params = {
        "pid": procedure_id,
        "usernames": [key for kind, key in keys if kind == "user"],
        "experts": [int(key) for kind, key in keys if kind == "expert"],
        "members": [int(key) for kind, key in keys if kind == "member"],
    }
    found = {(r.kind, r.key): r.name for r in connection.execute(_ACTOR_NAMES, params)}
    return known | {actor: found[key] for actor, key in wanted.items() if key in found}


def actor_name(actor: str, names: Mapping[str, str], lang: Language) -> str:
    """Who acted, for a sentence: the person's name where known, else the stored actor."""
    if actor == SYSTEM_ACTOR:
        return _SYSTEM(lang)
    return names.get(actor) or actor


def _mapping(data: Any) -> Mapping[str, Any]:
    return data if isinstance(data, Mapping) else {}


def _mail_rows(rows: Iterable[Row[Any]], lang: Language) -> tuple[MailRow, ...]:
    return tuple(
        MailRow(
            kind_label(r.kind, lang),
            r.recipient_name,
            OUTBOX_LABELS[r.status](lang) if r.status in OUTBOX_LABELS else r.status,
            _day(r.created_at, lang),
            _day(r.sent_at, lang) if r.sent_at else "–",
            r.status == "failed",
            int(r.id),
            r.last_error or "",
        )
        for r in rows
    )


def _day(moment: datetime, lang: Language = "nl") -> str:
    local = moment.astimezone(AMSTERDAM)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


def _sessions(
    rows: Iterable[Row[Any]], snapshot: ProcedureSnapshot, config: RuleConfig, today: date
) -> tuple[SessionRow, ...]:
    held = {s.id: s for s in snapshot.sessions}
    experts = snapshot.expert_by_id()
    result = []
    for r in rows:
        problems: tuple[Text, ...] = ()
        attendees = 0
        if r.id in held:
            attendees = len(held[r.id].attendee_ids)
            if attendees or local_date(r.at) < today:
                problems = count_session(held[r.id], experts, config.sessions).problems
        result.append(
            SessionRow(
                r.id,
                r.at,
                r.location,
                r.cancelled_at is not None,
                r.cancel_reason,
                attendees,
                problems,
            )
        )
    return tuple(result)


def _split(experts: Iterable[Expert]) -> tuple[int, int]:
    internal = external = 0
    for e in experts:
        if e.perspective is Perspective.INTERNAL:
            internal += 1
        else:
            external += 1
    return internal, external


def _panel_bars(snapshot: ProcedureSnapshot) -> tuple[Bar, ...]:
    return (
        Bar(Text("Toegezegd", "Accepted"), *_split(snapshot.accepted_experts())),
        Bar(Text("Alle experts", "All experts"), *_split(snapshot.experts)),
    )


def _attendance(session_id: int, snapshot: ProcedureSnapshot) -> tuple[int, int]:
    experts = snapshot.expert_by_id()
    for s in snapshot.sessions:
        if s.id == session_id:
            return _split(experts[i] for i in s.attendee_ids if i in experts)
    return 0, 0


def _concept_bars(snapshot: ProcedureSnapshot) -> tuple[Bar, ...]:
    experts = snapshot.expert_by_id()

    def nominators(candidates: Iterable[Candidate]) -> tuple[int, int]:
        return _split(experts[c.nominated_by] for c in candidates if c.nominated_by in experts)

    return (
        Bar(
            Text("Op de conceptlijst", "On the concept list"), *nominators(snapshot.concept_list())
        ),
        Bar(Text("Alle voordrachten", "All nominations"), *nominators(snapshot.candidates)),
    )


def _timeline(
    milestones: dict[str, date],
    sessions: tuple[SessionRow, ...],
    overdue: dict[str, int],
    today: date,
) -> tuple[TimelineItem, ...]:
    items = [
        TimelineItem(
            due,
            MILESTONE_LABELS.get(key, Text(key, key)),
            "milestone",
            overdue.get(key, 0),
            due < today,
        )
        for key, due in milestones.items()
    ]
    items += [
        TimelineItem(
            local_date(s.at),
            Text(
                f"Expertbijeenkomst #{s.id}" + (f" ({s.location})" if s.location else ""),
                f"Expert session #{s.id}" + (f" ({s.location})" if s.location else ""),
            ),
            "session",
            past=local_date(s.at) < today,
            cancelled=s.cancelled,
        )
        for s in sessions
    ]
    items.append(TimelineItem(today, Text("Vandaag", "Today"), "today"))
    # Today sorts before anything due the same day, so "due today" reads as not yet overdue.
    order = {"today": 0, "milestone": 1, "session": 2}
    return tuple(sorted(items, key=lambda i: (i.day, order[i.kind])))


def _hotspots(snapshot: ProcedureSnapshot) -> tuple[tuple[str, str], ...]:
    listed = snapshot.list_version
    if listed is None or listed.status.value != "adopted":
        return ()
    return tuple((e.number, e.title) for e in listed.entries)


def deadlines_page(app: App, procedure_id: str, lang: Language) -> dict[str, Any]:
    """The deadline overview of `hotspot deadlines`, with dates the page can format."""
    overview = deadline_overview(app, procedure_id, lang)
    for item in overview["deadlines"]:
        # The overview speaks ISO (it also feeds the CLI's JSON); the page shows Dutch dates.
        item["due_day"] = date.fromisoformat(item["due"]) if item["due"] else None
        item["at_moment"] = datetime.fromisoformat(item["at"]) if item["at"] else None
    for late in overview["overdue_milestones"]:
        late["label"] = MILESTONE_LABELS[late["key"]](lang)
        late["due_day"] = date.fromisoformat(late["due"])
    return overview


# --- the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DashboardRow:
    id: str
    organisation: str
    governing_body: str
    period: str
    phase: Phase
    next_key: str | None
    next_due: date | None
    overdue: tuple[tuple[str, date, int], ...]
    blockers: int | None

    @property
    def next_label(self) -> Text | None:
        return MILESTONE_LABELS.get(self.next_key) if self.next_key else None

    def overdue_labels(self, lang: Language) -> str:
        return ", ".join(MILESTONE_LABELS[k](lang) for k, _, _ in self.overdue)


# A page of the dashboard: enough to scan, small enough to build at once at any scale.
DASHBOARD_PAGE_SIZE = 50
# The dashboard's figures (overdue milestones, blockers) of this many procedures are kept: many
# pages' worth, so paging back and forth finds them; evicted least recently shown first.
STANDING_CACHE_SIZE = 2048

_DASHBOARD_FROM = PT.join(OT, OT.c.id == PT.c.organisation_id)
_DASHBOARD_ORDER = (PT.c.created_at, PT.c.id)
_ORGANISATIONS = select(OT.c.id, OT.c.name)
# An organisation's name as the filter compares it; names never change once stored.
_organisation_key = lru_cache(maxsize=16_384)(validation.search_key)


def _matching_organisations(connection: Connection, typed: str) -> list[int]:
    """The organisations whose name holds `typed`, compared as a search compares text.

    In Python, over every organisation (a few per procedure at most): SQL's lower() knows
    ASCII only on SQLite, and neither database folds "Straße" to "strasse" or "İstanbul" to
    "istanbul" the same way.
    """
    wanted = validation.search_key(typed)
    return [
        i for i, name in connection.execute(_ORGANISATIONS) if wanted in _organisation_key(name)
    ]


@dataclass(frozen=True, slots=True)
class _DashboardQueries:
    """The dashboard's statements for one kind of filter, made once: the parameters (phase,
    organisations, limit, offset) vary, the statements and their compiled form do not."""

    rows: Select[Any]
    head: Select[Any]
    milestones: Select[Any]


@lru_cache(maxsize=4)
def _dashboard_queries(by_phase: bool, by_organisation: bool) -> _DashboardQueries:
    where = []
    if by_phase:
        where.append(PT.c.phase == bindparam("phase"))
    if by_organisation:
        where.append(PT.c.organisation_id.in_(bindparam("organisations", expanding=True)))
    # The page is chosen on narrow rows (id and creation time), then its 50 rows are read
    # whole: sorting thousands of rows with their stored configuration would cost what is
    # not shown. Its milestones are chosen by the same ids.
    page = (
        select(PT.c.id)
        .where(*where)
        .order_by(*_DASHBOARD_ORDER)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
        .scalar_subquery()
    )
    total = select(func.count()).select_from(PT).where(*where).scalar_subquery().label("total")
    # Each row also carries the number of procedures and whether mail failed or the mail
    # set-up has a problem, so an ordinary page takes two statements: these and milestones.
    rows = (
        procedure_columns()
        .add_columns(OT.c.name.label("organisation"), total, _FAILED_TOTAL, _OPEN_PROBLEM)
        .select_from(_DASHBOARD_FROM)
        .where(PT.c.id.in_(page))
        .order_by(*_DASHBOARD_ORDER)
    )
    head = select(total, _FAILED_TOTAL, _OPEN_PROBLEM)
    milestones = select(MST.c.procedure_id, MST.c.key, MST.c.due).where(
        MST.c.procedure_id.in_(page)
    )
    return _DashboardQueries(rows, head, milestones)


PIDS: BindParameter[list[str]] = bindparam("pids", expanding=True)
_PAGE_DEVIATIONS = select(DVT.c.procedure_id, DVT.c.rule_code, DVT.c.reason).where(
    DVT.c.procedure_id.in_(PIDS)
)

Standing = tuple[tuple[tuple[str, date, int], ...], int]


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """What the facilitator narrowed the dashboard to: a phase, part of an organisation's name."""

    phase: Phase | None = None
    organisation: str = ""

    def parameters(self, organisations: list[int] | None) -> dict[str, Any]:
        """The values for the statements of this kind of filter (`_dashboard_queries`)."""
        found: dict[str, Any] = {}
        if self.phase is not None:
            found["phase"] = self.phase.value
        if organisations is not None:
            found["organisations"] = organisations
        return found

    def query_string(self) -> str:
        values = {
            "phase": self.phase.value if self.phase else "",
            "organisation": self.organisation,
        }
        return urlencode({k: v for k, v in values.items() if v})

    @property
    def active(self) -> bool:
        return self.phase is not None or bool(self.organisation)


@dataclass(frozen=True, slots=True)
class DashboardPage:
    rows: tuple[DashboardRow, ...]
    total: int
    page: int
    pages: int
    wanted: DashboardFilter
    mail: MailAlerts = NO_ALERTS

    @property
    def first(self) -> int:
        """The number of the first procedure on this page (1-based), 0 when there are none."""
        return (self.page - 1) * DASHBOARD_PAGE_SIZE + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def nearby(self) -> tuple[int, ...]:
        """The page numbers to link: the first, the last and two either side of this one."""
        shown = {1, self.pages, *range(max(1, self.page - 2), min(self.pages, self.page + 2) + 1)}
        return tuple(sorted(shown))


def dashboard(
    app: App,
    cache: VersionCache[Standing] | None = None,
    wanted: DashboardFilter | None = None,
    page: int = 1,
    lang: Language = "nl",
) -> DashboardPage:
    """One page of procedures, oldest first, with next milestone, overdue milestones, blockers.

    Two statements whatever the number of procedures: the page's rows (chosen by id in a
    subquery, each with the number of procedures and whether mail failed or the mail set-up
    has a problem) and their milestones; one more for a page beyond the last, and to read the
    failed mail or the problem when there is some. The overdue milestones and blockers of an
    open procedure are kept per version and day; only one not seen at its version today reads
    its deviations and its exit rules' parts (and, with a milestone in the past, what overdue
    depends on).
    """
    wanted = wanted or DashboardFilter()
    now = app.now()
    today = local_date(now)
    with app.reading() as connection:
        organisations = (
            _matching_organisations(connection, wanted.organisation)
            if wanted.organisation
            else None
        )
        queries = _dashboard_queries(wanted.phase is not None, organisations is not None)
        params = wanted.parameters(organisations)
        page = max(page, 1)

        def read_page() -> Sequence[Row[Any]]:
            limits = {"limit": DASHBOARD_PAGE_SIZE, "offset": (page - 1) * DASHBOARD_PAGE_SIZE}
            return connection.execute(queries.rows, {**params, **limits}).all()

        rows = read_page()
        head = rows[0] if rows else connection.execute(queries.head, params).one()
        total = int(head.total)
        pages = max(1, -(-total // DASHBOARD_PAGE_SIZE))
        if not rows and page > pages:
            page = pages  # beyond the last page: the last one (none at all: the first)
            rows = read_page() if total else ()
        records = [record_from_row(row) for row in rows]
        dates: dict[str, dict[str, date]] = {}
        if rows:
            limits = {"limit": DASHBOARD_PAGE_SIZE, "offset": (page - 1) * DASHBOARD_PAGE_SIZE}
            for ms in connection.execute(queries.milestones, {**params, **limits}):
                dates.setdefault(ms.procedure_id, {})[ms.key] = ms.due
        standing: dict[str, Standing | None] = {}
        for record in records:
            if Phase(record.phase).is_open:
                key = (record.id, record.version, today)
                standing[record.id] = cache.get(key) if cache is not None else None
        missing = [pid for pid, known in standing.items() if known is None]
        if missing:
            # Only a procedure whose blockers must be counted afresh needs its deviations.
            deviations: dict[str, dict[str, str]] = {}
            for d in connection.execute(_PAGE_DEVIATIONS, {"pids": missing}):
                deviations.setdefault(d.procedure_id, {})[d.rule_code] = d.reason
            for record in records:
                if record.id in missing:
                    record.deviations = deviations.get(record.id, {})
                    fresh = _standing(
                        connection, record, Phase(record.phase), dates.get(record.id, {}), now
                    )
                    standing[record.id] = fresh
                    if cache is not None:
                        cache.put((record.id, record.version, today), fresh)
        result = []
        for row, record in zip(rows, records, strict=True):
            phase = Phase(record.phase)
            mine = dates.get(record.id, {})
            upcoming = sorted((d, k) for k, d in mine.items() if d >= today)
            late, blockers = standing.get(record.id) or ((), None)
            result.append(
                DashboardRow(
                    id=record.id,
                    organisation=row.organisation,
                    governing_body=record.governing_body,
                    period=f"{record.period_start}–{record.period_end}",
                    phase=phase,
                    next_key=upcoming[0][1] if upcoming and phase.is_open else None,
                    next_due=upcoming[0][0] if upcoming and phase.is_open else None,
                    overdue=late,
                    blockers=blockers,
                )
            )
        mail = _mail_alerts(connection, lang, None if head.failed else {}, head.problem)
    return DashboardPage(tuple(result), total, page, pages, wanted, mail)


def _standing(
    connection: Connection,
    record: ProcedureRecord,
    phase: Phase,
    milestones: dict[str, date],
    now: datetime,
) -> Standing:
    """An open procedure's overdue milestones and number of blockers, read afresh."""
    late: tuple[tuple[str, date, int], ...] = ()
    if any(d < local_date(now) for d in milestones.values()):
        order = record.config.planning.milestones
        ordered = {k: milestones[k] for k in order if k in milestones}
        late = tuple(
            (o["key"], o["due"], int(o["days_overdue"]))
            for o in overdue_milestones(connection, record, now, dates=ordered)
        )
    return late, _blocker_count(connection, record, phase)


def _blocker_count(connection: Connection, record: ProcedureRecord, phase: Phase) -> int:
    defn = definition(record.definition_version)
    snapshot = repository.load_snapshot(connection, record, defn.exit_needs(phase))
    return sum(1 for v in defn.evaluate(snapshot, record.config) if v.blocks)


# --- the audit trail page ------------------------------------------------------------------


@dataclass(frozen=True)
class AuditPage:
    procedure_id: str
    organisation: str
    records: tuple[read_audit.AuditEntry, ...]
    total: int
    page: int
    pages: int
    actors: tuple[str, ...]
    actions: tuple[str, ...]
    # The person behind each actor that has a name ("sanne" is "Sanne de Vries").
    names: Mapping[str, str] = field(default_factory=dict)

    def who(self, actor: str, lang: Language) -> str:
        return actor_name(actor, self.names, lang)

    @staticmethod
    def phase(code: str | None, lang: Language) -> str:
        """A phase as people call it ("Expertbijeenkomsten"); "–" before the first."""
        if not code:
            return "–"
        try:
            return Phase(code).label(lang)
        except ValueError:
            return code

    def label(self, action: str, lang: Language) -> str:
        return action_label(action, lang)

    def sentence(self, record: read_audit.AuditEntry, lang: Language) -> str:
        """The record as one sentence in the page's language (the data stays shown below)."""
        who = self.who(record.actor, lang)
        return describe(record.action, who, _mapping(record.data), lang)


def audit_page(app: App, procedure_id: str, wanted: AuditFilter, page: int) -> AuditPage:
    with app.read() as session:
        connection = session.connection()
        offered = read_audit.choices(connection, procedure_id)
        total = read_audit.count(connection, procedure_id, wanted)
        pages = max(1, -(-total // AUDIT_PAGE_SIZE))
        page = min(max(page, 1), pages)
        found = read_audit.find(
            connection,
            procedure_id,
            wanted,
            newest_first=True,
            limit=AUDIT_PAGE_SIZE,
            offset=(page - 1) * AUDIT_PAGE_SIZE,
        )
        return AuditPage(
            found.procedure_id,
            offered.organisation,
            found.records,
            found.total,
            page,
            pages,
            offered.actors,
            offered.actions,
            actor_names(connection, found.procedure_id, offered.actors),
        )


def audit_export(
    app: App, procedure_id: str, wanted: AuditFilter
) -> tuple[read_audit.AuditEntry, ...]:
    """Every record matching the filter, oldest first (the order the chain is verified in)."""
    with app.read() as session:
        return read_audit.find(session.connection(), procedure_id, wanted).records


__all__ = [
    "AuditFilter",
    "ProcedurePage",
    "audit_export",
    "audit_page",
    "dashboard",
    "procedure_page",
    "rule_label",
]
