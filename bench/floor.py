"""The floor: the rows one `advance` writes, written with plain SQLAlchemy Core.

One transaction per step on an engine built by `make_engine` (same pragmas, same BEGIN
IMMEDIATE): the versioned UPDATE of the procedure, the hash-chained audit record and, when the
procedure goes to the decision phase, the frozen list version and the advice request's document
version (its content hashed), and the outbox rows of the mails the step causes (rendered with
the same templates, see floor_mail.py). No reads: the floor keeps
what it needs in memory, which is the least any implementation of the step has to do.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from floor_mail import mails_for_step
from sqlalchemy import Engine, bindparam, insert, update

from notifications.outbox import queue
from notifications.schema import documents
from states.machine import CURRENT_VERSION
from states.phases import Phase
from states.rules import EXIT_RULES
from workflow import audit
from workflow.db import models as m

PROCEDURES = m.Procedure.__table__
AUDIT = m.AuditRecord.__table__
LIST_VERSIONS = m.ListVersion.__table__
ORGANISATIONS = m.Organisation.__table__

# The ORM's flush of a versioned procedure, as a compiled-once Core statement.
UPDATE_PROCEDURE = (
    update(PROCEDURES)
    .where(PROCEDURES.c.id == bindparam("b_id"), PROCEDURES.c.version == bindparam("b_version"))
    .values(
        phase=bindparam("b_phase"),
        audit_seq=bindparam("b_seq"),
        audit_head=bindparam("b_head"),
        version=bindparam("b_new_version"),
    )
)
INSERT_AUDIT = insert(AUDIT)
INSERT_LIST_VERSION = insert(LIST_VERSIONS)
INSERT_DOCUMENT = insert(documents)
SENDER = "hotspotmonitor@localhost"


@dataclass
class FloorProcedure:
    """What the floor remembers of one of its procedures instead of reading it back."""

    id: str
    phase: Phase
    version: int
    seq: int
    head: str


def digest(prev_hash: str, **columns: Any) -> str:
    """The chain hash exactly as workflow.audit computes it, over the row's column values."""
    return audit.chain_hash(prev_hash, audit.record_fields(columns))


# What a kept advice request says beside the list: the balance lines with their figures.
_BALANCE = [
    {
        "code": code,
        "label": {"nl": f"Regel {code}", "en": f"Rule {code}"},
        "assessment": {"nl": "Evenwichtig (3 van 6 experts extern, 50%)", "en": "Balanced"},
        "ok": True,
        "deviated": False,
    }
    for code in ("panel.size", "panel.external_share", "attendance.share", "list.balance")
]


def _list_entries(org: int) -> list[dict[str, Any]]:
    """The same two entries `advance` freezes for a scenario procedure."""
    return [
        {
            "candidate_id": 2 * org + n,
            "number": f"2019-{n + 1}",
            "title": title,
            "period_start": "2019-05-01",
            "period_end": "2021-12-31",
            "description": f"{title}: veel maatschappelijke onrust en bestuurlijke gevolgen.",
            "criteria": [1, 3],
            "motivation": "Grote maatschappelijke impact en veel bestuurlijke aandacht.",
            "nominated_by_perspective": perspective,
        }
        for n, (title, perspective) in enumerate(
            (("Stikstofcrisis", "internal"), ("Watersnood Vecht", "external"))
        )
    ]


def create(
    engine: Engine, first_org: int, count: int, config: dict[str, Any], now: datetime
) -> list[FloorProcedure]:
    """Insert `count` procedures in preparation, each with its init record (not timed)."""
    made: list[FloorProcedure] = []
    with engine.begin() as conn:
        for org in range(first_org, first_org + count):
            name = f"Vloer-organisatie {org}"
            org_id = conn.execute(
                insert(ORGANISATIONS).values(name=name, name_key=name.lower())
            ).inserted_primary_key[0]
            pid = f"vloer-{org}"
            head = digest(
                audit.GENESIS,
                procedure_id=pid,
                seq=1,
                recorded_at=now,
                actor="bench",
                action="procedure.init",
                phase_before=None,
                phase_after=Phase.PREPARATION.value,
                data={"config": config},
                reason=None,
            )
            conn.execute(
                insert(PROCEDURES).values(
                    id=pid,
                    organisation_id=org_id,
                    governing_body="Gedeputeerde Staten",
                    period_start=2017,
                    period_end=2023,
                    legal_basis="Archiefbesluit 1995",
                    phase=Phase.PREPARATION.value,
                    definition_version=CURRENT_VERSION,
                    config=config,
                    created_at=now,
                    audit_seq=1,
                    audit_head=head,
                    version=1,
                )
            )
            conn.execute(
                INSERT_AUDIT,
                {
                    "procedure_id": pid,
                    "seq": 1,
                    "recorded_at": now,
                    "actor": "bench",
                    "action": "procedure.init",
                    "phase_before": None,
                    "phase_after": Phase.PREPARATION.value,
                    "data": {"config": config},
                    "reason": None,
                    "prev_hash": audit.GENESIS,
                    "hash": head,
                },
            )
            made.append(FloorProcedure(pid, Phase.PREPARATION, 1, 1, head))
    return made


def step(engine: Engine, proc: FloorProcedure, target: Phase, now: datetime, actor: str) -> float:
    """One `advance` worth of writes in one transaction; returns its duration in seconds."""
    started = time.perf_counter()
    data: dict[str, Any] = {
        "from": proc.phase.value,
        "to": target.value,
        # Same shape and size as the verdicts `advance` records.
        "verdicts": {r.code: "passed" for r in EXIT_RULES[proc.phase]},
    }
    org = int(proc.id.rsplit("-", 1)[1])
    document: dict[str, Any] | None = None
    if target is Phase.DECISION:
        data["list_version"] = 1
        # The advice request as the real side keeps it: about the same JSON, hashed.
        content = json.dumps(
            {"procedure": proc.id, "entries": _list_entries(org), "balance": _BALANCE},
            separators=(",", ":"),
        )
        sha = hashlib.sha256(content.encode("utf-8")).hexdigest()
        document = {
            "procedure_id": proc.id,
            "kind": "advice_request",
            "version": 1,
            "list_version": 1,
            "created_at": now,
            "created_by": actor,
            "content": content,
            "sha256": sha,
        }
        data["documents"] = [
            {"kind": "advice_request", "version": 1, "list_version": 1, "sha256": sha}
        ]
    mails = mails_for_step(proc.id, org, proc.phase, target, _list_entries(org))
    if mails:
        data["mail"] = dict(sorted(Counter(mail.kind.value for mail in mails).items()))
    seq = proc.seq + 1
    head = digest(
        proc.head,
        procedure_id=proc.id,
        seq=seq,
        recorded_at=now,
        actor=actor,
        action="phase.advance",
        phase_before=proc.phase.value,
        phase_after=target.value,
        data=data,
        reason=None,
    )
    with engine.begin() as conn:
        updated = conn.execute(
            UPDATE_PROCEDURE,
            {
                "b_id": proc.id,
                "b_version": proc.version,
                "b_phase": target.value,
                "b_seq": seq,
                "b_head": head,
                "b_new_version": proc.version + 1,
            },
        )
        if updated.rowcount != 1:
            raise RuntimeError(f"floor procedure {proc.id} changed underneath the benchmark")
        conn.execute(
            INSERT_AUDIT,
            {
                "procedure_id": proc.id,
                "seq": seq,
                "recorded_at": now,
                "actor": actor,
                "action": "phase.advance",
                "phase_before": proc.phase.value,
                "phase_after": target.value,
                "data": data,
                "reason": None,
                "prev_hash": proc.head,
                "hash": head,
            },
        )
        queue(conn, mails, procedure_id=proc.id, sender=SENDER, now=now)
        if target is Phase.DECISION:
            conn.execute(
                INSERT_LIST_VERSION,
                {
                    "procedure_id": proc.id,
                    "number": 1,
                    "status": "submitted",
                    "entries": _list_entries(int(proc.id.rsplit("-", 1)[1])),
                    "created_at": now,
                },
            )
            conn.execute(INSERT_DOCUMENT, document)
    elapsed = time.perf_counter() - started
    proc.phase, proc.version, proc.seq, proc.head = target, proc.version + 1, seq, head
    return elapsed
