"""What every CLI command shares: output mode, language, actor and a lazily built App."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import update_wrapper
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from states.i18n import Language, parse_language

if TYPE_CHECKING:
    from rich.console import Console

    from workflow.app import App

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliContext:
    json_output: bool = False
    language: Language = "nl"
    actor: str = ""
    _app: App | None = field(default=None, repr=False)
    _console: Console | None = field(default=None, repr=False)

    @property
    def console(self) -> Console:
        """Rich's console, made when a command first prints for people (not for --json)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console()
        return self._console

    @property
    def app(self) -> App:
        if self._app is None:
            from workflow.app import bootstrap
            from workflow.settings import Settings

            self._app = bootstrap(Settings.from_env())
        return self._app

    @property
    def database_url(self) -> str | None:
        """The database this command uses, once it has opened it (for error messages)."""
        return self._app.settings.database_url if self._app is not None else None

    def close(self) -> None:
        if self._app is not None:
            self._app.dispose()
            self._app = None

    def emit(self, payload: dict[str, Any], human: Callable[[], None]) -> None:
        """The JSON object in --json mode, the human rendering otherwise."""
        if self.json_output:
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
        else:
            human()

    def t(self, nl: str, en: str) -> str:
        return en if self.language == "en" else nl


def common_options(func: F) -> F:
    """--json, --actor and --lang on every command, collected into the CliContext."""

    def wrapper(
        *args: Any, json_output: bool, actor: str | None, lang: str | None, **kwargs: Any
    ) -> Any:
        from workflow.settings import default_actor

        cli = click.get_current_context().ensure_object(CliContext)
        cli.json_output = json_output
        cli.actor = (actor or "").strip() or default_actor()
        if lang:
            cli.language = parse_language(lang)
        return func(cli, *args, **kwargs)

    update_wrapper(wrapper, func)
    options = (
        click.option("--json", "json_output", is_flag=True, help="Print one JSON object."),
        click.option(
            "--actor", envvar="HOTSPOT_ACTOR", default=None, help="Who acts (default: OS user)."
        ),
        click.option(
            "--lang", type=click.Choice(["nl", "en"]), default=None, help="Taal/language."
        ),
    )
    decorated: Callable[..., Any] = wrapper
    for option in options:
        decorated = option(decorated)
    return cast(F, decorated)
