"""The local mailbox: the facilitator reads the mails the file transport wrote, and nothing else."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from notifications.sender import send_due_blocking
from notifications.settings import MailSettings
from states.phases import Phase
from tests import support
from tests.support import EXTERNAL
from tests.web_support import FACILITATOR, PASSWORD, ensure_user, session_csrf
from workflow.app import App
from workflow.commands import people
from workflow.web import create_app


def mailbox_client(app: App, mail_dir: Path | None, *, log_in: bool = True) -> TestClient:
    """A client of the app in local mode (or SMTP mode without a folder)."""
    web = TestClient(create_app(app, mail_dir=mail_dir), follow_redirects=False)
    if log_in:
        ensure_user(app)
        answer = web.post(
            "/login",
            data={
                "csrf_token": session_csrf(web),
                "username": FACILITATOR,
                "password": PASSWORD,
                "next": "/mail",
            },
        )
        assert answer.status_code == 303
    return web


def written_invitation(app: App, folder: Path) -> Path:
    """One expert invitation, rendered and written by the real file transport."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.EXPERT_SELECTION)
    support.recruit(app, pid)
    people.invite(app, pid, [EXTERNAL[0][1]], actor=support.ACTOR)
    # The phase changes before it mailed the workgroup too; the invitation is the one to Hanna.
    assert send_due_blocking(app, MailSettings(transport="file", out_dir=folder)).sent > 1
    (path,) = [p for p in folder.glob("*.eml") if EXTERNAL[0][1] in p.read_text()]
    return path


def test_the_mailbox_lists_a_written_mail_and_shows_it(app: App, tmp_path: Path) -> None:
    """The list names recipient and subject; the message shows headers and its text part."""
    folder = tmp_path / "mail"
    path = written_invitation(app, folder)
    web = mailbox_client(app, folder)

    listing = web.get("/mail")
    shown = web.get(f"/mail/{path.name}")

    assert listing.status_code == 200
    assert EXTERNAL[0][1] in listing.text and f'href="/mail/{path.name.replace("@", "%40")}"' in (
        listing.text
    )
    assert shown.status_code == 200
    assert '<pre class="mail">' in shown.text and "Hanna Historica" in shown.text
    assert "/expert/" in shown.text  # the personal link, readable by the facilitator only


def test_the_html_part_is_served_under_a_policy_that_forbids_scripts(
    app: App, tmp_path: Path
) -> None:
    """The mail's HTML gets its own CSP: nothing may load or run, and the page is sandboxed."""
    folder = tmp_path / "mail"
    path = written_invitation(app, folder)
    web = mailbox_client(app, folder)

    response = web.get(f"/mail/{path.name}/html")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy
    assert "script-src" not in policy
    assert "Hanna Historica" in response.text


def test_names_outside_the_listing_are_refused(app: App, tmp_path: Path) -> None:
    """A path that climbs out of the folder, or a name not written there, is not found."""
    folder = tmp_path / "mail"
    written_invitation(app, folder)
    (tmp_path / "secret.eml").write_text("Subject: geheim\n\nniet voor de browser\n")
    web = mailbox_client(app, folder)

    for name in ("..%2Fsecret.eml", "%2E%2E%2Fsecret.eml", "secret.eml", "nope.eml"):
        response = web.get(f"/mail/{name}")
        assert response.status_code == 404, name
        assert "niet voor de browser" not in response.text
    assert web.get("/mail/../secret.eml").status_code == 404


def test_without_a_mail_folder_the_mailbox_says_mail_goes_by_smtp(app: App) -> None:
    """In SMTP mode there are no files to read: the page says why, a message is not found."""
    web = mailbox_client(app, None)

    response = web.get("/mail")

    assert response.status_code == 200
    assert "SMTP" in response.text
    assert "Er is geen mislukte mail." in response.text
    assert web.get("/mail/iets.eml").status_code == 404


def test_the_mailbox_is_for_the_facilitator_only(app: App, tmp_path: Path) -> None:
    """Without a facilitator session the mailbox sends the visitor to the login page."""
    folder = tmp_path / "mail"
    path = written_invitation(app, folder)
    web = mailbox_client(app, folder, log_in=False)

    for target in ("/mail", f"/mail/{path.name}", f"/mail/{path.name}/html"):
        response = web.get(target)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
