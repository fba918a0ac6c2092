"""`make bench` (sweep): one reminder sweep costs what is due, not what is stored.

Ten procedures (a province and Overijssel municipalities) are built with the real commands,
following the six-month scenario of the tests (tests/reminder_scenario.py) up to the evening
before the measured sweep: workgroup, milestones, experts invited and answering, two sessions,
nominations, with the worker sweeping each morning as it would. Their deadline rows then carry
extra reminder rows, bulk-inserted with SQLAlchemy Core: exactly 1,000 due (pending, due at or
before now) and the rest stored but not due (sent and skipped ones in the past, pending ones in
the future), for a store of 10,000 and one of 100,000 reminders. Most due reminders go out
(session, milestone and escalation rules, their mails rendered and queued); some are skipped
for a real reason.

Each round times one full `sweep(app, now)` on each store (which goes first alternates), then
puts the due rows back to pending, empties the outbox and removes the next occurrences the
sweep planned. On SQLite, and on PostgreSQL when it answers at HOTSPOT_TEST_POSTGRES_URL (or
the local default). The last line is `bench sweep: ratio=X`: t(100,000) / t(10,000), medians
over the rounds, the worse of the two backends (target: at most 1.5). `--explain` prints the
plans of the sweep's reads of the reminders table on each store.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

# The procedures follow the tests' six-month scenario; the repository root holds `tests`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pg import postgres_reachable
from sqlalchemy import (
    Connection,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy import update as sql_update
from sqlalchemy.engine import make_url

from states.reminders import DeadlineKind, ReminderPolicy, Rule, SkipReason
from tests.reminder_scenario import START, STEPS, SWEEP_AT, WORK_AT, Run, moment, walk
from workflow.app import App, bootstrap
from workflow.db import models as m
from workflow.db.engine import make_engine, migrate, normalise_url
from workflow.db.models import table_of
from workflow.deadlines.planning import PENDING, RULES_OF, SENT, SKIPPED
from workflow.deadlines.sweep import SweepReport, sweep
from workflow.logging import configure_logging
from workflow.settings import Settings
from workflow.testing import FrozenClock

POSTGRES_ENV = "HOTSPOT_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DATABASE = "hotspot_bench_sweep"
TARGET = 1.5
DUE = 1_000
SIZES = (10_000, 100_000)
CHUNK = 10_000
SEED = 20250318
# `IN (?, ?)` on SQLite, `IN (%(ids_1)s::INTEGER, ...)` with psycopg.
IN_LIST = re.compile(r"IN \((?:[^()]|\([^()]*\))*\)")

RT, DLT, OT = table_of(m.Reminder), table_of(m.Deadline), table_of(m.OutboxMessage)
# The morning of the measured sweep: the second session (24 March) is a week ahead, the first
# (10 March) went by without an attendance list, so `first_session` is overdue.
TODAY = date(2025, 3, 18)
# The day the first session's attendance would be recorded; the bench leaves it out.
UNATTENDED = date(2025, 3, 10)
LAST_PLANNED = date(2025, 7, 1)

ORGANISATIONS = (
    "Provincie Overijssel",
    "Gemeente Zwolle",
    "Gemeente Deventer",
    "Gemeente Enschede",
    "Gemeente Hengelo",
    "Gemeente Almelo",
    "Gemeente Kampen",
    "Gemeente Oldenzaal",
    "Gemeente Hardenberg",
    "Gemeente Raalte",
)
PAST_REASONS = (
    SkipReason.ANSWERED,
    SkipReason.SUPERSEDED,
    SkipReason.MOVED,
    SkipReason.PLANNED_LATE,
    SkipReason.SESSION_HELD,
    SkipReason.MILESTONE_DONE,
    SkipReason.DEADLINE_PASSED,
)


def say(line: str) -> None:
    print(line, flush=True)


NOW = moment(TODAY, SWEEP_AT)


# ---------------------------------------------------------------- procedures, the real way


def build_procedures(url: str, count: int) -> None:
    """The procedures, day by day up to the evening before the measured sweep.

    They follow the six-month scenario of the tests, without the attendance list of the first
    session, so that `first_session` stays overdue and its escalation series open.
    """
    clock = FrozenClock(moment(START, WORK_AT))
    app = bootstrap(Settings(url, "nl", None), clock=clock)
    configure_logging("WARNING")
    runs = [
        Run(
            app, clock, organisation=ORGANISATIONS[n] if n < len(ORGANISATIONS) else f"Gemeente {n}"
        )
        for n in range(count)
    ]
    steps = {
        day: day_steps for day, day_steps in STEPS.items() if day < TODAY and day != UNATTENDED
    }
    try:
        started = time.perf_counter()
        # Sweep only: the mails of the build stay in the outbox, which each round empties.
        walk(runs, clock, last=TODAY - timedelta(days=1), steps=steps, sweeper=sweep)
        say(
            f"  {count} procedures, daily sweeps and steps up to {TODAY - timedelta(days=1)}:"
            f" {time.perf_counter() - started:.1f} s"
        )
    finally:
        runs[0].app.dispose()


# ---------------------------------------------------------------- bulk reminders


@dataclass(frozen=True)
class DeadlineRow:
    id: int
    procedure_id: str
    kind: str
    subject: str
    due: date


@dataclass
class Generator:
    """Reminder rows on the procedures' real deadlines, each with a key of its own."""

    deadlines: list[DeadlineRow]
    # The next free occurrence of each series (deadline, rule, offset, day) the real rows use.
    occurrences: dict[tuple[int, str, str, date], int]
    seed: int
    policy: ReminderPolicy = field(default_factory=ReminderPolicy)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        self.by_procedure: dict[str, list[DeadlineRow]] = {}
        for row in self.deadlines:
            self.by_procedure.setdefault(row.procedure_id, []).append(row)

    def _pick(self, pid: str, test: Callable[[DeadlineRow], bool]) -> DeadlineRow:
        rows = [d for d in self.by_procedure[pid] if test(d)]
        return self.random.choice(rows)

    def _row(
        self, deadline: DeadlineRow, rule: Rule, due_at: datetime, status: str
    ) -> dict[str, Any]:
        label = self.random.choice(self.policy.offsets(rule)).label
        key = (deadline.id, rule.value, label, deadline.due)
        # From 1: a one-off reminder of occurrence 0 would supersede the others of its series.
        occurrence = self.occurrences.get(key, 1)
        self.occurrences[key] = occurrence + 1
        decided = status != PENDING
        reason = self.random.choice(PAST_REASONS).value if status == SKIPPED else None
        return {
            "procedure_id": deadline.procedure_id,
            "deadline_id": deadline.id,
            "rule": rule.value,
            "offset_label": label,
            "planned_for": deadline.due,
            "occurrence": occurrence,
            "due_at": due_at,
            "status": status,
            "reason": reason,
            "mails": self.random.randint(1, 6) if status == SENT else 0,
            "created_at": due_at - timedelta(days=self.random.randint(7, 60)),
            "decided_at": due_at + timedelta(minutes=self.random.randint(1, 20))
            if decided
            else None,
        }

    def _day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.random.randint(0, (last - first).days))

    def due(self, pid: str) -> dict[str, Any]:
        """A reminder due at or before now; most of them go out, a few are skipped.

        One-off reminders fall due at this morning's send time, as they do for a worker that
        sweeps every day; a later one-off of the same deadline and rule would supersede them.
        Escalations repeat and may have waited a few days (the worker may have been down).
        """
        today = self.policy.moment(TODAY)
        kind = self.random.choices(
            ("session", "milestone", "escalation", "older", "held", "rsvp", "passed"),
            weights=(50, 20, 10, 5, 5, 5, 5),
        )[0]
        if kind in ("session", "older"):  # the session next week: every accepted expert
            deadline = self._pick(pid, lambda d: d.kind == "session" and d.due > TODAY)
            if kind == "older":  # skipped: superseded by this morning's reminder
                return self._row(deadline, Rule.SESSION, today - timedelta(days=1), PENDING)
            return self._row(deadline, Rule.SESSION, today, PENDING)
        if kind == "milestone":  # a milestone ahead: the facilitator is told
            deadline = self._pick(pid, lambda d: d.kind == "milestone" and d.due > TODAY)
            return self._row(deadline, Rule.MILESTONE, today, PENDING)
        if kind == "escalation":  # no attendance after the first session: overdue, repeating
            deadline = self._pick(pid, lambda d: d.subject == "first_session")
            when = self.policy.moment(self._day_between(TODAY - timedelta(days=6), TODAY))
            return self._row(deadline, Rule.ESCALATION, when, PENDING)
        if kind == "held":  # skipped: the first session is over
            deadline = self._pick(pid, lambda d: d.kind == "session" and d.due < TODAY)
            return self._row(deadline, Rule.SESSION, today, PENDING)
        if kind == "rsvp":  # skipped: answered, or the expert selection is over
            deadline = self._pick(pid, lambda d: d.kind == DeadlineKind.RSVP.value)
            return self._row(deadline, Rule.RSVP, today, PENDING)
        deadline = self._pick(pid, lambda d: d.subject == "nomination_deadline")
        return self._row(deadline, Rule.MILESTONE, today, PENDING)  # skipped: its day passed

    def stored(self, pid: str) -> dict[str, Any]:
        """Not due: sent or skipped before this week, or pending in the weeks to come.

        The history ends before the oldest due reminder: the sweep takes the oldest first, so
        a reminder still pending never has a later one of its deadline already sent.
        """
        deadline = self._pick(pid, lambda d: True)
        rule = self.random.choice(RULES_OF[DeadlineKind(deadline.kind)])
        status = self.random.choices((SENT, SKIPPED, PENDING), weights=(55, 25, 20))[0]
        if status == PENDING:
            day = self._day_between(TODAY + timedelta(days=1), LAST_PLANNED)
        else:
            day = self._day_between(START, TODAY - timedelta(days=8))
        return self._row(deadline, rule, self.policy.moment(day), status)


def deadlines_of(connection: Connection) -> list[DeadlineRow]:
    rows = connection.execute(
        select(DLT.c.id, DLT.c.procedure_id, DLT.c.kind, DLT.c.subject, DLT.c.due)
        .where(DLT.c.due.is_not(None))
        .order_by(DLT.c.id)
    )
    return [DeadlineRow(r.id, r.procedure_id, r.kind, r.subject, r.due) for r in rows]


def next_occurrences(connection: Connection) -> dict[tuple[int, str, str, date], int]:
    rows = connection.execute(
        select(
            RT.c.deadline_id,
            RT.c.rule,
            RT.c.offset_label,
            RT.c.planned_for,
            func.max(RT.c.occurrence).label("last"),
        ).group_by(RT.c.deadline_id, RT.c.rule, RT.c.offset_label, RT.c.planned_for)
    )
    return {(r.deadline_id, r.rule, r.offset_label, r.planned_for): r.last + 1 for r in rows}


def fill(app: App, size: int) -> list[int]:
    """Reminders up to `size` stored, exactly DUE of them due at NOW; the due ids."""
    with app.transaction() as connection:
        deadlines = deadlines_of(connection)
        occurrences = next_occurrences(connection)
        real = connection.execute(select(func.count()).select_from(RT)).scalar_one()
        real_due = connection.execute(
            select(func.count()).where(RT.c.status == PENDING, RT.c.due_at <= NOW)
        ).scalar_one()
        # The outbox of the build is not part of what is measured.
        connection.execute(delete(OT))
    pids = sorted({d.procedure_id for d in deadlines})
    generator = Generator(deadlines, occurrences, SEED)
    # The due set is drawn first from the same seed: both stores get the same 1,000.
    rows = [generator.due(pids[i % len(pids)]) for i in range(DUE - real_due)]
    rows += [generator.stored(pids[i % len(pids)]) for i in range(size - real - len(rows))]
    started = time.perf_counter()
    for first in range(0, len(rows), CHUNK):
        with app.transaction() as connection:
            connection.execute(insert(RT), rows[first : first + CHUNK])
    say(
        f"  {size:,} stored: {real} real reminder rows ({real_due} due) plus {len(rows):,}"
        f" inserted in {time.perf_counter() - started:.1f} s"
    )
    analyze(app)
    with app.transaction() as connection:
        due_ids = list(
            connection.execute(
                select(RT.c.id).where(RT.c.status == PENDING, RT.c.due_at <= NOW)
            ).scalars()
        )
        stored = connection.execute(select(func.count()).select_from(RT)).scalar_one()
    if len(due_ids) != DUE or stored != size:
        raise RuntimeError(f"{stored} stored and {len(due_ids)} due, expected {size} and {DUE}")
    return due_ids


def analyze(app: App) -> None:
    """Fresh planner statistics (VACUUM too on PostgreSQL, outside a transaction)."""
    if app.engine.dialect.name == "postgresql":
        with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE) reminders, outbox, deadlines"))
    else:
        # On the driver's connection, which autocommits here: no transaction may be open
        # for the checkpoint, which leaves every round an empty write-ahead log.
        with app.engine.connect() as connection:
            cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()


# ---------------------------------------------------------------- measuring


@dataclass
class Store:
    """One database with its stored reminders, the due ones, and what the sweep adds."""

    size: int
    app: App
    due_ids: list[int]
    last_id: int = 0
    seconds: list[float] = field(default_factory=list)
    reports: list[SweepReport] = field(default_factory=list)

    def mark(self) -> None:
        with self.app.transaction() as connection:
            self.last_id = connection.execute(select(func.max(RT.c.id))).scalar_one()

    def reset(self) -> None:
        """The due rows pending again, the outbox empty, the planned next occurrences gone.

        The audit records of earlier sweeps stay: the trail is hash-chained and only appended.
        """
        with self.app.transaction() as connection:
            connection.execute(
                sql_update(RT)
                .where(RT.c.id.in_(bindparam("ids", expanding=True)))
                .values(status=PENDING, reason=None, decided_at=None, mails=0),
                {"ids": self.due_ids},
            )
            connection.execute(delete(RT).where(RT.c.id > self.last_id))
            connection.execute(delete(OT))
        analyze(self.app)

    def measure(self, keep: bool) -> float:
        self.reset()
        gc.collect()
        started = time.perf_counter()
        report = sweep(self.app, NOW)
        elapsed = time.perf_counter() - started
        if report.sent + report.skipped != DUE or report.conflicts:
            raise RuntimeError(
                f"{self.size:,} stored: the sweep decided {report.sent + report.skipped}"
                f" of {DUE} ({report.conflicts} conflicts)"
            )
        if keep:
            self.seconds.append(elapsed)
            self.reports.append(report)
        return elapsed

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def explain(store: Store) -> None:
    """The plans of the sweep's reads of `reminders` on this store, as the sweep sent them.

    One sweep (not timed) records each distinct SELECT on the table with the parameters of
    its first call; with the due rows pending again, each is explained in a transaction
    that is rolled back (on PostgreSQL with ANALYZE, so the plan shows the rows it read).
    """
    seen: dict[str, tuple[str, Any]] = {}

    def record(
        _conn: Connection, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM reminders" in statement:
            # An expanded IN list is the same query whatever its length.
            seen.setdefault(IN_LIST.sub("IN (...)", statement), (statement, parameters))

    store.reset()
    event.listen(store.app.engine, "before_cursor_execute", record)
    try:
        sweep(store.app, NOW)
    finally:
        event.remove(store.app.engine, "before_cursor_execute", record)
    store.reset()
    postgres = store.app.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with store.app.engine.connect() as connection:
        for shape, (statement, parameters) in seen.items():
            say(f"  {store.size:,} stored: {' '.join(shape.split())[:150]}")
            for row in connection.exec_driver_sql(prefix + statement, parameters):
                say(f"    {row[0] if postgres else row[-1]}")
        connection.rollback()


def run_backend(name: str, urls: dict[int, str], rounds: int, show_plan: bool) -> float:
    """Build both stores on one backend, time the rounds, print the figures; the ratio."""
    stores: list[Store] = []
    try:
        for size in SIZES:
            app = bootstrap(Settings(urls[size], "nl", None), clock=FrozenClock(NOW))
            configure_logging("WARNING")
            stores.append(Store(size, app, []))
            stores[-1].due_ids = fill(app, size)
            stores[-1].mark()
        if show_plan:
            for store in stores:
                explain(store)
        # A warm-up sweep on each store, not counted: statement caches, templates, the pages.
        for store in stores:
            store.measure(keep=False)
        say(f"  {'round':<8}" + "".join(f"{f'{s.size:,} s':>14}" for s in stores) + f"{'ratio':>8}")
        for round_no in range(1, rounds + 1):
            order = stores if round_no % 2 else stores[::-1]
            for store in order:
                store.measure(keep=True)
            small, large = stores[0].seconds[-1], stores[1].seconds[-1]
            say(f"  {round_no:<8}{small:>14.3f}{large:>14.3f}{large / small:>8.2f}")
        small_store, large_store = stores
        ratio = large_store.median / small_store.median
        say(f"  {'median':<8}{small_store.median:>14.3f}{large_store.median:>14.3f}{ratio:>8.2f}")
        for store in stores:
            report = store.reports[-1]
            rules = ", ".join(f"{k} {v}" for k, v in sorted(report.by_rule.items()))
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(report.reasons.items()))
            say(
                f"  {store.size:,} stored: {DUE / store.median:,.0f} reminders/s,"
                f" {report.mails / store.median:,.0f} mails/s ({report.sent} sent: {rules};"
                f" {report.skipped} skipped: {reasons}; {report.mails:,} mails,"
                f" {report.procedures} procedure batches)"
            )
        say(f"  {name}: t(100,000) / t(10,000) = {ratio:.2f}")
        return ratio
    finally:
        for store in stores:
            store.app.dispose()


# ---------------------------------------------------------------- the two backends


def bench_sqlite(workdir: Path, procedures_count: int, rounds: int, show_plan: bool) -> float:
    say(f"sqlite: building {procedures_count} procedures with the real commands (not measured)")
    base = workdir / "base.db"
    build_procedures(f"sqlite:///{base}", procedures_count)
    urls: dict[int, str] = {}
    for size in SIZES:
        path = workdir / f"sweep-{size}.db"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{base}{suffix}").exists():
                shutil.copy(f"{base}{suffix}", f"{path}{suffix}")
        urls[size] = f"sqlite:///{path}"
    return run_backend("sqlite", urls, rounds, show_plan)


@contextmanager
def postgres_databases(base_url: str) -> Iterator[tuple[str, dict[int, str]]]:
    """The scratch databases on the server: the base one and one per store, dropped after."""
    base = normalise_url(base_url)
    names = [DATABASE, *(f"{DATABASE}_{size}" for size in SIZES)]
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def url(name: str) -> str:
        return make_url(base).set(database=name).render_as_string(hide_password=False)

    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        engine = make_engine(url(DATABASE))
        migrate(engine)
        engine.dispose()
        yield url(DATABASE), {size: url(f"{DATABASE}_{size}") for size in SIZES}
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def clone_postgres(base_url: str) -> None:
    """Each store starts as a copy of the built database (CREATE DATABASE ... TEMPLATE)."""
    admin = create_engine(normalise_url(base_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for size in SIZES:
                conn.execute(text(f'CREATE DATABASE "{DATABASE}_{size}" TEMPLATE "{DATABASE}"'))
    finally:
        admin.dispose()


def bench_postgres(base_url: str, procedures_count: int, rounds: int, show_plan: bool) -> float:
    with postgres_databases(base_url) as (built, urls):
        say(
            f"postgresql: building {procedures_count} procedures in {DATABASE}"
            " with the real commands (not measured)"
        )
        build_procedures(built, procedures_count)
        clone_postgres(base_url)
        return run_backend("postgresql", urls, rounds, show_plan)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (7)")
    parser.add_argument("--procedures", type=int, default=10, help="procedures built (10)")
    parser.add_argument(
        "--explain", action="store_true", help="print the plans of the sweep's reminder reads"
    )
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite files go")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    started = time.perf_counter()
    say(
        f"bench sweep: one sweep of {DUE:,} due reminders among"
        f" {' and '.join(f'{s:,}' for s in SIZES)} stored, at {NOW.isoformat()}"
    )
    ratios: dict[str, float] = {}
    workdir = Path(tempfile.mkdtemp(prefix="hotspot-bench-sweep-", dir=args.dir))
    try:
        ratios["sqlite"] = bench_sqlite(workdir, args.procedures, args.rounds, args.explain)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    pg_url = os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES_URL
    shown = make_url(normalise_url(pg_url)).render_as_string(hide_password=True)
    problem = postgres_reachable(pg_url)
    if problem is None:
        ratios["postgresql"] = bench_postgres(pg_url, args.procedures, args.rounds, args.explain)
    else:
        say(f"postgresql: skipped, {shown} is unreachable ({problem})")
    worst = max(ratios, key=lambda k: ratios[k])
    ratio = ratios[worst]
    verdict = "within" if ratio <= TARGET else "ABOVE"
    summary = ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
    say(f"ratios {summary}; the worse ({worst}) is {verdict} the target of {TARGET:.1f}")
    say(f"run time {time.perf_counter() - started:.0f} s")
    say(f"bench sweep: ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
