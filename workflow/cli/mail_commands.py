"""`hotspot mail send` and `hotspot mail list`: delivering the outbox and looking into it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from notifications import sender
from workflow import validation
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli

STATUS_LABELS = {
    "pending": ("wacht", "pending"),
    "sending": ("wordt verstuurd", "sending"),
    "sent": ("verstuurd", "sent"),
    "failed": ("mislukt", "failed"),
}


@cli.group()
def mail() -> None:
    """Uitgaande mail: versturen wat klaarstaat en de outbox bekijken."""


@mail.command(name="send")
@click.option("--now", "now", default=None, help="Doe alsof het dit moment is (ISO).")
@common_options
def mail_send(ctx: CliContext, now: str | None) -> None:
    """Verstuur één keer alles wat nu aan de beurt is (nieuwe mail en herkansingen)."""
    moment = validation.parse_datetime("--now", now) if now else None
    report = sender.send_due_blocking(ctx.app, ctx.app.settings.mail, now=moment)
    payload: dict[str, Any] = {"ok": True, **asdict(report)}
    transport = ctx.app.settings.mail.transport

    def human() -> None:
        where = (
            ctx.t(
                f" naar {ctx.app.settings.mail.out_dir}/", f" to {ctx.app.settings.mail.out_dir}/"
            )
            if transport == "file"
            else ""
        )
        ctx.console.print(
            ctx.t(
                f"Verstuurd{where}: {report.sent}; later opnieuw: {report.retried}; "
                f"mislukt: {report.failed}",
                f"Sent{where}: {report.sent}; to retry: {report.retried}; failed: {report.failed}",
            ),
            markup=False,
        )
        for failure in report.failures:
            ctx.console.print(f"  ✘ {failure}", markup=False, style="red")

    ctx.emit(payload, human)


@mail.command(name="list")
@click.argument("proc", required=False)
@click.option("--failed", is_flag=True, help="Alleen mislukte berichten.")
@common_options
def mail_list(ctx: CliContext, proc: str | None, failed: bool) -> None:
    """Toon de outbox, nieuwste eerst (optioneel van één procedure)."""
    rows = sender.list_messages(ctx.app, procedure_id=proc, failed_only=failed)

    def human() -> None:
        if not rows:
            ctx.console.print(ctx.t("Geen berichten.", "No messages."))
            return
        table = Table(expand=True)
        for nl, en in (
            ("nr", "no"),
            ("soort", "kind"),
            ("aan", "to"),
            ("onderwerp", "subject"),
            ("status", "status"),
            ("pogingen", "attempts"),
            ("melding", "error"),
        ):
            table.add_column(ctx.t(nl, en))
        for row in rows:
            nl, en = STATUS_LABELS.get(str(row["status"]), (row["status"], row["status"]))
            table.add_row(
                str(row["id"]),
                escape(str(row["kind"])),
                escape(f"{row['recipient_name']} <{row['recipient_email']}>"),
                escape(str(row["subject"])),
                ctx.t(nl, en),
                str(row["attempts"]),
                escape(str(row["last_error"] or "")),
            )
        ctx.console.print(table)

    ctx.emit({"ok": True, "messages": rows}, human)
