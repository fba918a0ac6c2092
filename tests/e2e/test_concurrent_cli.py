"""Twenty `hotspot` processes writing to one procedure at the same moment all succeed.

Each process is the real command line (the `hotspot` entry point) in a process of its own. To
make them collide for real, each first loads the program and then waits for one shared
starting moment, so the twenty commands hit the database together. Before re-running on a
collision, 18 of 20 got exit 5 on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from states.phases import Phase
from tests import support
from workflow import audit
from workflow.app import bootstrap
from workflow.db import models as m
from workflow.settings import Settings

WRITERS = 20
# Loaded, then waiting for the moment in argv[1]: the command itself starts at once in all.
LAUNCH = (
    "import sys, time\n"
    "from workflow.cli.main import main\n"
    "time.sleep(max(0.0, float(sys.argv[1]) - time.time()))\n"
    "main(sys.argv[2:])\n"
)


@pytest.mark.slow
def test_twenty_concurrent_cli_writers_all_succeed(database_url: str, tmp_path: Path) -> None:
    """All twenty exit 0 with their member added, and the audit trail holds twenty records."""
    app = bootstrap(Settings(database_url, "nl", None))
    try:
        pid = support.open_procedure(app)
        support.drive_to(app, pid, Phase.WORKGROUP)
    finally:
        app.dispose()
    env = {**os.environ, "HOTSPOT_DATABASE_URL": database_url, "HOTSPOT_ACTOR": "sanne"}
    env.pop("HOTSPOT_LANG", None)
    # Long enough for twenty interpreters to load on a busy two-core machine.
    start = time.time() + 12
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                LAUNCH,
                str(start),
                "member",
                "add",
                pid,
                "--name",
                f"Lid {n}",
                "--email",
                f"lid{n}@org.example",
                "--role",
                "informatiebeheerder",
                "--json",
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    results = [(w.wait(timeout=180), *w.communicate()) for w in writers]
    late = time.time() > start
    assert late, "the writers finished before the common start: the test is too slow"

    failed = [(code, out, err[-500:]) for code, out, err in results if code != 0]
    assert failed == []
    assert all(json.loads(out)["ok"] for _, out, _ in results)
    app = bootstrap(Settings(database_url, "nl", None))
    try:
        with app.read() as db:
            actions = list(
                db.scalars(select(m.AuditRecord.action).where(m.AuditRecord.procedure_id == pid))
            )
            members = list(db.scalars(select(m.Member.email).where(m.Member.procedure_id == pid)))
            procedure = db.get(m.Procedure, pid)
            assert procedure is not None
            verified = audit.verify(db, procedure)
    finally:
        app.dispose()
    assert actions.count("member.add") == WRITERS
    assert sorted(members) == sorted(f"lid{n}@org.example" for n in range(WRITERS))
    assert verified.ok
