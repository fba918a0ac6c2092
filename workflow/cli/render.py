"""Human output with rich: tables and panels for status, refusals and the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from states.config import MILESTONE_LABELS
from states.errors import HotspotError, Refused
from states.i18n import Language, Text, format_date
from states.phases import FORWARD_ORDER, Phase
from states.verdicts import Status, Verdict

if TYPE_CHECKING:
    from workflow.procedure_status import Status as ProcedureStatus

COUNT_LABELS = {
    "members": Text("werkgroepleden", "workgroup members"),
    "experts": Text("experts", "experts"),
    "experts_accepted": Text("toegezegd", "accepted"),
    "experts_external_accepted": Text("waarvan extern", "of whom external"),
    "sessions": Text("bijeenkomsten", "sessions"),
    "candidates": Text("kandidaten", "candidates"),
    "concept_list": Text("op conceptlijst", "on concept list"),
    "audit_records": Text("auditrecords", "audit records"),
    "mail_pending": Text("mail klaar om te versturen", "mail waiting to be sent"),
    "mail_failed": Text(
        "mail mislukt (hotspot mail list --failed)", "mail failed (hotspot mail list --failed)"
    ),
}

STATUS_STYLE = {
    Status.PASSED: ("✔", "green"),
    Status.FAILED: ("✘", "red"),
    Status.DEVIATED: ("≠", "yellow"),
    Status.NOT_APPLICABLE: ("–", "dim"),
}


def t(language: Language, nl: str, en: str) -> str:
    return en if language == "en" else nl


def verdict_table(verdicts: list[Verdict], language: Language, title: str) -> Table:
    table = Table(title=title, show_lines=False, expand=True)
    table.add_column("", width=2)
    table.add_column(t(language, "regel", "rule"), style="cyan", no_wrap=True)
    table.add_column(t(language, "toelichting", "explanation"))
    for v in verdicts:
        mark, style = STATUS_STYLE[v.status]
        text = escape(v.explain(language))
        if v.deviation_reason:
            text += escape(
                t(
                    language,
                    f" — afwijking: {v.deviation_reason}",
                    f" — deviation: {v.deviation_reason}",
                )
            )
        table.add_row(f"[{style}]{mark}[/]", v.code, text)
    return table


def error(console: Console, err: HotspotError, language: Language) -> None:
    if isinstance(err, Refused):
        console.print(
            Panel(
                verdict_table(
                    err.verdicts,
                    language,
                    t(language, "Wat in de weg staat", "What stands in the way"),
                ),
                title=f"[bold red]{escape(err.message(language))}[/]",
                border_style="red",
            )
        )
    else:
        console.print(
            f"[bold red]{t(language, 'Fout', 'Error')}:[/] {escape(err.explain(language))}"
        )


def phase_line(current: Phase, language: Language) -> str:
    parts = []
    for phase in FORWARD_ORDER:
        label = escape(phase.label(language))
        if phase is current:
            parts.append(f"[bold reverse] {label} [/]")
        elif current.is_past(phase):
            parts.append(f"[green]{label}[/]")
        else:
            parts.append(f"[dim]{label}[/]")
    if current is Phase.CANCELLED:
        parts.append(f"[bold red] {escape(current.label(language))} [/]")
    return " → ".join(parts)


def status(console: Console, st: ProcedureStatus, language: Language) -> None:
    p = st.procedure
    console.print(
        f"[bold]{escape(st.organisation)}[/], {escape(p.governing_body)}, "
        f"{p.period_start}–{p.period_end}  "
        f"[dim]({escape(p.id)}, {t(language, 'versie', 'version')} {p.version})[/]"
    )
    console.print(phase_line(st.phase, language))
    if st.phase is Phase.CANCELLED and p.cancel_reason:
        console.print(t(language, "Geannuleerd: ", "Cancelled: ") + escape(p.cancel_reason))
    nxt = st.phase.next
    if nxt and st.phase.is_open:
        blockers = [v for v in st.verdicts if v.blocks]
        head = t(language, f"Volgende fase: {nxt.label.nl}", f"Next phase: {nxt.label.en}")
        verdict = (
            t(language, f"{len(blockers)} blokkade(s)", f"{len(blockers)} blocker(s)")
            if blockers
            else t(
                language, "geen blokkades: 'hotspot advance' kan", "no blockers: ready to advance"
            )
        )
        console.print(f"{head} — {verdict}")
        if st.verdicts:
            console.print(
                verdict_table(
                    st.verdicts,
                    language,
                    t(language, "Regels voor deze fase", "Rules of this phase"),
                )
            )
    if st.deviations:
        table = Table(title=t(language, "Vastgelegde afwijkingen", "Recorded deviations"))
        for col in (
            t(language, "regel", "rule"),
            t(language, "reden", "reason"),
            t(language, "door", "by"),
        ):
            table.add_column(col)
        for d in st.deviations:
            table.add_row(d.rule_code, escape(d.reason), escape(d.actor))
        console.print(table)
    if st.milestones:
        table = Table(title=t(language, "Mijlpalen", "Milestones"))
        table.add_column(t(language, "mijlpaal", "milestone"))
        table.add_column(t(language, "datum", "date"))
        table.add_column(t(language, "stand", "state"))
        for key, day in st.milestones.items():
            label = MILESTONE_LABELS[key](language) if key in MILESTONE_LABELS else key
            late = st.overdue.get(key)
            state = (
                "[bold red]"
                + t(
                    language,
                    f"{late['days_overdue']} dagen over tijd "
                    f"({late['working_days_overdue']} werkdagen)",
                    f"{late['days_overdue']} days overdue "
                    f"({late['working_days_overdue']} working days)",
                )
                + "[/]"
                if late
                else ""
            )
            table.add_row(f"{escape(label)} [dim]({key})[/]", format_date(day, language), state)
        console.print(table)
        if st.overdue:
            console.print(
                "[bold red]"
                + t(
                    language,
                    f"{len(st.overdue)} mijlpaal/mijlpalen over tijd; zie 'hotspot deadlines'",
                    f"{len(st.overdue)} milestone(s) overdue; see 'hotspot deadlines'",
                )
                + "[/]"
            )
    counts = ", ".join(
        f"{COUNT_LABELS[k](language)}: {v}" for k, v in st.counts.items() if k in COUNT_LABELS
    )
    console.print(f"[dim]{counts}[/]")


def done(console: Console, message: str, result: dict[str, Any]) -> None:
    extra = ", ".join(f"{k}={v}" for k, v in result.items() if k not in ("ok", "procedure"))
    console.print(f"[green]✔[/] {escape(message)}  [dim]{escape(extra)}[/]")
