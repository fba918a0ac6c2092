"""`make bench` (dashboard): `/procedures` with 5,000 procedures against `/procedures` with 100.

Two databases are built (not measured) that differ only in how many procedures they hold. The
oldest twelve of each are made with the real commands, as a facilitator would (three in each
of preparation, workgroup, planning and expert sessions, with members, milestones, experts and
sessions, so the dashboard has blockers and overdue milestones to show); the others are added
in bulk with the rows `init_procedure` writes (organisation, procedure with the effective
configuration, and its first audit record with a correct hash), in the mix of phases a
province sees over the years: most of them closed, some cancelled, a few still open. Both
databases therefore show the same first page.

Two `hotspot serve --no-worker` processes (as bench/web.py starts them) serve the two
databases on loopback. This process logs in to each and requests `/procedures` from both in
turn, one request at a time on one keep-alive connection per server, the order alternating
every round, after a warm-up. Every answer must be 200 and the right page. Also reported (not
part of the ratio): the last page and a filtered view of the large database, and the static
`/health` page as bench/web.py's floor, for scale.

On SQLite, and on PostgreSQL at HOTSPOT_BENCH_POSTGRES_URL or HOTSPOT_TEST_POSTGRES_URL (or
the local default). The ratio is p95(5,000) / p95(100), the worse backend's; target at most
2. The last line is `bench dashboard: ratio=X`.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The build reuses the tests' procedure helpers; the repository root holds `tests`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from pg import postgres_database, postgres_reachable
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url
from web import NOW, PASSWORD, USERNAME, log_in, server

from states.phases import Phase
from tests import support
from workflow import audit, users
from workflow.app import App, bootstrap
from workflow.commands import people
from workflow.db import models as m
from workflow.db.engine import normalise_url
from workflow.db.models import table_of
from workflow.logging import configure_logging
from workflow.procedure_store import PROCEDURE_COLUMNS, ProcedureRecord, load_procedure
from workflow.settings import Settings
from workflow.testing import FrozenClock

POSTGRES_ENVS = ("HOTSPOT_BENCH_POSTGRES_URL", "HOTSPOT_TEST_POSTGRES_URL")
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET = 2.0
SMALL, LARGE = 100, 5_000
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
# Opened with the real commands, in these phases (three each); all older than the bulk.
REAL_PHASES = (Phase.PREPARATION, Phase.WORKGROUP, Phase.PLANNING, Phase.SESSIONS)
REAL_EACH = 3
# The bulk's phases, in a repeating pattern: mostly finished procedures of earlier periods.
BULK_PATTERN = (
    (Phase.CLOSED, 14),
    (Phase.CANCELLED, 2),
    (Phase.PREPARATION, 2),
    (Phase.WORKGROUP, 2),
)


def say(line: str) -> None:
    print(line, flush=True)


# ---------------------------------------------------------------- the databases


def _real(app: App, clock: FrozenClock) -> list[str]:
    """Twelve procedures entered with the real commands, in four phases."""
    made: list[str] = []
    for n, target in enumerate(p for p in REAL_PHASES for _ in range(REAL_EACH)):
        clock.set(START + timedelta(hours=n))
        pid = support.open_procedure(app, org=f"Provincie {n:02d}", period="2017-2023")
        support.drive_to(app, pid, target)
        if target is Phase.WORKGROUP:
            # Half a workgroup: a blocker the dashboard counts.
            people.add_member(
                app,
                pid,
                name="Sanne",
                email="sanne@org.example",
                role="procesbegeleider",
                actor=support.ACTOR,
            )
        if target is Phase.SESSIONS:
            support.hold_sessions(app, pid)
        made.append(pid)
    return made


def _phase_of(n: int) -> Phase:
    cycle = sum(count for _, count in BULK_PATTERN)
    k = n % cycle
    for phase, count in BULK_PATTERN:
        if k < count:
            return phase
        k -= count
    raise AssertionError("unreachable")


def _bulk(app: App, template: str, count: int, first: datetime) -> None:
    """`count` more procedures with the rows `init_procedure` writes, in a few statements."""
    with app.read() as db:
        stored = db.execute(
            select(m.Procedure.config, m.Procedure.legal_basis).where(m.Procedure.id == template)
        ).one()
        model = load_procedure(db.connection(), template)
    organisations, rows, records = [], [], []
    with app.write() as db:
        next_org = int(db.scalar(select(func.coalesce(func.max(m.Organisation.id), 0))) or 0) + 1
        for n in range(count):
            org_id = next_org + n
            name = f"Gemeente Bulk {n:05d}"
            start = 1990 + (n % 30)
            phase = _phase_of(n)
            created = first + timedelta(minutes=n)
            organisations.append({"id": org_id, "name": name, "name_key": name.lower()})
            procedure = ProcedureRecord(
                id=f"gemeente-bulk-{n:05d}-{start}-{start + 6}",
                organisation_id=org_id,
                governing_body="Burgemeester en wethouders",
                period_start=start,
                period_end=start + 6,
                legal_basis=stored.legal_basis,
                phase=phase.value,
                definition_version=model.definition_version,
                config=model.config,
                cancel_reason="Samengevoegd met een buurgemeente"
                if phase is Phase.CANCELLED
                else None,
                empty_list_reason=None,
                audit_seq=0,
                audit_head=audit.GENESIS,
                version=1,
            )
            first_record = audit.next_record(
                procedure,
                action="procedure.init",
                actor="bench",
                now=created,
                phase_before=None,
                data={
                    "organisation": name,
                    "governing_body": procedure.governing_body,
                    "period": [start, start + 6],
                    "legal_basis": procedure.legal_basis,
                    "definition_version": procedure.definition_version,
                    "config_file": None,
                    "config": stored.config,
                },
            )
            rows.append(
                {
                    **{k: getattr(procedure, k) for k in PROCEDURE_COLUMNS},
                    "config": stored.config,
                    "created_at": created,
                }
            )
            records.append(first_record)
        connection = db.connection()
        connection.execute(insert(table_of(m.Organisation)), organisations)
        connection.execute(insert(table_of(m.Procedure)), rows)
        connection.execute(insert(table_of(m.AuditRecord)), records)
    if app.engine.dialect.name == "postgresql":
        with app.engine.begin() as connection:
            # Bulk rows carried their own ids: the sequence must go on after them.
            connection.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('organisations', 'id'), "
                    "(SELECT max(id) FROM organisations))"
                )
            )
            connection.execute(text("ANALYZE"))


@dataclass(frozen=True, slots=True)
class Built:
    procedures: int
    # The procedures made with the real commands, oldest first (REAL_EACH per REAL_PHASES).
    real: tuple[str, ...]
    seconds: float

    @property
    def first(self) -> str:
        return self.real[0]

    def first_in(self, phase: Phase) -> str:
        return self.real[REAL_PHASES.index(phase) * REAL_EACH]


def build(url: str, count: int) -> Built:
    """A database of `count` procedures; the first page is the same whatever `count` is."""
    started = time.perf_counter()
    clock = FrozenClock(START)
    app = bootstrap(Settings(url, "nl", None), clock=clock)
    configure_logging("WARNING")
    try:
        users.add_user(app, username=USERNAME, name="Sanne de Vries", password=PASSWORD)
        real = _real(app, clock)
        _bulk(app, real[0], count - len(real), clock() + timedelta(days=1))
        with app.read() as db:
            total = int(db.scalar(select(func.count()).select_from(m.Procedure)) or 0)
    finally:
        app.dispose()
    if total != count:
        raise RuntimeError(f"the database holds {total} procedures, not {count}")
    return Built(total, tuple(real), time.perf_counter() - started)


# ---------------------------------------------------------------- the measurement


@dataclass
class Timings:
    samples: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, seconds: float, size: int) -> None:
        self.samples.setdefault(label, []).append(seconds)
        self.sizes[label] = size

    def median(self, label: str) -> float:
        return statistics.median(self.samples[label])

    def p95(self, label: str) -> float:
        return statistics.quantiles(self.samples[label], n=20, method="inclusive")[-1]


@dataclass(frozen=True, slots=True)
class Request:
    label: str
    client: str
    path: str
    must_contain: str


def fetch(client: httpx.Client, request: Request) -> tuple[float, int]:
    started = time.perf_counter()
    answer = client.get(request.path)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200 or request.must_contain not in answer.text:
        raise RuntimeError(
            f"{request.label} {request.path}: {answer.status_code}, expected 200 with"
            f" {request.must_contain!r}: {answer.text[:300]}"
        )
    return elapsed, len(answer.content)


def measure(
    clients: dict[str, httpx.Client], requests: list[Request], rounds: int, warmup: int
) -> Timings:
    """Each round sends every request once; which goes first rotates, so load hits all alike."""
    timings = Timings()
    for _ in range(warmup):
        for request in requests:
            fetch(clients[request.client], request)
    gc.collect()
    gc.disable()
    try:
        for r in range(rounds):
            shift = r % len(requests)
            for request in requests[shift:] + requests[:shift]:
                elapsed, size = fetch(clients[request.client], request)
                timings.add(request.label, elapsed, size)
    finally:
        gc.enable()
    return timings


@contextmanager
def logged_in(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as client:
        log_in(client)
        yield client


def bench_backend(
    name: str, urls: dict[int, str], workdir: Path, rounds: int, warmup: int
) -> float:
    built: dict[int, Built] = {}
    for count, url in urls.items():
        say(f"{name}: building {count:,} procedures (not measured)")
        built[count] = build(url, count)
        say(f"  {built[count].procedures:,} procedures in {built[count].seconds:.1f} s")
    first = built[SMALL].first
    last_page = -(-LARGE // 50)
    requests = [
        # For scale only: the app's static page behind the same middleware (bench/web's floor).
        Request("floor (/health)", "large", "/health", "Hotspotmonitor"),
        Request(f"{SMALL:,}", "small", "/procedures", first),
        Request(f"{LARGE:,}", "large", "/procedures", first),
        Request(f"{LARGE:,}, last page", "large", f"/procedures?page={last_page}", "gemeente-bulk"),
        Request(
            f"{LARGE:,}, phase filter",
            "large",
            "/procedures?phase=sessions",
            built[LARGE].first_in(Phase.SESSIONS),
        ),
    ]
    with ExitStack() as stack:
        bases = {
            "small": stack.enter_context(server(urls[SMALL], workdir / f"{name}-small.log")),
            "large": stack.enter_context(server(urls[LARGE], workdir / f"{name}-large.log")),
        }
        clients = {key: stack.enter_context(logged_in(base)) for key, base in bases.items()}
        say(f"  servers: hotspot serve --no-worker, HOTSPOT_NOW={NOW.isoformat()}")
        timings = measure(clients, requests, rounds, warmup)
    say(f"  {rounds} rounds after {warmup} warm-up rounds, one request each per round")
    say(f"  {'/procedures with':<28}{'KiB':>7}{'median ms':>11}{'p95 ms':>9}")
    for request in requests:
        label = request.label
        say(
            f"  {label:<28}{timings.sizes[label] / 1024:>7.1f}"
            f"{1e3 * timings.median(label):>11.2f}{1e3 * timings.p95(label):>9.2f}"
        )
    ratio = timings.p95(f"{LARGE:,}") / timings.p95(f"{SMALL:,}")
    say(f"  {name} ratio p95({LARGE:,}) / p95({SMALL:,}) = {ratio:.2f}")
    return ratio


def _postgres_url() -> str:
    for name in POSTGRES_ENVS:
        if os.environ.get(name):
            return os.environ[name]
    return DEFAULT_POSTGRES_URL


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=300, help="measured rounds (300)")
    parser.add_argument("--warmup", type=int, default=30, help="rounds not counted (30)")
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite files go")
    args = parser.parse_args(argv)
    configure_logging("WARNING")
    started = time.perf_counter()
    say(f"bench dashboard: /procedures with {LARGE:,} procedures vs with {SMALL:,}")
    ratios: dict[str, float] = {}
    workdir = Path(tempfile.mkdtemp(prefix="hotspot-bench-dashboard-", dir=args.dir))
    try:
        urls = {n: f"sqlite:///{workdir / f'dashboard-{n}.db'}" for n in (SMALL, LARGE)}
        ratios["sqlite"] = bench_backend("sqlite", urls, workdir, args.rounds, args.warmup)
        pg_url = _postgres_url()
        shown = make_url(normalise_url(pg_url)).render_as_string(hide_password=True)
        problem = postgres_reachable(pg_url)
        if problem is None:
            with (
                postgres_database(pg_url, "hotspot_bench_dash") as small,
                postgres_database(pg_url, "hotspot_bench_dash") as large,
            ):
                ratios["postgresql"] = bench_backend(
                    "postgresql", {SMALL: small, LARGE: large}, workdir, args.rounds, args.warmup
                )
        else:
            say(f"postgresql: skipped, {shown} is unreachable ({problem})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    worst = max(ratios, key=lambda k: ratios[k])
    ratio = ratios[worst]
    verdict = "within" if ratio <= TARGET else "ABOVE"
    summary = ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
    say(f"ratios {summary}; the worse ({worst}) is {verdict} the target of {TARGET:.1f}")
    say(f"run time {time.perf_counter() - started:.0f} s")
    say(f"bench dashboard: ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
