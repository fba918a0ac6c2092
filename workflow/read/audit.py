"""One reader of the audit trail for every face, with one meaning of its filter.

The `action` filter matches an exact action (`session.add`), or, when it ends in a dot, every
action of that group (`session.` matches `session.add`, `session.cancel`, ...). The web page,
the JSON API and `hotspot audit` all pass their filter here, so one filter finds the same
records everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, Select, bindparam, func, select

from states.i18n import AMSTERDAM
from workflow import audit
from workflow.db.models import AuditRecord, Organisation, table_of
from workflow.procedure_store import load_procedure

ART, OT = table_of(AuditRecord), table_of(Organisation)
# A filter value: an action ("expert.add") or a group ending in a dot ("expert.").
ACTION_FILTER_PATTERN = r"^[a-z_]+(\.[a-z_]*)?$"

_COLUMNS = tuple(ART.c[name] for name in audit.EXPORTED)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored record: the hashed columns and both hashes (enough to verify the chain)."""

    procedure_id: str
    seq: int
    recorded_at: datetime
    actor: str
    action: str
    phase_before: str | None
    phase_after: str | None
    data: Any
    reason: str | None
    prev_hash: str
    hash: str


def _start_of(day: date) -> datetime:
    """Midnight in the Netherlands: a date filter means the Dutch calendar day."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM)


def action_matches(wanted: str, action: str) -> bool:
    """The filter's meaning in Python, the same as `AuditFilter.apply` says it in SQL."""
    if wanted.endswith("."):
        return action.startswith(wanted)
    return action == wanted


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which records: by actor (exact), action (exact, or a group ending in '.') and days."""

    actor: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.actor:
            query = query.where(ART.c.actor == self.actor)
        if self.action.endswith("."):
            # LIKE would read '_' in an action name as a wildcard: compare the prefix itself.
            prefix = func.substr(ART.c.action, 1, len(self.action))
            query = query.where(prefix == self.action)
        elif self.action:
            query = query.where(ART.c.action == self.action)
        if self.since is not None:
            query = query.where(ART.c.recorded_at >= _start_of(self.since))
        if self.until is not None:
            query = query.where(ART.c.recorded_at < _start_of(self.until + timedelta(days=1)))
        return query

    def query_string(self) -> str:
        values = {
            "actor": self.actor,
            "action": self.action,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return urlencode({k: v for k, v in values.items() if v})


@dataclass(frozen=True, slots=True)
class AuditSlice:
    """The records a filter found (one page of them) and how many there are in all."""

    procedure_id: str
    total: int
    records: tuple[AuditEntry, ...]


def _entries(connection: Connection, query: Select[Any]) -> tuple[AuditEntry, ...]:
    return tuple(AuditEntry(**row._asdict()) for row in connection.execute(query))


def _count(connection: Connection, pid: str, wanted: AuditFilter) -> int:
    query = select(func.count()).select_from(ART).where(ART.c.procedure_id == pid)
    return int(connection.execute(wanted.apply(query)).scalar() or 0)


def count(connection: Connection, procedure_id: str, wanted: AuditFilter = AuditFilter()) -> int:
    """How many of the procedure's records match `wanted`."""
    return _count(connection, load_procedure(connection, procedure_id).id, wanted)


def find(
    connection: Connection,
    procedure_id: str,
    wanted: AuditFilter = AuditFilter(),
    *,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> AuditSlice:
    """The procedure's records matching `wanted`; raises NotFound for an unknown procedure."""
    pid = load_procedure(connection, procedure_id).id
    mine = ART.c.procedure_id == pid
    total = _count(connection, pid, wanted)
    order = (ART.c.seq.desc(), ART.c.id.desc()) if newest_first else (ART.c.seq, ART.c.id)
    query = wanted.apply(select(ART.c.procedure_id, *_COLUMNS).where(mine)).order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return AuditSlice(pid, total, _entries(connection, query))


def verify(connection: Connection, procedure_id: str) -> audit.Verification:
    """Walk the whole chain of the procedure (never a filtered part of it)."""
    record = load_procedure(connection, procedure_id)
    trail = find(connection, record.id).records
    return audit.verify_records(trail, record.audit_seq, record.audit_head)


def as_dicts(records: Sequence[AuditEntry]) -> list[dict[str, Any]]:
    """The exported columns of each record, times in UTC text (JSON, CSV)."""
    return audit.as_dicts(records)


@dataclass(frozen=True, slots=True)
class Choices:
    """What the trail's filter offers: every actor and every action the trail holds."""

    organisation: str
    actors: tuple[str, ...]
    actions: tuple[str, ...]


_ORGANISATION = select(OT.c.name).where(OT.c.id == bindparam("oid"))


def choices(connection: Connection, procedure_id: str) -> Choices:
    record = load_procedure(connection, procedure_id)
    mine = ART.c.procedure_id == record.id
    actors = connection.execute(select(ART.c.actor).where(mine).distinct().order_by(ART.c.actor))
    actions = connection.execute(select(ART.c.action).where(mine).distinct().order_by(ART.c.action))
    organisation = connection.execute(_ORGANISATION, {"oid": record.organisation_id}).scalar()
    return Choices(organisation or "", tuple(actors.scalars()), tuple(actions.scalars()))
