"""The `[mail]` settings: every number bounded and the sender checked when they are read, each
refusal naming the setting (as the TOML key or the environment variable that gave it)."""

from __future__ import annotations

import pytest

from notifications.settings import LIMITS, MailSettings
from states.errors import InvalidInput

NUMBERS = [
    "max_attempts",
    "retry_window_hours",
    "backoff_seconds",
    "max_backoff_seconds",
    "lease_seconds",
    "batch_size",
    "link_valid_days",
]


@pytest.mark.parametrize("key", NUMBERS)
def test_a_number_beyond_its_bound_is_refused_naming_the_setting(key: str) -> None:
    """10**9 hours of retry window (and its kind) is a typo: refused as `mail.<key>`, with
    the bound; the bound itself is accepted."""
    with pytest.raises(InvalidInput) as caught:
        MailSettings.from_sources({key: 10**9}, {})
    assert caught.value.field == f"mail.{key}"
    assert str(LIMITS[key]) in caught.value.explain("nl")
    assert getattr(MailSettings.from_sources({key: LIMITS[key]}, {}), key) == LIMITS[key]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("HOTSPOT_SMTP_PORT", "70000"), ("HOTSPOT_LINK_VALID_DAYS", str(10**12))],
)
def test_a_number_from_the_environment_is_refused_naming_the_variable(
    variable: str, value: str
) -> None:
    """Out of range from the environment: the refusal names the variable that gave it."""
    with pytest.raises(InvalidInput) as caught:
        MailSettings.from_sources({}, {variable: value})
    assert caught.value.field == variable


@pytest.mark.parametrize("value", [0, -5, "nan", "inf", 10**6, "een minuut", True])
def test_the_smtp_timeout_must_be_a_sensible_number_of_seconds(value: object) -> None:
    """mail.smtp.timeout_seconds: more than 0, at most an hour, a number."""
    with pytest.raises(InvalidInput) as caught:
        MailSettings.from_sources({"smtp": {"timeout_seconds": value}}, {})
    assert caught.value.field == "mail.smtp.timeout_seconds"


@pytest.mark.parametrize(
    ("env", "table", "field"),
    [
        ({"HOTSPOT_MAIL_FROM": "Hotspot <hotspot@overijssel.example>"}, {}, "HOTSPOT_MAIL_FROM"),
        ({}, {"from": "hotspot monitor@overijssel.example"}, "mail.from"),
        ({}, {"from": "=?utf-8?q?x?=@overijssel.example"}, "mail.from"),
        ({"HOTSPOT_MAIL_FROM": "hotspot@"}, {}, "HOTSPOT_MAIL_FROM"),
    ],
)
def test_a_sender_the_mailer_cannot_use_is_refused_when_the_settings_are_read(
    env: dict[str, str], table: dict[str, str], field: str
) -> None:
    """A mistyped sender fails at start-up, naming the setting, not every message later."""
    with pytest.raises(InvalidInput) as caught:
        MailSettings.from_sources(table, env)
    assert caught.value.field == field
    assert "afzenderadres" in caught.value.explain("nl")


def test_a_sender_with_a_name_is_told_where_the_name_goes() -> None:
    """`Name <address>` points at mail.from_name."""
    with pytest.raises(InvalidInput, match=r"mail\.from_name"):
        MailSettings.from_sources({}, {"HOTSPOT_MAIL_FROM": "Hotspot <a@overijssel.example>"})


def test_a_sender_is_kept_as_the_mailer_sends_it() -> None:
    """Spaces around it go; an international domain is kept in ASCII; a local host name (for
    development) is allowed; settings made in code are checked the same way."""
    read = MailSettings.from_sources({}, {"HOTSPOT_MAIL_FROM": " hotspot@overijssel.example "})
    assert read.sender == "hotspot@overijssel.example"
    idn = MailSettings.from_sources({"from": "post@exämple.org"}, {})
    assert idn.sender == "post@xn--exmple-cua.org"
    assert MailSettings().sender == "hotspotmonitor@localhost"
    assert MailSettings(sender="post@overijssel.example ").sender == "post@overijssel.example"
    with pytest.raises(InvalidInput) as caught:
        MailSettings(sender="Hotspot <post@overijssel.example>")
    assert caught.value.field == "mail.from"
