"""`make bench`: advancing procedures through every phase against a floor measured in the same run.

The real side is `workflow.commands.procedures.advance` (load, rules, machine, audit record,
commit) on N procedures that the real commands filled phase by phase; the floor writes the
same rows with plain SQLAlchemy Core, one transaction per step, on the same database. Machines
are shared and noisy, so only the ratio of the two means something; the last line is
`bench transitions: ratio=X` for SQLite. PostgreSQL runs too when HOTSPOT_BENCH_POSTGRES_URL
(or HOTSPOT_TEST_POSTGRES_URL) names a server. Then the memory of 10,000 procedures loaded
and advanced in one process, and what one machine per procedure would cost instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import memory
import scenario
import timing
from pg import postgres_database

from workflow.db.engine import make_engine, migrate
from workflow.logging import configure_logging
from workflow.publishing import public_list_to

POSTGRES_ENVS = ("HOTSPOT_BENCH_POSTGRES_URL", "HOTSPOT_TEST_POSTGRES_URL")
TARGET = 2.0
CHILD_TAG = "memory-result "
KIB = 1024


def say(line: str) -> None:
    print(line, flush=True)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def print_timings(name: str, timings: timing.Timings, n: int, rounds: int) -> None:
    steps = len(scenario.STEPS)
    say(f"{name}: {n} procedures x {steps} steps, in {rounds} rounds (median per call)")
    say(f"  {'step':<35}{'advance ms':>11}{'floor ms':>10}{'ratio':>7}")
    for step in scenario.STEPS:
        real = statistics.median(timings.real[step])
        base = statistics.median(timings.floor[step])
        label = f"{step[0].value} -> {step[1].value}"
        say(f"  {label:<35}{1e3 * real:>11.2f}{1e3 * base:>10.2f}{real / base:>7.2f}")
    real_sum = sum(timings.median(timings.real, s) for s in scenario.STEPS)
    base_sum = sum(timings.median(timings.floor, s) for s in scenario.STEPS)
    say(f"  {'all steps (sum of medians)':<35}{1e3 * real_sum:>11.2f}{1e3 * base_sum:>10.2f}")
    all_real = [t for s in scenario.STEPS for t in timings.real[s]]
    all_base = [t for s in scenario.STEPS for t in timings.floor[s]]
    say(
        f"  mean per call: advance {1e3 * sum(all_real) / len(all_real):.2f} ms,"
        f" floor {1e3 * sum(all_base) / len(all_base):.2f} ms;"
        f" per-round total ratios {' '.join(f'{r:.2f}' for r in timings.round_ratios())}"
    )
    say(f"  {name} ratio (advance / floor) = {timings.ratio():.2f}  [{timings.seconds:.0f} s]")


def run_memory_child(url: str, trace: bool) -> dict[str, Any]:
    """The 10,000-procedure workload in a process of its own, so its peak RSS is its own."""
    command = [sys.executable, __file__, "--memory-child", url]
    if trace:
        command.append("--trace")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed:\n{done.stdout}\n{done.stderr}")
    tagged = [line for line in done.stdout.splitlines() if line.startswith(CHILD_TAG)]
    result: dict[str, Any] = json.loads(tagged[-1][len(CHILD_TAG) :])
    return result


def memory_child(url: str, trace: bool) -> None:
    configure_logging("WARNING")
    engine = make_engine(url)
    try:
        result = memory.advance_many(engine, scenario.START, trace)
    finally:
        engine.dispose()
    print(CHILD_TAG + json.dumps(result), flush=True)


def bench_memory(workdir: Path, count: int) -> None:
    say(f"memory: seeding {count:,} procedures in workgroup with their members (not measured)")
    traced_db = workdir / "memory-traced.db"
    engine = make_engine(sqlite_url(traced_db))
    migrate(engine)
    memory.seed(engine, count, scenario.START)
    # Closing the last connection folds the WAL into the file; copy any side file regardless.
    engine.dispose()
    plain_db = workdir / "memory-plain.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{traced_db}{suffix}")
        if source.exists():
            shutil.copy(source, f"{plain_db}{suffix}")
    say("memory: child process with tracemalloc (load, attach, fire, write)")
    traced = run_memory_child(sqlite_url(traced_db), trace=True)
    say("memory: child process without tracemalloc (peak RSS)")
    plain = run_memory_child(sqlite_url(plain_db), trace=False)
    n = traced["count"]
    say(
        f"memory: {n:,} procedures loaded, attached to the shared machine at once, advanced,"
        f" written in batches of {memory.BATCH}"
    )
    say(
        f"  tracemalloc peak {traced['traced_peak'] / memory.MIB:.1f} MiB"
        f" = {traced['traced_peak'] / n / KIB:.1f} KiB per procedure"
    )
    growth = plain["rss_peak"] - plain["rss_before"]
    say(
        f"  peak RSS of the child without tracemalloc {plain['rss_peak'] / memory.MIB:.1f} MiB,"
        f" {growth / memory.MIB:.1f} MiB above its {plain['rss_before'] / memory.MIB:.1f} MiB"
        f" after imports = {growth / n / KIB:.1f} KiB per procedure"
    )
    say(
        f"  (VmHWM; ru_maxrss says {plain['ru_maxrss'] / memory.MIB:.1f} MiB, which on Linux"
        f" starts from the parent's peak at spawn; with tracemalloc on:"
        f" {traced['rss_peak'] / memory.MIB:.1f} MiB)"
    )
    say(
        f"  time without tracemalloc: load {plain['seconds_load']:.2f} s,"
        f" attach {plain['seconds_attach']:.2f} s, fire {plain['seconds_fire']:.2f} s,"
        f" write {plain['seconds_write']:.2f} s"
    )


def bench_machines(count: int) -> None:
    say(f"machines: {count:,} models on the shared machine vs one Machine each")
    c = memory.machine_contrast(count)
    say(
        f"  model+snapshot {c['model']:.0f} B; shared machine (attach+fire) {c['shared']:.0f} B;"
        f" own machine (build+fire) {c['own']:.0f} B per procedure"
    )
    say(
        f"  own/shared: machinery {c['ratio_machinery']:.1f}x,"
        f" whole procedure in memory {c['ratio_total']:.1f}x (informative)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200, help="procedures advanced on each side (200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds the N are spread over (3)")
    parser.add_argument("--memory", type=int, default=10_000, help="procedures in memory")
    parser.add_argument("--quick", action="store_true", help="N=20, 1,000 in memory")
    parser.add_argument("--dir", type=Path, default=None, help="where the SQLite files go")
    parser.add_argument("--memory-child", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child, args.trace)
        return
    if args.quick:
        args.n, args.memory = 20, 1_000
    configure_logging("WARNING")
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="hotspot-bench-", dir=args.dir))
    # Publishing writes the public list (workflow.publishing): here, not into var/publicatie.
    with public_list_to(workdir / "publicatie"):
        try:
            say(f"bench: SQLite files in {workdir}")
            say(f"sqlite: {args.n} procedures in {args.rounds} rounds after a warm-up")
            sqlite = timing.measure(sqlite_url(workdir / "timing.db"), args.n, args.rounds, say)
            print_timings("sqlite", sqlite, args.n, args.rounds)
            pg_base = next((os.environ[e] for e in POSTGRES_ENVS if os.environ.get(e)), None)
            postgres: timing.Timings | None = None
            if pg_base:
                say("postgresql: fresh database on the server named by the environment")
                with postgres_database(pg_base) as url:
                    postgres = timing.measure(url, args.n, args.rounds, say)
                print_timings("postgresql", postgres, args.n, args.rounds)
            else:
                say(f"postgresql: skipped ({' / '.join(POSTGRES_ENVS)} not set)")
            bench_memory(workdir, args.memory)
            bench_machines(min(args.memory, 1_000))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    ratio = sqlite.ratio()
    verdict = "within" if ratio <= TARGET else "ABOVE"
    say(f"sqlite ratio {ratio:.2f} is {verdict} the target of {TARGET:.1f}")
    if postgres is not None:
        say(f"postgresql: ratio={postgres.ratio():.2f}")
    say(f"run time {time.perf_counter() - started:.0f} s")
    say(f"bench transitions: ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
