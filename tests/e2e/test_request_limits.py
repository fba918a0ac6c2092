"""Request bodies are limited before they are read: 413 at once, the server's memory flat."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests import support
from tests.e2e.served import CSRF, Served, served
from tests.web_support import FACILITATOR, PASSWORD
from workflow import users
from workflow.app import bootstrap
from workflow.settings import Settings

HUGE = 500 * 1024 * 1024
CHUNK = b"x" * 65536


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'limits.db'}"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    """A live server with a facilitator account and one procedure (its id beside it)."""
    url = _sqlite(tmp_path)
    app = bootstrap(Settings(url, "nl", None))
    try:
        users.add_user(app, username=FACILITATOR, name="Sanne", password=PASSWORD)
        pid = support.open_procedure(app)
    finally:
        app.dispose()
    with served(url, tmp_path) as live:
        yield live, pid


def _post_stream(
    base: str, path: str, content_type: str, *, declare: bool, cookie: str = ""
) -> tuple[bytes, int]:
    """POST a 500 MB body without holding it: declared up front or chunked, sent piece by piece
    until the server answers. The answer's bytes and how much was sent by then."""
    where = urlsplit(base)
    connection = socket.create_connection((where.hostname, where.port), timeout=30)
    framing = f"Content-Length: {HUGE}" if declare else "Transfer-Encoding: chunked"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {where.netloc}\r\nContent-Type: {content_type}\r\n"
        f"{framing}\r\n{cookie}\r\n"
    )
    connection.sendall(head.encode())
    piece = CHUNK if declare else b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK)
    sent, answer = 0, b""
    try:
        while sent < HUGE:
            readable, _, _ = select.select([connection], [], [], 0 if sent else 0.5)
            if readable:
                break
            connection.sendall(piece)
            sent += len(CHUNK)
    except OSError:
        pass  # the server closed the connection on us: its answer is waiting to be read
    try:
        while chunk := connection.recv(65536):
            answer += chunk
    except OSError:
        pass
    connection.close()
    return answer, sent


def test_a_500_mb_body_gets_413_before_it_is_read_and_memory_stays_flat(
    server: tuple[Served, str],
) -> None:
    """Declared or chunked, to the API or a page: 413 (JSON or Dutch), RSS within a few MB."""
    live, _ = server
    with httpx.Client(base_url=live.base) as client:
        # The visitor's signed cookie first, so the page case carries what a real login form
        # sends (the CSRF double submit), not only a bare request.
        login = client.get("/login")
        token = CSRF.search(login.text)
        assert token
        cookie = f"Cookie: hotspot_visit={client.cookies['hotspot_visit']}\r\n"
    before = live.rss_kib()
    cases = [
        ("/api/session", "application/json", True),
        ("/api/session", "application/json", False),
        ("/login", "application/x-www-form-urlencoded", True),
        ("/login", "application/x-www-form-urlencoded", False),
    ]
    for path, kind, declare in cases:
        answer, sent = _post_stream(live.base, path, kind, declare=declare, cookie=cookie)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413"), (path, declare, answer[:300])
        # Cut off long before the 500 MB: at most what the socket buffers held meanwhile.
        assert sent < 64 * 1024 * 1024, (path, declare, sent)
        if path.startswith("/api"):
            assert b'"error":"too_large"' in body and b"64 KiB" in body
        else:
            assert b"Verzoek te groot" in body and b"64 KiB" in body
    grown = live.rss_kib() - before
    assert grown < 8 * 1024, f"the server grew by {grown} KiB"


def test_bodies_within_the_limit_pass_and_the_csv_upload_has_its_own_limit(
    server: tuple[Served, str],
) -> None:
    """A normal login works; 100 KB of JSON is refused; the CSV route takes 900 KB, not 1.5 MB."""
    live, pid = server
    with httpx.Client(base_url=live.base) as client:
        page = client.get("/login")
        token = CSRF.search(page.text)
        assert token
        ok = client.post(
            "/login",
            data={"csrf_token": token.group(1), "username": FACILITATOR, "password": PASSWORD},
        )
        assert ok.status_code == 303
        too_long = client.post("/api/session", content=b'{"username":"' + b"a" * 100_000 + b'"}')
        assert too_long.status_code == 413 and too_long.json()["error"] == "too_large"
        procedure = client.get(f"/procedures/{pid}")
        token = CSRF.search(procedure.text)
        assert token
        path = f"/procedures/{pid}/experts/import"

        def upload(size: int) -> httpx.Response:
            content = b"name,email,perspective,profile\n" + b"#" * size
            return client.post(
                path,
                data={"csrf_token": token.group(1)},
                files={"file": ("experts.csv", content, "text/csv")},
            )

        accepted = upload(900_000)
        # Read in full and judged by the import (its content is not a valid CSV): not 413.
        assert accepted.status_code == 303
        refused = upload(1_500_000)
        assert refused.status_code == 413
        assert "Verzoek te groot" in refused.text and "1 MB" in refused.text
