"""Memory: many procedures loaded and advanced in one process on the one shared machine.

`seed` bulk-inserts procedures waiting in the workgroup phase with the required roles filled
(Core, not measured). `advance_many` runs in a child process of its own, so its peak RSS is
the workload's and not that of the timing benchmark before it: it loads every procedure with
batched queries, attaches all models to the shared machine at once, fires `advance` on each
and writes the new phases with `workflow.audit` records in transactions of BATCH procedures.
`machine_contrast` puts a number on the alternative the shared machine replaces.
"""

from __future__ import annotations

import gc
import itertools
import resource
import sys
import time
import tracemalloc
from collections import defaultdict
from datetime import datetime
from typing import Any

import scenario
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session
from transitions import Machine

from states.config import parse_config
from states.machine import ADVANCE, CURRENT_VERSION, ProcedureModel, definition
from states.phases import FORWARD_ORDER, OPEN_PHASES, Phase
from states.rules import needed_parts
from states.snapshot import Member, ProcedureSnapshot
from workflow import audit, procedure_store
from workflow.db import models as m
from workflow.settings import default_config_dict

BATCH = 500
MIB = 1024 * 1024


def max_rss_bytes() -> int:
    """Peak resident set of this process so far: ru_maxrss (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def own_peak_rss_bytes() -> int:
    """Peak RSS of this process's own memory: VmHWM where Linux has it, else ru_maxrss.

    On Linux a child's ru_maxrss starts at the parent's peak at spawn time (exec carries the
    old high-water mark over), which would charge the seeding parent's memory to the child.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return max_rss_bytes()


def rss_bytes() -> int:
    """Current RSS where Linux has it (the baseline), else the peak so far."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return max_rss_bytes()


def seed(engine: Engine, count: int, now: datetime) -> None:
    """`count` procedures in workgroup with the three required members each (not measured)."""
    config = default_config_dict()
    with engine.begin() as conn:
        names = [f"Geheugen-organisatie {i}" for i in range(count)]
        conn.execute(
            insert(m.Organisation.__table__),
            [{"name": n, "name_key": n.lower()} for n in names],
        )
        ids = dict(
            conn.execute(
                select(m.Organisation.name, m.Organisation.id).where(m.Organisation.name.in_(names))
            ).all()
        )
        conn.execute(
            insert(m.Procedure.__table__),
            [
                {
                    "id": f"geheugen-{i:05d}",
                    "organisation_id": ids[name],
                    "governing_body": "Gedeputeerde Staten",
                    "period_start": 2017,
                    "period_end": 2023,
                    "legal_basis": "Archiefbesluit 1995",
                    "phase": Phase.WORKGROUP.value,
                    "definition_version": CURRENT_VERSION,
                    "config": config,
                    "created_at": now,
                    "cancel_reason": None,
                    "empty_list_reason": None,
                    "audit_seq": 0,
                    "audit_head": audit.GENESIS,
                    "version": 1,
                }
                for i, name in enumerate(names)
            ],
        )
        conn.execute(
            insert(m.Member.__table__),
            [
                {
                    "procedure_id": f"geheugen-{i:05d}",
                    "name": name,
                    "email": scenario.email(name, i),
                    "email_key": scenario.email(name, i),
                    "role": role,
                }
                for i in range(count)
                for name, role in scenario.MEMBERS
            ],
        )


def advance_many(engine: Engine, now: datetime, trace: bool) -> dict[str, Any]:
    """Load, attach, advance and write every seeded procedure; the figures as a dict."""
    # Everything imported and the shared machine built before the baseline is taken.
    defn = definition(CURRENT_VERSION)
    parts = needed_parts(defn.exit_rules(Phase.WORKGROUP))
    gc.collect()
    rss_before = rss_bytes()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    marks: dict[str, float] = {}
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            rows = [
                procedure_store.record_from_row(row)
                for row in session.execute(
                    procedure_store.select_procedures()
                    .where(m.Procedure.phase == Phase.WORKGROUP.value)
                    .order_by(m.Procedure.id)
                )
            ]
            # One query per part for all procedures, not one per procedure.
            members: dict[str, list[Member]] = defaultdict(list)
            for pid, name, email, role in session.execute(
                select(m.Member.procedure_id, m.Member.name, m.Member.email, m.Member.role)
            ):
                members[pid].append(Member(name, email, role))
            deviations: dict[str, dict[str, str]] = defaultdict(dict)
            for pid, code, reason in session.execute(
                select(m.Deviation.procedure_id, m.Deviation.rule_code, m.Deviation.reason)
            ):
                deviations[pid][code] = reason
        models = [
            ProcedureModel(
                Phase(p.phase),
                ProcedureSnapshot(
                    phase=Phase(p.phase),
                    loaded=parts,
                    members=tuple(members[p.id]),
                    empty_list_reason=p.empty_list_reason,
                    deviations=deviations[p.id],
                ),
                p.config,
            )
            for p in rows
        ]
        del members, deviations
        marks["load"] = time.perf_counter() - started
        with defn.attached(models):
            marks["attach"] = time.perf_counter() - started - marks["load"]
            for model in models:
                defn.fire(model, ADVANCE)
            marks["fire"] = time.perf_counter() - started - sum(marks.values())
            for first in range(0, len(rows), BATCH):
                with session.begin():
                    for procedure, model in zip(
                        rows[first : first + BATCH], models[first : first + BATCH], strict=True
                    ):
                        before = procedure.phase
                        procedure.phase = model.phase.value
                        record = audit.next_record(
                            procedure,
                            action="phase.advance",
                            actor=scenario.ACTOR,
                            now=now,
                            phase_before=before,
                            data={
                                "from": before,
                                "to": model.phase.value,
                                "verdicts": {v.code: v.status.value for v in model.verdicts},
                            },
                        )
                        audit.insert_record(session.connection(), record)
                        procedure_store.save_procedure(session.connection(), procedure)
            marks["write"] = time.perf_counter() - started - sum(marks.values())
        marks["detach"] = time.perf_counter() - started - sum(marks.values())
    count = len(rows)
    del rows, models
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
    if trace:
        tracemalloc.stop()
    rss_after = own_peak_rss_bytes()
    ru_maxrss = max_rss_bytes()
    with engine.connect() as conn:
        moved = len(
            conn.execute(
                select(m.Procedure.id).where(m.Procedure.phase == Phase.PLANNING.value)
            ).all()
        )
    if moved != count:
        raise RuntimeError(f"{moved} of {count} procedures reached planning")
    return {
        "count": count,
        "traced_peak": traced_peak,
        "rss_before": rss_before,
        "rss_peak": rss_after,
        "ru_maxrss": ru_maxrss,
        "seconds": seconds,
        **{f"seconds_{k}": v for k, v in marks.items()},
    }


def _models(count: int) -> list[ProcedureModel]:
    config = parse_config(default_config_dict())
    members = tuple(Member(n, scenario.email(n, 0), r) for n, r in scenario.MEMBERS)
    return [
        ProcedureModel(Phase.WORKGROUP, ProcedureSnapshot(Phase.WORKGROUP, members=members), config)
        for _ in range(count)
    ]


def _own_machine(model: ProcedureModel) -> Machine:
    """The anti-pattern: the same definition as states.machine, built again per procedure."""
    forward = [
        {"trigger": ADVANCE, "source": a.value, "dest": b.value, "conditions": "exit_rules_pass"}
        for a, b in itertools.pairwise(FORWARD_ORDER)
    ]
    return Machine(
        model=model,
        states=[p.value for p in Phase],
        initial=model.state,
        transitions=[
            *forward,
            {
                "trigger": "cancel",
                "source": [p.value for p in OPEN_PHASES],
                "dest": Phase.CANCELLED.value,
            },
            {"trigger": "send_back", "source": Phase.DECISION.value, "dest": Phase.SESSIONS.value},
        ],
        auto_transitions=False,
    )


def machine_contrast(count: int) -> dict[str, float]:
    """Bytes per procedure: the model itself, attaching it, or giving it its own machine.

    Both machine figures include the verdicts the one `advance` leaves on the model, so their
    difference is the machinery alone.
    """
    defn = definition(CURRENT_VERSION)
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        shared_models = _models(count)
        with_models = tracemalloc.get_traced_memory()[0]
        with defn.attached(shared_models):
            for model in shared_models:
                defn.fire(model, ADVANCE)
            attached = tracemalloc.get_traced_memory()[0]
        del shared_models
        gc.collect()
        base_own = tracemalloc.get_traced_memory()[0]
        own_models = _models(count)
        with_own_models = tracemalloc.get_traced_memory()[0]
        machines = [_own_machine(model) for model in own_models]
        for model in own_models:
            model.trigger(ADVANCE)  # type: ignore[attr-defined]
        with_machines = tracemalloc.get_traced_memory()[0]
        if any(model.phase is not Phase.PLANNING for model in own_models):
            raise RuntimeError("a model with its own machine did not advance")
        del machines, own_models
    finally:
        tracemalloc.stop()
    model_bytes = (with_models - base) / count
    shared_bytes = (attached - with_models) / count
    own_bytes = (with_machines - with_own_models) / count
    own_model_bytes = (with_own_models - base_own) / count
    return {
        "count": count,
        "model": model_bytes,
        "shared": shared_bytes,
        "own": own_bytes,
        "ratio_machinery": own_bytes / shared_bytes,
        "ratio_total": (own_model_bytes + own_bytes) / (model_bytes + shared_bytes),
    }
