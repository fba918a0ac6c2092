"""`make bench` (zgw): keeping cases in the real Open Zaak, ours against plain httpx PATCHes.

600 closed cases are made through Open Zaak's API (not measured). Ours is
`workflow.zgw.apply.apply`: the bulk read of the cases' state, the plan per case, one PATCH
each with the reason header, the outcome per case. The floor sends plain httpx PATCH requests
with the same bodies (planned beforehand from the state the cases were made with) to the same
Open Zaak at the same concurrency. The two alternate batch by batch (50 cases each, 300 per
side); the ratio is ours over the floor in cases marked per second (the medians of the batch
rates), target at least 0.8. The drift check's rate (the bulk read and the comparison of 300
marked cases) is reported too. Without `HOTSPOT_TEST_OPENZAAK_URL` (and the `OZ_*` variables)
Open Zaak is started with the shared script for the run and stopped after it.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from workflow.zgw.apply import Result, Target, apply
from workflow.zgw.auth import Credentials, bearer_token
from workflow.zgw.client import CRS, ZaakClient
from workflow.zgw.marking import HotspotDecision, TransferRule, planned_change

ROOT = Path(__file__).resolve().parent.parent

PER_SIDE = 300
BATCH = 50
CONCURRENCY = 8
TARGET = 0.8
RSIN = "517439943"
DECISION = HotspotDecision("2019-1", "Stikstofcrisis", "GS", "GS/2025/0412", date(2025, 5, 13))
RULE = TransferRule(20)
SETUP = Path(os.environ.get("HOTSPOT_OPENZAAK_SETUP", "/work/shared/openzaak/setup-openzaak.sh"))
OZ_DIR = Path(os.environ.get("HOTSPOT_OPENZAAK_DIR", "/work/openzaak"))


def say(line: str) -> None:
    print(line, flush=True)


@contextmanager
def open_zaak() -> Iterator[dict[str, str]]:
    """The configured Open Zaak, or one started for this run (and stopped after it)."""
    if os.environ.get("HOTSPOT_TEST_OPENZAAK_URL") and os.environ.get("OZ_SECRET"):
        yield dict(os.environ)
        return
    setup = SETUP if SETUP.exists() else ROOT.parent / "shared" / "openzaak" / SETUP.name
    say(f"zgw: starting Open Zaak with {setup} in {OZ_DIR} (8 minutes the first time)")
    # One connection per request (see .ci/run): runserver's threads would otherwise keep theirs.
    server_env = {**os.environ, "DB_CONN_MAX_AGE": "0"}
    subprocess.run(
        [str(setup), "up", str(OZ_DIR)], check=True, stdout=subprocess.DEVNULL, env=server_env
    )
    env = dict(os.environ)
    for line in (OZ_DIR / "oz.env").read_text().splitlines():
        name, _, value = line.partition("=")
        env[name] = value.strip('"')
    try:
        yield env
    finally:
        subprocess.run([str(setup), "stop", str(OZ_DIR)], check=False, stdout=subprocess.DEVNULL)


async def make_cases(
    env: dict[str, str], credentials: Credentials, count: int
) -> list[dict[str, Any]]:
    """Closed cases (a result whose type says `vernietigen`, then the final status)."""
    base = env["OZ_BASE_URL"]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def call(http: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {bearer_token(credentials, time.time())}",
            "Accept-Crs": CRS,
            "Content-Crs": CRS,
        }
        async with gate:
            answer = await http.post(f"{base}{path}", json=body, headers=headers)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    async def one(http: httpx.AsyncClient, i: int) -> dict[str, Any]:
        start = date(2019, 1, 1) + timedelta(days=i % 700)
        case = await call(
            http,
            "/zaken/api/v1/zaken",
            {
                "bronorganisatie": RSIN,
                "verantwoordelijkeOrganisatie": RSIN,
                "zaaktype": env["OZ_ZAAKTYPE_URL"],
                "startdatum": start.isoformat(),
                "registratiedatum": start.isoformat(),
                "omschrijving": f"bench zaak {i}",
            },
        )
        await call(
            http,
            "/zaken/api/v1/resultaten",
            {"zaak": case["url"], "resultaattype": env["OZ_RESULTAATTYPE_VERNIETIGEN_URL"]},
        )
        end = start + timedelta(days=90)
        await call(
            http,
            "/zaken/api/v1/statussen",
            {
                "zaak": case["url"],
                "statustype": env["OZ_STATUSTYPE_EIND_URL"],
                "datumStatusGezet": f"{end.isoformat()}T12:00:00Z",
            },
        )
        return case

    async with httpx.AsyncClient(timeout=60) as http:
        made = await asyncio.gather(*(one(http, i) for i in range(count)))
    # The state the floor plans from: read once more after closing (the archive fields).
    async with ZaakClient(f"{base}/zaken/api/v1/", credentials, requests_per_second=0) as client:
        current = await client.read_many([c["url"] for c in made])
    return [
        {"url": c["url"], "body": planned_change(current[c["url"]], DECISION, RULE)} for c in made
    ]


async def floor_batch(
    http: httpx.AsyncClient, credentials: Credentials, batch: list[dict[str, Any]]
) -> float:
    gate = asyncio.Semaphore(CONCURRENCY)
    reason = DECISION.toelichting().encode("latin-1", "replace")

    async def one(item: dict[str, Any]) -> None:
        headers = {
            b"Authorization": f"Bearer {bearer_token(credentials, time.time())}".encode(),
            b"Accept-Crs": CRS.encode(),
            b"Content-Crs": CRS.encode(),
            b"X-Audit-Toelichting": reason,
        }
        async with gate:
            answer = await http.patch(item["url"], json=item["body"], headers=headers)
        answer.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(one(item) for item in batch))
    return len(batch) / (time.perf_counter() - started)


async def ours_batch(client: ZaakClient, batch: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    outcomes = await apply(client, [Target(i["url"], DECISION) for i in batch], RULE)
    rate = len(batch) / (time.perf_counter() - started)
    wrong = [o for o in outcomes if o.result is not Result.CHANGED]
    if wrong:
        raise RuntimeError(f"the apply did not change {len(wrong)} cases: {wrong[0]}")
    return rate


async def measure(env: dict[str, str]) -> None:
    credentials = Credentials(env["OZ_CLIENT_ID"], env["OZ_SECRET"], "bench", "Benchmark")
    started = time.perf_counter()
    cases = await make_cases(env, credentials, 2 * PER_SIDE)
    say(f"zgw: {len(cases)} closed cases made in {time.perf_counter() - started:.0f} s")
    ours_cases, floor_cases = cases[::2], cases[1::2]
    base = env["OZ_BASE_URL"]
    ours_rates: list[float] = []
    floor_rates: list[float] = []
    async with (
        ZaakClient(f"{base}/zaken/api/v1/", credentials, concurrency=CONCURRENCY) as client,
        httpx.AsyncClient(timeout=60) as http,
    ):
        for k in range(0, PER_SIDE, BATCH):
            mine, theirs = ours_cases[k : k + BATCH], floor_cases[k : k + BATCH]
            if (k // BATCH) % 2 == 0:
                ours_rates.append(await ours_batch(client, mine))
                floor_rates.append(await floor_batch(http, credentials, theirs))
            else:
                floor_rates.append(await floor_batch(http, credentials, theirs))
                ours_rates.append(await ours_batch(client, mine))
            say(
                f"  batch {k // BATCH + 1}: ours {ours_rates[-1]:.1f} cases/s,"
                f" floor {floor_rates[-1]:.1f} cases/s"
            )
        # The drift guard's round over the kept cases (workflow.commands.zgw_guard): the same
        # apply, which reads them in bulk and finds nothing to change.
        started = time.perf_counter()
        rounds = await apply(client, [Target(c["url"], DECISION) for c in ours_cases], RULE)
        still = sum(1 for o in rounds if o.result is Result.UNCHANGED)
        check_rate = len(rounds) / (time.perf_counter() - started)
    if still != PER_SIDE:
        raise RuntimeError(f"only {still} of {PER_SIDE} marked cases read back as kept")
    ours, floor = statistics.median(ours_rates), statistics.median(floor_rates)
    say(f"zgw: apply {ours:.1f} cases/s, plain PATCH {floor:.1f} cases/s (medians of batches)")
    say(f"zgw: drift check {check_rate:.0f} cases/s ({PER_SIDE} kept cases read, none changed)")
    ratio = ours / floor
    verdict = "meets" if ratio >= TARGET else "misses"
    say(f"zgw: ratio {ratio:.2f} {verdict} the target of at least {TARGET}")
    say(f"bench zgw: ratio={ratio:.2f}")


def main() -> None:
    with open_zaak() as env:
        asyncio.run(measure(env))


if __name__ == "__main__":
    main()
