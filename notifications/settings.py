"""Mail settings: the `[mail]` table of the configuration, overridden by the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from states.errors import InvalidInput
from states.i18n import Text

Transport = Literal["file", "smtp"]
TlsMode = Literal["none", "starttls", "implicit"]
TRANSPORTS: tuple[Transport, ...] = ("file", "smtp")
TLS_MODES: tuple[TlsMode, ...] = ("none", "starttls", "implicit")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    tls: TlsMode = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # CA certificates (PEM) to trust besides the system's, for a server with an internal CA.
    ca_file: str | None = None
    # Bounds connecting and each message's whole send (not one socket read): a server that
    # trickles its replies cannot hold a sender forever.
    timeout_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class MailSettings:
    transport: Transport = "file"
    sender: str = "hotspotmonitor@localhost"
    sender_name: str = "Hotspotmonitor"
    base_url: str = "http://127.0.0.1:8000"
    out_dir: Path = Path("var/mail")
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    max_attempts: int = 6
    # The first retry waits this long; each next one twice as long as the one before.
    backoff_seconds: int = 60
    # A claimed message whose sender died is sent again after this long.
    lease_seconds: int = 300
    batch_size: int = 200
    # How long a personal link in a mail stays valid; a newer link for the same step revokes it.
    link_valid_days: int = 90

    @classmethod
    def from_sources(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> MailSettings:
        """The `[mail]` table with the HOTSPOT_* environment variables on top."""
        smtp_table = table.get("smtp", {})
        smtp = SmtpSettings(
            host=str(env.get("HOTSPOT_SMTP_HOST") or smtp_table.get("host", "localhost")),
            port=_int(
                "HOTSPOT_SMTP_PORT", env.get("HOTSPOT_SMTP_PORT") or smtp_table.get("port", 25)
            ),
            tls=_choice(
                "HOTSPOT_SMTP_TLS",
                env.get("HOTSPOT_SMTP_TLS") or smtp_table.get("tls", "starttls"),
                TLS_MODES,
            ),
            # Credentials come from the environment only: a TOML file gets committed.
            username=env.get("HOTSPOT_SMTP_USERNAME") or None,
            password=env.get("HOTSPOT_SMTP_PASSWORD") or None,
            ca_file=env.get("HOTSPOT_SMTP_CA_FILE") or smtp_table.get("ca_file") or None,
            timeout_seconds=float(smtp_table.get("timeout_seconds", 60)),
        )
        base = cls()
        return replace(
            base,
            transport=_choice(
                "HOTSPOT_MAIL_TRANSPORT",
                env.get("HOTSPOT_MAIL_TRANSPORT") or table.get("transport", base.transport),
                TRANSPORTS,
            ),
            sender=str(env.get("HOTSPOT_MAIL_FROM") or table.get("from", base.sender)),
            sender_name=str(table.get("from_name", base.sender_name)),
            base_url=str(
                env.get("HOTSPOT_BASE_URL") or table.get("base_url", base.base_url)
            ).rstrip("/"),
            out_dir=Path(env.get("HOTSPOT_MAIL_DIR") or table.get("out_dir", base.out_dir)),
            smtp=smtp,
            max_attempts=_int("mail.max_attempts", table.get("max_attempts", base.max_attempts)),
            backoff_seconds=_int(
                "mail.backoff_seconds", table.get("backoff_seconds", base.backoff_seconds)
            ),
            lease_seconds=_int(
                "mail.lease_seconds", table.get("lease_seconds", base.lease_seconds)
            ),
            batch_size=_int("mail.batch_size", table.get("batch_size", base.batch_size)),
            link_valid_days=_int(
                "HOTSPOT_LINK_VALID_DAYS",
                env.get("HOTSPOT_LINK_VALID_DAYS")
                or table.get("link_valid_days", base.link_valid_days),
            ),
        )


def _int(name: str, value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise InvalidInput(
            name, Text(f"{value!r} is geen geheel getal", f"{value!r} is not a whole number")
        ) from None
    if number < 1:
        raise InvalidInput(
            name, Text(f"{number} moet minstens 1 zijn", f"{number} must be at least 1")
        )
    return number


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> Any:
    text = str(value).strip().lower()
    if text not in allowed:
        raise InvalidInput(
            name,
            Text(
                f"{value!r} is geen geldige waarde; kies uit {', '.join(allowed)}",
                f"{value!r} is not a valid value; choose from {', '.join(allowed)}",
            ),
        )
    return cast(Any, text)
