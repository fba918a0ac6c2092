"""Entry point of `hotspot`: the command tree, and errors turned into exit codes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from states.errors import HotspotError
from states.i18n import parse_language
from states.phases import Phase
from workflow import audit as audit_trail
from workflow import repository
from workflow.cli import render
from workflow.cli.context import CliContext, common_options
from workflow.commands import decision, people, planning, procedures, records, sessions


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="hotspot-monitor")
def cli() -> None:
    """hotspot-monitor: de periodieke hotspot-monitor als procedure met vaste stappen."""


def _done(ctx: CliContext, result: dict[str, Any], nl: str, en: str) -> None:
    ctx.emit(result, lambda: render.done(ctx.console, ctx.t(nl, en), result))


@cli.command()
@click.option("--org", required=True, help="Organisatie, bijv. 'Provincie Overijssel'.")
@click.option("--body", required=True, help="Bestuursorgaan, bijv. 'Gedeputeerde Staten'.")
@click.option("--period", required=True, help="Referentieperiode, bijv. 2017-2023.")
@click.option("--id", "procedure_id", default=None, help="Eigen code voor de procedure.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    default=None,
    help="TOML-bestand van de organisatie met afwijkende regels.",
)
@click.option("--legal-basis", default=None, help="Wettelijke grondslag (standaard uit config).")
@common_options
def init(
    ctx: CliContext,
    org: str,
    body: str,
    period: str,
    procedure_id: str | None,
    config_file: Path | None,
    legal_basis: str | None,
) -> None:
    """Open een nieuwe procedure (fase voorbereiding)."""
    result = procedures.init_procedure(
        ctx.app,
        organisation=org,
        body=body,
        period=period,
        actor=ctx.actor,
        procedure_id=procedure_id,
        config_file=config_file,
        legal_basis=legal_basis,
    )
    _done(
        ctx,
        result,
        f"Procedure {result['procedure']} geopend",
        f"Procedure {result['procedure']} opened",
    )


@cli.command(name="list")
@click.option("--phase", default=None, help="Alleen procedures in deze fase (code).")
@common_options
def list_(ctx: CliContext, phase: str | None) -> None:
    """Toon alle procedures met hun fase."""
    rows = procedures.list_procedures(ctx.app, phase)

    def human() -> None:
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
    st = procedures.status(ctx.app, proc)
    ctx.emit(st.to_json(ctx.language), lambda: render.status(ctx.console, st, ctx.language))


@cli.command()
@click.argument("proc")
@click.option("--reason", default=None, help="Toelichting voor het auditspoor.")
@common_options
def advance(ctx: CliContext, proc: str, reason: str | None) -> None:
    """Ga naar de volgende fase als alle regels het toelaten."""
    result = procedures.advance(ctx.app, proc, actor=ctx.actor, reason=reason)
    label = Phase(result["phase"]).label
    _done(ctx, result, f"Nu in fase {label.nl}", f"Now in phase {label.en}")


@cli.command()
@click.argument("proc")
@click.option("--reason", required=True, help="Waarom de procedure stopt.")
@common_options
def cancel(ctx: CliContext, proc: str, reason: str) -> None:
    """Annuleer de procedure, met reden."""
    result = procedures.cancel(ctx.app, proc, actor=ctx.actor, reason=reason)
    _done(ctx, result, "Procedure geannuleerd", "Procedure cancelled")


@cli.command()
@click.argument("proc")
@click.argument("rule_code")
@click.option("--reason", required=True, help="Waarom van de regel wordt afgeweken.")
@common_options
def deviate(ctx: CliContext, proc: str, rule_code: str, reason: str) -> None:
    """Leg een bewuste afwijking van een evenwichtsregel vast."""
    result = procedures.deviate(ctx.app, proc, rule_code, actor=ctx.actor, reason=reason)
    _done(
        ctx, result, f"Afwijking van {rule_code} vastgelegd", f"Deviation from {rule_code} recorded"
    )


@cli.group()
def member() -> None:
    """Leden van de hotspotwerkgroep."""


@member.command(name="add")
@click.argument("proc")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, help="Bijv. procesbegeleider, archivaris.")
@common_options
def member_add(ctx: CliContext, proc: str, name: str, email: str, role: str) -> None:
    """Voeg een werkgroeplid met een rol toe."""
    result = people.add_member(ctx.app, proc, name=name, email=email, role=role, actor=ctx.actor)
    _done(ctx, result, f"{name} toegevoegd als {role}", f"{name} added as {role}")


@cli.group()
def milestone() -> None:
    """Mijlpalen van de planning."""


@milestone.command(name="set")
@click.argument("proc")
@click.argument("key")
@click.argument("date")
@common_options
def milestone_set(ctx: CliContext, proc: str, key: str, date: str) -> None:
    """Leg de datum van een mijlpaal vast (JJJJ-MM-DD)."""
    result = planning.set_milestone(ctx.app, proc, key, date, actor=ctx.actor)
    _done(ctx, result, f"Mijlpaal {key} op {result['due']}", f"Milestone {key} on {result['due']}")


@cli.group()
def expert() -> None:
    """Experts: toevoegen, importeren, antwoorden."""


@expert.command(name="add")
@click.argument("proc")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--perspective", required=True, help="internal|external (intern|extern).")
@click.option("--profile", required=True, help="Bijv. historicus, journalist, beleid.")
@common_options
def expert_add(
    ctx: CliContext, proc: str, name: str, email: str, perspective: str, profile: str
) -> None:
    """Voeg een expert toe."""
    result = people.add_expert(
        ctx.app,
        proc,
        name=name,
        email=email,
        perspective=perspective,
        profile=profile,
        actor=ctx.actor,
    )
    _done(ctx, result, f"Expert {name} toegevoegd", f"Expert {name} added")


@expert.command(name="import")
@click.argument("proc")
@click.argument("file", type=click.Path(path_type=Path))
@common_options
def expert_import(ctx: CliContext, proc: str, file: Path) -> None:
    """Importeer experts uit CSV (name,email,perspective,profile); alles of niets."""
    result = people.import_experts(ctx.app, proc, file, actor=ctx.actor)
    n = len(result["experts"])
    _done(ctx, result, f"{n} experts geïmporteerd", f"{n} experts imported")


@expert.command(name="respond")
@click.argument("proc")
@click.argument("email")
@click.option("--accept/--decline", required=True, help="Toegezegd of afgezegd.")
@common_options
def expert_respond(ctx: CliContext, proc: str, email: str, accept: bool) -> None:
    """Leg het antwoord van een expert vast."""
    result = people.respond(ctx.app, proc, email, accept=accept, actor=ctx.actor)
    _done(
        ctx,
        result,
        f"Antwoord van {email}: {result['response']}",
        f"Answer of {email}: {result['response']}",
    )


@cli.group()
def session() -> None:
    """Expertbijeenkomsten."""


@session.command(name="add")
@click.argument("proc")
@click.option("--at", "at", required=True, help="Datum en tijd, bijv. 2025-03-12T14:00.")
@click.option("--location", default=None)
@common_options
def session_add(ctx: CliContext, proc: str, at: str, location: str | None) -> None:
    """Plan een expertbijeenkomst; toont het nummer van de bijeenkomst."""
    result = sessions.add_session(ctx.app, proc, at=at, location=location, actor=ctx.actor)
    ctx.emit(result, lambda: click.echo(result["session"]))


@session.command(name="attend")
@click.argument("proc")
@click.argument("session_id")
@click.argument("emails", nargs=-1)
@common_options
def session_attend(ctx: CliContext, proc: str, session_id: str, emails: tuple[str, ...]) -> None:
    """Leg de aanwezigheid van experts bij een bijeenkomst vast."""
    result = sessions.attend(ctx.app, proc, session_id, list(emails), actor=ctx.actor)
    _done(
        ctx,
        result,
        f"Aanwezigheid vastgelegd ({result['attendees']} aanwezig)",
        f"Attendance recorded ({result['attendees']} present)",
    )


@cli.group()
def candidate() -> None:
    """Kandidaat-hotspots: voordragen en beoordelen."""


@candidate.command(name="add")
@click.argument("proc")
@click.option("--title", required=True)
@click.option("--start", required=True, help="Begin van de periode (JJJJ-MM-DD).")
@click.option("--end", default=None, help="Einde (leeg: nog lopend).")
@click.option("--description", required=True)
@click.option("--nominated-by", required=True, help="E-mailadres van de voordragende expert.")
@common_options
def candidate_add(
    ctx: CliContext,
    proc: str,
    title: str,
    start: str,
    end: str | None,
    description: str,
    nominated_by: str,
) -> None:
    """Draag een kandidaat-hotspot voor; toont het nummer van de kandidaat."""
    result = sessions.add_candidate(
        ctx.app,
        proc,
        title=title,
        start=start,
        end=end,
        description=description,
        nominated_by=nominated_by,
        actor=ctx.actor,
    )
    ctx.emit(result, lambda: click.echo(result["candidate"]))


@candidate.command(name="assess")
@click.argument("proc")
@click.argument("candidate_id")
@click.option("--criteria", default="", help="Criteria waaraan voldaan is, bijv. 1,3.")
@click.option("--motivation", default="", help="Motivering.")
@click.option("--include/--exclude", required=True, help="Op de conceptlijst of niet.")
@common_options
def candidate_assess(
    ctx: CliContext, proc: str, candidate_id: str, criteria: str, motivation: str, include: bool
) -> None:
    """Beoordeel een kandidaat aan de vier criteria."""
    result = sessions.assess(
        ctx.app,
        proc,
        candidate_id,
        criteria=criteria,
        motivation=motivation,
        include=include,
        actor=ctx.actor,
    )
    _done(ctx, result, "Beoordeling vastgelegd", "Assessment recorded")


@cli.group(name="concept-list")
def concept_list() -> None:
    """De conceptlijst."""


@concept_list.command(name="empty")
@click.argument("proc")
@click.option("--reason", required=True, help="Waarom de conceptlijst leeg blijft.")
@common_options
def concept_list_empty(ctx: CliContext, proc: str, reason: str) -> None:
    """Leg vast waarom de conceptlijst leeg is."""
    result = sessions.empty_list_reason(ctx.app, proc, reason=reason, actor=ctx.actor)
    _done(ctx, result, "Reden voor een lege lijst vastgelegd", "Reason for an empty list recorded")


@cli.command()
@click.argument("proc")
@click.option("--positive/--negative", required=True)
@click.option("--by", required=True, help="Naam van de archivaris.")
@click.option("--reason", default=None)
@common_options
def advice(ctx: CliContext, proc: str, positive: bool, by: str, reason: str | None) -> None:
    """Leg het advies van de archivaris vast; negatief stuurt terug naar de bijeenkomsten."""
    result = decision.record_advice(
        ctx.app, proc, positive=positive, by=by, reason=reason, actor=ctx.actor
    )
    _done(
        ctx,
        result,
        f"Advies vastgelegd; fase {Phase(result['phase']).label.nl}",
        f"Advice recorded; phase {Phase(result['phase']).label.en}",
    )


@cli.command()
@click.argument("proc")
@click.option("--adopted/--returned", required=True)
@click.option("--date", "day", required=True, help="Datum van het besluit.")
@click.option("--ref", required=True, help="Kenmerk van het besluit.")
@click.option("--reason", default=None)
@common_options
def decide(
    ctx: CliContext, proc: str, adopted: bool, day: str, ref: str, reason: str | None
) -> None:
    """Leg het besluit van het bestuursorgaan vast: vastgesteld of teruggestuurd."""
    result = decision.record_decision(
        ctx.app, proc, adopted=adopted, day=day, ref=ref, reason=reason, actor=ctx.actor
    )
    _done(
        ctx,
        result,
        f"Besluit vastgelegd; fase {Phase(result['phase']).label.nl}",
        f"Decision recorded; phase {Phase(result['phase']).label.en}",
    )


@cli.group()
def inventory() -> None:
    """Inventarisatie van de informatie per vastgestelde hotspot."""


@inventory.command(name="system")
@click.argument("proc")
@click.argument("hotspot")
@click.option("--system", required=True)
@click.option("--query", required=True, help="Zoektermen, labels of zaaktypen.")
@click.option("--owner", required=True, help="Eigenaar van het systeem.")
@common_options
def inventory_system(
    ctx: CliContext, proc: str, hotspot: str, system: str, query: str, owner: str
) -> None:
    """Geef een informatiesysteem op dat voor een hotspot doorzocht moet worden."""
    result = records.add_system(
        ctx.app, proc, hotspot, system=system, query=query, owner=owner, actor=ctx.actor
    )
    _done(
        ctx,
        result,
        f"{system} opgegeven voor {result['hotspot']}",
        f"{system} listed for {result['hotspot']}",
    )


@inventory.command(name="dossier")
@click.argument("proc")
@click.argument("hotspot")
@click.option("--system", required=True)
@click.option("--dossier", required=True, help="Zaak- of dossiernummer.")
@click.option("--title", default=None)
@common_options
def inventory_dossier(
    ctx: CliContext, proc: str, hotspot: str, system: str, dossier: str, title: str | None
) -> None:
    """Markeer een gevonden dossier als blijvend te bewaren."""
    result = records.mark_dossier(
        ctx.app, proc, hotspot, system=system, dossier=dossier, title=title, actor=ctx.actor
    )
    _done(ctx, result, f"Dossier {dossier}: blijvend bewaren", f"Dossier {dossier}: retain")


@inventory.command(name="none")
@click.argument("proc")
@click.argument("hotspot")
@click.option("--system", required=True)
@click.option("--reason", required=True, help="Waarom niets gevonden is.")
@common_options
def inventory_none(ctx: CliContext, proc: str, hotspot: str, system: str, reason: str) -> None:
    """Leg vast dat in een systeem niets voor de hotspot is gevonden, en waarom."""
    result = records.nothing_found(
        ctx.app, proc, hotspot, system=system, reason=reason, actor=ctx.actor
    )
    _done(
        ctx,
        result,
        f"{system}: niets gevonden, reden vastgelegd",
        f"{system}: nothing found, reason recorded",
    )


@cli.command()
@click.argument("proc")
@click.option("--channel", required=True, help="Bijv. Provinciaal Blad.")
@click.option("--ref", required=True, help="Publicatiekenmerk.")
@click.option("--date", "day", required=True, help="Datum van inwerkingtreding.")
@click.option("--objection-weeks", type=int, default=None, help="Bezwaartermijn (standaard 6).")
@common_options
def publish(
    ctx: CliContext, proc: str, channel: str, ref: str, day: str, objection_weeks: int | None
) -> None:
    """Leg de publicatie van de vastgestelde hotspotlijst vast."""
    result = records.publish(
        ctx.app,
        proc,
        channel=channel,
        ref=ref,
        day=day,
        objection_weeks=objection_weeks,
        actor=ctx.actor,
    )
    _done(ctx, result, f"Publicatie {ref} vastgelegd", f"Publication {ref} recorded")


@cli.command()
@click.argument("proc")
@click.option("--verify", is_flag=True, help="Controleer de hashketen.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@common_options
def audit(ctx: CliContext, proc: str, verify: bool, fmt: str) -> None:
    """Toon, exporteer of controleer het auditspoor."""
    with ctx.app.read() as db:
        procedure = repository.get_procedure(db, proc)
        records_ = audit_trail.records_of(db, procedure.id)
        rows = audit_trail.as_dicts(records_)
        check = (
            audit_trail.verify_records(records_, procedure.audit_seq, procedure.audit_head)
            if verify
            else None
        )
    if fmt == "csv" and not verify:
        sys.stdout.write(audit_trail.to_csv(rows))
    elif fmt == "json" or ctx.json_output:
        payload: dict[str, Any] = {"ok": check.ok if check else True, "procedure": procedure.id}
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
@common_options
def demo(ctx: CliContext, database_url: str | None) -> None:
    """Doorloop een complete voorbeeldprocedure (Provincie Overijssel, 2017–2023)."""
    from workflow.demo import run_demo

    # With --json the walk-through is not shown; only its summary is printed.
    console = Console(file=io.StringIO()) if ctx.json_output else ctx.console
    summary = run_demo(console, database_url=database_url, language=ctx.language)
    ctx.emit(summary, lambda: None)


def _wants_json(args: list[str]) -> bool:
    return "--json" in args


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit 0 done, 2 invalid input, 3 refused, 4 not found, 5 conflict."""
    args = list(sys.argv[1:] if argv is None else argv)
    language = parse_language(_value_after(args, "--lang") or None)
    if "--lang" not in args:
        from os import environ

        language = parse_language(environ.get("HOTSPOT_LANG"))
    err_console = Console(stderr=True)
    context = CliContext(language=language)
    try:
        cli.main(args=args, prog_name="hotspot", standalone_mode=False, obj=context)
    except HotspotError as error:
        if _wants_json(args):
            sys.stdout.write(json.dumps(error.to_json(language), ensure_ascii=False) + "\n")
        else:
            render.error(err_console, error, language)
        raise SystemExit(error.exit_code) from None
    except click.ClickException as error:
        if _wants_json(args):
            payload = {"ok": False, "error": "invalid_input", "message": error.format_message()}
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            error.show(file=sys.stderr)
        raise SystemExit(2 if error.exit_code == 2 else error.exit_code) from None
    except click.exceptions.Abort:
        raise SystemExit(1) from None
    finally:
        context.close()
    raise SystemExit(0)


def _value_after(args: list[str], flag: str) -> str:
    if flag in args and args.index(flag) + 1 < len(args):
        return args[args.index(flag) + 1]
    return ""


if __name__ == "__main__":
    main()
