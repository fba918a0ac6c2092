"""A flood of failed logins does not hold the write lock: other users' writes stay quick."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from datetime import date, timedelta
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized as Counter
from multiprocessing.synchronize import Event as Stop
from pathlib import Path

import httpx

from tests import support
from tests.e2e.served import CSRF, api_login, served
from tests.web_support import FACILITATOR, PASSWORD
from workflow import users
from workflow.app import bootstrap
from workflow.settings import Settings

FLOOD = 150
WRITES = 25


def _writes(client: httpx.Client, pid: str, csrf: str, first_day: int) -> list[float]:
    """The facilitator moves a milestone back and forth; the seconds each write took."""
    took: list[float] = []
    for n in range(WRITES):
        # Days after today: the procedure opens today on the real clock of the served app.
        day = date.today() + timedelta(days=30 + first_day + n)
        started = time.perf_counter()
        answer = client.put(
            f"/api/procedures/{pid}/milestones/invitations_sent",
            json={"date": day.isoformat()},
            headers={"X-CSRF-Token": csrf},
        )
        took.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
    return took


async def _flood(base: str, statuses: list[int], stop: Stop) -> None:
    """FLOOD wrong logins at once, each repeated until `stop`: half through the API, half the form.

    The flood lasts as long as the writes it is measured against, however fast this machine
    answers. A login told the queue is full (503) comes back after its Retry-After, as a client
    does.
    """
    limits = httpx.Limits(max_connections=FLOOD + 10)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as client:
        token = CSRF.search((await client.get("/login")).text)
        assert token

        async def one(n: int) -> None:
            name = FACILITATOR if n % 3 == 0 else f"onbekend{n}"
            while not stop.is_set():
                if n % 2:
                    answer = await client.post(
                        "/api/session", json={"username": name, "password": f"fout-{n}"}
                    )
                else:
                    answer = await client.post(
                        "/login",
                        data={
                            "csrf_token": token.group(1),
                            "username": name,
                            "password": f"fout-{n}",
                        },
                    )
                statuses.append(answer.status_code)
                if answer.status_code == 503:
                    await asyncio.sleep(float(answer.headers.get("retry-after", "1")))

        await asyncio.gather(*(one(n) for n in range(FLOOD)))


def _flood_process(base: str, stop: Stop, answered: Counter, out: Queue) -> None:
    """The flood in a process of its own, as an attacker is: run in the test's process, its
    150 clients would take the interpreter lock from the client whose writes are timed."""
    statuses: list[int] = []

    async def counted() -> None:
        flood = asyncio.create_task(_flood(base, statuses, stop))
        while not flood.done():
            answered.value = len(statuses)
            await asyncio.sleep(0.05)
        await flood

    asyncio.run(counted())
    answered.value = len(statuses)
    out.put(statuses)


def run_flood(database_url: str, folder: Path) -> tuple[list[float], list[float], list[int]]:
    """A served app, a facilitator's writes before, during and after a sustained flood of
    wrong logins from another process: (quiet seconds, busy seconds, the flood's statuses).

    Checks on the way that the flood covered the busy writes; `bench/login_flood.py` uses it
    for the ratio of the medians, which a test on a shared machine cannot pin down.
    """
    app = bootstrap(Settings(database_url, "nl", None))
    try:
        users.add_user(app, username=FACILITATOR, name="Sanne", password=PASSWORD)
        pid = support.open_procedure(app)
    finally:
        app.dispose()
    with served(database_url, folder) as live, httpx.Client(base_url=live.base) as client:
        csrf = api_login(client, FACILITATOR, PASSWORD)
        _writes(client, pid, csrf, 0)  # warm up: connections, caches
        # Quiet writes before and after the flood, so a machine busy with something else for
        # a while weighs on both sides of the comparison alike.
        quiet = _writes(client, pid, csrf, 30)
        spawn = multiprocessing.get_context("spawn")
        stop, answered, out = spawn.Event(), spawn.Value("i", 0), spawn.Queue()
        flood = spawn.Process(target=_flood_process, args=(live.base, stop, answered, out))
        flood.start()
        time.sleep(3)  # the process has started and the flood's requests are at the server
        answered_before = answered.value
        busy = _writes(client, pid, csrf, 60) + _writes(client, pid, csrf, 90)
        answered_after = answered.value
        still_flooding = flood.is_alive()
        stop.set()
        statuses: list[int] = out.get(timeout=300)
        flood.join(timeout=60)
        quiet += _writes(client, pid, csrf, 120)
    assert still_flooding, "the flood ended before the writes did: it failed on its own"
    # Wrong logins were answered before the writes began and after they ended: the flood was
    # at the server the whole time the facilitator wrote.
    assert answered_before >= 1, "no wrong login was answered before the writes"
    assert len(statuses) > answered_after, "no wrong login was answered after the writes"
    return quiet, busy, statuses


def test_a_login_flood_neither_conflicts_with_nor_blocks_a_facilitators_writes(
    database_url: str, tmp_path: Path
) -> None:
    """150 parallel wrong logins, repeated while a facilitator writes: every write succeeds
    (200, never 409 or 503), and the flood is answered 401 (checked) or 503 (the login queue
    is full), never 409 or 500. How much slower the writes get is `bench login_flood`."""
    quiet, busy, statuses = run_flood(database_url, tmp_path)
    assert len(busy) == 2 * WRITES and len(quiet) == 2 * WRITES  # each write answered 200
    # Every wrong login was refused; those that found the login queue full (one client address
    # holds at most `login_per_client` places) were told to come back later, none conflicted.
    assert set(statuses) <= {401, 503}, sorted(set(statuses))
    assert statuses.count(401) >= 1, "no wrong login reached its password check"
    # No write waited for the flood to end: none took as long as a login's floor (1 s), which
    # a write queued behind the flood's password checks would.
    assert max(busy) < 1.0, [round(t * 1000) for t in busy]
