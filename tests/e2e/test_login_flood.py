"""A flood of failed logins does not hold the write lock: other users' writes stay quick."""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from tests import support
from tests.e2e.served import CSRF, api_login, served
from tests.web_support import FACILITATOR, PASSWORD
from workflow import users
from workflow.app import bootstrap
from workflow.settings import Settings

FLOOD = 150
WRITES = 15


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


async def _flood(base: str, statuses: list[int]) -> None:
    """FLOOD wrong logins at once: half through the API, half through the form."""
    limits = httpx.Limits(max_connections=FLOOD + 10)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as client:
        token = CSRF.search((await client.get("/login")).text)
        assert token

        async def one(n: int) -> int:
            name = FACILITATOR if n % 3 == 0 else f"onbekend{n}"
            if n % 2:
                answer = await client.post(
                    "/api/session", json={"username": name, "password": f"fout-{n}"}
                )
            else:
                answer = await client.post(
                    "/login",
                    data={"csrf_token": token.group(1), "username": name, "password": f"fout-{n}"},
                )
            return answer.status_code

        statuses.extend(await asyncio.gather(*(one(n) for n in range(FLOOD))))


def test_a_login_flood_slows_a_facilitators_writes_at_most_twofold(
    database_url: str, tmp_path: Path
) -> None:
    """150 parallel wrong logins: the writes' median at most 2x the quiet one, none conflicts.

    The flood is answered 401 (checked) or 503 (the login queue is full), never 409 or 500.
    """
    app = bootstrap(Settings(database_url, "nl", None))
    try:
        users.add_user(app, username=FACILITATOR, name="Sanne", password=PASSWORD)
        pid = support.open_procedure(app)
    finally:
        app.dispose()
    with served(database_url, tmp_path) as live, httpx.Client(base_url=live.base) as client:
        csrf = api_login(client, FACILITATOR, PASSWORD)
        _writes(client, pid, csrf, 0)  # warm up: connections, caches
        # Quiet writes before and after the flood, so a machine busy with something else for
        # a while weighs on both sides of the comparison alike.
        quiet = _writes(client, pid, csrf, 20)
        statuses: list[int] = []
        flood = threading.Thread(target=lambda: asyncio.run(_flood(live.base, statuses)))
        flood.start()
        time.sleep(1.5)  # the flood's requests are in and queued at the server
        busy = _writes(client, pid, csrf, 40) + _writes(client, pid, csrf, 60)
        still_flooding = flood.is_alive()
        flood.join(timeout=300)
        quiet += _writes(client, pid, csrf, 80)
    assert still_flooding, "the flood was over before the writes: the test measured nothing"
    # Every wrong login was refused; those that found the login queue full (one client address
    # holds at most `login_per_client` places) were told to come back later, none conflicted.
    assert len(statuses) == FLOOD
    assert set(statuses) <= {401, 503}, sorted(set(statuses))
    assert statuses.count(401) >= 1, "no wrong login reached its password check"
    ratio = statistics.median(busy) / statistics.median(quiet)
    shown = f"quiet {[round(t * 1000) for t in quiet]} ms, flood {[round(t * 1000) for t in busy]}"
    print(
        f"median write quiet {statistics.median(quiet) * 1000:.1f} ms, during the flood "
        f"{statistics.median(busy) * 1000:.1f} ms: {ratio:.2f}x"
    )
    assert ratio <= 2.0, shown
