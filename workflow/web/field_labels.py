"""The names a web page gives the fields the workflow commands report on.

A command names a bad field the way the command line knows it (`--date`, `EMAIL`); a form
shows the label beside its input instead. Names without a label here are shown as they are
(the portal's own forms already pass Dutch names).
"""

from __future__ import annotations

from states.errors import InvalidInput
from states.i18n import Language, Text

FIELD_LABELS: dict[str, Text] = {
    "--at": Text("Datum en tijd", "Date and time"),
    "--body": Text("Bestuursorgaan", "Governing body"),
    "--by": Text("Naam van de archivaris", "Name of the archivist"),
    "--channel": Text("Publicatieblad", "Official gazette"),
    "--criteria": Text("Criteria", "Criteria"),
    "--date": Text("Datum", "Date"),
    "--description": Text("Beschrijving", "Description"),
    "--dossier": Text("Zaak- of dossiernummer", "Case or dossier number"),
    "--email": Text("E-mailadres", "E-mail address"),
    "--end": Text("Einde", "End"),
    "--id": Text("Code van de procedure", "Procedure code"),
    "--language": Text("Taal van de mail", "Mail language"),
    "--legal-basis": Text("Wettelijke grondslag", "Legal basis"),
    "--location": Text("Locatie", "Location"),
    "--motivation": Text("Motivering", "Motivation"),
    "--name": Text("Naam", "Name"),
    "--nominated-by": Text("Voorgedragen door", "Nominated by"),
    "--objection-weeks": Text("Bezwaartermijn in weken", "Objection period in weeks"),
    "--org": Text("Organisatie", "Organisation"),
    "--owner": Text("Eigenaar", "Owner"),
    "--owner-email": Text("E-mailadres eigenaar", "Owner's e-mail"),
    "--period": Text("Referentieperiode", "Reference period"),
    "--perspective": Text("Perspectief", "Perspective"),
    "--profile": Text("Profiel", "Profile"),
    "--query": Text("Zoektermen", "Search terms"),
    "--reason": Text("Reden of toelichting", "Reason or explanation"),
    "--ref": Text("Kenmerk", "Reference"),
    "--role": Text("Rol", "Role"),
    "--start": Text("Begin", "Start"),
    "--system": Text("Systeem", "System"),
    "--title": Text("Naam van de hotspot", "Name of the hotspot"),
    "DATE": Text("Datum", "Date"),
    "EMAIL": Text("E-mailadres", "E-mail address"),
    "FILE": Text("CSV-bestand", "CSV file"),
    "KEY": Text("Mijlpaal", "Milestone"),
    "NEW": Text("Nieuw e-mailadres", "New e-mail address"),
    "OLD": Text("E-mailadres", "E-mail address"),
    "RULE_CODE": Text("Regel", "Rule"),
    "version": Text("Versie van de pagina", "Version of the page"),
}


def field_label(field: str, lang: Language) -> str:
    """The label of `field`; a CSV line's prefix ("regel 3: --email") is kept as it is."""
    prefix, _, name = field.rpartition(": ")
    label = FIELD_LABELS.get(name)
    if label is None:
        return field
    return f"{prefix}: {label(lang)}" if prefix else label(lang)


def explain_for_page(error: InvalidInput, lang: Language) -> str:
    """`error` as a page says it: the field's label, then what is wrong with it."""
    return f"{field_label(error.field, lang)}: {error.message(lang)}"
