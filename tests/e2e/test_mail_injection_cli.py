"""`hotspot member add --name` with RFC 2047 encoded words, as separate processes: the `.eml`
the file transport writes and the bytes a real SMTP server receives carry no injected line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import Cli
from tests.smtp_server import SmtpTestServer
from tests.unit.test_mail_headers import EXPECTED, INJECTION, decoded, display_name, fields

ORGANISATION = f"Gemeente {INJECTION}"


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    """A real SMTP server on a free local port."""
    server = SmtpTestServer().start()
    yield server
    server.stop()


def workgroup_with_the_payload(database_url: str, tmp_path: Path, **env: str) -> Cli:
    """A procedure whose organisation and procesbegeleider carry the payload; the step to the
    planning mails the workgroup. The member is added by a real `hotspot` process."""
    quick = Cli(database_url, tmp_path, separate_process=False)
    process = Cli(database_url, tmp_path, separate_process=True)
    for cli in (quick, process):
        cli.env.update(env)
    quick.json(
        "init", "--org", ORGANISATION, "--body", "B&W", "--period", "2017-2023", "--id", "inj"
    )
    quick.json("advance", "inj")
    process.json(
        "member",
        "add",
        "inj",
        "--name",
        INJECTION,
        "--email",
        "jan@example.org",
        "--role",
        "procesbegeleider",
    )
    for name, role in (("Bert", "informatiebeheerder"), ("Carla", "archivaris")):
        quick.json(
            "member", "add", "inj", "--name", name, "--email", f"{name}@ov.example", "--role", role
        )
    quick.json("advance", "inj")
    return process


def check(raw: bytes) -> None:
    found = fields(raw)
    assert list(found) == EXPECTED
    assert b"\nReply-To:" not in raw and b"\nBcc:" not in raw
    assert display_name(found["To"]) == INJECTION
    assert ORGANISATION in decoded(found["Subject"])
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert body.startswith(b"--=_hotspot_") and b"Content-Type: text/plain" in body


def test_the_file_transport_writes_no_injected_header(database_url: str, tmp_path: Path) -> None:
    """`hotspot mail send` (file transport) writes the member's mail with the fixed headers."""
    cli = workgroup_with_the_payload(database_url, tmp_path)

    assert cli.json("mail", "send")["sent"] == 3

    written = [p.read_bytes() for p in (tmp_path / "mail").glob("*.eml")]
    [mine] = [raw for raw in written if fields(raw)["To"].endswith("<jan@example.org>")]
    check(mine)


def test_a_real_smtp_server_receives_no_injected_header(
    database_url: str, tmp_path: Path, smtp_server: SmtpTestServer
) -> None:
    """`hotspot mail send` over SMTP: the server sees one recipient and the fixed headers."""
    smtp = {
        "HOTSPOT_MAIL_TRANSPORT": "smtp",
        "HOTSPOT_SMTP_HOST": smtp_server.host,
        "HOTSPOT_SMTP_PORT": str(smtp_server.port),
        "HOTSPOT_SMTP_TLS": "none",
    }
    cli = workgroup_with_the_payload(database_url, tmp_path, **smtp)

    assert cli.json("mail", "send")["sent"] == 3

    assert not any("evil" in address for address in smtp_server.rcpt_attempts)
    [mine] = [r for r in smtp_server.received if r.rcpt_tos == ("jan@example.org",)]
    check(mine.raw)
