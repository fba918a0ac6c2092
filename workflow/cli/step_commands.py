"""Commands that record what happens inside the phases: people, dates, sessions, decisions."""

from __future__ import annotations

from pathlib import Path

import click

from states.errors import InvalidInput
from states.i18n import Text
from states.phases import Phase
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli, done


@cli.group()
def member() -> None:
    """Leden van de hotspotwerkgroep."""


@member.command(name="add")
@click.argument("proc")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, help="Bijv. procesbegeleider, archivaris, management.")
@click.option("--language", default="nl", show_default=True, help="Taal van de mail: nl of en.")
@common_options
def member_add(ctx: CliContext, proc: str, name: str, email: str, role: str, language: str) -> None:
    """Voeg een werkgroeplid met een rol toe."""
    from workflow.commands import people

    result = people.add_member(
        ctx.app, proc, name=name, email=email, role=role, actor=ctx.actor, language=language
    )
    done(ctx, result, f"{name} toegevoegd als {role}", f"{name} added as {role}")


@member.command(name="email")
@click.argument("proc")
@click.argument("old")
@click.argument("new")
@common_options
def member_email(ctx: CliContext, proc: str, old: str, new: str) -> None:
    """Verbeter het e-mailadres van een werkgroeplid (in al zijn rollen); zijn wachtende en
    mislukte mail gaat dan naar het nieuwe adres."""
    from workflow.commands import people

    result = people.correct_member_email(ctx.app, proc, old, new, actor=ctx.actor)
    done(
        ctx,
        result,
        f"Adres verbeterd: {result['email']} ({result['mail']} bericht(en) omgezet)",
        f"Address corrected: {result['email']} ({result['mail']} message(s) moved)",
    )


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
    from workflow.commands import planning

    result = planning.set_milestone(ctx.app, proc, key, date, actor=ctx.actor)
    done(ctx, result, f"Mijlpaal {key} op {result['due']}", f"Milestone {key} on {result['due']}")


@cli.group()
def expert() -> None:
    """Experts: toevoegen, importeren, antwoorden."""


@expert.command(name="add")
@click.argument("proc")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--perspective", required=True, help="internal|external (intern|extern).")
@click.option("--profile", required=True, help="Bijv. historicus, journalist, beleid.")
@click.option("--language", default="nl", show_default=True, help="Taal van de mail: nl of en.")
@common_options
def expert_add(
    ctx: CliContext,
    proc: str,
    name: str,
    email: str,
    perspective: str,
    profile: str,
    language: str,
) -> None:
    """Voeg een expert toe."""
    from workflow.commands import people

    result = people.add_expert(
        ctx.app,
        proc,
        name=name,
        email=email,
        perspective=perspective,
        profile=profile,
        actor=ctx.actor,
        language=language,
    )
    done(ctx, result, f"Expert {name} toegevoegd", f"Expert {name} added")


@expert.command(name="email")
@click.argument("proc")
@click.argument("old")
@click.argument("new")
@common_options
def expert_email(ctx: CliContext, proc: str, old: str, new: str) -> None:
    """Verbeter het e-mailadres van een expert; wachtende en mislukte mail gaat dan naar het
    nieuwe adres ('hotspot mail retry' verstuurt mislukte opnieuw)."""
    from workflow.commands import people

    result = people.correct_expert_email(ctx.app, proc, old, new, actor=ctx.actor)
    done(
        ctx,
        result,
        f"Adres verbeterd: {result['email']} ({result['mail']} bericht(en) omgezet)",
        f"Address corrected: {result['email']} ({result['mail']} message(s) moved)",
    )


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


@expert.command(name="invite")
@click.argument("proc")
@click.argument("emails", nargs=-1)
@common_options
def expert_invite(ctx: CliContext, proc: str, emails: tuple[str, ...]) -> None:
    """Zet uitnodigingen klaar (zonder adressen: alle experts die er nog geen kregen)."""
    from workflow.commands import people

    result = people.invite(ctx.app, proc, list(emails), actor=ctx.actor)
    n = len(result["invited"])
    done(
        ctx,
        result,
        f"{n} uitnodiging(en) klaargezet; 'hotspot mail send' verstuurt ze",
        f"{n} invitation(s) queued; 'hotspot mail send' delivers them",
    )


@expert.command(name="respond")
@click.argument("proc")
@click.argument("email")
@click.option("--accept/--decline", required=True, help="Toegezegd of afgezegd.")
@common_options
def expert_respond(ctx: CliContext, proc: str, email: str, accept: bool) -> None:
    """Leg het antwoord van een expert vast."""
    from workflow.commands import people

    result = people.respond(ctx.app, proc, email, accept=accept, actor=ctx.actor)
    done(
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
    from workflow.commands import sessions

    result = sessions.add_session(ctx.app, proc, at=at, location=location, actor=ctx.actor)
    ctx.emit(result, lambda: click.echo(result["session"]))


@session.command(name="move")
@click.argument("proc")
@click.argument("session_id")
@click.option("--at", "at", required=True, help="Nieuwe datum en tijd, bijv. 2025-03-19T14:00.")
@common_options
def session_move(ctx: CliContext, proc: str, session_id: str, at: str) -> None:
    """Verplaats een bijeenkomst; de deelnemers krijgen een bijgewerkte agenda-uitnodiging."""
    from workflow.commands import sessions

    result = sessions.move_session(ctx.app, proc, session_id, at=at, actor=ctx.actor)
    done(
        ctx,
        result,
        f"Bijeenkomst {session_id} verplaatst",
        f"Session {session_id} moved",
    )


@session.command(name="cancel")
@click.argument("proc")
@click.argument("session_id")
@click.option("--reason", required=True, help="Waarom de bijeenkomst niet doorgaat.")
@common_options
def session_cancel(ctx: CliContext, proc: str, session_id: str, reason: str) -> None:
    """Annuleer een bijeenkomst; de deelnemers krijgen een annulering in hun agenda."""
    from workflow.commands import sessions

    result = sessions.cancel_session(ctx.app, proc, session_id, reason=reason, actor=ctx.actor)
    done(
        ctx,
        result,
        f"Bijeenkomst {session_id} geannuleerd",
        f"Session {session_id} cancelled",
    )


@session.command(name="attend")
@click.argument("proc")
@click.argument("session_id")
@click.argument("emails", nargs=-1)
@common_options
def session_attend(ctx: CliContext, proc: str, session_id: str, emails: tuple[str, ...]) -> None:
    """Leg de aanwezigheid van experts bij een bijeenkomst vast."""
    from workflow.commands import sessions

    result = sessions.attend(ctx.app, proc, session_id, list(emails), actor=ctx.actor)
    done(
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
    from workflow.commands import sessions

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
    from workflow.commands import sessions

    result = sessions.assess(
        ctx.app,
        proc,
        candidate_id,
        criteria=criteria,
        motivation=motivation,
        include=include,
        actor=ctx.actor,
    )
    done(ctx, result, "Beoordeling vastgelegd", "Assessment recorded")


@cli.group(name="concept-list")
def concept_list() -> None:
    """De conceptlijst."""


@concept_list.command(name="empty")
@click.argument("proc")
@click.option("--reason", required=True, help="Waarom de conceptlijst leeg blijft.")
@common_options
def concept_list_empty(ctx: CliContext, proc: str, reason: str) -> None:
    """Leg vast waarom de conceptlijst leeg is."""
    from workflow.commands import sessions

    result = sessions.empty_list_reason(ctx.app, proc, reason=reason, actor=ctx.actor)
    done(ctx, result, "Reden voor een lege lijst vastgelegd", "Reason for an empty list recorded")


@cli.command()
@click.argument("proc")
@click.option("--positive/--negative", required=True)
@click.option("--by", required=True, help="Naam van de archivaris.")
@click.option("--reason", default=None)
@click.option("--ref", default=None, help="Kenmerk van de adviesbrief.")
@click.option("--date", "day", default=None, help="Datum van de adviesbrief.")
@common_options
def advice(
    ctx: CliContext,
    proc: str,
    positive: bool,
    by: str,
    reason: str | None,
    ref: str | None,
    day: str | None,
) -> None:
    """Leg het advies van de archivaris vast; negatief stuurt terug naar de bijeenkomsten."""
    from workflow.commands import decision

    result = decision.record_advice(
        ctx.app,
        proc,
        positive=positive,
        by=by,
        reason=reason,
        actor=ctx.actor,
        ref=ref,
        day=day,
    )
    done(
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
    from workflow.commands import decision

    result = decision.record_decision(
        ctx.app, proc, adopted=adopted, day=day, ref=ref, reason=reason, actor=ctx.actor
    )
    done(
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
@click.option(
    "--owner-email",
    default=None,
    help="E-mailadres van de eigenaar, voor de wekelijkse herinnering "
    "(zonder: naar de informatiebeheerder).",
)
@common_options
def inventory_system(
    ctx: CliContext,
    proc: str,
    hotspot: str,
    system: str,
    query: str,
    owner: str,
    owner_email: str | None,
) -> None:
    """Geef een informatiesysteem op dat voor een hotspot doorzocht moet worden."""
    from workflow.commands import records

    result = records.add_system(
        ctx.app,
        proc,
        hotspot,
        system=system,
        query=query,
        owner=owner,
        owner_email=owner_email,
        actor=ctx.actor,
    )
    done(
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
    from workflow.commands import records

    result = records.mark_dossier(
        ctx.app, proc, hotspot, system=system, dossier=dossier, title=title, actor=ctx.actor
    )
    done(ctx, result, f"Dossier {dossier}: blijvend bewaren", f"Dossier {dossier}: retain")


@inventory.command(name="none")
@click.argument("proc")
@click.argument("hotspot")
@click.option("--system", required=True)
@click.option("--reason", required=True, help="Waarom niets gevonden is.")
@common_options
def inventory_none(ctx: CliContext, proc: str, hotspot: str, system: str, reason: str) -> None:
    """Leg vast dat in een systeem niets voor de hotspot is gevonden, en waarom."""
    from workflow.commands import records

    result = records.nothing_found(
        ctx.app, proc, hotspot, system=system, reason=reason, actor=ctx.actor
    )
    done(
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
    from notifications.documents import write_public_list
    from workflow.commands import records
    from workflow.documents import public_list_data

    result = records.publish(
        ctx.app,
        proc,
        channel=channel,
        ref=ref,
        day=day,
        objection_weeks=objection_weeks,
        actor=ctx.actor,
    )
    # The files are derived from what was just committed; should writing them fail, the
    # publication stands and `hotspot public-list` writes them again.
    try:
        paths = write_public_list(public_list_data(ctx.app, proc), out)
    except OSError as error:
        raise InvalidInput(
            "--out",
            Text(
                f"publicatie vastgelegd, maar de openbare lijst kon niet worden geschreven "
                f"({error}); probeer opnieuw met 'hotspot public-list {proc} --out MAP'",
                f"publication recorded, but the public list could not be written ({error}); "
                f"try again with 'hotspot public-list {proc} --out DIR'",
            ),
        ) from None
    result["files"] = [p.as_posix() for p in paths]
    done(
        ctx,
        result,
        f"Publicatie {ref} vastgelegd; openbare lijst in {out}/",
        f"Publication {ref} recorded; public list in {out}/",
    )
