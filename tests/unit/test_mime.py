"""`build_message`: one outbox row as a MIME message, checked by parsing the bytes back."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP
from typing import Any

import pytest

from notifications import mime
from notifications.mime import build_message

CREATED = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)
CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hotspotmonitor//NL\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:s-1@hotspot-monitor\r\nDTSTAMP:20260302T081500Z\r\n"
    "DTSTART:20260312T183000Z\r\nSUMMARY:Expertbijeenkomst\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def row(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "message_id": "<0f3a9c@overijssel.example>",
        "sender": "hotspotmonitor@overijssel.example",
        "recipient_name": "Jan Jansen",
        "recipient_email": "jan@example.org",
        "language": "nl",
        "subject": "Uitnodiging expertbijeenkomst",
        "body_text": "Beste Jan,\n\nU bent van harte uitgenodigd. Tot ziens in één week!\n",
        "body_html": "<p>Beste Jan,</p><p>U bent van harte uitgenodigd.</p>",
        "calendar": None,
        "calendar_method": None,
        "created_at": CREATED,
    }
    values.update(changes)
    return values


def parsed(message: EmailMessage) -> EmailMessage:
    """The message as a receiver sees it: serialised as for SMTP and parsed again."""
    result = BytesParser(policy=SMTP).parsebytes(message.as_bytes())
    assert isinstance(result, EmailMessage)
    return result


def content_types(message: EmailMessage) -> list[str]:
    return [part.get_content_type() for part in message.walk()]


def body(message: EmailMessage, content_type: str) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == content_type]
    assert isinstance(part, EmailMessage)
    return str(part.get_content()).replace("\r\n", "\n")


def test_headers_come_from_the_row_and_the_sender_name() -> None:
    """From, To, Subject, Date, Message-ID and Auto-Submitted are set from the row."""
    message = parsed(build_message(row(), "Hotspotmonitor Overijssel"))

    assert message["From"] == "Hotspotmonitor Overijssel <hotspotmonitor@overijssel.example>"
    assert message["To"] == "Jan Jansen <jan@example.org>"
    assert message["Subject"] == "Uitnodiging expertbijeenkomst"
    assert message["Message-ID"] == "<0f3a9c@overijssel.example>"
    assert message["Date"].datetime == CREATED
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["MIME-Version"] == "1.0"


def test_the_message_id_is_the_rows_on_every_build() -> None:
    """A retry builds the same Message-ID, so a receiver can drop a duplicate."""
    first = build_message(row(), "Hotspotmonitor")
    second = build_message(row(), "Hotspotmonitor")

    assert first["Message-ID"] == second["Message-ID"] == "<0f3a9c@overijssel.example>"


def test_text_and_html_are_alternatives_in_utf8() -> None:
    """Without an invitation the body is multipart/alternative of text/plain and text/html."""
    message = parsed(build_message(row(), "Hotspotmonitor"))

    assert content_types(message) == ["multipart/alternative", "text/plain", "text/html"]
    assert body(message, "text/plain") == row()["body_text"]
    assert body(message, "text/html") == row()["body_html"]
    assert {p.get_content_charset() for p in message.iter_parts()} == {"utf-8"}


def test_an_invitation_is_a_third_alternative_with_its_method() -> None:
    """The calendar goes inside the alternative as text/calendar; method=REQUEST, in utf-8."""
    message = parsed(build_message(row(calendar=CALENDAR, calendar_method="request"), "H"))

    assert content_types(message) == [
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar = list(message.iter_parts())[2]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get("Content-Disposition") is None
    assert body(message, "text/calendar") == CALENDAR.replace("\r\n", "\n")


@pytest.mark.parametrize("method", ["REQUEST\r\nBcc: evil@example.org", "", "RE QUEST"])
def test_a_calendar_method_that_is_not_a_token_is_refused(method: str) -> None:
    """Only a bare iTIP method can reach the Content-Type header."""
    with pytest.raises(ValueError, match="iTIP method"):
        build_message(row(calendar=CALENDAR, calendar_method=method), "Hotspotmonitor")


def test_cr_lf_in_names_and_subject_cannot_add_a_header() -> None:
    """A name or subject carrying "\\r\\nBcc: ..." stays one line of its own header."""
    evil = "\r\nBcc: evil@example.org"
    message = build_message(
        row(recipient_name=f"Jan{evil}", subject=f"Hallo{evil}\n\tX-Extra: 1"), f"Hotspot{evil}"
    )
    raw = message.as_bytes()
    back = parsed(message)

    assert b"\nBcc:" not in raw
    assert b"\nX-Extra:" not in raw
    assert back["Bcc"] is None
    assert back["Subject"] == "Hallo Bcc: evil@example.org X-Extra: 1"
    [to] = back["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Jan Bcc: evil@example.org", "jan@example.org")
    [sender] = back["From"].addresses
    assert sender.addr_spec == "hotspotmonitor@overijssel.example"


def test_non_ascii_names_and_subjects_are_encoded_and_read_back() -> None:
    """Accents in names and subject survive the trip through RFC 2047 encoded words."""
    message = build_message(
        row(recipient_name="Jörg Müller-Çelik", subject="Uitnodiging — één sessie"), "Hotspöt"
    )
    raw = message.as_bytes()
    back = parsed(message)

    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert b"=?utf-8?" in headers
    assert back["Subject"] == "Uitnodiging — één sessie"
    assert back["To"].addresses[0].display_name == "Jörg Müller-Çelik"
    assert back["From"].addresses[0].display_name == "Hotspöt"


def test_there_is_exactly_one_recipient() -> None:
    """To holds the one address of the row; there is no Cc or Bcc."""
    back = parsed(build_message(row(), "Hotspotmonitor"))

    assert [a.addr_spec for a in back["To"].addresses] == ["jan@example.org"]
    assert back["Cc"] is None
    assert back["Bcc"] is None


@pytest.mark.parametrize(
    "address", ["jan@example.org>, evil@example.org", "jan@example.org\r\nBcc: e@x.org", ""]
)
def test_an_address_that_is_not_exactly_one_mailbox_is_refused(address: str) -> None:
    """The recipient address cannot smuggle in a second recipient or a header."""
    with pytest.raises(Exception):  # noqa: B017 (ValueError or a HeaderParseError, by input)
        build_message(row(recipient_email=address), "Hotspotmonitor")


def test_a_body_containing_the_shared_boundary_gets_its_own() -> None:
    """A body quoting this process's boundary cannot end a part early."""
    sneaky = f"before\n--{mime._BOUNDARY}\nContent-Type: text/html\n\n<script>\nafter\n"
    back = parsed(build_message(row(body_text=sneaky), "Hotspotmonitor"))

    assert content_types(back) == ["multipart/alternative", "text/plain", "text/html"]
    assert back.get_boundary() != mime._BOUNDARY
    assert body(back, "text/plain") == sneaky


def test_a_line_longer_than_smtp_allows_goes_base64() -> None:
    """Lines over 998 octets (one-line HTML) are base64-encoded and read back unchanged."""
    html = "<p>" + "hotspot " * 400 + "</p>"
    message = build_message(row(body_html=html), "Hotspotmonitor")

    assert max(len(line) for line in message.as_bytes().splitlines()) <= 998
    back = parsed(message)
    assert body(back, "text/html") == html
    [part] = [p for p in back.walk() if p.get_content_type() == "text/html"]
    assert part["Content-Transfer-Encoding"] == "base64"


def test_a_language_header_tells_the_receiver_which_language() -> None:
    """Content-Language follows the recipient's language."""
    assert build_message(row(language="en"), "Hotspotmonitor")["Content-Language"] == "en"
