"""Mail settings: the `[mail]` table of the configuration, overridden by the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

from notifications.addresses import AddressRefused, sender_address
from states.bounded import seconds, whole_number_setting
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
    # Tries at most, however long the window (a cap; by default the window decides).
    max_attempts: int = 50
    # A message that failed is tried again until at least this long after its first failure
    # (the last try falls at the end of the window), so an outage of hours loses nothing.
    retry_window_hours: int = 24
    # The first retry waits this long after the failure; each next one twice as long as the
    # one before, at most `max_backoff_seconds`.
    backoff_seconds: int = 60
    max_backoff_seconds: int = 3600
    # A claimed message whose sender died is sent again after this long.
    lease_seconds: int = 300
    batch_size: int = 200
    # How long a personal link in a mail stays valid; a newer link for the same step revokes it.
    link_valid_days: int = 90

    def __post_init__(self) -> None:
        # However the settings were made (from the TOML and environment, or in code): a sender
        # the mailer cannot use would fail every message for good, so it is refused here.
        checked = _sender("mail.from", self.sender)
        if checked != self.sender:
            object.__setattr__(self, "sender", checked)

    @classmethod
    def from_sources(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> MailSettings:
        """The `[mail]` table with the HOTSPOT_* environment variables on top.

        Every number is bounded (a typo of a few zeros is refused, naming the setting, rather
        than running the sender's dates off the calendar) and the sender address is checked
        here, once, instead of failing every message later.
        """
        smtp_table = table.get("smtp", {})
        smtp = SmtpSettings(
            host=str(env.get("HOTSPOT_SMTP_HOST") or smtp_table.get("host", "localhost")),
            port=_number(smtp_table, "port", 25, "mail.smtp.port", env, "HOTSPOT_SMTP_PORT"),
            tls=_choice(
                "HOTSPOT_SMTP_TLS",
                env.get("HOTSPOT_SMTP_TLS") or smtp_table.get("tls", "starttls"),
                TLS_MODES,
            ),
            # Credentials come from the environment only: a TOML file gets committed.
            username=env.get("HOTSPOT_SMTP_USERNAME") or None,
            password=env.get("HOTSPOT_SMTP_PASSWORD") or None,
            ca_file=env.get("HOTSPOT_SMTP_CA_FILE") or smtp_table.get("ca_file") or None,
            timeout_seconds=seconds(
                "mail.smtp.timeout_seconds",
                smtp_table.get("timeout_seconds", 60),
                MAX_TIMEOUT_SECONDS,
            ),
        )
        base = cls()
        sender_field = "HOTSPOT_MAIL_FROM" if env.get("HOTSPOT_MAIL_FROM") else "mail.from"

        def number(key: str, default: int, variable: str | None = None) -> int:
            return _number(table, key, default, f"mail.{key}", env, variable)

        return replace(
            base,
            transport=_choice(
                "HOTSPOT_MAIL_TRANSPORT",
                env.get("HOTSPOT_MAIL_TRANSPORT") or table.get("transport", base.transport),
                TRANSPORTS,
            ),
            sender=_sender(
                sender_field, env.get("HOTSPOT_MAIL_FROM") or table.get("from", base.sender)
            ),
            sender_name=str(table.get("from_name", base.sender_name)),
            base_url=str(
                env.get("HOTSPOT_BASE_URL") or table.get("base_url", base.base_url)
            ).rstrip("/"),
            out_dir=Path(env.get("HOTSPOT_MAIL_DIR") or table.get("out_dir", base.out_dir)),
            smtp=smtp,
            max_attempts=number("max_attempts", base.max_attempts),
            retry_window_hours=number("retry_window_hours", base.retry_window_hours),
            backoff_seconds=number("backoff_seconds", base.backoff_seconds),
            max_backoff_seconds=number("max_backoff_seconds", base.max_backoff_seconds),
            lease_seconds=number("lease_seconds", base.lease_seconds),
            batch_size=number("batch_size", base.batch_size),
            link_valid_days=number(
                "link_valid_days", base.link_valid_days, "HOTSPOT_LINK_VALID_DAYS"
            ),
        )


# The largest value each number may take. Beyond these a setting is a typo, not a policy: a
# retry window of a month already outlasts any outage worth waiting for.
LIMITS: dict[str, int] = {
    "port": 65535,
    "max_attempts": 1000,
    "retry_window_hours": 24 * 30,
    "backoff_seconds": 24 * 3600,
    "max_backoff_seconds": 24 * 3600,
    "lease_seconds": 24 * 3600,
    "batch_size": 10_000,
    "link_valid_days": 3650,
}
MAX_TIMEOUT_SECONDS = 3600.0


def _number(
    table: Mapping[str, Any],
    key: str,
    default: int,
    name: str,
    env: Mapping[str, str],
    variable: str | None = None,
) -> int:
    """A number from 1 to its limit, from the environment (named by its variable) or else
    the table (named by `name`)."""
    return whole_number_setting(
        table, key, default, name, 1, LIMITS[key], env=env, variable=variable
    )


def _sender(name: str, value: object) -> str:
    """The sender as the mailer puts it on the wire (ASCII), or InvalidInput naming `name`."""
    text = str(value).strip()
    try:
        return sender_address(text)
    except AddressRefused as refused:
        hint = (
            Text(
                "; zet de naam in mail.from_name en hier alleen het adres",
                "; put the name in mail.from_name and only the address here",
            )
            if "<" in text
            else Text("", "")
        )
        raise InvalidInput(
            name,
            Text(
                f"{text[:80]!r} is geen bruikbaar afzenderadres: het {refused.reason.nl}{hint.nl}",
                f"{text[:80]!r} is not a usable sender address: it {refused.reason.en}{hint.en}",
            ),
        ) from None


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
