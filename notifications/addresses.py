"""E-mail addresses: one check for what people type and for what the mailer sends.

Built on the maintained `email-validator` package, without a DNS lookup. An address is kept in
the form the mailer can put on the wire as it is: a plain ASCII local part (a mail server that
lacks SMTPUTF8 cannot take `jürgen@...`, and ours may be one) and an internationalised domain
in its ASCII form (`exämple.org` becomes `xn--exmple-cua.org`). Quoted local parts, comments
(`a(b)c@...`), IP literals and reserved names (`localhost`, `.test`, `.invalid`) are refused.
"""

from __future__ import annotations

import functools
import re

from email_validator import EmailNotValidError, validate_email

from states.i18n import Text

# What a mailer accepts as its own sender: a configured address, which may be a local host
# (`hotspotmonitor@localhost`) that the rules for recipients would refuse.
_SENDER = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@"
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
MAX_LENGTH = 254
# RFC 5321 4.5.3.1.1: a local part has 64 octets at most; servers may refuse longer ones.
MAX_LOCAL_LENGTH = 64


class AddressRefused(ValueError):
    """An address the mailer cannot send to; `reason` says why, in Dutch and English."""

    def __init__(self, address: str, reason: Text) -> None:
        super().__init__(f"{address!r}: {reason.en}")
        self.address = address
        self.reason = reason


# email-validator's English reasons, the common ones in Dutch as well.
_REASONS: tuple[tuple[str, Text], ...] = (
    (
        "internationalized characters before the @-sign",
        Text(
            "bevat vóór de @ tekens buiten ASCII (zoals ü of é); zulke adressen kan niet elke "
            "mailserver bezorgen (SMTPUTF8). Gebruik een adres met alleen Latijnse letters, "
            "cijfers en . _ - + vóór de @",
            "has characters outside ASCII before the @ (such as ü or é); not every mail server "
            "can deliver those (SMTPUTF8). Use an address with only Latin letters, digits and "
            ". _ - + before the @",
        ),
    ),
    (
        "invalid characters before the @-sign",
        Text(
            "bevat vóór de @ tekens die daar niet mogen", "has characters not allowed before the @"
        ),
    ),
    (
        "quoting the part before the @-sign",
        Text("mag vóór de @ geen aanhalingstekens hebben", "must not quote the part before the @"),
    ),
    (
        "must have an @-sign",
        Text("mist een @", "has no @"),
    ),
    (
        "special-use or reserved name",
        Text(
            "heeft na de @ een gereserveerde naam die geen mail ontvangt",
            "has a reserved name after the @ that receives no mail",
        ),
    ),
    (
        "should have a period",
        Text("heeft na de @ geen domein met een punt", "has no domain with a dot after the @"),
    ),
    (
        "too long",
        Text("is te lang", "is too long"),
    ),
    (
        "display name",
        Text(
            "bevat een naam of punthaken; alleen het adres zelf is toegestaan",
            "has a name or angle brackets; only the address itself is allowed",
        ),
    ),
)
_ENCODED_WORD = Text(
    "bevat vóór de @ de tekens =? van een gecodeerd woord (RFC 2047), dat een mailprogramma "
    "als tekst zou kunnen uitpakken; zulke adressen worden niet aangenomen",
    "has the characters =? of an encoded word (RFC 2047) before the @, which a mail program "
    "might unpack as text; such addresses are not accepted",
)
_LOCAL_TOO_LONG = Text(
    f"heeft vóór de @ meer dan {MAX_LOCAL_LENGTH} tekens",
    f"has more than {MAX_LOCAL_LENGTH} characters before the @",
)


def _reason(error: EmailNotValidError) -> Text:
    detail = str(error)
    lowered = detail.lower()
    for marker, text in _REASONS:
        if marker.lower() in lowered:
            return text
    return Text(f"is ongeldig ({detail})", f"is not valid ({detail})")


@functools.lru_cache(maxsize=4096)
def mailbox(address: str) -> str:
    """The address as the mailer sends it (ASCII), or AddressRefused saying why not.

    Cached: the sender checks every message's address again, and a procedure mails the same
    people many times.
    """
    cleaned = address.strip()
    if not cleaned or len(cleaned) > MAX_LENGTH or any(ord(c) < 32 or c == "\x7f" for c in address):
        if not cleaned:
            raise AddressRefused(address, Text("is leeg", "is empty"))
        raise AddressRefused(
            address,
            Text("is te lang of bevat stuurtekens", "is too long or has control characters"),
        )
    try:
        valid = validate_email(
            cleaned,
            check_deliverability=False,
            allow_smtputf8=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError as error:
        raise AddressRefused(address, _reason(error)) from None
    ascii_address = valid.ascii_email
    if ascii_address is None or not ascii_address.isascii():  # pragma: no cover - smtputf8 off
        raise AddressRefused(address, _REASONS[0][1])
    local = ascii_address.rpartition("@")[0]
    if "=?" in local:
        raise AddressRefused(address, _ENCODED_WORD)
    if len(local) > MAX_LOCAL_LENGTH:
        raise AddressRefused(address, _LOCAL_TOO_LONG)
    return ascii_address


def sender_address(address: str) -> str:
    """The configured sender, checked as a plain ASCII mailbox (a local host name is allowed)."""
    cleaned = address.strip()
    try:
        return mailbox(cleaned)
    except AddressRefused as refused:
        local = cleaned.rpartition("@")[0]
        if refused.reason in (_ENCODED_WORD, _LOCAL_TOO_LONG):
            raise
        if len(cleaned) <= MAX_LENGTH and _SENDER.fullmatch(cleaned) and "=?" not in local:
            if len(local) > MAX_LOCAL_LENGTH:
                raise AddressRefused(address, _LOCAL_TOO_LONG) from None
            return cleaned
        raise
