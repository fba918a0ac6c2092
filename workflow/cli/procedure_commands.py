"""Commands about a procedure as a whole: list, status, audit, demo.

Opening, advancing, cancelling and deviating are declared write commands: rows of
workflow/cli/declared.py.
"""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import click

from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli


@cli.command(name="list")
@click.option("--phase", default=None, help="Alleen procedures in deze fase (code).")
@common_options
def list_(ctx: CliContext, phase: str | None) -> None:
    """Toon alle procedures met hun fase."""
    from workflow.commands import procedures

    rows = procedures.list_procedures(ctx.app, phase)

    def human() -> None:
        from rich.markup import escape
        from rich.table import Table

        from states.phases import Phase

        table = Table(title=ctx.t("Procedures", "Procedures"))
        # The id is what people type next: wrap it if need be, never cut it short.
        table.add_column("id", overflow="fold")
        for col in (
            ctx.t("organisatie", "organisation"),
            ctx.t("bestuursorgaan", "governing body"),
            ctx.t("periode", "period"),
            ctx.t("fase", "phase"),
        ):
            table.add_column(col)
        for r in rows:
            table.add_row(
                escape(r["procedure"]),
                escape(r["organisation"]),
                escape(r["governing_body"]),
                r["period"],
                Phase(r["phase"]).label(ctx.language),
            )
        ctx.console.print(table)

    ctx.emit({"ok": True, "procedures": rows}, human)


@cli.command()
@click.argument("proc")
@common_options
def status(ctx: CliContext, proc: str) -> None:
    """Fase, volgende fase, blokkades, afwijkingen en mijlpalen."""
    # Not through workflow.commands.procedures: reading the status needs none of the
    # machinery that changing a procedure does (see workflow.procedure_status).
    from workflow import procedure_status
    from workflow.cli import render

    st = procedure_status.status(ctx.app, proc)
    ctx.emit(st.to_json(ctx.language), lambda: render.status(ctx.console, st, ctx.language))


@cli.command()
@click.argument("proc")
@click.option("--verify", is_flag=True, help="Controleer de hashketen.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option(
    "--by", "by", default="", metavar="ACTOR", help="Alleen records van deze actor (zoals --actor)."
)
@click.option(
    "--action",
    default="",
    help="Alleen deze actie (expert.add) of een hele groep, eindigend op een punt (expert.).",
)
@common_options
def audit(ctx: CliContext, proc: str, verify: bool, fmt: str, by: str, action: str) -> None:
    """Toon, exporteer of controleer het auditspoor."""
    from rich.markup import escape

    from workflow.audit import to_csv
    from workflow.read import audit as read_audit

    wanted = read_audit.AuditFilter(actor=by.strip(), action=action.strip())
    with ctx.app.read() as db:
        connection = db.connection()
        found = read_audit.find(connection, proc, wanted)
        rows = read_audit.as_dicts(found.records)
        # The chain is always verified whole: a filter only narrows what is shown.
        check = read_audit.verify(connection, proc) if verify else None
    procedure_id = found.procedure_id
    if fmt == "csv" and not verify:
        sys.stdout.write(to_csv(rows))
    elif fmt == "json" or ctx.json_output:
        payload: dict[str, Any] = {"ok": check.ok if check else True, "procedure": procedure_id}
        if check:
            payload["verification"] = check.to_json()
        if not verify or fmt == "json":
            payload["records"] = rows
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        if not verify:
            _audit_table(ctx, rows)
        elif check and check.ok:
            ctx.console.print(
                ctx.t(
                    f"[green]✔ Auditspoor intact[/]: {check.records} records",
                    f"[green]✔ Audit trail intact[/]: {check.records} records",
                )
            )
        elif check:
            ctx.console.print(
                ctx.t(
                    f"[bold red]✘ Auditspoor beschadigd[/] bij volgnummer {check.first_bad_seq}: "
                    f"{escape(check.problem or '')}",
                    f"[bold red]✘ Audit trail broken[/] at sequence number {check.first_bad_seq}: "
                    f"{escape(check.problem or '')}",
                )
            )
    if check and not check.ok:
        raise SystemExit(6)


def _audit_table(ctx: CliContext, rows: list[dict[str, Any]]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=ctx.t("Auditspoor", "Audit trail"))
    table.add_column("#", justify="right")
    table.add_column(ctx.t("tijd (UTC)", "time (UTC)"), no_wrap=True)
    for col in (
        ctx.t("door", "actor"),
        ctx.t("actie", "action"),
        ctx.t("fase", "phase"),
        ctx.t("reden", "reason"),
    ):
        table.add_column(col)
    for r in rows:
        phase = (
            r["phase_after"]
            if r["phase_before"] == r["phase_after"]
            else (f"{r['phase_before'] or '-'} → {r['phase_after']}")
        )
        table.add_row(
            str(r["seq"]),
            r["recorded_at"][:19].replace("T", " "),
            escape(r["actor"]),
            r["action"],
            phase,
            escape(r["reason"] or ""),
        )
    ctx.console.print(table)


@cli.command()
@click.option("--database-url", default=None, help="Standaard: sqlite:///var/demo.db (opnieuw).")
@click.option(
    "--web",
    is_flag=True,
    help="Stop bij de expertbijeenkomsten en start de webapplicatie (wat 'make run' doet).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Met --web.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Met --web."
)
@common_options
def demo(ctx: CliContext, database_url: str | None, web: bool, host: str, port: int) -> None:
    """Doorloop een complete voorbeeldprocedure (Provincie Overijssel, 2017–2023)."""
    from rich.console import Console

    from workflow.cli.demo import WebDemo, run_demo
    from workflow.cli.web_commands import serve_app

    # With --json the walk-through is not shown; only its summary is printed.
    console = Console(file=io.StringIO()) if ctx.json_output else ctx.console
    summary = run_demo(
        console,
        database_url=database_url,
        language=ctx.language,
        web=WebDemo(host, port, lambda app, mail: serve_app(app, host, port, mail, worker=True))
        if web
        else None,
    )
    ctx.emit(summary, lambda: None)
