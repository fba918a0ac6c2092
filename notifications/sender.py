"""The outbox sender: claim due rows under a lease, deliver them, record what happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Row, and_, bindparam, or_, select, update

from notifications.mime import build_message
from notifications.outbox import OUTBOX, OutboxStatus
from notifications.settings import MailSettings
from notifications.transports import (
    Envelope,
    Outcome,
    PermanentFailure,
    Sent,
    TransientFailure,
    Transport,
    make_transport,
)
from workflow.app import App

log = structlog.get_logger("hotspot")

_C = OUTBOX.c
PENDING = OutboxStatus.PENDING.value
SENDING = OutboxStatus.SENDING.value
SENT = OutboxStatus.SENT.value
FAILED = OutboxStatus.FAILED.value
# A backoff doubling without end would overflow a datetime; a week between tries is plenty.
MAX_BACKOFF = timedelta(days=7)
# Messages built ahead of the one being sent: enough to never keep the transport waiting.
_AHEAD = 4

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
        sent_at=bindparam("b_sent_at", type_=_C.sent_at.type),
        next_attempt_at=bindparam("b_next", type_=_C.next_attempt_at.type),
        last_error=bindparam("b_error"),
    )
)


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


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    failures: list[Failure] = field(default_factory=list)


def claim(app: App, now: datetime, limit: int, lease_seconds: int) -> list[Row[Any]]:
    """Take up to `limit` due rows for this sender until `now + lease_seconds`, oldest first.

    The returned rows carry the claim: status `sending`, the lease and the raised attempts.
    """
    query = select(_C.id).where(_DUE).order_by(_C.id).limit(limit)
    if app.engine.dialect.name == "postgresql":
        # Concurrent senders each take other rows instead of queueing behind one another.
        # SQLite needs nothing: every writer starts with BEGIN IMMEDIATE, one at a time.
        query = query.with_for_update(skip_locked=True)
    lease = now + timedelta(seconds=lease_seconds)
    with app.transaction() as connection:
        ids = list(connection.scalars(query, {"now": now}))
        if not ids:
            return []
        rows = connection.execute(
            update(OUTBOX)
            .where(_C.id.in_(ids))
            .values(status=SENDING, lease_until=lease, attempts=_C.attempts + 1)
            .returning(*OUTBOX.c)
        ).all()
    # RETURNING comes back in no promised order.
    return sorted(rows, key=lambda row: int(row.id))


async def send_due(
    app: App,
    settings: MailSettings,
    *,
    now: datetime | None = None,
    transport: Transport | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """Send everything due, batch by batch, until a claim comes back empty (or told to stop).

    With a fixed `now`, a message that failed is not due again within the same run; without
    one, every batch reads the application's clock. The database calls are synchronous on
    purpose: a sender runs alone in its loop, and a thread hop per batch buys nothing.
    """
    transport = transport or make_transport(settings)
    report = SendReport()
    while not should_stop():
        moment = now or app.now()
        rows = claim(app, moment, settings.batch_size, settings.lease_seconds)
        if not rows:
            return report
        # Stop starting messages well before the lease runs out, or a second sender could
        # claim them again while this one is still sending.
        margin = max(
            settings.lease_seconds - settings.smtp.timeout_seconds, 0.5 * settings.lease_seconds
        )
        outcomes = await _deliver(transport, rows, settings, time.monotonic() + margin)
        _record(app, settings, rows, outcomes, moment, report)
    return report


async def _deliver(
    transport: Transport, rows: Sequence[Row[Any]], settings: MailSettings, deadline: float
) -> list[Outcome]:
    """Build and send one batch; a message is built while the one before it is on the wire.

    Building is pure CPU and sending mostly waiting for the server, so a builder task a few
    messages ahead hides most of the building (it runs whenever the transport awaits a reply).
    """
    unbuildable: dict[int, Outcome] = {}
    ready: asyncio.Queue[Envelope | None] = asyncio.Queue(maxsize=_AHEAD)

    async def build_ahead() -> None:
        for index, row in enumerate(rows):
            try:
                message = build_message(row, settings.sender_name)
            except Exception as error:  # whatever a row's content provokes fails that row alone
                unbuildable[index] = PermanentFailure(f"cannot build the message: {error}")
                continue
            await ready.put(Envelope(row.sender, row.recipient_email, message))
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
    untaken = TransientFailure("not attempted: the transport did not take it")
    return [unbuildable.get(i) or next(delivered, untaken) for i in range(len(rows))]


def _record(
    app: App,
    settings: MailSettings,
    rows: Sequence[Row[Any]],
    outcomes: Sequence[Outcome],
    now: datetime,
    report: SendReport,
) -> None:
    """All outcomes of one batch in one transaction, as one executemany UPDATE."""
    params: list[dict[str, Any]] = []
    counts = {SENT: 0, PENDING: 0, FAILED: 0}
    for row, outcome in zip(rows, outcomes, strict=True):
        next_at: datetime = row.next_attempt_at
        sent_at: datetime | None = None
        if isinstance(outcome, Sent):
            status, error, sent_at = SENT, outcome.refusals, now
        elif isinstance(outcome, TransientFailure) and row.attempts < settings.max_attempts:
            status, error = PENDING, outcome.error
            wait = timedelta(seconds=settings.backoff_seconds * 2 ** (row.attempts - 1))
            next_at = now + min(wait, MAX_BACKOFF)
        else:
            status, error = FAILED, outcome.error
        counts[status] += 1
        params.append(
            {
                "b_id": row.id,
                "b_lease": row.lease_until,
                "b_status": status,
                "b_sent_at": sent_at,
                "b_next": next_at,
                "b_error": error,
            }
        )
        if status != SENT:
            failure = Failure(row.id, row.message_id, row.kind, error or "", status == FAILED)
            report.failures.append(failure)
            log.warning(
                "mail not sent",
                outbox_id=row.id,
                message_id=row.message_id,
                kind=row.kind,
                attempts=row.attempts,
                status=status,
                next_attempt_at=next_at.isoformat() if status == PENDING else None,
                error=error,
            )
    with app.transaction() as connection:
        result = connection.execute(_RECORD, params)
    report.sent += counts[SENT]
    report.retried += counts[PENDING]
    report.failed += counts[FAILED]
    # The count is only meaningful where the driver sums it over an executemany.
    lost = len(params) - result.rowcount if result.rowcount >= 0 else 0
    log.info(
        "mail batch",
        claimed=len(rows),
        sent=counts[SENT],
        retried=counts[PENDING],
        failed=counts[FAILED],
        lease_lost=lost,
    )


def send_due_blocking(
    app: App,
    settings: MailSettings,
    *,
    now: datetime | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """`send_due` for synchronous callers (the CLI, the worker)."""
    return asyncio.run(send_due(app, settings, now=now, should_stop=should_stop))


def list_messages(
    app: App, *, procedure_id: str | None = None, failed_only: bool = False, limit: int = 500
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
        }
        for row in rows
    ]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
