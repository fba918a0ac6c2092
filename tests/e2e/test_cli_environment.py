"""When the machine or a file is at fault: a clear message, exit 2 or 7, JSON, nothing written.

Each case runs a real `hotspot` process against a real SQLite file. Root may write anywhere,
so when the tests run as root the process for a read-only file or folder runs without the
capabilities that override file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): the modes then
hold for it as for any user. A full disk is a file size limit (RLIMIT_FSIZE, with SIGXFSZ
ignored, so the write fails as on a full disk instead of killing the process).
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from workflow.cli.main import main

HOTSPOT = str(Path(sys.executable).with_name("hotspot"))
P = "gemeente-dongen-2017-2023"
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def modes_hold() -> None:
    """In the child, before it runs `hotspot`: file modes bind root too (as they bind users)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.fixture
def place(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    # Writable again, so pytest can clean up.
    for path in (tmp_path, *tmp_path.rglob("*")):
        if path.is_dir():
            path.chmod(0o755)


def run(
    place: Path,
    *args: str,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    full = {
        **os.environ,
        "HOTSPOT_DATABASE_URL": f"sqlite:///{place / 'db' / 'hotspot.db'}",
        "HOTSPOT_ACTOR": "sanne",
        "HOTSPOT_MAIL_DIR": str(place / "mail"),
        "HOME": str(place),
        **(env or {}),
    }
    full.pop("HOTSPOT_LANG", None)
    return subprocess.run(
        [HOTSPOT, *args],
        cwd=place,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec,
    )


def answer(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The one JSON object on stdout; the process must not have shown a traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    (line,) = done.stdout.strip().splitlines()
    result: dict[str, Any] = json.loads(line)
    return result


def words(text: str) -> str:
    """Terminal output as one line: rich wraps long messages at the terminal's width."""
    return " ".join(text.split())


def opened(place: Path) -> Path:
    """A procedure made the ordinary way; the database file's path."""
    done = run(place, "init", "--org", "Gemeente Dongen", "--body", "B&W", "--period", "2017-2023")
    assert done.returncode == 0, done.stderr
    return place / "db" / "hotspot.db"


def stored(database: Path) -> tuple[int, int, int]:
    """What a change would add to: audit records, members, experts (read directly)."""
    # Closed at once: an open connection would keep SQLite's journal files for the next process.
    with closing(sqlite3.connect(database)) as connection:
        return tuple(  # type: ignore[return-value]
            connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("audit_records", "members", "experts")
        )


def test_a_read_only_database_file_is_an_environment_problem(place: Path) -> None:
    """chmod 0444: exit 7, the file named, in JSON and in words; the database unchanged."""
    database = opened(place)
    before = stored(database)
    database.chmod(0o444)
    database.parent.chmod(0o755)

    result = answer(run(place, "advance", P, "--json", preexec=modes_hold))
    human = run(place, "advance", P, preexec=modes_hold)

    assert result["error"] == "environment" and result["subject"] == str(database)
    assert "alleen-lezen" in result["message"]
    assert human.returncode == 7 and "Traceback" not in human.stderr
    assert str(database) in words(human.stderr).replace(" ", "")
    database.chmod(0o600)
    assert stored(database) == before


def test_a_read_only_database_folder_is_an_environment_problem(place: Path) -> None:
    """The file may be written but its folder not (SQLite's journal lives there): exit 7."""
    database = opened(place)
    before = stored(database)
    database.chmod(0o666)
    database.parent.chmod(0o555)

    done = run(place, "advance", P, "--json", "--lang", "en", preexec=modes_hold)

    assert done.returncode == 7
    result = answer(done)
    assert result["error"] == "environment" and result["subject"] == str(database)
    assert "read-only" in result["message"]
    database.parent.chmod(0o755)
    assert stored(database) == before


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        # As on a full disk: the write fails (EFBIG) rather than the process being killed.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_is_an_environment_problem_and_nothing_is_written(place: Path) -> None:
    """No room for the journal: exit 7 naming the database, and the member is not there."""
    database = opened(place)
    before = stored(database)
    assert run(place, "advance", P).returncode == 0
    after_advance = stored(database)
    assert after_advance[0] == before[0] + 1

    done = run(
        place,
        "member",
        "add",
        P,
        "--name",
        "Sanne",
        "--email",
        "sanne@dongen.example",
        "--role",
        "procesbegeleider",
        "--json",
        preexec=_file_size_limit(4096),
    )

    assert done.returncode == 7
    result = answer(done)
    assert result["error"] == "environment" and result["subject"] == str(database)
    assert "schijf" in result["message"] and "niets opgeslagen" in result["message"]
    assert stored(database) == after_advance


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'[planning]\nnote = "caf\xe9"\n', "geen UTF-8-tekst"),
        (b"x = " + b"[" * 20_000 + b"]" * 20_000 + b"\n", "te diep genest"),
    ],
    ids=["not-utf8", "deeply-nested"],
)
def test_an_unusable_config_file_is_invalid_input(place: Path, content: bytes, words: str) -> None:
    """Not UTF-8, or nested thousands deep: exit 2 naming --config and the file."""
    config = place / "organisatie.toml"
    config.write_bytes(content)
    args = ("init", "--org", "Gemeente Oss", "--body", "B&W", "--period", "2017-2023")

    done = run(place, *args, "--config", str(config), "--json")

    assert done.returncode == 2
    result = answer(done)
    assert result["field"] == "--config" and str(config) in result["message"]
    assert words in result["message"]
    assert stored(place / "db" / "hotspot.db") == (0, 0, 0)


def test_a_config_that_is_a_folder_is_invalid_input(place: Path) -> None:
    """A folder given as --config: exit 2, and without --json one line, no traceback."""
    folder = place / "config.d"
    folder.mkdir()
    args = ("init", "--org", "Gemeente Oss", "--body", "B&W", "--period", "2017-2023")

    done = run(place, *args, "--config", str(folder))

    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "is een map" in words(done.stderr)
    assert str(folder) in words(done.stderr).replace(" ", "")
    assert answer(run(place, *args, "--config", str(folder), "--json"))["field"] == "--config"


def test_a_csv_field_beyond_the_csv_limit_is_invalid_input(place: Path) -> None:
    """A cell of 200,000 characters: exit 2 naming the file and its line; nobody imported."""
    database = opened(place)
    assert run(place, "advance", P).returncode == 0
    assert run(place, "advance", P).returncode == 3  # the workgroup is empty: still there
    huge = place / "experts.csv"
    huge.write_text(
        "name,email,perspective,profile\n" + "Anna," + "x" * 200_000 + ",internal,beleid\n",
        encoding="utf-8",
    )
    before = stored(database)

    done = run(place, "expert", "import", P, str(huge), "--json")

    assert done.returncode == 2
    result = answer(done)
    assert result["field"] == "FILE"
    assert str(huge) in result["message"] and "regel 2" in result["message"]
    assert "131.072" in result["message"]
    assert stored(database) == before


def test_a_huge_link_validity_is_invalid_input_naming_the_setting(place: Path) -> None:
    """HOTSPOT_LINK_VALID_DAYS that runs off the calendar: exit 2 before anything is done."""
    database = opened(place)
    before = stored(database)
    env = {"HOTSPOT_LINK_VALID_DAYS": str(10**12)}

    done = run(place, "advance", P, "--json", env=env)

    assert done.returncode == 2
    result = answer(done)
    assert result["field"] == "HOTSPOT_LINK_VALID_DAYS" and "3650" in result["message"]
    assert stored(database) == before


def test_an_unforeseen_error_is_short_and_the_traceback_is_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug exits 1 with one line naming it; HOTSPOT_LOG_LEVEL=DEBUG adds the traceback."""
    from workflow.commands import procedures

    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setenv("HOTSPOT_DATABASE_URL", f"sqlite:///{tmp_path / 'h.db'}")
    monkeypatch.setattr(procedures, "list_procedures", broken)
    for level, traceback_shown in (("WARNING", False), ("DEBUG", True)):
        monkeypatch.setenv("HOTSPOT_LOG_LEVEL", level)
        with pytest.raises(SystemExit) as stop:
            main(["list", "--json"])
        out, err = capsys.readouterr()
        assert stop.value.code == 1
        result = json.loads(out)
        assert result["error"] == "internal" and "ZeroDivisionError: a bug" in result["message"]
        assert ("Traceback" in err) is traceback_shown


def test_an_unforeseen_database_error_shows_no_statement_and_no_personal_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The log line and the message name the error class and the driver's first line only.

    Before, `command.failed` logged the whole statement with its parameters (the name and
    address being written) and the JSON message repeated the statement.
    """
    from sqlalchemy import text

    from workflow import dispatch
    from workflow.commands import base

    monkeypatch.setenv("HOTSPOT_DATABASE_URL", f"sqlite:///{tmp_path / 'h.db'}")
    monkeypatch.setenv("HOTSPOT_ACTOR", "sanne")
    monkeypatch.setenv("HOTSPOT_LOG_LEVEL", "INFO")
    with pytest.raises(SystemExit):
        main(["init", "--org", "Gemeente Dongen", "--body", "B&W", "--period", "2017-2023"])
    with pytest.raises(SystemExit):
        main(["advance", P])
    capsys.readouterr()

    def broken(change: base.Change) -> None:
        # A statement that fails in the driver, with the member's address as its parameter.
        change.connection.execute(
            text("SELECT 1 FROM no_such_table WHERE email = :email"),
            {"email": change.data["email"]},
        )

    # Handling the events runs after the body, inside the transaction, as the mail did.
    monkeypatch.setattr(dispatch, "dispatch", broken)
    args = ["member", "add", P, "--name", "Sanne Geheim", "--email", "sanne@dongen.example"]
    with pytest.raises(SystemExit) as stop:
        main([*args, "--role", "procesbegeleider", "--json"])
    out, err = capsys.readouterr()

    assert stop.value.code == 1
    assert "command.failed" in err and "no such table: no_such_table" in err
    assert json.loads(out)["message"].startswith("interne fout (OperationalError: no such table")
    for leak in ("sanne@dongen.example", "Sanne Geheim", "SELECT", "INSERT", "[parameters"):
        assert leak not in out and leak not in err, leak


def test_a_read_only_folder_still_lets_you_read(place: Path) -> None:
    """`list` and `status` work where nothing may be written; a change is exit 7, unchanged.

    Before, even `list` failed with "read-only ... nothing was saved": SQLite needs its -shm
    file beside a WAL database to read, and may not make it in a read-only folder.
    """
    database = opened(place)
    before = stored(database)
    database.parent.chmod(0o555)
    assert not database.with_name(database.name + "-shm").exists()

    listed = run(place, "list", "--json", preexec=modes_hold)
    status = run(place, "status", P, "--json", preexec=modes_hold)
    advance = run(place, "advance", P, "--json", preexec=modes_hold)

    assert listed.returncode == 0 and [p["procedure"] for p in answer(listed)["procedures"]] == [P]
    assert status.returncode == 0 and answer(status)["phase"] == "preparation"
    assert advance.returncode == 7 and "alleen-lezen" in answer(advance)["message"]
    database.parent.chmod(0o755)
    assert stored(database) == before


def test_a_database_locked_by_another_program_is_an_environment_problem(
    place: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lock held past the busy timeout: exit 7 saying the database is busy, for a read (the
    schema check every command starts with) and for a change. Before: exit 1, a "bug"."""
    from workflow.db import engine

    database = opened(place)
    monkeypatch.setenv("HOTSPOT_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_SECONDS", 1)
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        # As a sqlite3 shell that keeps a write open: nobody else may even read meanwhile.
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("UPDATE procedures SET version = version")
        for args in (["list", "--json"], ["advance", P, "--json"]):
            with pytest.raises(SystemExit) as stop:
                main(args)
            result = json.loads(capsys.readouterr().out)
            assert stop.value.code == 7, result
            assert result["error"] == "environment" and result["subject"] == str(database)
            assert "bezet" in result["message"]
    finally:
        holder.close()


def _postgres(url: str, **parts: Any) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(**parts).render_as_string(hide_password=False)


@pytest.mark.postgres
def test_a_missing_postgres_database_or_role_is_named_as_such(
    place: Path, postgres_url: str
) -> None:
    """The server answered, so it is not "unreachable": the database or the user is wrong."""
    cases = [
        (_postgres(postgres_url, database="bestaat_niet_hotspot"), "bestaat daar niet"),
        (_postgres(postgres_url, username="geen_rol_hotspot"), "kent deze gebruiker"),
        (_postgres(postgres_url, port=1), "niet bereikbaar"),
        (_postgres(postgres_url, host="geen-server.invalid"), "naam van de databaseserver"),
    ]
    for url, words in cases:
        done = run(place, "list", "--json", env={"HOTSPOT_DATABASE_URL": url})
        assert done.returncode == 7, (url, done.stdout, done.stderr)
        assert words in answer(done)["message"], url


@pytest.mark.parametrize(
    ("url", "code", "words"),
    [
        ("garbage", 2, "geen database-URL"),
        ("mysql://x@127.0.0.1/x", 2, "niet ondersteund"),
        ("sqlite://", 2, "in het geheugen"),
        ("sqlite:////proc/hotspot.db", 7, "bestaat niet"),
        ("sqlite:///{place}/file/hotspot.db", 7, "geen map"),
    ],
)
def test_an_unusable_database_setting_is_named(
    place: Path, url: str, code: int, words: str
) -> None:
    """A URL the program cannot use is exit 2 naming the setting; a SQLite path that cannot be
    made (a file where a folder should be) is exit 7 naming it. Before: exit 1, "a bug"."""
    (place / "file").write_text("not a folder")
    done = run(place, "list", "--json", env={"HOTSPOT_DATABASE_URL": url.format(place=place)})
    assert done.returncode == code, (done.stdout, done.stderr)
    result = answer(done)
    assert words in result["message"]
    if code == 2:
        assert result["field"] == "HOTSPOT_DATABASE_URL"


def _memory_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def test_an_expert_file_over_the_limit_is_invalid_input_and_read_in_pieces(place: Path) -> None:
    """Larger than `[web] max_upload_bytes`: exit 2 naming the file, nobody imported.

    /dev/zero never ends: it is read only up to the limit (the process may not even hold 1.5
    GB, so reading it whole, as before, would fail here rather than fill the machine).
    """
    database = opened(place)
    assert run(place, "advance", P).returncode == 0
    big = place / "experts.csv"
    big.write_text("name,email,perspective,profile\n" + "x" * 5000 + "\n", encoding="utf-8")
    before = stored(database)

    small_limit = run(
        place,
        "expert",
        "import",
        P,
        str(big),
        "--json",
        env={"HOTSPOT_WEB_MAX_UPLOAD_BYTES": "4096"},
    )
    endless = run(
        place, "expert", "import", P, "/dev/zero", "--json", preexec=_memory_limit(1536 * 2**20)
    )

    assert small_limit.returncode == 2
    result = answer(small_limit)
    assert result["field"] == "FILE" and str(big) in result["message"]
    assert "4.096 bytes" in result["message"]
    assert endless.returncode == 2 and "/dev/zero" in answer(endless)["message"]
    assert stored(database) == before
