"""`hotspot serve` and `hotspot demo --web` as real processes: they serve, and stop on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests import support
from tests.smtp_server import free_port
from workflow.app import bootstrap
from workflow.commands import procedures
from workflow.settings import Settings


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "120", **extra}
    for name in ("HOTSPOT_LANG", "HOTSPOT_NOW"):
        env.pop(name, None)
    env.setdefault("HOTSPOT_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    return env


def _wait_for(url: str, process: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=40)
    return process.returncode, out


def _hotspot(*args: str) -> list[str]:
    return [sys.executable, "-m", "workflow.cli.main", *args]


def _queue_phase_change_mail(database_url: str) -> None:
    """A procedure that has just entered the workgroup phase: its notices wait in the outbox."""
    app = bootstrap(Settings(database_url, "nl", None))
    try:
        pid = support.open_procedure(app)
        support.fill_workgroup(app, pid)
        procedures.advance(app, pid, actor=support.ACTOR)
    finally:
        app.dispose()


def test_serve_answers_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """`hotspot serve` answers, its in-process worker sends the outbox, SIGTERM exits 0."""
    mail = tmp_path / "mail"
    env = _env(tmp_path, HOTSPOT_MAIL_DIR=str(mail), HOTSPOT_LOG_LEVEL="INFO")
    _queue_phase_change_mail(env["HOTSPOT_DATABASE_URL"])
    port = free_port()
    process = subprocess.Popen(
        _hotspot("serve", "--port", str(port)),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/health", process)
        login = httpx.get(f"http://127.0.0.1:{port}/login")
        assert login.status_code == 200 and "csrf_token" in login.text
        assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
        deadline = time.monotonic() + 30
        while not list(mail.rglob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(list(mail.rglob("*.eml"))) == 4  # the phase notice to each member
    finally:
        code, out = _stop(process)
    assert code == 0, out
    assert "worker.started" in out and "worker.stopped" in out


def test_demo_web_prints_the_login_and_serves_a_procedure_in_the_sessions_phase(
    tmp_path: Path,
) -> None:
    """`make run`'s command: the demo stops at the sessions, and its printed login works."""
    port = free_port()
    env = _env(tmp_path)
    env.pop("HOTSPOT_DATABASE_URL")
    process = subprocess.Popen(
        _hotspot("demo", "--web", "--port", str(port)),
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/health", process)
        with httpx.Client(base_url=base) as web:
            page = web.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            # The password is printed before the server starts; read what has been printed.
            printed, password = _printed_password(process)
            done = web.post(
                "/login",
                data={
                    "csrf_token": token.group(1),
                    "username": "procesbegeleider",
                    "password": password,
                    "next": "/procedures",
                },
            )
            assert done.status_code == 303
            dashboard = web.get("/procedures")
            assert dashboard.status_code == 200
            assert "provincie-overijssel-2017-2023" in dashboard.text
            mailbox = web.get("/mail")
            assert mailbox.status_code == 200 and "Uitnodiging" in mailbox.text
    finally:
        code, out = _stop(process)
    assert code == 0, out
    assert f"{base}/" in printed and "procesbegeleider" in printed


def _printed_password(process: subprocess.Popen[str]) -> tuple[str, str]:
    """The demo's output up to its password line, and the password (the process runs on)."""
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if "Wachtwoord:" in line:
            return "".join(lines), line.split("Wachtwoord:", 1)[1].strip()
    raise AssertionError("the demo printed no password")


def test_user_add_creates_an_account_once_and_refuses_a_second(tmp_path: Path) -> None:
    """`hotspot user add` makes the account; the same name again is refused with exit 2."""
    env = _env(tmp_path, HOTSPOT_PASSWORD="een-lang-wachtwoord")

    def add() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            _hotspot("user", "add", "anna", "--name", "Anna de Boer"),
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    first = add()
    assert first.returncode == 0, first.stderr
    assert "anna" in first.stdout
    second = add()
    assert second.returncode == 2
    assert "bestaat al" in second.stderr
