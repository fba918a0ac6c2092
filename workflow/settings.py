"""Settings from the environment, and the effective rule configuration from TOML files."""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from notifications.settings import MailSettings
from states.config import ConfigError, RuleConfig, merge, parse_config
from states.errors import InvalidInput
from states.i18n import Language, Text, parse_language
from workflow.environment import checked_database_url, reading_input_file
from workflow.keys import KEY_ENV, KEY_FILE_ENV
from workflow.resources import config_dir
from workflow.validation import parse_datetime
from workflow.web_settings import WEB_TABLE, WebSettings
from workflow.zgw_settings import ZAKEN_TABLE, ZgwSettings

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
    web: WebSettings = field(default_factory=WebSettings)
    # The organisation's own Word template (header, logo, styles) for every document; None: A4.
    docx_template: Path | None = None
    # Case systems (workflow.zgw): the transfer rule and how often kept cases are checked.
    zgw: ZgwSettings = field(default_factory=ZgwSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = default_config_dict()
        settings = cls(
            database_url=checked_database_url(
                env.get("HOTSPOT_DATABASE_URL") or DEFAULT_DATABASE_URL
            ),
            language=parse_language(env.get("HOTSPOT_LANG")),
            now_override=_parse_now(env.get("HOTSPOT_NOW")),
            mail=MailSettings.from_sources(defaults.get(MAIL_TABLE, {}), env),
            secret_key=env.get(KEY_ENV) or None,
            key_file=env.get(KEY_FILE_ENV) or None,
            web=WebSettings.from_sources(defaults.get(WEB_TABLE, {}), env),
            docx_template=_template(env.get(TEMPLATE_ENV) or _documents(defaults)),
            zgw=ZgwSettings.from_sources(defaults.get(ZAKEN_TABLE, {}), env),
        )
        return settings

    def key_env(self) -> dict[str, str]:
        """The key settings as workflow.keys.load reads them."""
        found = {KEY_ENV: self.secret_key, KEY_FILE_ENV: self.key_file}
        return {name: value for name, value in found.items() if value}


TEMPLATE_ENV = "HOTSPOT_DOCX_TEMPLATE"


DOCUMENTS_TABLE = "documents"


def _documents(defaults: Mapping[str, Any]) -> str:
    table = defaults.get(DOCUMENTS_TABLE, {})
    return str(table.get("docx_template", "")) if isinstance(table, Mapping) else ""


def _template(value: str) -> Path | None:
    """The template as configured (a path; `~` is the user's home); empty: none."""
    return Path(value).expanduser() if value.strip() else None


def _parse_now(value: str | None) -> datetime | None:
    """HOTSPOT_NOW: a moment as every other moment is typed (without an offset, Dutch time)."""
    if not value:
        return None
    return parse_datetime("HOTSPOT_NOW", value)


def default_actor(env: Mapping[str, str] | None = None) -> str:
    """HOTSPOT_ACTOR, else the operating-system user."""
    env = os.environ if env is None else env
    if env.get("HOTSPOT_ACTOR"):
        return env["HOTSPOT_ACTOR"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"


# A configuration file is a few kB; reading more is a mistake (a log file, /dev/zero).
MAX_CONFIG_BYTES = 1_000_000


def read_toml(path: Path, field: str) -> dict[str, Any]:
    """A TOML file as a dict; every way it can be unusable is named, with the file."""
    kind = Text("TOML-bestand", "a TOML file")
    with reading_input_file(path, field, kind), path.open("rb") as handle:
        raw = handle.read(MAX_CONFIG_BYTES + 1)
    if len(raw) > MAX_CONFIG_BYTES:
        raise InvalidInput(
            field,
            Text(
                f"{path} is groter dan 1 MB; is dit wel het configuratiebestand?",
                f"{path} is larger than 1 MB; is this the configuration file?",
            ),
        )
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InvalidInput(
            field,
            Text(
                f"{path} is geen UTF-8-tekst (byte {error.start}); sla het op als UTF-8",
                f"{path} is not UTF-8 text (byte {error.start}); save it as UTF-8",
            ),
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(
            field,
            Text(f"{path} is geen geldige TOML: {error}", f"{path} is not valid TOML: {error}"),
        ) from None
    except RecursionError:
        # tomllib reads nested tables and arrays recursively; thousands of levels exhaust it.
        raise InvalidInput(
            field,
            Text(
                f"{path} is te diep genest (tabellen of lijsten in elkaar); een configuratie "
                "heeft er hooguit een paar niveaus",
                f"{path} is nested too deeply (tables or arrays inside each other); a "
                "configuration has a few levels at most",
            ),
        ) from None


def default_config_dict() -> dict[str, Any]:
    return read_toml(config_dir() / "default.toml", "config")


def effective_config(organisation_file: Path | None) -> tuple[dict[str, Any], RuleConfig]:
    """The defaults merged with an organisation's file, as stored dict and checked config."""
    raw = default_config_dict()
    raw.pop(MAIL_TABLE, None)
    raw.pop(WEB_TABLE, None)
    raw.pop(DOCUMENTS_TABLE, None)
    raw.pop(ZAKEN_TABLE, None)
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
