"""The procedure row as a plain record: read and written with prepared Core statements.

Every command reads one procedure, changes it and writes it back with its version checked,
so this path is kept lean: statements are built once, the stored configuration is parsed once
per distinct text (and shared), and the write is one UPDATE that fails cleanly when someone
else changed the procedure meanwhile.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Row, Select, Text, bindparam, cast, select, update

from states.config import RuleConfig, parse_config
from states.errors import Conflict, NotFound
from states.i18n import Text as Message
from workflow.db import tables

_T = tables.procedures


@dataclass(slots=True)
class ProcedureRecord:
    """One procedure as commands see it; `config` is the RuleConfig it was opened with."""

    id: str
    organisation_id: int
    governing_body: str
    period_start: int
    period_end: int
    legal_basis: str
    phase: str
    definition_version: int
    config: RuleConfig
    cancel_reason: str | None
    empty_list_reason: str | None
    audit_seq: int
    audit_head: str
    version: int
    # Recorded deviations by rule code; loaded with the row, since rules read them often.
    deviations: dict[str, str] = field(default_factory=dict)


# The columns a record carries besides its configuration (stored as JSON, read as text).
PROCEDURE_COLUMNS = (
    "id",
    "organisation_id",
    "governing_body",
    "period_start",
    "period_end",
    "legal_basis",
    "phase",
    "definition_version",
    "cancel_reason",
    "empty_list_reason",
    "audit_seq",
    "audit_head",
    "version",
)


def select_procedures() -> Select[Any]:
    """The columns of a ProcedureRecord; the configuration as text, decoded once per text."""
    return select(
        *(_T.c[name] for name in PROCEDURE_COLUMNS),
        cast(_T.c.config, Text).label("config_text"),
    )


_DEVIATIONS = tables.deviations
# The procedure with its deviations in one round trip: one row per deviation, or one row.
_LOAD = (
    select_procedures()
    .add_columns(_DEVIATIONS.c.rule_code, _DEVIATIONS.c.reason)
    .select_from(_T.outerjoin(_DEVIATIONS, _DEVIATIONS.c.procedure_id == _T.c.id))
    .where(_T.c.id == bindparam("pid"))
)

_SAVE = (
    update(_T)
    .where(_T.c.id == bindparam("b_id"), _T.c.version == bindparam("b_version"))
    .values(
        phase=bindparam("phase"),
        cancel_reason=bindparam("cancel_reason"),
        empty_list_reason=bindparam("empty_list_reason"),
        audit_seq=bindparam("audit_seq"),
        audit_head=bindparam("audit_head"),
        version=bindparam("new_version"),
    )
)


@lru_cache(maxsize=256)
def config_from_text(text: str) -> RuleConfig:
    """Thousands of procedures opened with one configuration share one parsed RuleConfig."""
    return parse_config(json.loads(text))


def record_from_row(row: Row[Any]) -> ProcedureRecord:
    return ProcedureRecord(
        id=row.id,
        organisation_id=row.organisation_id,
        governing_body=row.governing_body,
        period_start=row.period_start,
        period_end=row.period_end,
        legal_basis=row.legal_basis,
        phase=row.phase,
        definition_version=row.definition_version,
        config=config_from_text(row.config_text),
        cancel_reason=row.cancel_reason,
        empty_list_reason=row.empty_list_reason,
        audit_seq=row.audit_seq,
        audit_head=row.audit_head,
        version=row.version,
    )


def load_procedure(connection: Connection, procedure_id: str) -> ProcedureRecord:
    rows = connection.execute(_LOAD, {"pid": procedure_id.strip()}).all()
    if not rows:
        raise NotFound(
            Message(
                f"procedure {procedure_id!r} bestaat niet; zie 'hotspot list'",
                f"procedure {procedure_id!r} does not exist; see 'hotspot list'",
            )
        )
    record = record_from_row(rows[0])
    record.deviations = {r.rule_code: r.reason for r in rows if r.rule_code is not None}
    return record


def save_procedure(connection: Connection, record: ProcedureRecord) -> None:
    """Write the record back if nobody changed it since it was read; else Conflict."""
    result = connection.execute(
        _SAVE,
        {
            "b_id": record.id,
            "b_version": record.version,
            "phase": record.phase,
            "cancel_reason": record.cancel_reason,
            "empty_list_reason": record.empty_list_reason,
            "audit_seq": record.audit_seq,
            "audit_head": record.audit_head,
            "new_version": record.version + 1,
        },
    )
    if result.rowcount != 1:
        raise Conflict()
    record.version += 1
