"""The tamper-evident audit trail: one hash-chained record per change, and its verification."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from notifications.files import defuse_cell
from workflow.db.models import AuditRecord, table_of
from workflow.procedure_store import ProcedureRecord

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


HASHED = (
    "procedure_id",
    "seq",
    "recorded_at",
    "actor",
    "action",
    "phase_before",
    "phase_after",
    "data",
    "reason",
)


def record_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the hash covers: every column of a record but its own id and hashes."""
    return {
        "procedure": values["procedure_id"],
        "seq": values["seq"],
        "recorded_at": _timestamp(values["recorded_at"]),
        "actor": values["actor"],
        "action": values["action"],
        "phase_before": values["phase_before"],
        "phase_after": values["phase_after"],
        "data": values["data"],
        "reason": values["reason"],
    }


class StoredRecord(Protocol):
    """A stored record as read back: an ORM row or a `workflow.read.audit.AuditEntry`."""

    @property
    def procedure_id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def phase_before(self) -> str | None: ...
    @property
    def phase_after(self) -> str | None: ...
    @property
    def data(self) -> Any: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


def stored_fields(record: StoredRecord) -> dict[str, Any]:
    return record_fields({name: getattr(record, name) for name in HASHED})


def chain_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


_INSERT = insert(table_of(AuditRecord))


def insert_record(connection: Connection, values: dict[str, Any]) -> None:
    """Store a record made by `next_record`; the caller saves the procedure in the same
    transaction, so the head and the version move together and a concurrent change loses."""
    connection.execute(_INSERT, values)


def next_record(
    procedure: ProcedureRecord,
    *,
    action: str,
    actor: str,
    now: datetime,
    phase_before: str | None,
    data: dict[str, Any],
    reason: str | None = None,
) -> dict[str, Any]:
    """The column values of the next record, with its hash; moves the head on `procedure`."""
    values: dict[str, Any] = {
        "procedure_id": procedure.id,
        "seq": procedure.audit_seq + 1,
        "recorded_at": now,
        "actor": actor,
        "action": action,
        "phase_before": phase_before,
        "phase_after": procedure.phase,
        # No JSON round trip needed: the canonical form of what the database hands back (lists
        # for tuples, string keys) is the same text as the canonical form of `data` itself.
        "data": data,
        "reason": reason,
        "prev_hash": procedure.audit_head,
    }
    values["hash"] = chain_hash(procedure.audit_head, record_fields(values))
    procedure.audit_seq = values["seq"]
    procedure.audit_head = values["hash"]
    return values


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
        }


def verify_records(records: Iterable[StoredRecord], head_seq: int, head_hash: str) -> Verification:
    """Walk the chain; the first record that does not follow from its predecessor is named."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for record in records:
        count += 1
        if record.seq != expected_seq:
            missing = expected_seq if record.seq > expected_seq else record.seq
            return Verification(
                False, count, missing, f"volgnummer {expected_seq} verwacht, {record.seq} gevonden"
            )
        if record.prev_hash != prev:
            return Verification(
                False, count, record.seq, "verwijzing naar het vorige record klopt niet"
            )
        if chain_hash(prev, stored_fields(record)) != record.hash:
            return Verification(False, count, record.seq, "inhoud gewijzigd: hash klopt niet")
        prev = record.hash
        expected_seq += 1
    if expected_seq - 1 != head_seq or prev != head_hash:
        # Records removed from the end leave a chain that is valid but too short.
        return Verification(
            False,
            count,
            expected_seq,
            f"keten eindigt bij {expected_seq - 1}, de procedure verwacht {head_seq}",
        )
    return Verification(True, count)


def records_of(session: Session, procedure_id: str) -> list[AuditRecord]:
    query = select(AuditRecord).where(AuditRecord.procedure_id == procedure_id)
    return list(session.scalars(query.order_by(AuditRecord.seq, AuditRecord.id)))


class ChainHead(Protocol):
    """Where a procedure's chain should end: a ProcedureRecord or a Procedure row."""

    @property
    def id(self) -> str: ...
    @property
    def audit_seq(self) -> int: ...
    @property
    def audit_head(self) -> str: ...


def verify(session: Session, procedure: ChainHead) -> Verification:
    return verify_records(
        records_of(session, procedure.id), procedure.audit_seq, procedure.audit_head
    )


# The exported columns, in order: the hashed ones (without the procedure) and both hashes.
EXPORTED = (
    "seq",
    "recorded_at",
    "actor",
    "action",
    "phase_before",
    "phase_after",
    "data",
    "reason",
    "prev_hash",
    "hash",
)


def as_dicts(records: Iterable[StoredRecord]) -> list[dict[str, Any]]:
    rows = [{name: getattr(r, name) for name in EXPORTED} for r in records]
    for row in rows:
        row["recorded_at"] = _timestamp(row["recorded_at"])
    return rows


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORTED, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {**row, "data": canonical_json(row["data"])}
        writer.writerow({k: defuse_cell(v) for k, v in cells.items()})
    return buffer.getvalue()
