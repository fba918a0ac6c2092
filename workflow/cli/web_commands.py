"""`hotspot serve` (the web app, with the worker in the same process), facilitator accounts
(`hotspot user`), the installation's keys (`hotspot keys`) and personal links (`hotspot link`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from states.errors import EnvironmentProblem, InvalidInput
from states.i18n import Text
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli, done

if TYPE_CHECKING:
    from workflow.app import App


@cli.group()
def user() -> None:
    """Accounts voor de webapplicatie, elk met een rol."""


@user.command(name="add")
@click.argument("username")
@click.option("--name", required=True, help="Volledige naam.")
@click.option(
    "--password",
    envvar="HOTSPOT_PASSWORD",
    default=None,
    help="Wachtwoord (of HOTSPOT_PASSWORD); zonder wordt erom gevraagd.",
)
@click.option(
    "--role",
    default="procesbegeleider",
    show_default=True,
    help="procesbegeleider, informatiebeheerder of archivaris.",
)
@common_options
def user_add(ctx: CliContext, username: str, name: str, password: str | None, role: str) -> None:
    """Maak een account met een rol (wachtwoord minimaal 12 tekens)."""
    from workflow import users

    account_role = users.role_of(role)
    if password is None:
        password = _ask_password(ctx)
    result = users.add_user(
        ctx.app,
        username=username,
        name=name,
        password=password,
        actor=ctx.actor,
        role=account_role,
    )
    done(
        ctx,
        result,
        f"Gebruiker {result['username']} aangemaakt ({result['role']})",
        f"User {result['username']} created ({result['role']})",
    )


@user.command(name="role")
@click.argument("username")
@click.argument("role")
@common_options
def user_role(ctx: CliContext, username: str, role: str) -> None:
    """Geef een account een andere rol: procesbegeleider, informatiebeheerder of archivaris."""
    from workflow import users

    result = users.set_role(ctx.app, username, role, actor=ctx.actor)
    done(
        ctx,
        result,
        f"Gebruiker {result['username']} is nu {result['role']}",
        f"User {result['username']} is now {result['role']}",
    )


@user.command(name="link")
@click.argument("username")
@click.argument("subject")
@common_options
def user_link(ctx: CliContext, username: str, subject: str) -> None:
    """Laat een account inloggen via de identiteitsprovider als diens gebruiker SUBJECT."""
    from workflow import users

    oidc = ctx.app.settings.web.oidc
    if oidc is None:
        raise InvalidInput(
            "subject",
            Text(
                "er is geen identiteitsprovider ingesteld ([web.oidc] of HOTSPOT_OIDC_ISSUER)",
                "no identity provider is configured ([web.oidc] or HOTSPOT_OIDC_ISSUER)",
            ),
        )
    result = users.link_oidc(
        ctx.app, username, issuer=oidc.issuer, subject=subject, actor=ctx.actor
    )
    done(
        ctx,
        result,
        f"Gebruiker {result['username']} logt in via {result['issuer']}",
        f"User {result['username']} signs in through {result['issuer']}",
    )


def _ask_password(ctx: CliContext) -> str:
    answer: str = click.prompt(
        ctx.t("Wachtwoord", "Password"), hide_input=True, confirmation_prompt=True
    )
    return answer


@user.command(name="passwd")
@click.argument("username")
@click.option(
    "--password",
    envvar="HOTSPOT_PASSWORD",
    default=None,
    help="Nieuw wachtwoord (of HOTSPOT_PASSWORD); zonder wordt erom gevraagd.",
)
@common_options
def user_passwd(ctx: CliContext, username: str, password: str | None) -> None:
    """Geef een account een nieuw wachtwoord; alle sessies van het account eindigen."""
    from workflow import users

    if password is None:
        password = _ask_password(ctx)
    result = users.set_password(ctx.app, username, password, actor=ctx.actor)
    done(
        ctx,
        result,
        f"Wachtwoord van {result['username']} gewijzigd; {result['sessions_ended']} sessie(s) "
        "beëindigd",
        f"Password of {result['username']} changed; {result['sessions_ended']} session(s) ended",
    )


@user.command(name="disable")
@click.argument("username")
@common_options
def user_disable(ctx: CliContext, username: str) -> None:
    """Zet een account uit: inloggen kan niet meer en alle sessies eindigen meteen."""
    from workflow import users

    result = users.set_disabled(ctx.app, username, True, actor=ctx.actor)
    done(
        ctx,
        result,
        f"Account {result['username']} uitgezet; {result['sessions_ended']} sessie(s) beëindigd",
        f"Account {result['username']} disabled; {result['sessions_ended']} session(s) ended",
    )


@user.command(name="enable")
@click.argument("username")
@common_options
def user_enable(ctx: CliContext, username: str) -> None:
    """Zet een uitgezet account weer aan."""
    from workflow import users

    result = users.set_disabled(ctx.app, username, False, actor=ctx.actor)
    done(
        ctx,
        result,
        f"Account {result['username']} aangezet",
        f"Account {result['username']} enabled",
    )


# --- keys ---------------------------------------------------------------------------------------


@cli.group(name="keys")
def keys_group() -> None:
    """De hoofdsleutels van deze installatie: maken, roteren, intrekken.

    Ervan afgeleid: de ondertekening van persoonlijke links, de versleuteling van links in
    wachtende mail en het formuliertoken van bezoekers die niet zijn ingelogd. Sessies van
    wie is ingelogd staan in de database en hangen niet van de sleutels af.
    """


@keys_group.command(name="new")
@common_options
def keys_new(ctx: CliContext) -> None:
    """Druk een nieuwe sleutel af, voor HOTSPOT_SECRET_KEY (verandert niets)."""
    from workflow import keys

    key = keys.new_master()
    ctx.emit({"ok": True, "key": key}, lambda: click.echo(key))


ROTATE_FROM_ENV = Text(
    "de sleutels komen uit deze variabele, niet uit een bestand: zet er op elke machine een "
    "nieuwe sleutel achteraan (komma ertussen; maak er een met 'hotspot keys new'); het eerste "
    "proces dat ermee start, legt hem vast in de database",
    "the keys come from this variable, not from a file: append a new key on every machine "
    "(comma between; make one with 'hotspot keys new'); the first process that starts with it "
    "records it in the database",
)


def _key_file(app: App) -> Path | None:
    """The key file this installation uses, after checking it against the database (which
    makes it only for a database without keys); None when the keys come from the variable."""
    from workflow import keys

    _ = app.keys
    env = app.settings.key_env()
    if env.get(keys.KEY_ENV):
        return None
    return keys.absolute(keys.key_file_for(app.settings.database_url, env))


@keys_group.command(name="rotate")
@common_options
def keys_rotate(ctx: CliContext) -> None:
    """Maak een nieuwe sleutel die voortaan tekent; eerdere links blijven geldig.

    Draaiende processen lezen het gewijzigde sleutelbestand binnen enkele seconden.
    """
    import structlog

    from workflow import keys

    app = ctx.app
    path = _key_file(app)
    if path is None:
        raise InvalidInput(keys.KEY_ENV, ROTATE_FROM_ENV)
    if app.key_status() == "stale":
        raise EnvironmentProblem(
            str(path),
            Text(
                "dit sleutelbestand mist de nieuwste sleutel van de installatie (elders "
                "geroteerd): kopieer eerst het actuele sleutelbestand hierheen",
                "this key file lacks the installation's newest key (rotated elsewhere): copy "
                "the current key file here first",
            ),
        )
    # The file first, then the database's record of the new key. Should the command die in
    # between, the first process that reads the file records the key (it extends the
    # installation's newest one): nothing is lost or refused.
    count = keys.rotate(path)
    app.reload_keys()
    structlog.get_logger("hotspot").warning(
        "keys.rotated", file=str(path), keys=count, actor=ctx.actor
    )
    result = {"ok": True, "file": str(path), "keys": count}
    done(
        ctx,
        result,
        f"Nieuwe sleutel in {path} ({count} sleutels). {RELOADED.nl}",
        f"New key in {path} ({count} keys). {RELOADED.en}",
    )


RELOADED = Text(
    "Draaiende processen met dit sleutelbestand lezen het binnen enkele seconden opnieuw.",
    "Running processes with this key file read it again within seconds.",
)
RESTART_ENV = Text(
    "Laat nu op elke machine alleen de nieuwste sleutel in HOTSPOT_SECRET_KEY staan en herstart "
    "de processen; oudere sleutels die nog in de variabele staan, worden al genegeerd.",
    "Now keep only the newest key in HOTSPOT_SECRET_KEY on every machine and restart the "
    "processes; older keys still in the variable are already ignored.",
)


@keys_group.command(name="retire")
@common_options
def keys_retire(ctx: CliContext) -> None:
    """Houd alleen de nieuwste sleutel: links getekend met oudere sleutels werken niet meer.

    Wachtende mail met een link van een oudere sleutel krijgt eerst een nieuwe link.
    """
    import structlog

    from workflow import key_checks, keys
    from workflow.notify.relink import renew_waiting

    app = ctx.app
    path = _key_file(app)
    ring = app.keys
    # Waiting mail must not be left with a link only a retired key opens and verifies: it
    # gets a fresh one under the newest key first (in the database, before the file changes).
    renewed = renew_waiting(app, ring, app.now()) if len(ring.masters) > 1 else None
    # Then the database forgets the older keys: from that commit on, every process leaves them
    # out when it reads its keys (a running server within seconds), whatever its file still
    # holds. Rewriting the file comes last; a crash before it is harmless (the keys in it are
    # already ignored) and the command can simply be run again.
    with app.transaction() as connection:
        forgotten = key_checks.keep_only(connection, ring.masters[-1])
    retired = keys.retire(path) if path is not None else len(ring.masters) - 1
    app.reload_keys()
    source = str(path) if path is not None else keys.KEY_ENV
    structlog.get_logger("hotspot").warning(
        "keys.retired", file=source, retired=retired, forgotten=forgotten, actor=ctx.actor
    )
    result = {
        "ok": True,
        "file": source,
        "retired": retired,
        "links_renewed": renewed.renewed if renewed else 0,
        "mail_failed": renewed.failed if renewed else 0,
    }
    mail_nl = mail_en = ""
    if renewed and (renewed.renewed or renewed.failed):
        mail_nl = (
            f" Wachtende mail: {renewed.renewed} bericht(en) met een nieuwe link; "
            f"{renewed.failed} mislukt omdat hun stap voorbij is."
        )
        mail_en = (
            f" Waiting mail: {renewed.renewed} message(s) with a fresh link; "
            f"{renewed.failed} failed because their step is over."
        )
    after = RELOADED if path is not None else RESTART_ENV
    done(
        ctx,
        result,
        f"{retired} oude sleutel(s) ingetrokken ({source}); links die daarmee getekend zijn, "
        f"werken niet meer.{mail_nl} {after.nl}",
        f"{retired} old key(s) retired ({source}); links signed with them no longer work."
        f"{mail_en} {after.en}",
    )


# --- personal links -----------------------------------------------------------------------------


@cli.group(name="link")
def link_group() -> None:
    """Persoonlijke links van experts, archivaris en management."""


# `link revoke` is a declared write command: a row of workflow/cli/declared.py.


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
    # The keys first: a process whose keys are not the installation's (a key file made afresh
    # in another folder) stops here with exit 7, before it serves or mails a single link.
    _ = app.keys
    local_mail = app.settings.mail.out_dir if app.settings.mail.transport == "file" else None
    serve_app(app, host, port, local_mail, worker=worker)


def serve_app(app: App, host: str, port: int, mail_dir: Path | None, *, worker: bool) -> None:
    """Serve the web app until Ctrl-C or SIGTERM; with `worker`, sweep and send beside it."""
    import signal
    import threading

    import uvicorn

    from workflow import hashing
    from workflow.web import create_app
    from workflow.web.protocol import deadline_protocol
    from workflow.worker import Worker

    web = create_app(app, mail_dir=mail_dir)
    background: Worker | None = None
    thread: threading.Thread | None = None
    if worker:
        background = Worker(app)
        background.wake_on_commands()
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
    limits = app.settings.web
    try:
        # The limits of the server itself; in production a reverse proxy in front adds its
        # own (README, operations).
        uvicorn.run(
            web,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            http=deadline_protocol(limits.header_timeout_seconds),
            limit_concurrency=limits.max_connections,
            timeout_keep_alive=limits.keep_alive_seconds,
            h11_max_incomplete_event_size=limits.max_header_bytes,
        )
    finally:
        hashing.shutdown()
        if background is not None and thread is not None:
            background.stop()
            thread.join(timeout=30)
