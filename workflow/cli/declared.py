"""The CLI face of the declared write commands: one table of rows, one dispatcher.

Each row names a declared command (workflow/commands/declarations.py) by its audit action,
the click command that offers it ("session move") and its parameters in the CLI's own words
(`SESSION_ID`, `--at`, `--include/--exclude`), each mapped to the domain name the declaration
uses: a path parameter (`pid`, `sid`) or an input field. The dispatcher hands those to
`Command.keywords`, the mapping the JSON API uses too, and runs the declared handler; the
handler still checks every value itself, so refusals name the CLI's words as before.

The declarations (and with them pydantic) are imported only when a command runs: building
this table costs click objects only, so `hotspot --help` and `hotspot status` stay light.
Commands that do more than call one handler stay written by hand in their modules (publish
writes the public list, `mail retry` chooses between two handlers, `expert import` reads a
file), and run their declared handler through the same `declarations.run`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import click

from states.audit_actions import AuditAction
from states.errors import InvalidInput
from states.i18n import Text
from states.phases import Phase
from workflow.cli import step_commands, web_commands
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli, done

if TYPE_CHECKING:
    from workflow.commands.declarations import Command

# The groups the rows join (member, session, link, …) are made in these modules.
GROUP_MODULES = (step_commands, web_commands)

# What a row says when the command succeeded: from the CLI's values and the handler's result.
Said = Callable[[Mapping[str, Any], Mapping[str, Any]], Text]
Kind = Literal["field", "path", "cli"]


@dataclass(frozen=True)
class Param:
    """One click parameter, spelled as the CLI spells it, and the domain name it carries."""

    decls: tuple[str, ...]
    attrs: Mapping[str, Any]
    argument: bool
    # The domain name; None: the click name is the domain name.
    to: str | None = None
    # "field": an input field; "path": a path parameter of the API face (pid, sid, an old
    # address); "cli": a keyword only the CLI gives the handler, as it is.
    kind: Kind = "field"

    def click(self) -> click.Parameter:
        if self.argument:
            return click.Argument(self.decls, **self.attrs)
        return click.Option(self.decls, **self.attrs)


def arg(name: str, to: str | None = None, *, kind: Kind = "field", **attrs: Any) -> Param:
    return Param((name,), MappingProxyType(attrs), True, to, kind)


def opt(*decls: str, to: str | None = None, kind: Kind = "field", **attrs: Any) -> Param:
    return Param(decls, MappingProxyType(attrs), False, to, kind)


@dataclass(frozen=True)
class CliRow:
    """How the CLI offers one declared command."""

    name: AuditAction
    path: tuple[str, ...]  # ("session", "move"): the groups, then the command's own name
    help: str
    params: tuple[Param, ...]
    said: Said | None = None  # the human line after success (with --json: the result)
    shows: str | None = None  # or: print only this key of the result (a new number)


def dispatch(ctx: CliContext, row: CliRow, values: Mapping[str, Any]) -> dict[str, Any]:
    """Map the CLI's values (by click name) to domain names and run the declared command."""
    given: dict[Kind, dict[str, Any]] = {"field": {}, "path": {}, "cli": {}}
    for param, click_name in zip(row.params, click_names(row), strict=True):
        value = values[click_name]
        if isinstance(value, tuple):  # nargs=-1: the handlers take a list
            value = list(value)
        given[param.kind][param.to or click_name] = value
    from workflow.commands.declarations import BY_NAME, renamed, run

    try:
        result: dict[str, Any] = run(
            row.name, ctx.app, ctx.actor, given["path"], given["field"], **given["cli"]
        )
    except InvalidInput as error:
        # The handler names its keyword; the command line names its option or argument.
        spellings = _spellings(row, BY_NAME[row.name])
        raise renamed(error, lambda keyword: spellings.get(keyword, keyword)) from None
    return result


def _spellings(row: CliRow, command: Command) -> dict[str, str]:
    """The handler's keyword -> how this command line writes it (`--date`, `EMAIL`)."""
    found: dict[str, str] = {}
    for param, click_name in zip(row.params, click_names(row), strict=True):
        name = param.to or click_name
        keyword = {
            "field": command.keyword(name),
            "path": command.path_keyword(name),
            "cli": name,
        }[param.kind]
        spelled = click_name.upper() if param.argument else max(param.decls, key=len)
        found.setdefault(keyword, spelled)
    return found


def click_names(row: CliRow) -> list[str]:
    """The names click gives the row's parameters (the callback's keywords)."""
    return [str(param.click().name) for param in row.params]


def _command(row: CliRow) -> click.Command:
    def run(ctx: CliContext, **values: Any) -> None:
        result = dispatch(ctx, row, values)
        key = row.shows
        if key is not None:
            ctx.emit(result, lambda: click.echo(result[key]))
        else:
            assert row.said is not None
            said = row.said(values, result)
            done(ctx, result, said.nl, said.en)

    run.__name__ = "_".join(row.path).replace("-", "_")
    return click.command(name=row.path[-1], help=row.help, params=[p.click() for p in row.params])(
        common_options(run)
    )


def _group(path: tuple[str, ...]) -> click.Group:
    group: click.Group = cli
    for name in path:
        found = group.commands[name]
        assert isinstance(found, click.Group), name
        group = found
    return group


def _phase(nl: str, en: str) -> Said:
    # "…; fase X" in the reader's language, from the phase the result names.
    def said(_values: Mapping[str, Any], result: Mapping[str, Any]) -> Text:
        label = Phase(result["phase"]).label
        return Text(f"{nl}{label.nl}", f"{en}{label.en}")

    return said


def _fixed(nl: str, en: str) -> Said:
    return lambda _values, _result: Text(nl, en)


def _moved(values: Mapping[str, Any], result: Mapping[str, Any]) -> Text:
    return Text(
        f"Adres verbeterd: {result['email']} ({result['mail']} bericht(en) omgezet)",
        f"Address corrected: {result['email']} ({result['mail']} message(s) moved)",
    )


LANGUAGE = opt("--language", default="nl", show_default=True, help="Taal van de mail: nl of en.")
SALUTATION = opt(
    "--salutation",
    default="neutraal",
    show_default=True,
    help="Aanhef in de mail: heer, mevrouw of neutraal ('Beste ...').",
)
PROC = arg("proc", to="pid", kind="path")

ROWS: tuple[CliRow, ...] = (
    # --- Procedures ---
    CliRow(
        AuditAction.PROCEDURE_INIT,
        ("init",),
        "Open een nieuwe procedure (fase voorbereiding).",
        (
            opt(
                "--org",
                to="organisation",
                required=True,
                help="Organisatie, bijv. 'Provincie Overijssel'.",
            ),
            opt(
                "--body",
                to="governing_body",
                required=True,
                help="Bestuursorgaan, bijv. 'Gedeputeerde Staten'.",
            ),
            opt("--period", required=True, help="Referentieperiode, bijv. 2017-2023."),
            opt("--id", "procedure_id", default=None, help="Eigen code voor de procedure."),
            opt(
                "--config",
                "config_file",
                kind="cli",
                type=click.Path(path_type=Path),
                default=None,
                help="TOML-bestand van de organisatie met afwijkende regels.",
            ),
            opt("--legal-basis", default=None, help="Wettelijke grondslag (standaard uit config)."),
        ),
        lambda _v, r: Text(
            f"Procedure {r['procedure']} geopend", f"Procedure {r['procedure']} opened"
        ),
    ),
    CliRow(
        AuditAction.PHASE_ADVANCE,
        ("advance",),
        "Ga naar de volgende fase als alle regels het toelaten.",
        (
            PROC,
            opt("--reason", default=None, help="Toelichting voor het auditspoor."),
            opt(
                "--confirm-early",
                is_flag=True,
                default=False,
                help="Naar het besluit terwijl de voordrachttermijn nog loopt (wordt vastgelegd).",
            ),
        ),
        _phase("Nu in fase ", "Now in phase "),
    ),
    CliRow(
        AuditAction.PHASE_CANCEL,
        ("cancel",),
        "Annuleer de procedure, met reden.",
        (PROC, opt("--reason", required=True, help="Waarom de procedure stopt.")),
        _fixed("Procedure geannuleerd", "Procedure cancelled"),
    ),
    CliRow(
        AuditAction.DEVIATION_RECORD,
        ("deviate",),
        "Leg een bewuste afwijking van een evenwichtsregel vast.",
        (
            PROC,
            arg("rule_code"),
            opt("--reason", required=True, help="Waarom van de regel wordt afgeweken."),
        ),
        lambda v, _r: Text(
            f"Afwijking van {v['rule_code']} vastgelegd",
            f"Deviation from {v['rule_code']} recorded",
        ),
    ),
    # --- Workgroup and planning ---
    CliRow(
        AuditAction.MEMBER_ADD,
        ("member", "add"),
        "Voeg een werkgroeplid met een rol toe.",
        (
            PROC,
            opt("--name", required=True),
            opt("--email", required=True),
            opt("--role", required=True, help="Bijv. procesbegeleider, archivaris, management."),
            LANGUAGE,
            SALUTATION,
        ),
        lambda v, _r: Text(
            f"{v['name']} toegevoegd als {v['role']}", f"{v['name']} added as {v['role']}"
        ),
    ),
    CliRow(
        AuditAction.MEMBER_EMAIL,
        ("member", "email"),
        "Verbeter het e-mailadres van een werkgroeplid (in al zijn rollen); zijn wachtende en\n"
        "mislukte mail gaat dan naar het nieuwe adres.",
        # OLD is the address as it is (the API's path), NEW as it should be (its body).
        (PROC, arg("old", to="email", kind="path"), arg("new", to="email")),
        _moved,
    ),
    CliRow(
        AuditAction.MILESTONE_SET,
        ("milestone", "set"),
        "Leg de datum van een mijlpaal vast (JJJJ-MM-DD).",
        (PROC, arg("key", kind="path"), arg("date")),
        lambda v, r: Text(
            f"Mijlpaal {v['key']} op {r['due']}", f"Milestone {v['key']} on {r['due']}"
        ),
    ),
    CliRow(
        AuditAction.MILESTONES_PLAN,
        ("milestone", "plan"),
        "Leg meerdere mijlpalen tegelijk vast (SLEUTEL=JJJJ-MM-DD ...); alles of niets.",
        (PROC, arg("dates", nargs=-1, required=True)),
        lambda _v, r: Text(
            f"Planning vastgesteld: {len(r['changed'])} mijlpaal/mijlpalen gewijzigd",
            f"Planning set: {len(r['changed'])} milestone(s) changed",
        ),
    ),
    # --- Experts ---
    CliRow(
        AuditAction.EXPERT_ADD,
        ("expert", "add"),
        "Voeg een expert toe.",
        (
            PROC,
            opt("--name", required=True),
            opt("--email", required=True),
            opt("--perspective", required=True, help="internal|external (intern|extern)."),
            opt("--profile", required=True, help="Bijv. historicus, journalist, beleid."),
            LANGUAGE,
            SALUTATION,
        ),
        lambda v, _r: Text(f"Expert {v['name']} toegevoegd", f"Expert {v['name']} added"),
    ),
    CliRow(
        AuditAction.EXPERT_EMAIL,
        ("expert", "email"),
        "Verbeter het e-mailadres van een expert; wachtende en mislukte mail gaat dan naar het\n"
        "nieuwe adres ('hotspot mail retry' verstuurt mislukte opnieuw).",
        (PROC, arg("old", to="email", kind="path"), arg("new", to="email")),
        _moved,
    ),
    CliRow(
        AuditAction.EXPERT_INVITE,
        ("expert", "invite"),
        "Zet uitnodigingen klaar (zonder adressen: alle experts die er nog geen kregen).",
        (PROC, arg("emails", nargs=-1)),
        lambda _v, r: Text(
            f"{len(r['invited'])} uitnodiging(en) klaargezet; 'hotspot mail send' verstuurt ze",
            f"{len(r['invited'])} invitation(s) queued; 'hotspot mail send' delivers them",
        ),
    ),
    CliRow(
        AuditAction.EXPERT_RESPOND,
        ("expert", "respond"),
        "Leg het antwoord van een expert vast.",
        (
            PROC,
            arg("email", kind="path"),
            opt("--accept/--decline", required=True, help="Toegezegd of afgezegd."),
        ),
        lambda v, r: Text(
            f"Antwoord van {v['email']}: {r['response']}",
            f"Answer of {v['email']}: {r['response']}",
        ),
    ),
    CliRow(
        AuditAction.LINK_REVOKE,
        ("link", "revoke"),
        "Trek de persoonlijke link(s) van één persoon in; hun open sessies eindigen.",
        (
            arg("procedure", to="pid", kind="path"),
            opt("--email", required=True, help="Het adres van de persoon."),
            opt(
                "--purpose",
                type=click.Choice(["expert", "advice", "decision"]),
                default=None,
                help="Alleen deze soort link (zonder: alle links van deze persoon).",
            ),
            opt("--reason", default=None, help="Waarom (komt in de audittrail)."),
        ),
        lambda _v, r: Text(
            f"{r['revoked']} link(s) ingetrokken", f"{r['revoked']} link(s) revoked"
        ),
    ),
    # --- Expert sessions ---
    CliRow(
        AuditAction.SESSION_ADD,
        ("session", "add"),
        "Plan een expertbijeenkomst; toont het nummer van de bijeenkomst.",
        (
            PROC,
            opt("--at", "at", required=True, help="Datum en tijd, bijv. 2025-03-12T14:00."),
            opt("--location", default=None),
        ),
        shows="session",
    ),
    CliRow(
        AuditAction.SESSION_MOVE,
        ("session", "move"),
        "Verplaats een bijeenkomst; de deelnemers krijgen een bijgewerkte agenda-uitnodiging.",
        (
            PROC,
            arg("session_id", to="sid", kind="path"),
            opt("--at", "at", required=True, help="Nieuwe datum en tijd, bijv. 2025-03-19T14:00."),
        ),
        lambda v, _r: Text(
            f"Bijeenkomst {v['session_id']} verplaatst", f"Session {v['session_id']} moved"
        ),
    ),
    CliRow(
        AuditAction.SESSION_CANCEL,
        ("session", "cancel"),
        "Annuleer een bijeenkomst; de deelnemers krijgen een annulering in hun agenda.",
        (
            PROC,
            arg("session_id", to="sid", kind="path"),
            opt("--reason", required=True, help="Waarom de bijeenkomst niet doorgaat."),
        ),
        lambda v, _r: Text(
            f"Bijeenkomst {v['session_id']} geannuleerd", f"Session {v['session_id']} cancelled"
        ),
    ),
    CliRow(
        AuditAction.SESSION_ATTEND,
        ("session", "attend"),
        "Leg de aanwezigheid van experts bij een bijeenkomst vast.",
        (PROC, arg("session_id", to="sid", kind="path"), arg("emails", nargs=-1)),
        lambda _v, r: Text(
            f"Aanwezigheid vastgelegd ({r['attendees']} aanwezig)",
            f"Attendance recorded ({r['attendees']} present)",
        ),
    ),
    # --- Candidates and the concept list ---
    CliRow(
        AuditAction.CANDIDATE_ADD,
        ("candidate", "add"),
        "Draag een kandidaat-hotspot voor; toont het nummer van de kandidaat.",
        (
            PROC,
            opt("--title", required=True),
            opt("--start", required=True, help="Begin van de periode (JJJJ-MM-DD)."),
            opt("--end", default=None, help="Einde (leeg: nog lopend)."),
            opt("--description", required=True),
            opt("--nominated-by", required=True, help="E-mailadres van de voordragende expert."),
        ),
        shows="candidate",
    ),
    CliRow(
        AuditAction.CANDIDATE_ASSESS,
        ("candidate", "assess"),
        "Beoordeel een kandidaat aan de vier criteria.",
        (
            PROC,
            arg("candidate_id", to="cid", kind="path"),
            # As typed ("1,3"): the command reads the list and names --criteria if it cannot.
            opt("--criteria", default="", help="Criteria waaraan voldaan is, bijv. 1,3."),
            opt("--motivation", default="", help="Motivering."),
            opt("--include/--exclude", required=True, help="Op de conceptlijst of niet."),
        ),
        _fixed("Beoordeling vastgelegd", "Assessment recorded"),
    ),
    CliRow(
        AuditAction.INVITATION_INTRO,
        ("expert", "intro"),
        "Leg de inleiding vast waarmee de uitnodiging aan de experts begint (leeg: geen).",
        (PROC, opt("--text", required=True, help="De inleiding; een lege tekst haalt haar weg.")),
        _fixed("Inleiding van de uitnodiging vastgelegd", "Introduction of the invitation set"),
    ),
    CliRow(
        AuditAction.WORKGROUP_NOTICE,
        ("notice",),
        "Mail alle werkgroepleden een bericht van de procesbegeleider.",
        (PROC, opt("--subject", required=True), opt("--text", required=True)),
        _fixed("Bericht aan de werkgroep verstuurd", "Message sent to the workgroup"),
    ),
    CliRow(
        AuditAction.CONCEPT_LIST_EMPTY_REASON,
        ("concept-list", "empty"),
        "Leg vast waarom de conceptlijst leeg is.",
        (PROC, opt("--reason", required=True, help="Waarom de conceptlijst leeg blijft.")),
        _fixed("Reden voor een lege lijst vastgelegd", "Reason for an empty list recorded"),
    ),
    # --- Advice and decision (the CLI records them as `via` "cli", the handlers' default) ---
    CliRow(
        AuditAction.ADVICE_RECORD,
        ("advice",),
        "Leg het advies van de archivaris vast; negatief stuurt terug naar de bijeenkomsten.",
        (
            PROC,
            opt("--positive/--negative", required=True),
            opt("--by", required=True, help="Naam van de archivaris."),
            opt("--reason", default=None),
            # The advice letter's reference and date: the CLI's own (the API takes neither).
            opt("--ref", kind="cli", default=None, help="Kenmerk van de adviesbrief."),
            opt("--date", "day", kind="cli", default=None, help="Datum van de adviesbrief."),
        ),
        _phase("Advies vastgelegd; fase ", "Advice recorded; phase "),
    ),
    CliRow(
        AuditAction.DECISION_RECORD,
        ("decide",),
        "Leg het besluit van het bestuursorgaan vast: vastgesteld of teruggestuurd.",
        (
            PROC,
            opt("--adopted/--returned", required=True),
            opt("--date", "day", to="date", required=True, help="Datum van het besluit."),
            opt("--ref", required=True, help="Kenmerk van het besluit."),
            opt("--reason", default=None),
        ),
        _phase("Besluit vastgelegd; fase ", "Decision recorded; phase "),
    ),
    # --- Inventory ---
    CliRow(
        AuditAction.INVENTORY_SYSTEM_DEFINE,
        ("inventory", "define"),
        "Leg een informatiesysteem van de procedure eenmaal vast, met zijn eigenaar.",
        (
            PROC,
            opt("--name", required=True, help="Bijv. Corsa, de netwerkschijf, Teams."),
            opt("--owner", required=True, help="Eigenaar van het systeem."),
            opt(
                "--owner-email",
                default=None,
                help="E-mailadres van de eigenaar, voor de wekelijkse herinnering.",
            ),
            opt(
                "--zaken-url",
                default=None,
                help="Een zaaksysteem: het adres van zijn Zaken API (https://…/zaken/api/v1/).",
            ),
            opt(
                "--catalogi-url",
                default=None,
                help="Het adres van de Catalogi API (https://…/catalogi/api/v1/), optioneel: "
                "dan zijn de zaaktypen op te vragen en bij naam te zien.",
            ),
            opt("--client-id", default=None, help="Client-id waarmee de monitor zich meldt."),
            opt(
                "--secret-env",
                default=None,
                help="Omgevingsvariabele met het geheim (standaard HOTSPOT_ZGW_SECRET).",
            ),
            opt(
                "--zaaktype",
                "zaaktypen",
                multiple=True,
                help="URL van een zaaktype om in te zoeken (herhaalbaar).",
            ),
        ),
        lambda v, _r: Text(
            f"Informatiesysteem {v['name']} vastgelegd", f"Information system {v['name']} set"
        ),
    ),
    CliRow(
        AuditAction.INVENTORY_CASES_FOUND,
        ("inventory", "search"),
        "Zoek in een zaaksysteem de zaken van een hotspot en bewaar ze om te kiezen.",
        (
            PROC,
            arg("hotspot"),
            opt("--system", required=True, help="Een zaaksysteem van de procedure."),
            opt("--keyword", default=None, help="Alleen zaken met dit woord in hun omschrijving."),
            opt(
                "--area",
                to="area_file",
                kind="cli",
                type=click.Path(path_type=Path),
                default=None,
                help="Alleen zaken binnen dit gebied: een GeoJSON-bestand met een (Multi)Polygon "
                "in EPSG:4326.",
            ),
        ),
        lambda v, r: Text(
            f"{r['found']} zaak/zaken gevonden in {r['system']}, waarvan {r['new']} nieuw",
            f"{r['found']} case(s) found in {r['system']}, {r['new']} of them new",
        ),
    ),
    CliRow(
        AuditAction.INVENTORY_CASE_SELECT,
        ("inventory", "select"),
        "Bewaar een gevonden zaak bij de hotspot (--include) of niet (--exclude, met reden).",
        (
            PROC,
            arg("hotspot"),
            arg("case"),
            opt("--include/--exclude", required=True),
            opt("--reason", default=None, help="Waarom (verplicht bij --exclude)."),
        ),
        lambda v, r: Text(
            f"Zaak {r['case']}: {'blijvend bewaren' if r['include'] else 'niet bewaren'}",
            f"Case {r['case']}: {'keep' if r['include'] else 'do not keep'}",
        ),
    ),
    CliRow(
        AuditAction.INVENTORY_CASE_APPLY,
        ("inventory", "apply"),
        "Zet de gekozen zaken van een hotspot in het zaaksysteem op blijvend bewaren.",
        (
            PROC,
            arg("hotspot"),
            opt("--dry-run", is_flag=True, default=False, help="Alleen laten zien wat er wijzigt."),
        ),
        lambda v, r: Text(
            f"Hotspot {r['hotspot']}: "
            + (
                f"{len(r['cases'])} zaak/zaken bekeken (proefdraai, niets gewijzigd)"
                if r["dry_run"]
                else ", ".join(f"{n} {k}" for k, n in sorted(r["outcomes"].items()))
            ),
            f"Hotspot {r['hotspot']}: "
            + (
                f"{len(r['cases'])} case(s) looked at (dry run, nothing changed)"
                if r["dry_run"]
                else ", ".join(f"{n} {k}" for k, n in sorted(r["outcomes"].items()))
            ),
        ),
    ),
    CliRow(
        AuditAction.INVENTORY_CASE_EXPLAIN,
        ("inventory", "explain"),
        "Leg uit waarom een geweigerde of mislukte zaak niet verder wordt bijgewerkt.",
        (
            PROC,
            arg("hotspot"),
            arg("case"),
            opt("--explanation", required=True, help="Bijvoorbeeld: met de hand bewaard."),
        ),
        lambda v, r: Text(f"Uitleg bij zaak {r['case']} vastgelegd", f"Case {r['case']} explained"),
    ),
    CliRow(
        AuditAction.CASES_CHECK,
        ("inventory", "check"),
        "Controleer of de bewaarde zaken nog op blijvend bewaren staan, en herstel wat afwijkt.",
        (
            PROC,
            opt("--hotspot", default=None, help="Alleen de zaken van deze hotspot."),
        ),
        lambda v, r: Text(
            f"{r['checked']} zaak/zaken gecontroleerd: "
            + ", ".join(f"{n} {k}" for k, n in sorted(r["checks"].items()) if n)
            + (f"; {r['told']} persoon/personen ingelicht" if r["told"] else ""),
            f"{r['checked']} case(s) checked: "
            + ", ".join(f"{n} {k}" for k, n in sorted(r["checks"].items()) if n)
            + (f"; {r['told']} person(s) told" if r["told"] else ""),
        ),
    ),
    CliRow(
        AuditAction.INVENTORY_SYSTEM,
        ("inventory", "system"),
        "Geef een informatiesysteem op dat voor een hotspot doorzocht moet worden.",
        (
            PROC,
            arg("hotspot"),
            opt("--system", required=True),
            opt("--query", required=True, help="Zoektermen, labels of zaaktypen."),
            opt(
                "--owner",
                default=None,
                help="Eigenaar; alleen nodig voor een systeem dat de procedure nog niet kent.",
            ),
            opt(
                "--owner-email",
                default=None,
                help="E-mailadres van de eigenaar, voor de wekelijkse herinnering "
                "(zonder: naar de informatiebeheerder).",
            ),
        ),
        lambda v, r: Text(
            f"{v['system']} opgegeven voor {r['hotspot']}",
            f"{v['system']} listed for {r['hotspot']}",
        ),
    ),
    CliRow(
        AuditAction.INVENTORY_DOSSIER,
        ("inventory", "dossier"),
        "Markeer een gevonden dossier als blijvend te bewaren.",
        (
            PROC,
            arg("hotspot"),
            opt("--system", required=True),
            opt("--dossier", required=True, help="Zaak- of dossiernummer."),
            opt("--title", default=None),
        ),
        lambda v, _r: Text(
            f"Dossier {v['dossier']}: blijvend bewaren", f"Dossier {v['dossier']}: retain"
        ),
    ),
    CliRow(
        AuditAction.INVENTORY_NONE,
        ("inventory", "none"),
        "Leg vast dat in een systeem niets voor de hotspot is gevonden, en waarom.",
        (
            PROC,
            arg("hotspot"),
            opt("--system", required=True),
            opt("--reason", required=True, help="Waarom niets gevonden is."),
        ),
        lambda v, _r: Text(
            f"{v['system']}: niets gevonden, reden vastgelegd",
            f"{v['system']}: nothing found, reason recorded",
        ),
    ),
)

# Declared commands the CLI offers by hand, each for a reason the table does not express:
# publishing also writes the public list; retrying mail runs one of two handlers.
HAND_WRITTEN: Mapping[AuditAction, tuple[str, ...]] = MappingProxyType(
    {
        AuditAction.PUBLICATION_RECORD: ("publish",),
        AuditAction.MAIL_RETRY: ("mail", "retry"),
    }
)

for _row in ROWS:
    _group(_row.path[:-1]).add_command(_command(_row))
