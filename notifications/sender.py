"""The outbox sender: claim due rows under a lease, deliver them, record what happened.

A message loses a try only when it was offered to the server; one held back untried keeps its
tries, and never-tried messages are claimed before those that failed before. A failed try
waits a doubling, capped backoff counted from the failure, within a retry window counted from
the first failure. A problem with the mail set-up (TLS, credentials, our sender refused, relay
refused for everyone, a server that cannot be reached, keys that do not open a message's
personal link) costs no tries: it is recorded in `mail_problems` (shown to the facilitators)
and the mail waits until it is put right. A message with a personal link never goes without
it. Whoever starts a sender hands it the application's database, clock and keys (`app`, a
notifications.host.MailHost).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import (
    Boolean,
    Connection,
    Row,
    and_,
    bindparam,
    case,
    insert,
    or_,
    select,
    update,
)

from notifications.addresses import AddressRefused, mailbox, sender_address
from notifications.host import OUTBOX_KEY_USE, MailHost
from notifications.mime import Attachment, build_message
from notifications.outbox import OUTBOX, OutboxStatus, attachment_refs
from notifications.schema import mail_problems
from notifications.sealed import Sealer
from notifications.settings import MailSettings
from notifications.transports import (
    Envelope,
    NotAttempted,
    Outcome,
    PermanentFailure,
    RelayDenied,
    Sent,
    SetupProblem,
    TransientFailure,
    Transport,
    Unreachable,
    make_transport,
)
from states.errors import EnvironmentProblem

log = structlog.get_logger("hotspot")

_C = OUTBOX.c
PROBLEMS = mail_problems
_P = PROBLEMS.c
PENDING = OutboxStatus.PENDING.value
SENDING = OutboxStatus.SENDING.value
SENT = OutboxStatus.SENT.value
FAILED = OutboxStatus.FAILED.value
# Messages built ahead of the one being sent: enough to never keep the transport waiting.
_AHEAD = 4
# No wait, window or lease reaches further than this, whatever the settings say: a date
# beyond the calendar's end would make recording a batch fail (and the batch be sent again).
MAX_WAIT = timedelta(days=366)
# Problems that hold back only the messages with a personal link; the rest of a run goes on.
LINK_PROBLEMS = frozenset({"keys"})
# Messages claimed first: the never-tried ones, so those that failed before (a recipient
# whose server hangs up) cannot keep everyone behind them waiting.
_FRESH_FIRST = case((_C.attempts == 0, 0), else_=1)

_DUE = or_(
    and_(_C.status == PENDING, _C.next_attempt_at <= bindparam("now")),
    # A sender that claimed these died (or hangs): its lease ran out.
    and_(_C.status == SENDING, _C.lease_until <= bindparam("now")),
)
# Guarded by status and lease: a row another sender re-claimed after our lease ran out is
# theirs now, and their outcome must not be overwritten by ours.
_RECORD = (
    update(OUTBOX)
    .where(
        _C.id == bindparam("b_id"),
        _C.status == SENDING,
        _C.lease_until == bindparam("b_lease", type_=_C.lease_until.type),
    )
    .values(
        status=bindparam("b_status"),
        lease_until=None,
        attempts=bindparam("b_attempts"),
        first_failed_at=bindparam("b_first", type_=_C.first_failed_at.type),
        sent_at=bindparam("b_sent_at", type_=_C.sent_at.type),
        next_attempt_at=bindparam("b_next", type_=_C.next_attempt_at.type),
        last_error=bindparam("b_error"),
        # Once a message is sent or failed for good, its link is of no use to anyone here.
        link_secret=case((bindparam("b_clear", type_=Boolean()), None), else_=_C.link_secret),
    )
)
_EVER_SENT = select(_C.id).where(_C.status == SENT).limit(1)
_OPEN_PROBLEM = select(_P.id).where(_P.code == bindparam("code"), _P.resolved_at.is_(None))


@dataclass(frozen=True, slots=True)
class Failure:
    """One message that did not go out this time; `final` when it will not be tried again."""

    outbox_id: int
    message_id: str
    kind: str
    error: str
    final: bool

    def __str__(self) -> str:
        outlook = "failed" if self.final else "will retry"
        return f"#{self.outbox_id} {self.kind} {self.message_id}: {self.error} ({outlook})"


@dataclass(frozen=True, slots=True)
class Batch:
    """What one batch came to, for deciding whether the run goes on."""

    # The server answered some message: took it, or refused it for good by a reply.
    answered: bool
    # Some message got an outcome other than "not offered".
    progress: bool
    # The server hung up several times in a row and the rest was handed back untried.
    dropped: bool
    # A problem with the whole set-up (not only with personal links): the run ends.
    stopping_problem: bool


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    # Waiting untried: held back by a set-up problem, or not started this run.
    held: int = 0
    failures: list[Failure] = field(default_factory=list)
    # The set-up problem this run ran into, if any ("starttls: 5.7.0 ...").
    problem: str | None = None


def claim(app: MailHost, now: datetime, limit: int, lease_seconds: int) -> list[Row[Any]]:
    """Take up to `limit` due rows for this sender until `now + lease_seconds`: never-tried
    ones first, then oldest first.

    The returned rows carry the claim: status `sending` and the lease. Tries are counted when
    the outcome is recorded; a row whose lease ran out was held by a sender that died or hung
    and may have offered it, so taking it over counts that try.
    """
    query = select(_C.id).where(_DUE).order_by(_FRESH_FIRST, _C.id).limit(limit)
    if app.engine.dialect.name == "postgresql":
        # Concurrent senders each take other rows instead of queueing behind one another.
        # SQLite needs nothing: every writer starts with BEGIN IMMEDIATE, one at a time.
        query = query.with_for_update(skip_locked=True)
    lease = now + min(timedelta(seconds=lease_seconds), MAX_WAIT)
    abandoned = _C.status == SENDING
    with app.transaction() as connection:
        ids = list(connection.scalars(query, {"now": now}))
        if not ids:
            return []
        rows = connection.execute(
            update(OUTBOX)
            .where(_C.id.in_(ids))
            .values(
                status=SENDING,
                lease_until=lease,
                attempts=case((abandoned, _C.attempts + 1), else_=_C.attempts),
                first_failed_at=case(
                    (and_(abandoned, _C.first_failed_at.is_(None)), now),
                    else_=_C.first_failed_at,
                ),
            )
            .returning(*OUTBOX.c)
        ).all()
    # RETURNING comes back in no promised order: the claim's order (never-tried first) holds.
    place = {row_id: index for index, row_id in enumerate(ids)}
    return sorted(rows, key=lambda row: place[row.id])


async def send_due(
    app: MailHost,
    settings: MailSettings,
    *,
    now: datetime | None = None,
    transport: Transport | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """Send everything due, batch by batch, until a claim comes back empty (or told to stop).

    With a fixed `now`, a message that failed is not due again within the same run; without
    one, every batch reads the application's clock. A message handed back untried is claimed
    again in the next batch. The run ends early on a problem with the whole set-up (every
    batch would meet it again), on a batch that offered nothing, and when the server hung up
    several times in a row in two batches running without answering anything in between.
    The database calls are synchronous on purpose: a sender runs alone in its loop, and a
    thread hop per batch buys nothing.
    """
    transport = transport or make_transport(settings)
    report = SendReport()
    sealer: list[Sealer] = []

    def open_with() -> Sealer:
        if not sealer:
            sealer.append(Sealer(app.keys.derive(OUTBOX_KEY_USE)))
        return sealer[0]

    # Batches in a row in which the server kept hanging up and answered nothing.
    strikes = 0
    # Messages waiting untried now: one handed back by a batch may be tried by the next.
    held: set[int] = set()
    while not should_stop():
        moment = now or app.now()
        rows = claim(app, moment, settings.batch_size, settings.lease_seconds)
        if not rows:
            return report
        claimed_at = time.monotonic()
        opened = _open_links(rows, open_with, lambda: app.keys.source)
        carried = _attachments(app, rows, moment)
        # Stop starting messages well before the lease runs out, or a second sender could
        # claim them again while this one is still sending; the lease runs from the claim,
        # so time spent making attachments counts.
        margin = max(
            settings.lease_seconds - settings.smtp.timeout_seconds, 0.5 * settings.lease_seconds
        )
        outcomes = await _deliver(transport, rows, settings, claimed_at + margin, opened, carried)
        # Backoffs count from the failure: the end of this batch, not the claim.
        batch = _record(app, settings, rows, outcomes, now or app.now(), report, opened, held)
        strikes = strikes + 1 if batch.dropped and not batch.answered else 0
        if batch.stopping_problem or not batch.progress or strikes >= 2:
            return report
    return report


# A message's personal link, or the outcome it gets instead when the link cannot be had (the
# message is then not built).
LinkOrHold = str | Outcome


def _open_links(
    rows: Sequence[Row[Any]], open_with: Callable[[], Sealer], source: Callable[[], str]
) -> dict[int, LinkOrHold]:
    """The personal link of each row that has one, by row id; or why it waits or fails.

    Keys that cannot be read (a key file others may read, one missing) and a sealed link that
    no key of this process opens are problems of the set-up, not of the message: it waits
    without using a try, and is never sent without its link.
    """
    wanted = [row for row in rows if row.link_purpose is not None]
    if not wanted:
        return {}
    try:
        sealer = open_with()
    except EnvironmentProblem as problem:
        held = SetupProblem("keys", problem.explain("nl"))
        return {int(row.id): held for row in wanted}
    found: dict[int, LinkOrHold] = {}
    for row in wanted:
        url = sealer.open(row.link_secret) if row.link_secret else None
        if url is not None:
            found[int(row.id)] = url
        elif row.link_secret is None:
            found[int(row.id)] = PermanentFailure(
                "its personal link is missing; 'hotspot mail retry' sends it with a fresh one"
            )
        else:
            found[int(row.id)] = SetupProblem(
                "keys",
                f"the keys of this process ({source()}) do not open the personal link of a "
                "waiting message: it was queued with another key. Give this process the "
                "installation's keys, or put back the key that was dropped until the mail "
                "has gone ('hotspot keys retire' renews the links of waiting mail itself)",
            )
    return found


# A message's attachments, or the outcome it gets instead when one cannot be had.
FilesOrHold = list[Attachment] | Outcome


def _attachments(app: MailHost, rows: Sequence[Row[Any]], now: datetime) -> dict[int, FilesOrHold]:
    """The files each row carries, by row id: read from the document store, rendered there
    the first time. A file that cannot be made holds the message for a later try: a mail that
    promises a document is never sent without it."""
    from notifications.document_store import stored_file

    found: dict[int, FilesOrHold] = {}
    for row in rows:
        refs = attachment_refs(row.attachments)
        if not refs:
            continue
        try:
            files = [
                stored_file(
                    app.engine,
                    ref.document_id,
                    ref.format,
                    now=now,
                    docx_template=app.docx_template,
                )
                for ref in refs
            ]
        except (EnvironmentProblem, OSError, ValueError) as problem:
            # The machine's set-up (a Word template that is no Word file, a missing font, a
            # full disk): held without using a try, like every set-up problem.
            log.warning("attachment_held", outbox_id=row.id, error=str(problem))
            found[int(row.id)] = SetupProblem(
                "environment", f"the attached document could not be made: {problem}"
            )
            continue
        except Exception as error:  # one row's document must not stop the others' mail
            log.warning("attachment_failed", outbox_id=row.id, error=str(error))
            found[int(row.id)] = TransientFailure(
                f"the attached document could not be made: {error}"
            )
            continue
        found[int(row.id)] = [Attachment(f.filename, f.media_type, f.content) for f in files]
    return found


def _envelope(
    row: Row[Any], settings: MailSettings, link: str | None, files: Sequence[Attachment] = ()
) -> Envelope:
    """The built message and its envelope; the address passes the input's own check again
    (once: the message is built for the address checked here)."""
    try:
        recipient = mailbox(row.recipient_email)
    except AddressRefused as refused:
        raise ValueError(
            f"unusable address {row.recipient_email!r}: it {refused.reason.en} "
            f"(onbruikbaar adres: het {refused.reason.nl})"
        ) from None
    message = build_message(row, settings.sender_name, link, to=recipient, attachments=files)
    return Envelope(sender_address(row.sender), recipient, message)


async def _deliver(
    transport: Transport,
    rows: Sequence[Row[Any]],
    settings: MailSettings,
    deadline: float,
    opened: dict[int, LinkOrHold],
    carried: dict[int, FilesOrHold] | None = None,
) -> list[Outcome]:
    """Build and send one batch; a message is built while the one before it is on the wire.

    Building is pure CPU and sending mostly waiting for the server, so a builder task a few
    messages ahead hides most of the building (it runs whenever the transport awaits a reply).
    """
    unbuildable: dict[int, Outcome] = {}
    ready: asyncio.Queue[Envelope | None] = asyncio.Queue(maxsize=_AHEAD)

    async def build_ahead() -> None:
        for index, row in enumerate(rows):
            link = opened.get(int(row.id))
            if link is not None and not isinstance(link, str):
                unbuildable[index] = link
                continue
            files = (carried or {}).get(int(row.id), [])
            if not isinstance(files, list):
                unbuildable[index] = files
                continue
            try:
                envelope = _envelope(row, settings, link, files)
            except EnvironmentProblem as problem:
                # The machine, not the message (a file or setting): held, never failed.
                unbuildable[index] = SetupProblem("environment", problem.explain("nl"))
                continue
            except Exception as error:  # whatever a row's content provokes fails that row alone
                unbuildable[index] = PermanentFailure(f"cannot build the message: {error}")
                continue
            await ready.put(envelope)
        await ready.put(None)

    async def envelopes() -> AsyncIterator[Envelope]:
        while (envelope := await ready.get()) is not None:
            yield envelope

    builder = asyncio.create_task(build_ahead())
    try:
        delivered = iter(await transport.deliver(envelopes(), deadline=deadline))
    finally:
        # A transport that stopped taking envelopes early must not leave the builder waiting.
        builder.cancel()
    untaken = NotAttempted("not attempted: the transport did not take it")
    return [unbuildable.get(i) or next(delivered, untaken) for i in range(len(rows))]


def _wait(seconds: float) -> timedelta:
    return min(timedelta(seconds=seconds), MAX_WAIT)


def _backoff(settings: MailSettings, tries: int) -> timedelta:
    """The wait after the `tries`-th failed try: doubling from the first, capped."""
    seconds = settings.backoff_seconds * 2 ** min(max(tries - 1, 0), 40)
    return _wait(min(seconds, settings.max_backoff_seconds))


def _as_problems(outcomes: Sequence[Outcome], connection: Connection) -> list[Outcome]:
    """Outcomes that show the set-up, not the message, is at fault, turned into set-up
    problems: a server that could not be reached (nothing was offered), and a server that
    refused to relay for every recipient of a batch that delivered nothing."""
    if any(isinstance(o, Unreachable) for o in outcomes):
        # A server that never took a message: a host or port set wrongly is likelier than an
        # outage. Either way the mail waits without using up tries.
        never = (
            not any(isinstance(o, Sent) for o in outcomes)
            and connection.execute(_EVER_SENT).first() is None
        )
        code = "unreachable" if never else "connection"
        outcomes = [
            SetupProblem(code, o.error) if isinstance(o, Unreachable) else o for o in outcomes
        ]
    if any(isinstance(o, RelayDenied) for o in outcomes) and not any(
        isinstance(o, Sent) for o in outcomes
    ):
        outcomes = [
            SetupProblem("relay", o.error) if isinstance(o, RelayDenied) else o for o in outcomes
        ]
    return list(outcomes)


def _record(
    app: MailHost,
    settings: MailSettings,
    rows: Sequence[Row[Any]],
    outcomes: Sequence[Outcome],
    now: datetime,
    report: SendReport,
    opened: dict[int, LinkOrHold],
    held: set[int],
) -> Batch:
    """All outcomes of one batch in one transaction, as one executemany UPDATE."""
    params: list[dict[str, Any]] = []
    counts = {SENT: 0, PENDING: 0, FAILED: 0, "held": 0}
    window = min(timedelta(hours=settings.retry_window_hours), MAX_WAIT)
    with app.transaction() as connection:
        outcomes = _as_problems(outcomes, connection)
        for row, outcome in zip(rows, outcomes, strict=True):
            values = _outcome(settings, row, outcome, now, window)
            params.append(values)
            status = values["b_status"]
            if isinstance(outcome, NotAttempted | SetupProblem):
                counts["held"] += 1
                held.add(int(row.id))
            else:
                counts[status] += 1
                held.discard(int(row.id))
            if isinstance(outcome, SetupProblem):
                report.problem = f"{outcome.code}: {outcome.error}"
            if status != SENT and not isinstance(outcome, NotAttempted):
                failure = Failure(
                    row.id, row.message_id, row.kind, values["b_error"] or "", status == FAILED
                )
                report.failures.append(failure)
            if status != SENT and not isinstance(outcome, NotAttempted | SetupProblem):
                log.warning(
                    "mail not sent",
                    outbox_id=row.id,
                    message_id=row.message_id,
                    kind=row.kind,
                    attempts=values["b_attempts"],
                    status=status,
                    next_attempt_at=values["b_next"].isoformat() if status == PENDING else None,
                    error=values["b_error"],
                )
        result = connection.execute(_RECORD, params)
        seen = {o.code: o for o in outcomes if isinstance(o, SetupProblem)}
        for problem in seen.values():
            _note_problem(connection, problem, now)
        _resolve(connection, seen.keys(), counts[SENT] > 0, _opened_a_link(opened), now)
    report.sent += counts[SENT]
    report.retried += counts[PENDING]
    report.failed += counts[FAILED]
    report.held = len(held)
    # The count is only meaningful where the driver sums it over an executemany.
    lost = len(params) - result.rowcount if result.rowcount >= 0 else 0
    log.info(
        "mail batch",
        claimed=len(rows),
        sent=counts[SENT],
        retried=counts[PENDING],
        failed=counts[FAILED],
        held=counts["held"],
        lease_lost=lost,
    )
    return Batch(
        answered=any(isinstance(o, Sent | PermanentFailure) for o in outcomes),
        progress=any(not isinstance(o, NotAttempted) for o in outcomes),
        dropped=any(isinstance(o, NotAttempted) and o.after_drops for o in outcomes),
        stopping_problem=any(code not in LINK_PROBLEMS for code in seen),
    )


def _opened_a_link(opened: dict[int, LinkOrHold]) -> bool:
    return any(isinstance(link, str) for link in opened.values())


def _resolve(
    connection: Connection,
    seen: Collection[str],
    delivered: bool,
    opened_a_link: bool,
    now: datetime,
) -> None:
    """Close the open problems this batch showed to be over, never one it just met again.

    A delivery shows the connection, TLS, credentials, sender and relay work; an opened link
    shows the keys do.
    """
    over: list[Any] = []
    if delivered:
        over.append(_P.code.not_in(LINK_PROBLEMS))
    if opened_a_link:
        over.append(_P.code.in_(LINK_PROBLEMS))
    if not over:
        return
    query = update(PROBLEMS).where(_P.resolved_at.is_(None), or_(*over))
    if seen:
        query = query.where(_P.code.not_in(sorted(seen)))
    connection.execute(query.values(resolved_at=now))


def _outcome(
    settings: MailSettings, row: Row[Any], outcome: Outcome, now: datetime, window: timedelta
) -> dict[str, Any]:
    """The row's new values for one outcome (the parameters of `_RECORD`)."""
    values: dict[str, Any] = {
        "b_id": row.id,
        "b_lease": row.lease_until,
        "b_status": PENDING,
        "b_attempts": row.attempts,
        "b_first": row.first_failed_at,
        "b_sent_at": None,
        "b_next": row.next_attempt_at,
        "b_error": row.last_error,
        "b_clear": False,
    }
    if isinstance(outcome, NotAttempted):
        return values
    if isinstance(outcome, SetupProblem):
        values["b_error"] = f"set-up problem ({outcome.code}): {outcome.error}"
        values["b_next"] = now + _backoff(settings, 1)
        return values
    if isinstance(outcome, Unreachable):  # pragma: no cover - `_as_problems` turned it
        raise TypeError("an unreachable server is recorded as a set-up problem")
    values["b_attempts"] = tries = row.attempts + 1
    if isinstance(outcome, Sent):
        values.update(b_status=SENT, b_error=outcome.refusals, b_sent_at=now, b_clear=True)
        return values
    first = row.first_failed_at or now
    values.update(b_first=first, b_error=outcome.error)
    closes = first + window
    if isinstance(outcome, TransientFailure) and tries < settings.max_attempts and now < closes:
        # The last try falls at the end of the window, never later.
        values["b_next"] = min(now + _backoff(settings, tries), closes)
        return values
    values.update(b_status=FAILED, b_clear=True)
    return values


def _note_problem(connection: Connection, problem: SetupProblem, now: datetime) -> None:
    """Keep one open row per kind of problem; a new one is logged as an error."""
    known = connection.execute(_OPEN_PROBLEM, {"code": problem.code}).scalar()
    if known is not None:
        connection.execute(
            update(PROBLEMS).where(_P.id == known).values(last_seen_at=now, detail=problem.error)
        )
        log.warning("mail set-up problem persists", code=problem.code, error=problem.error)
        return
    connection.execute(
        insert(PROBLEMS).values(
            code=problem.code, detail=problem.error, first_seen_at=now, last_seen_at=now
        )
    )
    log.error(
        "mail set-up problem: mail waits until it is put right",
        code=problem.code,
        error=problem.error,
    )


def open_problem(app: MailHost) -> dict[str, Any] | None:
    """The mail set-up problem that holds mail back now, if any (the newest)."""
    query = (
        select(_P.code, _P.detail, _P.first_seen_at, _P.last_seen_at)
        .where(_P.resolved_at.is_(None))
        .order_by(_P.last_seen_at.desc())
        .limit(1)
    )
    with app.read() as session:
        row = session.execute(query).first()
    if row is None:
        return None
    return {
        "code": row.code,
        "detail": row.detail,
        "first_seen_at": _iso(row.first_seen_at),
        "last_seen_at": _iso(row.last_seen_at),
    }


def send_due_blocking(
    app: MailHost,
    settings: MailSettings,
    *,
    now: datetime | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """`send_due` for synchronous callers (the CLI, the worker)."""
    return asyncio.run(send_due(app, settings, now=now, should_stop=should_stop))


def list_messages(
    app: MailHost, *, procedure_id: str | None = None, failed_only: bool = False, limit: int = 500
) -> list[dict[str, Any]]:
    """The outbox as the facilitator sees it, newest first: who gets what, and how it went."""
    query = (
        select(
            _C.id,
            _C.kind,
            _C.procedure_id,
            _C.recipient_name,
            _C.recipient_email,
            _C.subject,
            _C.status,
            _C.attempts,
            _C.next_attempt_at,
            _C.sent_at,
            _C.last_error,
            _C.first_failed_at,
        )
        .order_by(_C.created_at.desc(), _C.id.desc())
        .limit(limit)
    )
    if procedure_id is not None:
        query = query.where(_C.procedure_id == procedure_id)
    if failed_only:
        query = query.where(_C.status == FAILED)
    with app.read() as session:
        rows = session.execute(query).all()
    return [
        {
            "id": row.id,
            "kind": row.kind,
            "procedure": row.procedure_id,
            "recipient": f"{row.recipient_name} <{row.recipient_email}>",
            "recipient_name": row.recipient_name,
            "recipient_email": row.recipient_email,
            "subject": row.subject,
            "status": row.status,
            "attempts": row.attempts,
            "next_attempt_at": _iso(row.next_attempt_at) if row.status == PENDING else None,
            "sent_at": _iso(row.sent_at),
            "last_error": row.last_error,
            "first_failed_at": _iso(row.first_failed_at),
        }
        for row in rows
    ]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
