"""One command, one transaction: refusals write nothing, concurrent changes never get lost."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from states.errors import Conflict, HotspotError, InvalidInput, Refused
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from workflow import audit, repository
from workflow.app import App, bootstrap
from workflow.commands import people, planning, procedures
from workflow.commands.base import changing
from workflow.db import models as m
from workflow.settings import Settings


def _footprint(app: App, pid: str) -> tuple[int, int, int, int]:
    """Version, audit length, members and experts: what a command could have touched."""
    with app.read() as db:
        procedure = repository.get_procedure(db, pid)

        def count(model: Any) -> int:
            return int(
                db.scalar(select(func.count()).select_from(model).where(model.procedure_id == pid))
                or 0
            )

        return (procedure.version, count(m.AuditRecord), count(m.Member), count(m.Expert))


def test_a_refused_advance_writes_nothing(app: App) -> None:
    """A refusal leaves version, audit trail and data exactly as they were."""
    pid = support.open_procedure(app)
    procedures.advance(app, pid, actor=ACTOR)
    before = _footprint(app, pid)
    with pytest.raises(Refused) as refusal:
        procedures.advance(app, pid, actor=ACTOR)
    assert refusal.value.codes == ["workgroup.required_roles"]
    assert _footprint(app, pid) == before


def test_invalid_input_writes_nothing(app: App) -> None:
    """A bad role or address is refused before anything is stored."""
    pid = support.open_procedure(app)
    before = _footprint(app, pid)
    with pytest.raises(InvalidInput) as error:
        people.add_member(app, pid, name="X", email="x@org.example", role="koning", actor=ACTOR)
    assert error.value.field == "role"
    with pytest.raises(InvalidInput) as error:
        people.add_member(app, pid, name="X", email="geen-adres", role="archivaris", actor=ACTOR)
    assert error.value.field == "email"
    assert _footprint(app, pid) == before


def test_an_import_with_one_bad_line_imports_nobody(app: App, tmp_path: Path) -> None:
    """The CSV import is all or nothing and names the bad line."""
    pid = support.open_procedure(app)
    csv_file = tmp_path / "experts.csv"
    csv_file.write_text(
        "name,email,perspective,profile\n"
        "Ann,ann@org.example,internal,beleid\n"
        "Bob,bob@org.example,external,historicus\n"
        "Cas,cas@org.example,sideways,journalist\n",
        encoding="utf-8",
    )
    before = _footprint(app, pid)
    with pytest.raises(InvalidInput) as error:
        people.import_experts(app, pid, csv_file, actor=ACTOR)
    assert error.value.field.startswith("regel 4")
    assert _footprint(app, pid) == before


def test_a_failure_inside_a_command_rolls_back_its_writes(app: App) -> None:
    """Rows added before an error in the same command are not kept."""
    pid = support.open_procedure(app)
    before = _footprint(app, pid)
    with pytest.raises(RuntimeError), changing(app, pid, ACTOR, "test.crash") as change:
        change.session.add(
            m.Member(
                procedure_id=pid,
                name="Half",
                email="h@o.example",
                email_key="h@o.example",
                role="archivaris",
            )
        )
        change.session.flush()
        raise RuntimeError("crash half-way")
    assert _footprint(app, pid) == before


@pytest.mark.postgres
def test_a_stale_change_loses_with_a_conflict_on_postgres(postgres_url: str) -> None:
    """A command whose procedure changed under it fails with Conflict and saves nothing."""
    from tests.conftest import _truncate_all

    _truncate_all(postgres_url)
    first = bootstrap(Settings(postgres_url, "nl", None))
    second = bootstrap(Settings(postgres_url, "nl", None))
    try:
        pid = support.open_procedure(first)
        before = _footprint(first, pid)
        with pytest.raises(Conflict), changing(first, pid, "anna", "milestone.set") as change:
            # Someone else completes a change while this one is still open.
            # A day that fits a procedure opened today on the real clock.
            later = (date.today() + timedelta(days=160)).isoformat()
            planning.set_milestone(second, pid, "decision", later, actor="bert")
            change.session.add(
                m.Milestone(procedure_id=pid, key="publication", due=support.FIRST_MILESTONE)
            )
        version, records, _, _ = _footprint(first, pid)
        assert (version, records) == (before[0] + 1, before[1] + 1)
        with first.read() as db:
            keys = set(db.scalars(select(m.Milestone.key).where(m.Milestone.procedure_id == pid)))
        assert keys == {"decision"}
    finally:
        first.dispose()
        second.dispose()


def test_concurrent_commands_never_lose_an_update(database_url: str) -> None:
    """Two writers at once: each command either lands with its audit record or conflicts."""
    apps = [bootstrap(Settings(database_url, "nl", None)) for _ in range(2)]
    try:
        pid = support.open_procedure(apps[0])
        procedures.advance(apps[0], pid, actor=ACTOR)
        outcomes: list[str] = []
        lock = threading.Lock()

        def work(n: int) -> None:
            for i in range(15):
                try:
                    people.add_member(
                        apps[n],
                        pid,
                        name=f"Lid {n}-{i}",
                        email=f"lid{n}-{i}@org.example",
                        role="management",
                        actor=f"writer-{n}",
                    )
                    result = "done"
                except Conflict:
                    result = "conflict"
                with lock:
                    outcomes.append(result)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        done = outcomes.count("done")
        assert len(outcomes) == 30 and done >= 1
        _, records, members, _ = _footprint(apps[0], pid)
        assert members == done
        assert records == 2 + done  # init, advance, one per landed command
        with apps[0].read() as db:
            assert audit.verify(db, repository.get_procedure(db, pid)).ok
    finally:
        for application in apps:
            application.dispose()


@pytest.mark.postgres
def test_two_simultaneous_inits_for_one_organisation_open_one_procedure(postgres_url: str) -> None:
    """The overlap rule holds under concurrency: one init wins, the other is refused."""
    from tests.conftest import _truncate_all

    _truncate_all(postgres_url)
    apps = [bootstrap(Settings(postgres_url, "nl", None)) for _ in range(2)]
    support.open_procedure(apps[0], org="Waterschap Vechtstromen", period="2010-2011")
    errors: list[HotspotError] = []
    barrier = threading.Barrier(2)

    def work(n: int, period: str) -> None:
        barrier.wait()
        try:
            support.open_procedure(apps[n], org="Waterschap Vechtstromen", period=period)
        except HotspotError as error:
            errors.append(error)

    threads = [
        threading.Thread(target=work, args=(0, "2017-2020")),
        threading.Thread(target=work, args=(1, "2019-2023")),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(errors) == 1 and isinstance(errors[0], Refused | Conflict)
        rows = procedures.list_procedures(apps[0])
        assert len(rows) == 2
    finally:
        for application in apps:
            application.dispose()


def test_overlapping_periods_of_one_organisation_are_refused(app: App) -> None:
    """A second open procedure over an overlapping period is refused; after cancelling, fine."""
    first = support.open_procedure(app, org="Gemeente Dongen", period="2017-2023")
    with pytest.raises(Refused) as refusal:
        support.open_procedure(app, org="gemeente  DONGEN", period="2023-2024")
    assert refusal.value.codes == ["procedure.overlapping_period"]
    assert first in refusal.value.verdicts[0].figures.nl
    support.open_procedure(app, org="Gemeente Dongen", period="2024-2025")
    procedures.cancel(app, first, actor=ACTOR, reason="Opnieuw begonnen")
    again = support.open_procedure(app, org="Gemeente Dongen", period="2017-2023")
    assert again != first


def test_a_procedure_keeps_the_rules_it_was_opened_with(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changing config/default.toml later does not change a running procedure's thresholds."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    support.accept_all(app, pid)
    stricter = tmp_path / "config"
    stricter.mkdir()
    text = (Path(__file__).parents[2] / "config" / "default.toml").read_text(encoding="utf-8")
    (stricter / "default.toml").write_text(text.replace("min_accepted = 6", "min_accepted = 12"))
    monkeypatch.setattr("workflow.settings.config_dir", lambda: stricter)
    verdicts = {v.code: v for v in procedures.status(app, pid).verdicts}
    assert verdicts["panel.size"].status.value == "passed"
    newer = support.open_procedure(app, org="Provincie Drenthe")
    support.drive_to(app, newer, Phase.EXPERT_SELECTION)
    support.recruit(app, newer)
    support.accept_all(app, newer)
    verdicts = {v.code: v for v in procedures.status(app, newer).verdicts}
    assert verdicts["panel.size"].status.value == "failed"
    assert "toegestaan 12" in verdicts["panel.size"].figures.nl
