"""Real `advance` against the Core floor, interleaved step by step on one database.

N fresh procedures, spread over a few rounds, go through every phase with the real commands
while as many floor procedures take the same steps with plain Core. Each real step is timed
right next to a floor step (who goes first alternates), so a noisy neighbour or a WAL
checkpoint hits both alike.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import floor
import scenario
from sqlalchemy import Engine, select

from states.phases import Phase
from workflow import audit
from workflow.app import App, bootstrap
from workflow.commands import procedures
from workflow.db import models as m
from workflow.db.engine import make_engine
from workflow.settings import Settings, default_config_dict
from workflow.testing import FrozenClock

Step = tuple[Phase, Phase]
Say = Callable[[str], None]


@dataclass
class Timings:
    """Seconds per call, by step, for both sides; and each round's totals."""

    real: dict[Step, list[float]] = field(default_factory=dict)
    floor: dict[Step, list[float]] = field(default_factory=dict)
    rounds: list[tuple[float, float]] = field(default_factory=list)
    seconds: float = 0.0

    def median(self, side: dict[Step, list[float]], step: Step) -> float:
        return statistics.median(side[step])

    def ratio(self) -> float:
        """Sum of the per-step median times, real over floor: one procedure's whole life."""
        real = sum(self.median(self.real, s) for s in scenario.STEPS)
        base = sum(self.median(self.floor, s) for s in scenario.STEPS)
        return real / base

    def round_ratios(self) -> list[float]:
        return [real / base for real, base in self.rounds]


def _advance(app: App, pid: str, target: Phase) -> float:
    started = time.perf_counter()
    result = procedures.advance(app, pid, actor=scenario.ACTOR)
    elapsed = time.perf_counter() - started
    if result["phase"] != target.value:
        raise RuntimeError(f"{pid} went to {result['phase']}, expected {target.value}")
    return elapsed


def _step_pairs(
    app: App,
    engine_floor: Engine,
    pids: list[str],
    procs: list[floor.FloorProcedure],
    target: Phase,
    real_first: bool,
) -> tuple[list[float], list[float]]:
    """Each procedure's real step right next to its floor step, alternating which goes first.

    Pairing call by call (not side by side in blocks) matters: fsync latency on a shared disk
    swings by a factor of five within seconds, and a block would catch only one regime.
    """
    now = app.now()
    real: list[float] = []
    base: list[float] = []
    for i, (pid, proc) in enumerate(zip(pids, procs, strict=True)):
        if (i % 2 == 0) == real_first:
            real.append(_advance(app, pid, target))
            base.append(floor.step(engine_floor, proc, target, now, scenario.ACTOR))
        else:
            base.append(floor.step(engine_floor, proc, target, now, scenario.ACTOR))
            real.append(_advance(app, pid, target))
    return real, base


def measure(url: str, n: int, rounds: int, say: Say) -> Timings:
    started = time.perf_counter()
    app = bootstrap(Settings(url, "nl", None), clock=FrozenClock(scenario.START))
    engine_floor = make_engine(url)
    config = default_config_dict()
    timings = Timings()
    next_org = 0
    try:
        # Round 0 warms statement caches, the connection pools and the file; it is not counted.
        # N procedures in all, spread over the rounds, so each round sees a different moment
        # of a noisy machine without the run outgrowing a few minutes.
        sizes = [n // rounds + (1 if r < n % rounds else 0) for r in range(rounds)]
        plan = [(0, min(5, n)), *((r + 1, size) for r, size in enumerate(sizes) if size)]
        for round_no, size in plan:
            label = "warm-up" if round_no == 0 else f"round {round_no}/{rounds}"
            say(f"  {label}: opening {size} procedures and {size} floor procedures")
            orgs = list(range(next_org, next_org + size))
            next_org += size
            pids = [scenario.open_procedure(app, org) for org in orgs]
            procs = floor.create(engine_floor, orgs[0], size, config, app.now())
            totals = [0.0, 0.0]
            for k, (source, target) in enumerate(scenario.STEPS):
                for pid, org in zip(pids, orgs, strict=True):
                    scenario.fill(app, pid, org, source)
                # Both sides start with a clean heap: garbage of the data entry is not theirs.
                gc.collect()
                real, base = _step_pairs(
                    app, engine_floor, pids, procs, target, (round_no + k) % 2 == 0
                )
                totals[0] += sum(real)
                totals[1] += sum(base)
                if round_no:
                    timings.real.setdefault((source, target), []).extend(real)
                    timings.floor.setdefault((source, target), []).extend(base)
            if round_no:
                timings.rounds.append((totals[0], totals[1]))
                say(
                    f"  {label}: advance {1e3 * totals[0]:.0f} ms, floor {1e3 * totals[1]:.0f} ms,"
                    f" ratio {totals[0] / totals[1]:.2f}"
                )
        _check_closed(app, next_org)
    finally:
        app.dispose()
        engine_floor.dispose()
    timings.seconds = time.perf_counter() - started
    return timings


def _check_closed(app: App, expected: int) -> None:
    """Both sides ended closed with intact audit chains: the benchmark measured what it claims."""
    with app.read() as session:
        closed = list(session.scalars(select(m.Procedure).where(m.Procedure.phase == "closed")))
        if len(closed) != 2 * expected:
            raise RuntimeError(f"{len(closed)} procedures closed, expected {2 * expected}")
        # The floor computes its hashes itself; the real verifier must accept them.
        for procedure in closed[:3] + closed[-3:]:
            if not audit.verify(session, procedure).ok:
                raise RuntimeError(f"the audit chain of {procedure.id} does not verify")
