"""The `hotspot` command line driven as a user would: real processes, real databases."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from email import message_from_bytes
from email import policy as mail_policy
from pathlib import Path
from typing import Any

import pytest

from workflow.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
P = "provincie-overijssel-2017-2023"


class Cli:
    """Runs `hotspot` against one database: as a separate process, or in this process.

    The whole-procedure test uses real processes; the other tests call the same entry point
    in-process (same parsing, output and exit codes) to keep the suite quick.
    """

    def __init__(self, database_url: str, cwd: Path, *, separate_process: bool) -> None:
        self.env = {
            "HOTSPOT_DATABASE_URL": database_url,
            "HOTSPOT_ACTOR": "sanne",
            "COLUMNS": "200",
            # Mail to files in this test's folder, whatever the caller's shell configures.
            "HOTSPOT_MAIL_TRANSPORT": "file",
            "HOTSPOT_MAIL_DIR": str(cwd / "mail"),
        }
        self.cwd = cwd
        self.separate_process = separate_process

    def run(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        done = self._process(args) if self.separate_process else self._inline(args)
        assert done.returncode == expect, (args, done.returncode, done.stdout, done.stderr)
        return done

    def _process(self, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **self.env}
        env.pop("HOTSPOT_LANG", None)
        return subprocess.run(
            [sys.executable, "-m", "workflow.cli.main", *args],
            cwd=self.cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def _inline(self, args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        out, err = io.StringIO(), io.StringIO()
        with pytest.MonkeyPatch.context() as patch:
            for key, value in self.env.items():
                patch.setenv(key, value)
            patch.delenv("HOTSPOT_LANG", raising=False)
            patch.chdir(self.cwd)
            patch.setattr(sys, "stdout", out)
            patch.setattr(sys, "stderr", err)
            try:
                main(list(args))
                code = 0
            except SystemExit as stop:
                code = int(stop.code or 0)
        return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())

    def json(self, *args: str, expect: int = 0) -> dict[str, Any]:
        done = self.run(*args, "--json", expect=expect)
        lines = done.stdout.strip().splitlines()
        assert len(lines) == 1, done.stdout  # one JSON object, nothing else on stdout
        result: dict[str, Any] = json.loads(lines[0])
        return result


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    return Cli(database_url, tmp_path, separate_process=False)


@pytest.fixture
def process_cli(database_url: str, tmp_path: Path) -> Cli:
    return Cli(database_url, tmp_path, separate_process=True)


def test_a_facilitator_runs_a_whole_procedure_from_the_command_line(
    process_cli: Cli, tmp_path: Path
) -> None:
    """Every phase from init to closed through the CLI, ending with a verified audit trail."""
    cli = process_cli
    # A simulated calendar (HOTSPOT_NOW): sessions lie after the opening, attendance follows
    # the sessions and the decision is dated no later than the day it is recorded.
    cli.env["HOTSPOT_NOW"] = "2025-01-06T10:00:00+01:00"
    assert (
        cli.json(
            "init",
            "--org",
            "Provincie Overijssel",
            "--body",
            "Gedeputeerde Staten",
            "--period",
            "2017-2023",
        )["procedure"]
        == P
    )
    cli.json("advance", P)
    refusal = cli.json("advance", P, expect=3)
    assert refusal["codes"] == ["workgroup.required_roles"]
    for name, role in (
        ("Sanne", "procesbegeleider"),
        ("Bert", "informatiebeheerder"),
        ("Carla", "archivaris"),
    ):
        cli.json(
            "member", "add", P, "--name", name, "--email", f"{name}@ov.example", "--role", role
        )
    assert cli.json("advance", P)["phase"] == "planning"
    days = [
        "2025-02-03",
        "2025-02-17",
        "2025-03-03",
        "2025-03-10",
        "2025-04-07",
        "2025-04-21",
        "2025-05-05",
        "2025-05-26",
        "2025-09-01",
        "2025-10-01",
    ]
    keys = [
        "invitations_sent",
        "rsvp_deadline",
        "nomination_deadline",
        "first_session",
        "concept_list",
        "archivist_advice",
        "proposal_to_body",
        "decision",
        "inventory_done",
        "publication",
    ]
    for key, day in zip(keys, days, strict=True):
        cli.json("milestone", "set", P, key, day)
    cli.json("advance", P)
    csv_file = tmp_path / "experts.csv"
    csv_file.write_text(
        "naam;e-mail;perspectief;profiel\n"
        "Ineke;ineke@ov.example;intern;beleid\nJan;jan@ov.example;intern;informatiebeheer\n"
        "Karel;karel@ov.example;intern;bestuur\nHanna;hanna@uni.example;extern;historicus\n"
        "Joost;joost@krant.example;extern;journalist\n",
        encoding="utf-8",
    )
    assert len(cli.json("expert", "import", P, str(csv_file))["experts"]) == 5
    assert len(cli.json("expert", "invite", P)["invited"]) == 5
    # Two phase-change notices to each of the 3 members, and the 5 invitations.
    assert cli.json("mail", "send")["sent"] == 2 * 3 + 5
    messages = [
        message_from_bytes(f.read_bytes(), policy=mail_policy.default)
        for f in (tmp_path / "mail").glob("*.eml")
    ]
    invitations = [m for m in messages if "ineke@ov.example" in str(m["To"])]
    assert len(messages) == 11 and len(invitations) == 1
    body = invitations[0].get_body(preferencelist=("plain",))
    assert body is not None and "Beste Ineke" in body.get_content()
    for email in (
        "ineke@ov.example",
        "jan@ov.example",
        "karel@ov.example",
        "hanna@uni.example",
        "joost@krant.example",
    ):
        cli.json("expert", "respond", P, email, "--accept")
    refusal = cli.json("advance", P, expect=3)
    assert set(refusal["codes"]) == {"panel.size", "panel.external_profiles"}
    sizes = [b["figures"] for b in refusal["blockers"] if b["code"] == "panel.size"]
    assert sizes == ["5 experts toegezegd, toegestaan 6 tot en met 16"]
    cli.json(
        "expert",
        "add",
        P,
        "--name",
        "Mira",
        "--email",
        "mira@vereniging.example",
        "--perspective",
        "external",
        "--profile",
        "maatschappelijke-organisatie",
    )
    cli.json("expert", "respond", P, "mira@vereniging.example", "--accept")
    cli.json("deviate", P, "planning.rsvp_lead_time", "--reason", "vooraf besproken")
    assert cli.json("advance", P)["phase"] == "sessions"
    s1 = cli.run("session", "add", P, "--at", "2025-03-10T14:00", "--location", "Zwolle")
    s2 = cli.run("session", "add", P, "--at", "2025-03-24 14:00")
    cli.json("session", "move", P, s2.stdout.strip(), "--at", "2025-03-24T15:00")
    s3 = cli.run("session", "add", P, "--at", "2025-04-07T14:00").stdout.strip()
    cli.json("session", "cancel", P, s3, "--reason", "Niet meer nodig")
    queued = cli.json("mail", "list", P)["messages"]
    kinds = {m["kind"] for m in queued if m["status"] == "pending"}
    assert {"session_invitation", "session_update", "session_cancelled"} <= kinds
    cli.env["HOTSPOT_NOW"] = "2025-03-24T18:30:00+01:00"  # both sessions have been held
    for sid in (s1.stdout.strip(), s2.stdout.strip()):
        cli.json(
            "session",
            "attend",
            P,
            sid,
            "ineke@ov.example",
            "jan@ov.example",
            "hanna@uni.example",
            "joost@krant.example",
        )
    wolf = cli.run(
        "candidate",
        "add",
        P,
        "--title",
        "Terugkeer van de wolf",
        "--start",
        "2018-01-01",
        "--description",
        "Besluitvorming rond de wolf",
        "--nominated-by",
        "hanna@uni.example",
    ).stdout.strip()
    covid = cli.run(
        "candidate",
        "add",
        P,
        "--title",
        "COVID-19-pandemie",
        "--start",
        "2020-03-01",
        "--end",
        "2022-12-31",
        "--description",
        "Maatregelen",
        "--nominated-by",
        "ineke@ov.example",
    ).stdout.strip()
    for cid in (wolf, covid):
        cli.json(
            "candidate",
            "assess",
            P,
            cid,
            "--criteria",
            "1,2",
            "--motivation",
            "Veel onrust",
            "--include",
        )
    assert cli.json("advance", P)["phase"] == "decision"
    negative = cli.json(
        "advice", P, "--negative", "--by", "Carla", "--reason", "Te weinig externe hotspots"
    )
    assert negative["phase"] == "sessions"
    # The same list may not go back unchanged unless a deviation says why.
    refused = cli.json("advance", P, expect=3)
    assert "sessions.list_changed_after_return" in refused["codes"]
    cli.json(
        "deviate",
        P,
        "sessions.list_changed_after_return",
        "--reason",
        "De archivaris is mondeling overtuigd; de lijst blijft gelijk.",
    )
    assert cli.json("advance", P)["phase"] == "decision"
    cli.env["HOTSPOT_NOW"] = "2025-05-26T16:00:00+02:00"  # the day the governing body decides
    cli.json(
        "advice",
        P,
        "--positive",
        "--by",
        "Carla",
        "--ref",
        "CO/2025/117",
        "--date",
        "2025-05-02",
        "--actor",
        "carla",
    )
    trail = cli.json("audit", P)
    advice = next(r for r in reversed(trail["records"]) if r["action"] == "advice.record")
    assert advice["data"]["ref"] == "CO/2025/117" and advice["data"]["recorded_via"] == "cli"
    written = cli.json("proposal", P, "--out", str(tmp_path / "voorstel"))
    assert {Path(f).suffix for f in written["files"]} == {".docx", ".html"}
    cli.json("decide", P, "--adopted", "--date", "2025-05-26", "--ref", "GS/2025/0412")
    assert cli.json("advance", P)["phase"] == "inventory"
    cli.json(
        "inventory", "system", P, "2018-1", "--system", "Corsa", "--query", "wolf", "--owner", "DIV"
    )
    marked = cli.json(
        "inventory", "dossier", P, "2018-1", "--system", "Corsa", "--dossier", "Z2018-001"
    )
    assert "GS/2025/0412" in marked["reason"]
    cli.json(
        "inventory",
        "system",
        P,
        "2020-1",
        "--system",
        "Teams",
        "--query",
        "corona",
        "--owner",
        "ICT",
    )
    cli.json(
        "inventory", "none", P, "2020-1", "--system", "Teams", "--reason", "Kanalen al verwijderd"
    )
    # Corsa is now a system of the procedure: another hotspot names it without its owner.
    cli.json("inventory", "system", P, "2020-1", "--system", "corsa", "--query", "corona")
    cli.json("inventory", "none", P, "2020-1", "--system", "Corsa", "--reason", "Niets")
    overview = cli.json("inventory", "overview", P)
    assert overview["open"] == 0
    assert {(r["hotspot"], r["systeem"], r["eigenaar"]) for r in overview["rows"]} >= {
        ("2018-1", "Corsa", "DIV"),
        ("2020-1", "Corsa", "DIV"),
        ("2020-1", "Teams", "ICT"),
    }
    assert cli.json("advance", P)["phase"] == "publication"
    cli.json(
        "publish",
        P,
        "--channel",
        "Provinciaal Blad",
        "--ref",
        "Prb. 2025, 1234",
        "--date",
        "2025-10-01",
        "--out",
        str(tmp_path / "publicatie"),
    )
    published = {f.suffix: f for f in (tmp_path / "publicatie").iterdir()}
    assert set(published) == {".html", ".csv", ".json"}
    assert "GS/2025/0412" in published[".csv"].read_text("utf-8-sig")
    assert "@" not in published[".json"].read_text("utf-8")
    assert cli.json("advance", P)["phase"] == "closed"
    sent = cli.json("mail", "send")
    assert sent["failed"] == 0 and sent["sent"] > 40
    assert cli.json("mail", "list", "--failed")["messages"] == []
    status = cli.json("status", P)
    assert status["phase"] == "closed" and status["deviations"][0]["rule"] == (
        "planning.rsvp_lead_time"
    )
    verified = cli.json("audit", P, "--verify")
    assert verified["ok"] and verified["verification"]["records"] > 40
    human = cli.run("audit", P, "--verify").stdout
    assert "Auditspoor intact" in human


def test_exit_codes_name_the_problem_in_one_line(cli: Cli) -> None:
    """Invalid input exits 2 naming the field; unknown procedure 4; refusal 3."""
    bad = cli.run(
        "init", "--org", "Gemeente Dongen", "--body", "B&W", "--period", "2023-2017", expect=2
    )
    assert "--period" in bad.stderr and "2017" in bad.stderr
    assert len([line for line in bad.stderr.splitlines() if line.strip()]) == 1
    cli.json(
        "init",
        "--org",
        "Gemeente Dongen",
        "--body",
        "B&W",
        "--period",
        "2017-2023",
        "--id",
        "dongen",
    )
    assert (
        cli.json("milestone", "set", "dongen", "decision", "31-02-2025", expect=2)["field"]
        == "DATE"
    )
    assert (
        cli.json("milestone", "set", "dongen", "besluit", "2025-02-01", expect=2)["field"] == "KEY"
    )
    assert cli.json("status", "bestaat-niet", expect=4)["error"] == "not_found"
    assert cli.json("list", "--phase", "sessies", expect=2)["field"] == "--phase"
    listed = cli.json("list", "--phase", "preparation")["procedures"]
    assert [p["procedure"] for p in listed] == ["dongen"]
    assert cli.json("list", "--phase", "closed")["procedures"] == []
    assert cli.json("session", "attend", "dongen", "999", "x@y.example", expect=3)["codes"] == [
        "phase.action_not_allowed"
    ]
    assert cli.json("cancel", "dongen", expect=2)["error"] == "invalid_input"
    assert cli.json(
        "init", "--org", "Gemeente Dongen", "--body", "B&W", "--period", "2020-2021", expect=3
    )["codes"] == ["procedure.overlapping_period"]


def test_a_conflict_exits_with_code_5_and_says_to_try_again(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change that lost to a concurrent one is reported as such, never as a crash."""
    from states.errors import Conflict
    from workflow.commands import procedures

    def lost(*args: object, **kwargs: object) -> None:
        raise Conflict()

    cli.json(
        "init", "--org", "Gemeente Breda", "--body", "B&W", "--period", "2020-2022", "--id", "breda"
    )
    monkeypatch.setattr(procedures, "advance", lost)
    refused = cli.json("advance", "breda", expect=5)
    assert refused["error"] == "conflict" and "Probeer het opnieuw" in refused["message"]
    assert "Try again" in cli.run("advance", "breda", "--lang", "en", expect=5).stderr


def test_an_expert_address_can_be_listed_only_once(cli: Cli) -> None:
    """A duplicate e-mail address, in any letter case, is refused with exit code 2."""
    cli.json(
        "init", "--org", "Waterschap Aa", "--body", "DB", "--period", "2020-2021", "--id", "aa"
    )
    cli.json(
        "expert",
        "add",
        "aa",
        "--name",
        "A",
        "--email",
        "a@x.example",
        "--perspective",
        "intern",
        "--profile",
        "beleid",
    )
    refused = cli.json(
        "expert",
        "add",
        "aa",
        "--name",
        "A2",
        "--email",
        "A@X.example",
        "--perspective",
        "external",
        "--profile",
        "historicus",
        expect=2,
    )
    assert refused["field"] == "--email"
    assert cli.json("status", "aa")["counts"]["experts"] == 1


def test_refusals_are_available_in_english(cli: Cli) -> None:
    """--lang en gives the refusal and its figures in English."""
    cli.json(
        "init",
        "--org",
        "Gemeente Eindhoven",
        "--body",
        "B&W",
        "--period",
        "2021-2021",
        "--id",
        "ehv",
    )
    cli.json("advance", "ehv")
    refused = cli.json("advance", "ehv", "--lang", "en", expect=3)
    assert refused["blockers"][0]["figures"].startswith("0 of 3 required roles filled")
    human = cli.run("advance", "ehv", "--lang", "en", expect=3)
    assert "required roles" in human.stderr


def test_a_tampered_audit_trail_fails_verification_naming_the_record(
    cli: Cli, database_url: str
) -> None:
    """After an edit in the database, `audit --verify` exits 6 and names the sequence number."""
    from sqlalchemy import create_engine, text

    from workflow.db.engine import normalise_url

    cli.json(
        "init",
        "--org",
        "Provincie Gelderland",
        "--body",
        "GS",
        "--period",
        "2019-2020",
        "--id",
        "gld",
    )
    cli.json("advance", "gld")
    cli.json(
        "member", "add", "gld", "--name", "X", "--email", "x@g.example", "--role", "archivaris"
    )
    engine = create_engine(normalise_url(database_url))
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE audit_records SET reason = 'verzonnen' "
                "WHERE procedure_id = 'gld' AND seq = 2"
            )
        )
    engine.dispose()
    result = cli.json("audit", "gld", "--verify", expect=6)
    assert result["verification"]["first_bad_seq"] == 2
    assert "volgnummer 2" in cli.run("audit", "gld", "--verify", expect=6).stdout


def test_audit_exports_as_csv_and_json(cli: Cli) -> None:
    """The export formats hold every record of the trail."""
    cli.json(
        "init", "--org", "Provincie Utrecht", "--body", "GS", "--period", "2013-2014", "--id", "utr"
    )
    cli.json("cancel", "utr", "--reason", "Dubbel aangemaakt")
    rows = cli.run("audit", "utr", "--format", "csv").stdout.strip().splitlines()
    assert rows[0].startswith("seq,recorded_at,actor,action") and len(rows) == 3
    records = json.loads(cli.run("audit", "utr", "--format", "json").stdout)["records"]
    assert [r["action"] for r in records] == ["procedure.init", "phase.cancel"]
    assert records[1]["reason"] == "Dubbel aangemaakt"


def test_an_organisation_file_changes_the_thresholds(cli: Cli, tmp_path: Path) -> None:
    """--config merges an organisation's TOML; a typo in it is refused with the key named."""
    own = tmp_path / "org.toml"
    own.write_text("[panel]\nmin_accepted = 9\n", encoding="utf-8")
    cli.json(
        "init",
        "--org",
        "Gemeente Zwolle",
        "--body",
        "B&W",
        "--period",
        "2018-2019",
        "--id",
        "zwolle",
        "--config",
        str(own),
    )
    typo = tmp_path / "typo.toml"
    typo.write_text("[panel]\nmin_acepted = 9\n", encoding="utf-8")
    refused = cli.json(
        "init",
        "--org",
        "Gemeente Kampen",
        "--body",
        "B&W",
        "--period",
        "2018-2019",
        "--config",
        str(typo),
        expect=2,
    )
    assert "panel.min_acepted" in refused["message"]
    with_config = cli.run("audit", "zwolle", "--format", "json").stdout
    assert json.loads(with_config)["records"][0]["data"]["config"]["panel"]["min_accepted"] == 9


def test_the_wheel_carries_config_and_templates_and_finds_them(tmp_path: Path) -> None:
    """A built wheel holds config/ and templates/, and the installed code finds them there."""
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(out.glob("hotspot_monitor-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "workflow/_bundled/config/default.toml" in names
    assert "workflow/_bundled/templates/README.md" in names
    # The web app's pages and stylesheet travel with the wheel too.
    assert "workflow/_bundled/templates/web/_layout.html" in names
    assert "workflow/web/static/app.css" in names
    assert any(n.startswith("workflow/db/migrations/versions/") for n in names)
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import workflow.resources as r; print(r.config_dir()); print(r.templates_dir())",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(unpacked)},
        capture_output=True,
        text=True,
        check=True,
    )
    config_dir, templates_dir = probe.stdout.split()
    assert config_dir == str(unpacked / "workflow" / "_bundled" / "config")
    assert templates_dir == str(unpacked / "workflow" / "_bundled" / "templates")


def test_the_console_script_is_installed() -> None:
    """`hotspot --help` works from the virtualenv's bin folder."""
    script = Path(sys.executable).parent / "hotspot"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "advance" in done.stdout and "demo" in done.stdout


def test_the_outbox_is_readable_and_sendable_from_the_command_line(
    cli: Cli, tmp_path: Path
) -> None:
    """`mail list` shows what waits, `mail send` delivers it to files, a bad --now is refused."""
    cli.json(
        "init",
        "--org",
        "Waterschap Vechtstromen",
        "--body",
        "Dagelijks bestuur",
        "--period",
        "2017-2023",
        "--id",
        "ws",
    )
    cli.json("advance", "ws")
    for name, role in (
        ("Sanne", "procesbegeleider"),
        ("Bert", "informatiebeheerder"),
        ("Carla", "archivaris"),
    ):
        cli.json(
            "member", "add", "ws", "--name", name, "--email", f"{name}@ws.example", "--role", role
        )
    cli.json("advance", "ws")
    waiting = cli.run("mail", "list", "ws").stdout
    assert "phase_changed" in waiting and "Carla <Carla@ws.example>" in waiting
    assert "wacht" in waiting
    bad = cli.run("mail", "send", "--now", "gisteren", expect=2)
    assert "--now" in bad.stderr
    sent = cli.run("mail", "send").stdout
    assert "Verstuurd" in sent and ": 3;" in sent
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 3
    assert "Geen berichten." in cli.run("mail", "list", "--failed").stdout
