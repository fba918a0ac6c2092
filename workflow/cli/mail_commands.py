"""`hotspot mail send`, `list` and `retry`: delivering the outbox, looking into it, retrying."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from states.audit_actions import AuditAction
from states.errors import InvalidInput
from states.i18n import Text
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli, done


@cli.group()
def mail() -> None:
    """Uitgaande mail: versturen wat klaarstaat en de outbox bekijken."""


@mail.command(name="send")
@click.option("--now", "now", default=None, help="Doe alsof het dit moment is (ISO).")
@common_options
def mail_send(ctx: CliContext, now: str | None) -> None:
    """Verstuur één keer alles wat nu aan de beurt is (nieuwe mail en herkansingen)."""
    from notifications import sender
    from workflow import validation

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
                f"mislukt: {report.failed}; wacht: {report.held}",
                f"Sent{where}: {report.sent}; to retry: {report.retried}; "
                f"failed: {report.failed}; waiting: {report.held}",
            ),
            markup=False,
        )
        if report.problem:
            _print_problem(ctx, report.problem)
        for failure in report.failures:
            ctx.console.print(f"  ✘ {failure}", markup=False, style="red")

    ctx.emit(payload, human)


@mail.command(name="list")
@click.argument("proc", required=False)
@click.option("--failed", is_flag=True, help="Alleen mislukte berichten.")
@common_options
def mail_list(ctx: CliContext, proc: str | None, failed: bool) -> None:
    """Toon de outbox, nieuwste eerst (optioneel van één procedure)."""
    from rich.markup import escape
    from rich.table import Table

    from notifications import sender
    from workflow.mail_labels import problem_label, status_label

    rows = sender.list_messages(ctx.app, procedure_id=proc, failed_only=failed)
    problem = sender.open_problem(ctx.app)
    if problem is not None:
        problem["label"] = problem_label(problem["code"], ctx.language)

    def human() -> None:
        if problem:
            _print_problem(ctx, f"{problem['label']} ({problem['code']}: {problem['detail']})")
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
            table.add_row(
                str(row["id"]),
                escape(str(row["kind"])),
                escape(f"{row['recipient_name']} <{row['recipient_email']}>"),
                escape(str(row["subject"])),
                status_label(str(row["status"]), ctx.language),
                str(row["attempts"]),
                escape(str(row["last_error"] or "")),
            )
        ctx.console.print(table)

    ctx.emit({"ok": True, "messages": rows, "problem": problem}, human)


def _print_problem(ctx: CliContext, problem: str) -> None:
    ctx.console.print(
        ctx.t(
            f"⚠ Probleem met de mailinstellingen, mail wacht (zonder pogingen te verbruiken) "
            f"tot het is verholpen: {problem}",
            f"⚠ Problem with the mail set-up; mail waits (using up no tries) until it is put "
            f"right: {problem}",
        ),
        markup=False,
        style="bold red",
    )


@mail.command(name="retry")
# Read as text: the command checks the number as every id is checked (digits 0-9 only).
@click.argument("message", required=False)
@click.option("--procedure", "proc", default=None, help="Alle mislukte mail van deze procedure.")
@common_options
def mail_retry(ctx: CliContext, message: str | None, proc: str | None) -> None:
    """Verstuur mislukte mail opnieuw: één bericht (nummer uit 'mail list') of --procedure."""
    if (message is None) == (proc is None):
        raise InvalidInput(
            "MESSAGE",
            Text(
                "noem één berichtnummer of --procedure PROC (niet allebei)",
                "name one message number or --procedure PROC (not both)",
            ),
        )
    if message is not None:
        # One message by its number: not a declared command (the API reaches it through
        # mail.retry's body), so it is called as it is.
        from workflow.commands import mail as mail_commands

        result = mail_commands.retry_message(ctx.app, message, actor=ctx.actor)
    else:
        from workflow.commands.declarations import run

        assert proc is not None
        result = run(AuditAction.MAIL_RETRY, ctx.app, ctx.actor, {"pid": proc}, {})
    n, numbers = result["count"], ", ".join(str(i) for i in result["messages"])
    skipped = "".join(f"\n  - {s['reason']}" for s in result["skipped"])
    skipped_en = "".join(f"\n  - {s['reason_en']}" for s in result["skipped"])
    done(
        ctx,
        result,
        f"{n} bericht(en) opnieuw klaargezet ({numbers}); 'hotspot mail send' of de worker "
        f"verstuurt ze" + (f"\nNiet opnieuw:{skipped}" if skipped else ""),
        f"{n} message(s) queued again ({numbers}); 'hotspot mail send' or the worker "
        f"delivers them" + (f"\nNot again:{skipped_en}" if skipped_en else ""),
    )
