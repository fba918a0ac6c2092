"""`hotspot serve` as a separate process for the security tests: its URL, its pid, its log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.smtp_server import free_port
from workflow.keys import absolute, key_file_for

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Served:
    base: str
    pid: int
    log: Path
    # The key file the server reads: the one the test's own App (same database) uses.
    key_file: Path

    def rss_kib(self) -> int:
        """The server's resident memory now, from /proc (Linux)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS in /proc status")


def server_env(database_url: str, key_file: Path, **extra: str) -> dict[str, str]:
    """The server's environment: this database, and the key file the test's App uses (the
    server runs in another folder, where the default `var/hotspot.key` is another file)."""
    env = {**os.environ, "HOTSPOT_DATABASE_URL": database_url, "HOTSPOT_KEY_FILE": str(key_file)}
    for name in ("HOTSPOT_LANG", "HOTSPOT_NOW", "HOTSPOT_BASE_URL", "HOTSPOT_SECRET_KEY"):
        env.pop(name, None)
    env.update(extra)
    return env


@contextmanager
def served(database_url: str, folder: Path, **extra_env: str) -> Iterator[Served]:
    """`hotspot serve --no-worker` on a free port until the block ends; SIGTERM then."""
    port = free_port()
    key_file = absolute(key_file_for(database_url, os.environ))
    env = server_env(database_url, key_file, **extra_env)
    log = folder / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workflow.cli.main",
                "serve",
                "--no-worker",
                "--port",
                str(port),
            ],
            env=env,
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield Served(base, process.pid, log, key_file)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def api_login(client: httpx.Client, username: str, password: str) -> str:
    """Log in through the API; the CSRF token for the writes that follow."""
    answer = client.post("/api/session", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["csrf_token"])


def form_login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    """Log in through the form, as a browser does."""
    token = CSRF.search(client.get("/login").text)
    assert token, "the login page has no CSRF token"
    return client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": username, "password": password},
    )
