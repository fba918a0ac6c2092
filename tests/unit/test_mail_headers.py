"""Headers built by hand: no text of a person ever becomes a header line, and it reads back.

The property tests build real messages from arbitrary Unicode names and subjects, serialise
them as the file transport and aiosmtplib do, and check the raw bytes: exactly the expected
header names, every line within RFC 5322's limits, and the text decoded by an RFC 2047
decoder equal to what went in.
"""

from __future__ import annotations

import email.header
from datetime import UTC, datetime
from typing import Any

import aiosmtplib.email
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.addresses import AddressRefused, mailbox, sender_address
from notifications.headers import clean_text
from notifications.mime import build_message
from states.errors import InvalidInput
from workflow import validation

INJECTION = (
    "=?utf-8?q?Jan=0D=0AReply-To:_attacker@evil.example=0D=0ABcc:_x@evil.example=0D=0A=0D=0Abody?="
)
EXPECTED = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Auto-Submitted",
    "Content-Language",
    "MIME-Version",
    "Content-Type",
]


def row(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "message_id": "<0f3a9c@overijssel.example>",
        "sender": "hotspotmonitor@overijssel.example",
        "recipient_name": "Jan Jansen",
        "recipient_email": "jan@example.org",
        "language": "nl",
        "subject": "Uitnodiging expertbijeenkomst",
        "body_text": "Beste Jan,\n\nTot ziens.\n",
        "body_html": "<p>Beste Jan,</p>",
        "calendar": None,
        "calendar_method": None,
        "created_at": datetime(2026, 3, 2, 8, 15, tzinfo=UTC),
    }
    values.update(changes)
    return values


def head_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def fields(raw: bytes) -> dict[str, str]:
    """The header block as name -> unfolded raw value; every line is a field or a fold."""
    found: dict[str, str] = {}
    name = ""
    for line in head_lines(raw):
        if line[:1] in (b" ", b"\t"):
            found[name] += line.decode("ascii")
            continue
        key, sep, value = line.decode("ascii").partition(":")
        assert sep and key and " " not in key, line
        assert key not in found, f"{key} twice"
        name, found[key] = key, value.lstrip(" ")
    return found


def decoded(value: str) -> str:
    """What an RFC 2047 decoder reads (it drops the space between two encoded words)."""
    return str(email.header.make_header(email.header.decode_header(value)))


def display_name(value: str) -> str:
    phrase, _, address = value.rpartition(" <")
    assert address.endswith(">")
    return decoded(phrase)


def both_flattenings(subject: str, name: str) -> list[bytes]:
    message = build_message(row(subject=subject, recipient_name=name), "Hotspot Monitor")
    # The file transport's bytes and what aiosmtplib puts on the wire (with and without
    # 8BITMIME): every generator must fold the prebuilt headers the same way.
    return [
        message.as_bytes(),
        aiosmtplib.email.flatten_message(message),
        aiosmtplib.email.flatten_message(message, cte_type="7bit"),
    ]


def test_an_encoded_word_name_and_subject_stay_text() -> None:
    """The CVE-2024-6923 payload adds no Reply-To, no Bcc, no line, and reads back as typed."""
    for raw in both_flattenings(f"Uitnodiging {INJECTION}", INJECTION):
        found = fields(raw)
        assert list(found) == EXPECTED
        assert b"\nReply-To" not in raw and b"\nBcc" not in raw
        assert display_name(found["To"]) == INJECTION
        assert decoded(found["Subject"]) == f"Uitnodiging {INJECTION}"
        assert raw.split(b"\r\n\r\n", 1)[1].startswith(b"--=_hotspot_")


def test_plain_ascii_words_are_written_as_they_are() -> None:
    """A plain name and subject need no encoding; one with an `=?` in it always gets one."""
    found = fields(build_message(row(recipient_name="Jan Jansen"), "Hotspot").as_bytes())
    assert found["To"] == "Jan Jansen <jan@example.org>"
    assert found["Subject"] == "Uitnodiging expertbijeenkomst"
    tricky = fields(build_message(row(subject="a =?x?= b"), "Hotspot").as_bytes())
    assert "=?x?=" not in tricky["Subject"] and decoded(tricky["Subject"]) == "a =?x?= b"


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    name=st.text(max_size=200),
    subject=st.text(max_size=500),
)
def test_any_unicode_name_and_subject_give_exactly_the_expected_headers(
    name: str, subject: str
) -> None:
    """Whatever the text, the header names are the fixed set and the text decodes back."""
    for raw in both_flattenings(subject, name):
        assert raw.split(b"\r\n\r\n", 1)[0].isascii()
        assert all(len(line) <= 78 for line in head_lines(raw) if b"@" not in line)
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        found = fields(raw)
        assert list(found) == EXPECTED
        assert decoded(found["Subject"]) == clean_text(subject)
        if clean_text(name):
            assert display_name(found["To"]) == clean_text(name)
        else:
            assert found["To"] == "jan@example.org"


@pytest.mark.parametrize(
    "address", ["jürgen@exämple.org", "a(b)c@example.org", '"a b"@example.org', "x@localhost"]
)
def test_an_address_the_mailer_cannot_send_is_refused_with_a_dutch_reason(address: str) -> None:
    """Input and mailer share one check; the refusal names the field and says why in Dutch."""
    with pytest.raises(InvalidInput) as caught:
        validation.email("email", address)
    assert caught.value.field == "email"
    assert "geen bruikbaar e-mailadres" in caught.value.explain("nl")
    with pytest.raises(AddressRefused):
        mailbox(address)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("=?utf-8?q?=0D=0ABcc=3A_x=40e.x?=@example.org", "gecodeerd woord"),
        ("=?us-ascii?q?jan?=@example.org", "gecodeerd woord"),
        ("x" * 65 + "@example.org", "meer dan 64 tekens"),
    ],
)
def test_an_encoded_word_or_an_overlong_local_part_is_refused(address: str, reason: str) -> None:
    """`=?` before the @ (an RFC 2047 encoded word a mail program may unpack) and more than
    64 characters before the @ (RFC 5321) are refused, for input and sender alike."""
    with pytest.raises(InvalidInput) as caught:
        validation.email("email", address)
    assert reason in caught.value.explain("nl")
    with pytest.raises(AddressRefused):
        sender_address(address)
    assert validation.email("--email", "x" * 64 + "@example.org") == "x" * 64 + "@example.org"


def test_the_smtputf8_refusal_says_what_to_do() -> None:
    """A non-ASCII local part is refused naming SMTPUTF8 and what would be accepted."""
    with pytest.raises(InvalidInput, match="SMTPUTF8") as caught:
        validation.email("--email", "jürgen@exämple.org")
    assert "alleen Latijnse letters" in caught.value.explain("nl")


def test_an_international_domain_is_kept_in_its_ascii_form() -> None:
    """`jan@exämple.org` is accepted and kept as the mailer sends it."""
    assert validation.email("--email", " jan@exämple.org ") == "jan@xn--exmple-cua.org"


def test_the_message_is_not_built_for_an_address_the_check_refuses() -> None:
    """The mailer checks the address again: a stored bad address never reaches a header."""
    with pytest.raises(AddressRefused):
        build_message(row(recipient_email="jürgen@exämple.org"), "Hotspot")


@pytest.mark.parametrize(
    "char",
    [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
    ],
)
def test_names_refuse_direction_and_zero_width_characters(char: str) -> None:
    """A name with a bidi control or a zero-width character is refused, naming the field."""
    with pytest.raises(InvalidInput) as caught:
        validation.single_line("name", f"Jan{char}Jansen")
    assert caught.value.field == "name"
    assert f"U+{ord(char):04X}" in caught.value.explain("nl")


def test_ordinary_accented_names_are_accepted() -> None:
    """Letters with accents, apostrophes and hyphens are what names are made of."""
    assert validation.single_line("--name", "Çelik-d'Hondt Jürgensen") == "Çelik-d'Hondt Jürgensen"
