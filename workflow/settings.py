"""Settings from the environment, and the effective rule configuration from TOML files."""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from notifications.settings import MailSettings
from states.config import ConfigError, RuleConfig, merge, parse_config
from states.errors import InvalidInput
from states.i18n import Language, Text, parse_language
from workflow.keys import KEY_ENV, KEY_FILE_ENV
from workflow.resources import config_dir

DEFAULT_DATABASE_URL = "sqlite:///var/hotspot.db"
# The installation's mail settings share the TOML file but are not rules of a procedure.
MAIL_TABLE = "mail"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    language: Language
    now_override: datetime | None
    mail: MailSettings = field(default_factory=MailSettings)
    # Where the master keys come from (workflow.keys): the variable, else the key file.
    secret_key: str | None = field(default=None, repr=False)
    key_file: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("HOTSPOT_DATABASE_URL") or DEFAULT_DATABASE_URL,
            language=parse_language(env.get("HOTSPOT_LANG")),
            now_override=_parse_now(env.get("HOTSPOT_NOW")),
            mail=MailSettings.from_sources(default_config_dict().get(MAIL_TABLE, {}), env),
            secret_key=env.get(KEY_ENV) or None,
            key_file=env.get(KEY_FILE_ENV) or None,
        )

    def key_env(self) -> dict[str, str]:
        """The key settings as workflow.keys.load reads them."""
        found = {KEY_ENV: self.secret_key, KEY_FILE_ENV: self.key_file}
        return {name: value for name, value in found.items() if value}


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "HOTSPOT_NOW",
            Text(
                f"{value!r} is geen ISO-datum-tijd (bijv. 2025-03-12T09:00:00+01:00)",
                f"{value!r} is not an ISO date-time (e.g. 2025-03-12T09:00:00+01:00)",
            ),
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def default_actor(env: Mapping[str, str] | None = None) -> str:
    """HOTSPOT_ACTOR, else the operating-system user."""
    env = os.environ if env is None else env
    if env.get("HOTSPOT_ACTOR"):
        return env["HOTSPOT_ACTOR"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"


def read_toml(path: Path, field: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise InvalidInput(
            field, Text(f"bestand {path} bestaat niet", f"file {path} does not exist")
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(
            field,
            Text(f"{path} is geen geldige TOML: {error}", f"{path} is not valid TOML: {error}"),
        ) from None


def default_config_dict() -> dict[str, Any]:
    return read_toml(config_dir() / "default.toml", "config")


def effective_config(organisation_file: Path | None) -> tuple[dict[str, Any], RuleConfig]:
    """The defaults merged with an organisation's file, as stored dict and checked config."""
    raw = default_config_dict()
    raw.pop(MAIL_TABLE, None)
    try:
        if organisation_file is not None:
            raw = merge(raw, read_toml(organisation_file, "--config"))
        return raw, parse_config(raw)
    except ConfigError as error:
        where = organisation_file or config_dir() / "default.toml"
        raise InvalidInput(
            "--config",
            Text(f"{where}: {error}", f"{where}: {error}"),
        ) from None
