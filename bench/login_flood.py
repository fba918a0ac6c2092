"""`make bench` (login_flood): a facilitator's writes during a sustained flood of wrong logins.

The test `tests/e2e/test_login_flood.py` checks that the flood conflicts with no write and
blocks none; how much slower the writes get depends on the machine, so it is measured here:
`hotspot serve` over SQLite (and PostgreSQL when it answers), 150 wrong logins kept up from
another process while the facilitator moves a milestone 50 times, against 50 quiet writes
before and after. The ratio is median(busy) / median(quiet), the worse backend's; the last
line is `bench login_flood: ratio=X` (aim: at most 2).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pg import postgres_database, postgres_reachable

from tests.e2e.test_login_flood import run_flood
from workflow.logging import configure_logging

POSTGRES_ENV = "HOTSPOT_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def measure(name: str, url: str, folder: Path) -> float:
    quiet, busy, statuses = run_flood(url, folder)
    ratio = statistics.median(busy) / statistics.median(quiet)
    print(
        f"{name}: {len(statuses)} wrong logins answered ({statuses.count(401)} checked, "
        f"{statuses.count(503)} told to wait); median write quiet "
        f"{statistics.median(quiet) * 1000:.1f} ms, during the flood "
        f"{statistics.median(busy) * 1000:.1f} ms: {ratio:.2f}"
    )
    return ratio


def main() -> None:
    configure_logging("WARNING")
    folder = Path(tempfile.mkdtemp(prefix="hotspot-bench-flood-"))
    ratios: dict[str, float] = {}
    try:
        ratios["sqlite"] = measure("sqlite", f"sqlite:///{folder / 'flood.db'}", folder)
        pg_url = os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES_URL
        if postgres_reachable(pg_url) is None:
            with postgres_database(pg_url, "hotspot_bench_flood") as url:
                ratios["postgresql"] = measure("postgresql", url, folder)
        else:
            print("postgresql: skipped, not reachable")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    worst = max(ratios.values())
    print(f"bench login_flood: ratio={worst:.2f}")


if __name__ == "__main__":
    main()
