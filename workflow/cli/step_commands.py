"""The groups of the commands inside the phases (people, dates, sessions, decisions), and the
few of those commands that do more than run one declared handler.

The declared write commands themselves (member add, session move, decide, …) are rows of
workflow/cli/declared.py, which adds them to these groups.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from states.audit_actions import AuditAction
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli, done


@cli.group()
def member() -> None:
    """Leden van de hotspotwerkgroep."""


@cli.group()
def milestone() -> None:
    """Mijlpalen van de planning."""


@cli.group()
def expert() -> None:
    """Experts: toevoegen, importeren, antwoorden."""


@expert.command(name="import")
@click.argument("proc")
@click.argument("file", type=click.Path(path_type=Path))
@common_options
def expert_import(ctx: CliContext, proc: str, file: Path) -> None:
    """Importeer experts uit CSV (name,email,perspective,profile[,language]); alles of niets."""
    from workflow.commands import people

    result = people.import_experts(ctx.app, proc, file, actor=ctx.actor)
    n = len(result["experts"])
    done(ctx, result, f"{n} experts geïmporteerd", f"{n} experts imported")


@cli.group()
def session() -> None:
    """Expertbijeenkomsten."""


@cli.group()
def candidate() -> None:
    """Kandidaat-hotspots: voordragen en beoordelen."""


@cli.group(name="concept-list")
def concept_list() -> None:
    """De conceptlijst."""


@cli.group()
def inventory() -> None:
    """Inventarisatie van de informatie per vastgestelde hotspot."""


@inventory.command(name="cases")
@click.argument("proc")
@click.argument("hotspot")
@click.option("--system", required=True, help="Een zaaksysteem van de procedure (met Zaken API).")
@click.option("--keyword", default=None, help="Alleen zaken met dit woord in hun omschrijving.")
@click.option(
    "--area",
    "area_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Alleen zaken binnen dit gebied: een GeoJSON-bestand met een (Multi)Polygon in EPSG:4326.",
)
@common_options
def inventory_cases(
    ctx: CliContext,
    proc: str,
    hotspot: str,
    system: str,
    keyword: str | None,
    area_file: Path | None,
) -> None:
    """Zoek in een zaaksysteem de zaken van een hotspot: zijn zaaktypen, zijn periode."""
    import json
    import sys

    from workflow.zgw.area import read_area_file
    from workflow.zgw.search import plan_search, run_search

    area = read_area_file(area_file) if area_file is not None else None
    plan = plan_search(ctx.app, proc, hotspot, system, keyword, area)

    def progress(done: int, total: int) -> None:
        # On stderr, so --json stays one clean object on stdout.
        click.echo(
            ctx.t(f"  {done} van {total} zaken gelezen", f"  {done} of {total} read"), err=True
        )

    result = run_search(ctx.app, plan, user_id=ctx.actor, user_name=ctx.actor, on_page=progress)
    cases, names = result.cases, result.type_names
    if ctx.json_output:
        payload = {
            "ok": True,
            "procedure": proc,
            "hotspot": plan.hotspot.number,
            "system": plan.system,
            "cases": [
                {
                    "url": c.url,
                    "identificatie": c.identificatie,
                    "omschrijving": c.omschrijving,
                    "zaaktype": c.zaaktype,
                    "zaaktype_omschrijving": names.get(c.zaaktype),
                    "startdatum": c.startdatum.isoformat() if c.startdatum else None,
                    "einddatum": c.einddatum.isoformat() if c.einddatum else None,
                    **c.archive_fields(),
                }
                for c in cases
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        "identificatie",
        "omschrijving",
        "zaaktype",
        "start",
        "einde",
        "archiefnominatie",
        "archiefactiedatum",
        "archiefstatus",
    )
    for c in cases:
        table.add_row(
            *(
                escape(str(cell or ""))
                for cell in (
                    c.identificatie,
                    c.omschrijving,
                    names.get(c.zaaktype),
                    c.startdatum,
                    c.einddatum,
                    c.archiefnominatie,
                    c.archiefactiedatum,
                    c.archiefstatus,
                )
            )
        )
    ctx.console.print(table)
    ctx.console.print(
        ctx.t(
            f"{len(cases)} zaak/zaken van hotspot {plan.hotspot.number} in {plan.system}.",
            f"{len(cases)} case(s) of hotspot {plan.hotspot.number} in {plan.system}.",
        )
    )


@inventory.command(name="zaaktypen")
@click.argument("proc")
@click.option("--system", required=True, help="Een zaaksysteem van de procedure met Catalogi API.")
@common_options
def inventory_case_types(ctx: CliContext, proc: str, system: str) -> None:
    """De gepubliceerde zaaktypen in de Catalogi API van een zaaksysteem, om te kiezen welke
    doorzocht worden (hotspot inventory define … --zaaktype URL)."""
    import json
    import sys

    from workflow.zgw.search import list_case_types

    found = list_case_types(ctx.app, proc, system, user_id=ctx.actor)
    if ctx.json_output:
        rows = [
            {"url": t.url, "identificatie": t.identificatie, "omschrijving": t.omschrijving}
            for t in found
        ]
        sys.stdout.write(json.dumps({"ok": True, "zaaktypen": rows}, ensure_ascii=False) + "\n")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table("identificatie", "omschrijving", "geldig vanaf", "url")
    for t in found:
        table.add_row(*(escape(v or "") for v in (t.identificatie, t.omschrijving, t.begin, t.url)))
    ctx.console.print(table)
    ctx.console.print(
        ctx.t(f"{len(found)} zaaktype(n) in {system}.", f"{len(found)} case type(s) in {system}.")
    )


@inventory.command(name="exceptions")
@click.argument("proc")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="De uitzonderingenlijst voor vernietigingslijsten.",
)
@common_options
def inventory_exceptions(ctx: CliContext, proc: str, fmt: str) -> None:
    """De zaken die bij een vastgestelde hotspot blijvend bewaard worden, als uitzonderingenlijst
    die een vernietigingslijst overslaat (zaak-URL, identificatie, hotspot, besluit, reden)."""
    import sys

    from workflow import exports
    from workflow.read import inventory as read_inventory

    cases = read_inventory.kept_cases(ctx.app, proc)
    if fmt == "json":
        sys.stdout.buffer.write(read_inventory.exception_list_json(cases))
        return
    rows = [c.row() for c in cases]
    sys.stdout.buffer.write(exports.dutch_csv(read_inventory.EXCEPTION_HEADER, rows))


@inventory.command(name="kept")
@click.argument("proc")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help="csv: voor Nederlandse Excel (puntkomma's, BOM).",
)
@common_options
def inventory_kept(ctx: CliContext, proc: str, fmt: str) -> None:
    """Elke zaak die in een zaaksysteem blijvend bewaard wordt, met de laatste controle
    (bewaard, hersteld, niet hersteld, verdwenen of niet bereikbaar)."""
    import sys

    from workflow import exports
    from workflow.read import inventory as read_inventory

    cases = read_inventory.kept_cases(ctx.app, proc)
    rows = read_inventory.guard_rows(cases, ctx.language)
    if fmt == "csv":
        sys.stdout.buffer.write(exports.dutch_csv(read_inventory.GUARD_HEADER, rows))
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(*read_inventory.GUARD_HEADER[:3], *read_inventory.GUARD_HEADER[4:7])
    for row in rows:
        table.add_row(*(escape(cell) for cell in (*row[:3], *row[4:7])))
    ctx.console.print(table)
    attention = sum(1 for c in cases if c.needs_attention)
    ctx.console.print(
        ctx.t(
            f"{len(cases)} bewaarde zaak/zaken; {attention} vragen aandacht.",
            f"{len(cases)} kept case(s); {attention} need attention.",
        )
    )


@inventory.command(name="overview")
@click.argument("proc")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="csv: voor Nederlandse Excel (puntkomma's, BOM).",
)
@click.option(
    "--xlsx",
    "xlsx_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Schrijf het overzicht ook als Excel-bestand.",
)
@common_options
def inventory_overview(ctx: CliContext, proc: str, fmt: str, xlsx_path: Path | None) -> None:
    """Per hotspot: doorzochte systemen, gemarkeerde dossiers en wat nog open staat."""
    import json
    import sys

    from workflow import exports
    from workflow.read import inventory as read_inventory

    found = read_inventory.inventory_overview(ctx.app, proc)
    lang = ctx.language
    header, rows = read_inventory.EXPORT_HEADER[lang], list(found.rows(lang))
    if xlsx_path is not None:
        xlsx_path.write_bytes(exports.xlsx("Inventarisatie", header, rows))
    if fmt == "csv":
        sys.stdout.buffer.write(exports.dutch_csv(header, rows))
        return
    if fmt == "json" or ctx.json_output:
        payload = {
            "ok": True,
            "procedure": found.procedure_id,
            "open": found.open_count,
            "rows": [dict(zip(header, row, strict=True)) for row in rows],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(*header[:7])
    for row in rows:
        table.add_row(*(escape(str(cell)) for cell in row[:7]))
    ctx.console.print(table)
    ctx.console.print(
        ctx.t(
            f"{len(found.hotspots)} hotspot(s); bij {found.open_count} staat nog iets open.",
            f"{len(found.hotspots)} hotspot(s); {found.open_count} still have something open.",
        )
    )


@cli.command()
@click.argument("proc")
@click.option("--channel", required=True, help="Bijv. Provinciaal Blad.")
@click.option("--ref", required=True, help="Publicatiekenmerk.")
@click.option("--date", "day", required=True, help="Datum van inwerkingtreding.")
@click.option("--objection-weeks", type=int, default=None, help="Bezwaartermijn (standaard 6).")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("var") / "publicatie",
    show_default=True,
    help="Map voor de openbare lijst (HTML, CSV, JSON).",
)
@common_options
def publish(
    ctx: CliContext,
    proc: str,
    channel: str,
    ref: str,
    day: str,
    objection_weeks: int | None,
    out: Path,
) -> None:
    """Leg de publicatie vast, kondig haar aan en schrijf de openbare hotspotlijst."""
    from workflow.commands.declarations import run
    from workflow.publishing import public_list_to

    fields = {"channel": channel, "ref": ref, "date": day, "objection_weeks": objection_weeks}
    # Publishing writes the public list once it is recorded (workflow.publishing), into --out.
    with public_list_to(out) as written:
        result: dict[str, Any] = run(
            AuditAction.PUBLICATION_RECORD, ctx.app, ctx.actor, {"pid": proc}, fields
        )
    result["files"] = [p.as_posix() for p in written.files]
    done(
        ctx,
        result,
        f"Publicatie {ref} vastgelegd; openbare lijst in {out}/",
        f"Publication {ref} recorded; public list in {out}/",
    )
