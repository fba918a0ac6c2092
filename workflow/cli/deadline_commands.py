"""`hotspot worker` and `hotspot deadlines`: reminders on schedule, and what is due when."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from states.errors import InvalidInput
from states.i18n import Text, format_date, local_date
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli

if TYPE_CHECKING:
    from workflow.worker import TickReport

# The worker's default round (workflow.worker.DEFAULT_INTERVAL_SECONDS, a test keeps the two
# equal), written out so that listing the commands does not import the worker.
DEFAULT_INTERVAL_SECONDS = 60


def tick_json(report: TickReport) -> dict[str, Any]:
    swept, mail = report.reminders, report.mail
    return {
        "ok": True,
        "moment": report.moment.isoformat(),
        "reminders": {
            "sent": swept.sent,
            "skipped": swept.skipped,
            "mails": swept.mails,
            "procedures": swept.procedures,
            "by_rule": dict(sorted(swept.by_rule.items())),
            "skipped_why": dict(sorted(swept.reasons.items())),
            "conflicts": swept.conflicts,
        },
        "mail": {"sent": mail.sent, "retried": mail.retried, "failed": mail.failed},
    }


def tick_line(ctx: CliContext, report: TickReport) -> str:
    swept, mail = report.reminders, report.mail
    return ctx.t(
        f"{report.moment:%Y-%m-%d %H:%M} herinneringen verstuurd: {swept.sent} "
        f"({swept.mails} berichten), overgeslagen: {swept.skipped}; "
        f"mail verstuurd: {mail.sent}, later opnieuw: {mail.retried}, mislukt: {mail.failed}",
        f"{report.moment:%Y-%m-%d %H:%M} reminders sent: {swept.sent} "
        f"({swept.mails} messages), skipped: {swept.skipped}; "
        f"mail sent: {mail.sent}, to retry: {mail.retried}, failed: {mail.failed}",
    )


@cli.command()
@click.option("--once", is_flag=True, help="Eén ronde: herinneringen en outbox, dan stoppen.")
@click.option("--now", "now", default=None, help="Met --once: doe alsof het dit moment is (ISO).")
@click.option(
    "--interval",
    type=click.IntRange(1, 86_400),
    default=DEFAULT_INTERVAL_SECONDS,
    envvar="HOTSPOT_WORKER_INTERVAL",
    show_default=True,
    help="Seconden tussen twee rondes.",
)
@common_options
def worker(ctx: CliContext, once: bool, now: str | None, interval: int) -> None:
    """Verstuur herinneringen en mail op tijd; stopt netjes op SIGTERM of Ctrl-C."""
    from workflow import validation
    from workflow.worker import Worker, plan_missing, tick

    if now and not once:
        raise InvalidInput(
            "--now",
            Text(
                "--now kan alleen met --once (een doorlopende worker volgt de klok)",
                "--now only goes with --once (a running worker follows the clock)",
            ),
        )
    moment = validation.parse_datetime("--now", now) if now else None
    if once:
        plan_missing(ctx.app)
        report = tick(ctx.app, moment)
        ctx.emit(tick_json(report), lambda: ctx.console.print(tick_line(ctx, report), markup=False))
        return

    def on_tick(report: TickReport) -> None:
        if report.reminders.sent or report.reminders.skipped or report.mail.sent:
            ctx.emit(
                tick_json(report), lambda: ctx.console.print(tick_line(ctx, report), markup=False)
            )

    if not ctx.json_output:
        ctx.console.print(
            ctx.t(
                f"Worker gestart: elke {interval} s een ronde; stoppen met Ctrl-C of SIGTERM.",
                f"Worker started: a round every {interval} s; stop with Ctrl-C or SIGTERM.",
            ),
            markup=False,
        )
    ticks = Worker(ctx.app, interval, on_tick).run()
    if not ctx.json_output:
        ctx.console.print(
            ctx.t(f"Worker gestopt na {ticks} rondes.", f"Worker stopped after {ticks} rounds."),
            markup=False,
        )


@cli.command()
@click.argument("proc")
@common_options
def deadlines(ctx: CliContext, proc: str) -> None:
    """Termijnen van een procedure: wat komt, wat over tijd is, en de herinneringen."""
    from workflow.deadlines.listing import deadline_overview

    overview = deadline_overview(ctx.app, proc, ctx.language)
    ctx.emit(overview, lambda: _render(ctx, overview))


def _render(ctx: CliContext, overview: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    lang = ctx.language

    def day(value: str | None) -> str:
        return format_date(date.fromisoformat(value), lang) if value else "—"

    for late in overview["overdue_milestones"]:
        ctx.console.print(
            "[bold red]"
            + escape(
                ctx.t(
                    f"Over tijd: {late['key']} ({day(late['due'])}), "
                    f"{late['days_overdue']} dagen / {late['working_days_overdue']} werkdagen",
                    f"Overdue: {late['key']} ({day(late['due'])}), "
                    f"{late['days_overdue']} days / {late['working_days_overdue']} working days",
                )
            )
            + "[/]"
        )
    if not overview["deadlines"]:
        ctx.console.print(
            ctx.t(
                "Nog geen termijnen: zet mijlpalen met 'hotspot milestone set'.",
                "No deadlines yet: set milestones with 'hotspot milestone set'.",
            )
        )
        return
    table = Table(
        title=ctx.t(
            f"Termijnen van {overview['procedure']} (vandaag {day(overview['today'])})",
            f"Deadlines of {overview['procedure']} (today {day(overview['today'])})",
        ),
        expand=True,
    )
    for nl, en in (
        ("termijn", "deadline"),
        ("waarover", "about"),
        ("datum", "date"),
        ("stand", "state"),
        ("herinneringen", "reminders"),
    ):
        table.add_column(ctx.t(nl, en))
    for item in overview["deadlines"]:
        lines = []
        for r in item["reminders"]:
            moment = datetime.fromisoformat(r["due_at"])
            text = f"{r['offset']} {format_date(local_date(moment), lang)}: {r['status_label']}"
            if r["reason_label"]:
                text += f" ({r['reason_label']})"
            elif r["status"] == "sent":
                count = r["mails"]
                text += ctx.t(
                    f" ({count} {'bericht' if count == 1 else 'berichten'})",
                    f" ({count} {'message' if count == 1 else 'messages'})",
                )
            lines.append(f"{r['rule_label']} {text}")
        state = item["state_label"]
        if item["state"] == "overdue":
            state = f"[bold red]{escape(state)}[/]"
        table.add_row(
            escape(item["kind_label"]),
            escape(item["subject_label"]),
            day(item["due"]),
            state,
            escape("\n".join(lines)) or "—",
        )
    ctx.console.print(table)
