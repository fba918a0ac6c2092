"""The `hotspot` command group, shared by the modules that add commands to it."""

from __future__ import annotations

from typing import Any

import click

from workflow.cli.context import CliContext


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hotspot-monitor")
def cli() -> None:
    """hotspot-monitor: de periodieke hotspot-monitor als procedure met vaste stappen."""


def done(ctx: CliContext, result: dict[str, Any], nl: str, en: str) -> None:
    from workflow.cli import render

    ctx.emit(result, lambda: render.done(ctx.console, ctx.t(nl, en), result))
