"""`hotspot worker --once`, `hotspot deadlines` and the overdue milestones in `hotspot status`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.test_cli import Cli
from tests.reminder_scenario import MILESTONES

P = "provincie-overijssel-2017-2023"
EXPERTS = (
    ("Ineke Intern", "ineke@provincie.example", "internal", "beleid"),
    ("Hanna Historica", "hanna@universiteit.example", "external", "historicus"),
    ("Piet Pending", "piet@provincie.example", "internal", "bestuur"),
)


@pytest.fixture
def planned(database_url: str, tmp_path: Path) -> Cli:
    """A procedure planned on 6 January 2025 and its three experts invited on 7 January."""
    cli = Cli(database_url, tmp_path, separate_process=False)
    cli.env["HOTSPOT_NOW"] = "2025-01-06T16:00:00+01:00"
    cli.json(
        "init",
        "--org",
        "Provincie Overijssel",
        "--body",
        "Gedeputeerde Staten",
        "--period",
        "2017-2023",
    )
    for name, role in (
        ("Sanne", "procesbegeleider"),
        ("Bert", "informatiebeheerder"),
        ("Carla", "archivaris"),
        ("Dirk", "management"),
    ):
        cli.json(
            "member",
            "add",
            P,
            "--name",
            name,
            "--email",
            f"{name.lower()}@ov.example",
            "--role",
            role,
        )
    cli.json("advance", P)
    cli.json("advance", P)
    for key, day in MILESTONES.items():
        cli.json("milestone", "set", P, key, day.isoformat())
    for name, email, perspective, profile in EXPERTS:
        cli.json(
            "expert",
            "add",
            P,
            "--name",
            name,
            "--email",
            email,
            "--perspective",
            perspective,
            "--profile",
            profile,
        )
    cli.json("advance", P)
    cli.env["HOTSPOT_NOW"] = "2025-01-07T16:00:00+01:00"
    cli.json("expert", "invite", P)
    return cli


def test_worker_once_sends_what_is_due_and_only_once(planned: Cli) -> None:
    """One sweep on 17 January reminds the two silent experts; a second sweep adds nothing."""
    cli = planned
    cli.env["HOTSPOT_NOW"] = "2025-01-16T16:00:00+01:00"
    cli.json("expert", "respond", P, "ineke@provincie.example", "--accept")
    first = cli.json("worker", "--once", "--now", "2025-01-17T09:30:00+01:00")
    # Ineke has answered: skipped. The escalation of `invitations_sent` (15 January) is
    # skipped as well: every expert was invited.
    assert first["reminders"]["by_rule"] == {"rsvp": 2}
    assert first["reminders"]["skipped_why"] == {"answered": 1, "milestone_done": 1}
    assert first["mail"]["sent"] >= 2
    again = cli.json("worker", "--once", "--now", "2025-01-17T10:30:00+01:00")
    assert again["reminders"]["sent"] == 0
    assert again["mail"]["sent"] == 0
    mails = list((cli.cwd / "mail").glob("*.eml"))
    reminders = [p for p in mails if "Herinnering" in p.read_text(errors="replace")]
    assert len(reminders) == 2


def test_deadlines_lists_each_deadline_with_its_reminders(planned: Cli) -> None:
    """The JSON names every deadline, its state and every reminder with status and reason."""
    cli = planned
    cli.env["HOTSPOT_NOW"] = "2025-01-18T12:00:00+01:00"
    cli.json("worker", "--once")
    overview = cli.json("deadlines", P)
    kinds = Counter(d["kind"] for d in overview["deadlines"])
    assert kinds == Counter({"milestone": 10, "rsvp": 3, "nomination": 1})
    piet = next(d for d in overview["deadlines"] if d["subject_label"] == "Piet Pending")
    assert piet["due"] == "2025-01-24"
    assert piet["state"] == "upcoming"
    assert [(r["offset"], r["status"]) for r in piet["reminders"]] == [
        ("-7d", "sent"),
        ("-2d", "pending"),
    ]
    invitations = next(d for d in overview["deadlines"] if d["subject"] == "invitations_sent")
    assert {r["reason"] for r in invitations["reminders"]} == {"planned_late", "milestone_done"}
    human = cli.run("deadlines", P).stdout
    assert "Piet Pending" in human
    assert "verstuurd" in human and "gepland" in human


def test_status_shows_an_overdue_milestone(planned: Cli) -> None:
    """On 3 February the reply deadline (24 January) is overdue while Piet has not answered."""
    cli = planned
    cli.env["HOTSPOT_NOW"] = "2025-02-03T12:00:00+01:00"
    status = cli.json("status", P)
    assert status["overdue_milestones"] == [
        {"key": "rsvp_deadline", "due": "2025-01-24", "days_overdue": 10, "working_days_overdue": 6}
    ]
    assert "over tijd" in cli.run("status", P).stdout
    # Once everyone answered, the milestone is reached and no longer overdue.
    for _, email, _, _ in EXPERTS:
        cli.json("expert", "respond", P, email, "--accept")
    assert cli.json("status", P)["overdue_milestones"] == []


def test_worker_now_without_once_is_refused(planned: Cli) -> None:
    """--now only makes sense for one sweep: a running worker follows the clock."""
    done = planned.run("worker", "--now", "2025-01-17T09:30:00+01:00", expect=2)
    assert "--once" in done.stderr + done.stdout


def test_milestone_set_reports_the_moved_reminders(planned: Cli) -> None:
    """Moving a milestone answers with what it did to the planned reminders."""
    cli = planned
    moved = cli.json("milestone", "set", P, "rsvp_deadline", "2025-01-31")
    assert moved["due"] == "2025-01-31"
    assert moved["reminders"]["moved"] == 2 + 3 * 2
    audit = cli.json("audit", P)
    last = audit["records"][-1]
    assert last["action"] == "milestone.set"
    # The facilitator reminder and escalation, and both reminders of each of three experts.
    assert last["data"]["reminders"]["moved"] == 2 + 3 * 2
