"""`hotspot serve` (the web app, with the worker in the same process) and `hotspot user add`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from states.errors import InvalidInput
from states.i18n import Text
from workflow import users
from workflow.app import App
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli, done


@cli.group()
def user() -> None:
    """Accounts van procesbegeleiders voor de webapplicatie."""


@user.command(name="add")
@click.argument("username")
@click.option("--name", required=True, help="Volledige naam.")
@click.option(
    "--password",
    envvar="HOTSPOT_PASSWORD",
    default=None,
    help="Wachtwoord (of HOTSPOT_PASSWORD); zonder wordt erom gevraagd.",
)
@common_options
def user_add(ctx: CliContext, username: str, name: str, password: str | None) -> None:
    """Maak een account voor een procesbegeleider (wachtwoord minimaal 12 tekens)."""
    if password is None:
        password = click.prompt(
            ctx.t("Wachtwoord", "Password"), hide_input=True, confirmation_prompt=True
        )
    result = users.add_user(ctx.app, username=username, name=name, password=password)
    done(
        ctx,
        result,
        f"Gebruiker {result['username']} aangemaakt",
        f"User {result['username']} created",
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Zonder herinneringen en mailverzending in dit proces (draai dan 'hotspot worker').",
)
@common_options
def serve(ctx: CliContext, host: str, port: int, no_worker: bool) -> None:
    """Start de webapplicatie (uvicorn), standaard met de worker in hetzelfde proces."""
    if not 0 < port < 65536:
        raise InvalidInput("--port", Text(f"{port} is geen poortnummer", f"{port} is not a port"))
    run_server(ctx, host, port, worker=not no_worker)


def run_server(ctx: CliContext, host: str, port: int, *, worker: bool) -> None:
    app = ctx.app
    local_mail = app.settings.mail.out_dir if app.settings.mail.transport == "file" else None
    serve_app(app, host, port, local_mail, worker=worker)


def serve_app(app: App, host: str, port: int, mail_dir: Path | None, *, worker: bool) -> None:
    """Serve the web app until Ctrl-C or SIGTERM; with `worker`, sweep and send beside it."""
    import uvicorn

    from workflow.web import create_app
    from workflow.worker import Worker

    web = create_app(app, mail_dir=mail_dir)
    background: Worker | None = None
    thread: threading.Thread | None = None
    if worker:
        background = Worker(app)
        # Signals belong to uvicorn here; the worker stops when the server has stopped.
        thread = threading.Thread(
            target=background.run, kwargs={"install_signals": False}, name="worker", daemon=True
        )
        thread.start()
    # uvicorn catches SIGTERM/SIGINT, shuts down gracefully, then raises the signal again for
    # the handler that was there before it: this one, so the worker can finish its batch and
    # the command ends with exit code 0 instead of dying by the signal.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: None)
    try:
        uvicorn.run(web, host=host, port=port, log_level="warning", access_log=False)
    finally:
        if background is not None and thread is not None:
            background.stop()
            thread.join(timeout=30)
