"""The names a web page gives the fields the workflow commands report on.

A command names a bad field by its domain name (`date`, `emails`: the API's words); a form
shows the label beside its input instead. Names without a label here are shown as they are
(the portal's own forms already pass Dutch names).
"""

from __future__ import annotations

from states.errors import InvalidInput
from states.i18n import Language, Text

FIELD_LABELS: dict[str, Text] = {
    "at": Text("Datum en tijd", "Date and time"),
    "governing_body": Text("Bestuursorgaan", "Governing body"),
    "by": Text("Naam van de archivaris", "Name of the archivist"),
    "channel": Text("Publicatieblad", "Official gazette"),
    "criteria": Text("Criteria", "Criteria"),
    "date": Text("Datum", "Date"),
    # Hand-written forms pass the handler's keyword where it differs from the domain name.
    "day": Text("Datum", "Date"),
    "dates": Text("Planning", "Planning"),
    "path": Text("CSV-bestand", "CSV file"),
    "purpose": Text("Soort link", "Kind of link"),
    "description": Text("Beschrijving", "Description"),
    "dossier": Text("Zaak- of dossiernummer", "Case or dossier number"),
    "email": Text("E-mailadres", "E-mail address"),
    "emails": Text("E-mailadressen", "E-mail addresses"),
    "end": Text("Einde", "End"),
    "procedure_id": Text("Code van de procedure", "Procedure code"),
    "language": Text("Taal van de mail", "Mail language"),
    "legal_basis": Text("Wettelijke grondslag", "Legal basis"),
    "location": Text("Locatie", "Location"),
    "motivation": Text("Motivering", "Motivation"),
    "name": Text("Naam", "Name"),
    "nominated_by": Text("Voorgedragen door", "Nominated by"),
    "objection_weeks": Text("Bezwaartermijn in weken", "Objection period in weeks"),
    "organisation": Text("Organisatie", "Organisation"),
    "owner": Text("Eigenaar", "Owner"),
    "owner_email": Text("E-mailadres eigenaar", "Owner's e-mail"),
    "zaken_url": Text("Adres van de Zaken API", "Address of the Zaken API"),
    "client_id": Text("Client-id", "Client id"),
    "catalogi_url": Text("Adres van de Catalogi API", "Address of the Catalogi API"),
    "secret_env": Text("Omgevingsvariabele met het geheim", "Environment variable of the secret"),
    "zaaktypen": Text("Zaaktypen", "Case types"),
    "period": Text("Referentieperiode", "Reference period"),
    "perspective": Text("Perspectief", "Perspective"),
    "profile": Text("Profiel", "Profile"),
    "query": Text("Zoektermen", "Search terms"),
    "reason": Text("Reden of toelichting", "Reason or explanation"),
    "ref": Text("Kenmerk", "Reference"),
    "role": Text("Rol", "Role"),
    "start": Text("Begin", "Start"),
    "system": Text("Systeem", "System"),
    "title": Text("Naam van de hotspot", "Name of the hotspot"),
    "file": Text("CSV-bestand", "CSV file"),
    "key": Text("Mijlpaal", "Milestone"),
    "rule_code": Text("Regel", "Rule"),
    "version": Text("Versie van de pagina", "Version of the page"),
}


def field_label(field: str, lang: Language) -> str:
    """The label of `field`; a CSV line's prefix ("regel 3: email") is kept as it is."""
    prefix, _, name = field.rpartition(": ")
    label = FIELD_LABELS.get(name)
    if label is None:
        return field
    return f"{prefix}: {label(lang)}" if prefix else label(lang)


def explain_for_page(error: InvalidInput, lang: Language) -> str:
    """`error` as a page says it: the field's label, then what is wrong with it."""
    return f"{field_label(error.field, lang)}: {error.message(lang)}"
