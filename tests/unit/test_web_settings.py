"""The `[web]` table: limits and session times from config/default.toml, the environment wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from states.errors import InvalidInput
from workflow.settings import Settings, effective_config
from workflow.web_settings import WebSettings


def test_the_defaults_come_from_the_web_table() -> None:
    """64 KiB bodies, 1 MiB uploads, 30 idle minutes, 8 hours, a one-second login floor."""
    web = Settings.from_env({}).web
    assert (web.max_body_bytes, web.max_upload_bytes) == (65536, 1048576)
    assert (web.session_idle_minutes, web.session_hours, web.login_floor_ms) == (30, 8, 1000)


def test_the_environment_overrides_the_table() -> None:
    """HOTSPOT_WEB_MAX_BODY_BYTES and HOTSPOT_SESSION_IDLE_MINUTES win over the file."""
    web = Settings.from_env(
        {"HOTSPOT_WEB_MAX_BODY_BYTES": "2048", "HOTSPOT_SESSION_IDLE_MINUTES": "5"}
    ).web
    assert (web.max_body_bytes, web.session_idle_minutes) == (2048, 5)


@pytest.mark.parametrize(
    ("table", "env", "field"),
    [
        ({}, {"HOTSPOT_SESSION_HOURS": "veel"}, "HOTSPOT_SESSION_HOURS"),
        ({"max_body_bytes": 10}, {}, "web.max_body_bytes"),
        ({"max_body": 1}, {}, "web.max_body"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(
    table: dict[str, object], env: dict[str, str], field: str
) -> None:
    """Not a number, out of range or unknown: refused with the setting's name."""
    with pytest.raises(InvalidInput) as refused:
        WebSettings.from_sources(table, env)
    assert refused.value.field == field


def test_an_organisation_file_may_not_set_the_web_table(tmp_path: Path) -> None:
    """[web] configures the installation, never a procedure."""
    organisation = tmp_path / "org.toml"
    organisation.write_text("[web]\nmax_body_bytes = 1\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        effective_config(organisation)
    assert "web" in refused.value.explain()
    raw, _ = effective_config(None)
    assert "web" not in raw
