"""What the facilitators read about mail: the outbox statuses and the set-up problems.

Presentation only (Dutch and English), shared by the web pages, the CLI, the refusals of
`mail retry` and the daily summary; the sender itself deals in codes.
"""

from __future__ import annotations

from states.i18n import Text, parse_language

STATUS_LABELS: dict[str, Text] = {
    "pending": Text("wacht op verzending", "waiting"),
    "sending": Text("wordt verzonden", "sending"),
    "sent": Text("verzonden", "sent"),
    "failed": Text("mislukt", "failed"),
}

# What each kind of set-up problem (`mail_problems.code`) means, and what to check.
PROBLEM_LABELS: dict[str, Text] = {
    "starttls": Text(
        "de mailserver biedt geen STARTTLS aan, of eist het terwijl het uit staat",
        "the mail server does not offer STARTTLS, or requires it while it is off",
    ),
    "authentication": Text(
        "de mailserver weigert de inloggegevens, vraagt erom, of biedt geen inloggen (AUTH) "
        "aan op deze verbinding",
        "the mail server refuses the credentials, asks for them, or offers no login (AUTH) "
        "on this connection",
    ),
    "certificate": Text(
        "het certificaat van de mailserver is niet te verifiëren",
        "the mail server's certificate does not verify",
    ),
    "tls": Text("de TLS-verbinding met de mailserver mislukt", "the TLS connection fails"),
    "unreachable": Text(
        "de mailserver is niet bereikbaar en heeft nog nooit mail aangenomen: controleer host "
        "en poort",
        "the mail server cannot be reached and never took any mail: check host and port",
    ),
    "connection": Text(
        "de mailserver is niet bereikbaar of weigert de verbinding; de mail wacht zonder "
        "pogingen te verbruiken",
        "the mail server cannot be reached or refuses the connection; mail waits without "
        "using up tries",
    ),
    "sender": Text(
        "de mailserver weigert het afzenderadres: controleer HOTSPOT_MAIL_FROM (mail.from) en "
        "of dit account vanaf dat adres mag versturen",
        "the mail server refuses the sender address: check HOTSPOT_MAIL_FROM (mail.from) and "
        "whether this account may send from it",
    ),
    "relay": Text(
        "de mailserver weigert de mail door te sturen (relay): controleer de inloggegevens en "
        "of de server voor deze afzender doorstuurt",
        "the mail server refuses to relay the mail: check the credentials and whether the "
        "server relays for this sender",
    ),
    "keys": Text(
        "de sleutels van dit proces zijn niet te gebruiken of openen de persoonlijke links "
        "van wachtende mail niet (HOTSPOT_SECRET_KEY of het sleutelbestand)",
        "this process's keys cannot be used or do not open the personal links of waiting "
        "mail (HOTSPOT_SECRET_KEY or the key file)",
    ),
    "environment": Text(
        "een probleem van deze machine (een bestand, map of instelling) houdt mail tegen; zie "
        "de melding",
        "a problem of this machine (a file, folder or setting) holds mail back; see the detail",
    ),
}


def status_label(status: str, lang: str = "nl") -> str:
    """A status for people; an unknown code is shown as it is."""
    label = STATUS_LABELS.get(status)
    return label(parse_language(lang)) if label else status


def problem_label(code: str, lang: str = "nl") -> str:
    label = PROBLEM_LABELS.get(code)
    return label(parse_language(lang)) if label else code
