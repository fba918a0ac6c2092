"""render_mail: every kind in Dutch and English, escaping, strict context and the filters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import jinja2
import pytest
from markupsafe import escape

from notifications.kinds import MailKind
from notifications.render import RenderedMail, one_line, render_mail
from states.i18n import LANGUAGES, Language
from tests.mail_samples import PORTAL_LINK, RESPONSE_LINK, sample_common, sample_context
from workflow.resources import templates_dir

SCRIPT = "<script>alert(1)</script>"


def _render(kind: MailKind, lang: Language = "nl", **changes: Any) -> RenderedMail:
    return render_mail(kind, lang, {**sample_context(kind, lang), **changes})


# -- every kind, both languages -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", list(MailKind))
def test_every_kind_renders_a_complete_letter(kind: MailKind, lang: Language) -> None:
    """Each kind gives a one-line subject, a greeted and signed text, and an HTML document."""
    mail = _render(kind, lang)
    greeting, closing = (
        ("Beste Hanna Historica,", "Met vriendelijke groet,")
        if lang == "nl"
        else ("Dear Hanna Historica,", "Kind regards,")
    )
    assert mail.subject
    assert mail.subject == mail.subject.strip()
    assert "\n" not in mail.subject
    assert mail.text.startswith(greeting + "\n\n")
    assert closing in mail.text
    assert mail.text.endswith("s.devries@overijssel.example\n")
    assert "\n\n\n" not in mail.text
    assert mail.html.startswith("<!DOCTYPE html>\n")
    assert f'<html lang="{lang}">' in mail.html
    assert f"<title>{escape(mail.subject)}</title>" in mail.html
    assert f"<p>{greeting}</p>" in mail.html
    assert closing in mail.html


def test_every_kind_has_its_three_templates_for_both_languages_and_nothing_else() -> None:
    """The template folder holds exactly the kinds' triples, besides `_` partials; one
    template serves both languages (the English is in the catalog)."""
    expected = {
        f"{kind}{suffix}" for kind in MailKind for suffix in (".subject.txt", ".txt", ".html")
    }
    folder = templates_dir() / "mail"
    found = {p.name for p in folder.iterdir() if not p.name.startswith("_")}
    assert found == expected


# -- content per kind -----------------------------------------------------------------------


def test_dutch_invitation_explains_the_monitor_and_gives_the_personal_link() -> None:
    """The Dutch invitation greets formally, dates in Dutch and warns the link is personal."""
    mail = _render(MailKind.EXPERT_INVITATION, "nl")
    for text in (mail.text, mail.html):
        assert "Beste Hanna Historica," in text
        assert "Met vriendelijke groet," in text
        assert "uiterlijk" in text and "12 maart 2026" in text
        assert "26 maart 2026 om 19:30" in text
        assert "2017–2023" in text
        assert "Gedeputeerde Staten" in text
        assert "blijvend" in text
        assert "historicus" in text
        assert "Stuur deze e-mail daarom niet door." in text
        assert "procesbegeleider hotspotmonitor" in text
    assert f"\n{RESPONSE_LINK}\n" in mail.text
    assert f'<a href="{RESPONSE_LINK}">' in mail.html
    assert "Perspectief: extern" in mail.text
    assert mail.subject == (
        "Uitnodiging: deelname als expert aan de hotspotmonitor Provincie Overijssel 2017–2023"
    )


def test_english_invitation_uses_english_dates_and_closing() -> None:
    """The English invitation says Dear, Kind regards and spells dates in English."""
    mail = _render(MailKind.EXPERT_INVITATION, "en")
    assert mail.text.startswith("Dear Hanna Historica,")
    assert "Kind regards," in mail.text
    assert "by 12 March 2026" in mail.text
    assert "26 March 2026 at 19:30" in mail.text
    assert "Please do not forward this email." in mail.text
    assert "maart" not in mail.text


def test_invitation_without_deadline_or_session_leaves_both_out() -> None:
    """Without an RSVP deadline or first session the letter asks plainly and names no date."""
    mail = _render(MailKind.EXPERT_INVITATION, "nl", rsvp_deadline=None, first_session=None)
    assert "uiterlijk" not in mail.text
    assert "eerste expertbijeenkomst" not in mail.text
    assert "Wilt u laten weten of u deelneemt?" in mail.text


def test_signature_without_facilitator_names_the_organisation() -> None:
    """With no procesbegeleider the letter is signed by the organisation."""
    mail = _render(MailKind.SESSION_INVITATION, "nl", facilitator=None)
    assert mail.text.endswith(
        "Met vriendelijke groet,\n\nProvincie Overijssel\nprocesbegeleider hotspotmonitor\n"
    )
    assert "mailto:" not in mail.html


def test_accepted_response_lists_the_deadline_and_sessions() -> None:
    """An accepting expert is told the nomination deadline and every session."""
    text = _render(MailKind.EXPERT_RESPONSE, "nl").text
    assert "Hartelijk dank voor uw toezegging" in text
    assert "tot en met 5 maart 2026" in text
    assert "- 12 maart 2026 om 14:00, Provinciehuis Zwolle, zaal 2.14\n" in text
    assert "- 26 maart 2026 om 19:30, locatie volgt nog\n" in text


def test_declined_response_confirms_no_further_mail() -> None:
    """A declining expert is thanked and told no further mail follows."""
    mail = _render(MailKind.EXPERT_RESPONSE, "nl", accepted=False)
    # Phrases may be wrapped across lines in the text part.
    flat = one_line(mail.text)
    assert "Wij hebben genoteerd dat u niet deelneemt" in flat
    assert "U ontvangt hierover geen berichten meer." in flat
    assert "bijeenkomsten zijn gepland" not in mail.text
    assert mail.subject == "Uw afmelding voor de hotspotmonitor Provincie Overijssel"


def test_session_mails_give_time_place_and_calendar_note() -> None:
    """Invitation, update and cancellation show the time and say what happens to the calendar."""
    invitation = _render(MailKind.SESSION_INVITATION, "nl")
    assert "Datum en tijd: 12 maart 2026 om 14:00" in invitation.text
    assert "Provinciehuis Zwolle, zaal 2.14" in invitation.text
    assert "Bij deze e-mail is een agenda-uitnodiging gevoegd" in invitation.text

    update = _render(MailKind.SESSION_UPDATE, "nl")
    assert "Eerder gepland op:    12 maart 2026 om 14:00" in update.text
    assert "Nieuwe datum en tijd: 26 maart 2026 om 19:30" in update.text
    assert "bijgewerkte agenda-uitnodiging" in update.text

    cancelled = _render(MailKind.SESSION_CANCELLED, "en")
    assert "has been cancelled" in cancelled.text
    assert "Reason: Te weinig experts konden aanwezig zijn." in cancelled.text
    assert "withdrawn" in cancelled.text
    assert cancelled.subject.startswith("Cancelled: ")


def test_call_for_nominations_lists_the_criteria_and_the_portal() -> None:
    """The call numbers the four criteria and points to the portal before the deadline."""
    mail = _render(MailKind.CALL_FOR_NOMINATIONS, "nl")
    assert "\n1. Veel maatschappelijke onrust" in mail.text
    assert "\n4. Een politieke kwestie" in mail.text
    assert mail.html.count("<li>") >= 4 + 3 + 2
    assert PORTAL_LINK in mail.text
    assert "uiterlijk 5 maart 2026" in mail.text
    assert "een naam" in mail.text and "een periode" in mail.text
    assert "een beschrijving" in mail.text


def test_adopted_list_shows_entries_decision_and_a_semantic_table() -> None:
    """The adoption mail lists number, title and period, the decision, in a captioned table."""
    mail = _render(MailKind.LIST_ADOPTED, "nl")
    assert "- 2020-1  COVID-19-pandemie (maart 2020 – december 2022)\n" in mail.text
    assert "op 19 mei 2026" in mail.text
    assert "besluit GS-2026/0312" in mail.text
    assert "<caption" in mail.html
    assert '<th scope="col"' in mail.html
    assert "oktober 2019 – heden" in mail.html


def test_advice_request_reports_entries_balance_and_deviations() -> None:
    """The archivist sees criteria, motivation, perspective, balance verdicts and deviations."""
    mail = _render(MailKind.ADVICE_REQUEST, "nl")
    assert "versie 2" in mail.subject
    assert "Criteria:               1, 2, 4" in mail.text
    assert "Perspectief voordrager: intern" in mail.text
    assert "- Samenstelling expertpanel: in orde\n" in mail.text
    assert "- Evenwicht in de bijeenkomsten: niet in orde, afwijking vastgelegd\n" in mail.text
    assert "Twee externe experts waren ziek" in mail.text
    assert "vastgelegd door Sanne de Vries op 27 maart 2026 om 10:15" in mail.text
    assert "uiterlijk 17 april 2026" in mail.text
    assert "niet in orde, afwijking vastgelegd</td>" in mail.html


def test_advice_request_for_an_empty_list_gives_the_reason() -> None:
    """An empty concept list is announced with its recorded reason."""
    mail = _render(
        MailKind.ADVICE_REQUEST,
        "en",
        entries=[],
        deviations=[],
        empty_list_reason="No event met a criterion.",
        advice_deadline=None,
        advice_link="",
    )
    assert "The concept list contains no hotspots." in mail.text
    assert "Reason: No event met a criterion." in mail.text
    assert "Recorded deviations" not in mail.text
    assert "<caption" in mail.html  # the balance table still stands
    assert "Concept list, version" not in mail.html


def test_proposal_states_the_advice_and_the_proposed_decision() -> None:
    """Management gets the archivist's advice and a proposed decision to adopt the list."""
    mail = _render(MailKind.PROPOSAL, "nl")
    assert "Collectie Overijssel heeft op 15 april 2026" in mail.text
    assert "Toelichting: De lijst is evenwichtig tot stand gekomen." in mail.text
    assert "Voorgesteld besluit: de hotspotlijst Provincie Overijssel 2017–2023" in mail.text
    assert "vast te stellen" in mail.text
    assert "uiterlijk 19 mei 2026" in mail.text
    assert "afwijking vastgelegd" in mail.text


def test_overdue_milestone_counts_days_and_working_days() -> None:
    """The escalation names the milestone, its due date and both day counts, singular too."""
    mail = _render(MailKind.MILESTONE_OVERDUE, "nl")
    assert "‘Conceptlijst gereed’" in mail.text
    assert "1 april 2026" in mail.text
    assert "9 dagen (7 werkdagen)" in mail.text
    one = _render(MailKind.MILESTONE_OVERDUE, "en", days_overdue=1, working_days_overdue=1)
    assert "1 day (1 working day)" in one.text


def test_publication_gives_channel_force_and_objection_period() -> None:
    """The publication mail names the channel, reference, entry into force and objection weeks."""
    text = _render(MailKind.PUBLICATION, "nl").text
    assert "Provinciaal Blad, 2026/1234" in text
    assert "1 juni 2026" in text
    assert "Bezwaartermijn:         6 weken" in text
    assert "GS-2026/0312 van 19 mei 2026" in text
    assert "Stikstofcrisis en boerenprotesten (oktober 2019 – heden)" in text


def test_phase_change_wording_for_forward_cancelled_and_returned() -> None:
    """A plain move, a cancellation and a return each read differently, with the reason."""
    forward = _render(MailKind.PHASE_CHANGED, "nl")
    assert "van de fase ‘expertbijeenkomsten’ naar de fase" in forward.text
    assert "Toelichting" not in forward.text

    cancelled = _render(
        MailKind.PHASE_CHANGED, "nl", cancelled=True, to_label="geannuleerd", reason="Geen budget"
    )
    assert "stopgezet" in cancelled.text and "stopgezet" in cancelled.subject
    assert "Toelichting: Geen budget" in cancelled.text

    returned = _render(
        MailKind.PHASE_CHANGED,
        "en",
        returned=True,
        from_label="decision by the governing body",
        to_label="expert sessions",
        reason="Negative advice",
    )
    flat = one_line(returned.text)
    assert "was sent back to the expert sessions by Sanne de Vries" in flat
    assert "The returned version remains readable and unchanged" in flat
    assert "sent back to the expert sessions" in returned.subject
    assert "Reason: Negative advice" in returned.text


# -- reminders ------------------------------------------------------------------------------

REMINDERS = [
    MailKind.REMINDER_RSVP,
    MailKind.REMINDER_NOMINATION,
    MailKind.REMINDER_SESSION,
    MailKind.REMINDER_MILESTONE,
    MailKind.REMINDER_ADVICE,
    MailKind.REMINDER_DECISION,
    MailKind.REMINDER_INVENTORY,
]


def _days(kind: MailKind, n: int) -> dict[str, int]:
    """The kind's own day count set to `n` (the milestone counts working days)."""
    if kind is MailKind.REMINDER_MILESTONE:
        return {"working_days_left": n}
    if kind is MailKind.REMINDER_INVENTORY:
        return {"weeks_open": max(n, 1)}
    return {"days_left": n}


@pytest.mark.parametrize("days", [0, 1, 2])
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", REMINDERS)
def test_reminders_render_fully_for_every_count(kind: MailKind, lang: Language, days: int) -> None:
    """Whatever the count, with or without facilitator, no template syntax is left over."""
    for facilitator in (sample_context(kind, lang)["facilitator"], None):
        mail = _render(kind, lang, facilitator=facilitator, **_days(kind, days))
        for part in (mail.subject, mail.text, mail.html):
            assert "{{" not in part and "}}" not in part
            assert "{%" not in part and "%}" not in part
        assert "\n\n\n" not in mail.text
        assert mail.subject.startswith("Herinnering: " if lang == "nl" else "Reminder: ")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", REMINDERS)
def test_reminders_carry_no_personal_link(kind: MailKind, lang: Language) -> None:
    """A reminder points to the earlier mail; it never repeats a secret or portal link."""
    mail = _render(kind, lang)
    for part in (mail.text, mail.html):
        assert RESPONSE_LINK not in part
        assert PORTAL_LINK not in part
        assert "http" not in part


@pytest.mark.parametrize("kind", REMINDERS)
def test_a_missing_reminder_key_is_an_error(kind: MailKind) -> None:
    """Every key a reminder lists is needed: leaving one out is refused, not left blank."""
    common = set(sample_common("nl"))
    # `expert` is handed over for the caller's bookkeeping; the letter greets the recipient.
    own = set(sample_context(kind, "nl")) - common - {"expert"}
    assert own
    for key in own:
        context = sample_context(kind, "nl")
        del context[key]
        with pytest.raises(jinja2.UndefinedError):
            render_mail(kind, "nl", context)


def test_dutch_rsvp_reminder_names_the_deadline_and_the_days_left() -> None:
    """The RSVP reminder dates the deadline in Dutch and counts the days, singular too."""
    mail = _render(MailKind.REMINDER_RSVP, "nl")
    assert "Herinnering" in mail.subject
    assert "Provincie Overijssel 2017–2023" in mail.subject
    for text in (mail.text, mail.html):
        assert "Beste Hanna Historica," in text
        assert "uiterlijk" in text and "12 maart 2026" in text
        assert "Dat is over 3 dagen." in text
        assert "persoonlijke link in de uitnodigingsmail" in text
        assert "Sanne de Vries" in text
    assert "uiterlijk 12 maart 2026 laten weten of u deelneemt? Dat is over 3 dagen." in (
        one_line(mail.text)
    )
    assert "<strong>12 maart 2026</strong>" in mail.html
    assert 'href="mailto:s.devries@overijssel.example"' in mail.html

    one = _render(MailKind.REMINDER_RSVP, "nl", days_left=1)
    assert "Dat is over 1 dag." in one.text and "Dat is over 1 dag." in one.html
    assert "dagen" not in one.text
    today = _render(MailKind.REMINDER_RSVP, "nl", days_left=0)
    assert "Dat is vandaag." in today.text and "Dat is vandaag." in today.html


def test_rsvp_reminder_without_facilitator_points_to_the_organisation() -> None:
    """With no procesbegeleider the reminder names the organisation as the contact."""
    mail = _render(MailKind.REMINDER_RSVP, "nl", facilitator=None)
    flat = one_line(mail.text)
    assert "contact op met de procesbegeleider van de hotspotmonitor bij Provincie" in flat
    assert "mailto:" not in mail.html
    assert "None" not in mail.text and "None" not in mail.html
    en = _render(MailKind.REMINDER_RSVP, "en", facilitator=None)
    assert "contact the hotspot monitor process facilitator at Provincie" in one_line(en.text)


def test_english_rsvp_reminder_counts_days_in_english() -> None:
    """The English RSVP reminder spells the date in English and says day or days."""
    mail = _render(MailKind.REMINDER_RSVP, "en")
    assert mail.text.startswith("Dear Hanna Historica,")
    assert "by 12 March 2026" in mail.text
    assert "That is in 3 days." in mail.text
    assert "maart" not in mail.text
    assert "That is in 1 day." in _render(MailKind.REMINDER_RSVP, "en", days_left=1).text
    assert "That is today." in _render(MailKind.REMINDER_RSVP, "en", days_left=0).html


def test_nomination_reminder_lists_criteria_deadline_and_sessions() -> None:
    """The nomination reminder repeats the four criteria, the deadline and the sessions."""
    mail = _render(MailKind.REMINDER_NOMINATION, "nl")
    assert "tot en met 5 maart 2026. Dat is over 4 dagen." in mail.text
    assert "\n1. Veel maatschappelijke onrust" in mail.text
    assert "\n4. Een politieke kwestie" in mail.text
    assert "- 12 maart 2026 om 14:00, Provinciehuis Zwolle, zaal 2.14\n" in mail.text
    assert "- 26 maart 2026 om 19:30, locatie volgt nog\n" in mail.text
    assert mail.html.count("<li>") == 4 + 2
    assert "<ol>" in mail.html

    last = _render(MailKind.REMINDER_NOMINATION, "en", days_left=0, sessions=[])
    assert "until 5 March 2026. Today is the last day." in last.text
    assert "sessions are" not in last.text
    assert "<ul>" not in last.html
    assert "That is in 1 day." in _render(MailKind.REMINDER_NOMINATION, "en", days_left=1).text


@pytest.mark.parametrize(
    ("lang", "days", "said", "in_subject"),
    [
        ("nl", 0, "Vandaag vindt de expertbijeenkomst", "vandaag"),
        ("nl", 1, "Morgen vindt de expertbijeenkomst", "morgen"),
        ("nl", 2, "Over 2 dagen vindt de expertbijeenkomst", None),
        ("en", 0, "which takes place today.", "today"),
        ("en", 1, "which takes place tomorrow.", "tomorrow"),
        ("en", 5, "which takes place in 5 days.", None),
    ],
)
def test_session_reminder_says_today_tomorrow_or_in_days(
    lang: Language, days: int, said: str, in_subject: str | None
) -> None:
    """1 day ahead reads "morgen" / "tomorrow", 0 "vandaag" / "today", else a day count."""
    mail = _render(MailKind.REMINDER_SESSION, lang, days_left=days)
    assert said in one_line(mail.text)
    assert said in mail.html
    shown = "12 maart 2026 om 14:00" if lang == "nl" else "12 March 2026 at 14:00"
    assert shown in mail.text and shown in mail.subject
    for word in ("vandaag", "morgen", "today", "tomorrow"):
        assert (word in mail.subject) == (word == in_subject)
    assert "Over 1 dag" not in mail.text and "in 1 day" not in mail.text


def test_session_reminder_without_a_location_says_it_follows() -> None:
    """A session without a place yet says so rather than showing None."""
    session = {"id": 5, "at": datetime(2026, 3, 12, 13, 0, tzinfo=UTC), "location": None}
    mail = _render(MailKind.REMINDER_SESSION, "nl", session={**session, "sequence": 0})
    assert "Locatie:       locatie volgt nog" in mail.text
    assert "None" not in mail.html


def test_milestone_reminder_counts_working_days() -> None:
    """The facilitator is told the milestone, its due date and the working days left."""
    mail = _render(MailKind.REMINDER_MILESTONE, "nl")
    assert "‘Conceptlijst gereed’" in mail.text and "‘Conceptlijst gereed’" in mail.subject
    assert "uiterlijk 1 april 2026" in mail.text and "1 april 2026" in mail.subject
    assert "Dat is over 5 werkdagen." in mail.text
    assert (
        "Dat is over 1 werkdag."
        in _render(MailKind.REMINDER_MILESTONE, "nl", working_days_left=1).html
    )
    en = _render(MailKind.REMINDER_MILESTONE, "en", working_days_left=1)
    assert "due by 1 April 2026. That is in 1 working day." in en.text
    assert "‘expert sessions’" in en.text


def test_advice_and_decision_reminders_name_version_and_deadline() -> None:
    """The archivist and management are told the list version, the deadline and days left."""
    advice = _render(MailKind.REMINDER_ADVICE, "nl")
    assert "versie 2" in advice.subject
    assert "uiterlijk 17 april 2026. Dat is over 6 dagen." in advice.text
    assert "Gedeputeerde Staten" in advice.text
    assert "<strong>17 april 2026</strong>" in advice.html
    assert "That is in 1 day." in _render(MailKind.REMINDER_ADVICE, "en", days_left=1).text

    decision = _render(MailKind.REMINDER_DECISION, "nl")
    assert "versie 2" in decision.subject
    assert "uiterlijk 19 mei 2026 een besluit te nemen. Dat is over 7 dagen." in decision.text
    assert "(versie 2)" in decision.text
    assert "teruggestuurd naar de expertbijeenkomsten" in one_line(decision.text)
    today = _render(MailKind.REMINDER_DECISION, "en", days_left=0)
    assert "decide by 19 May 2026. That is today." in today.text


def test_inventory_reminder_names_system_hotspot_and_weeks() -> None:
    """The system owner sees which system, which hotspot, the query, the weeks and the ask."""
    mail = _render(MailKind.REMINDER_INVENTORY, "nl")
    assert "Zaaksysteem Corsa" in mail.subject
    assert "2020-1 COVID-19-pandemie" in mail.subject
    assert "Hotspot:           2020-1  COVID-19-pandemie\n" in mail.text
    assert "Informatiesysteem: Zaaksysteem Corsa\n" in mail.text
    assert "Zoekvraag:         zaaktype 'Crisisbeheersing'" in mail.text
    assert "Gereed uiterlijk:  30 september 2026\n" in mail.text
    assert "staat nu 3 weken open" in mail.text
    flat = one_line(mail.text)
    assert "markeren als blijvend te bewaren" in flat
    assert "leg dan vast dat er niets is gevonden" in flat
    assert "<strong>Zaaksysteem Corsa</strong>" in mail.html

    first = _render(MailKind.REMINDER_INVENTORY, "en", weeks_open=1, inventory_deadline=None)
    assert "has been open for 1 week." in first.text
    assert "Information system: Zaaksysteem Corsa\n" in first.text
    assert "To be done by" not in first.text and "To be done by" not in first.html


def test_inventory_reminder_escapes_a_system_name_in_html() -> None:
    """A typed `<script>` as system name is inert in the HTML and unchanged in the text."""
    system = {"name": SCRIPT, "query": "a < b & c", "owner": "Informatiebeheer"}
    mail = _render(MailKind.REMINDER_INVENTORY, "nl", system=system)
    assert "<script>" not in mail.html
    # Once in the <title>, once in the body.
    assert mail.html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2
    assert "a &lt; b &amp; c" in mail.html
    assert f"Informatiesysteem: {SCRIPT}\n" in mail.text
    assert SCRIPT in mail.subject


# -- strictness and escaping ----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MailKind))
def test_a_missing_common_key_is_an_error(kind: MailKind) -> None:
    """Without `recipient` no kind renders: StrictUndefined refuses instead of leaving a gap."""
    context = sample_context(kind, "nl")
    del context["recipient"]
    with pytest.raises(jinja2.UndefinedError):
        render_mail(kind, "nl", context)


def test_a_missing_kind_key_is_an_error() -> None:
    """An invitation without its response link is refused rather than sent without it."""
    context = sample_context(MailKind.EXPERT_INVITATION, "en")
    del context["response_link"]
    with pytest.raises(jinja2.UndefinedError):
        render_mail(MailKind.EXPERT_INVITATION, "en", context)


def test_a_missing_nested_key_is_an_error() -> None:
    """A procedure without its organisation is refused too."""
    context = sample_context(MailKind.LIST_ADOPTED, "nl")
    context["procedure"] = {k: v for k, v in context["procedure"].items() if k != "organisation"}
    with pytest.raises(jinja2.UndefinedError):
        render_mail(MailKind.LIST_ADOPTED, "nl", context)


def test_user_text_is_escaped_in_html_and_literal_in_text() -> None:
    """A typed `<script>` in a name or a hotspot title is inert in HTML and unchanged in text."""
    context = sample_context(MailKind.LIST_ADOPTED, "nl")
    context["recipient"] = {"name": SCRIPT, "email": "x@example.nl"}
    context["entries"][0]["title"] = SCRIPT
    mail = render_mail(MailKind.LIST_ADOPTED, "nl", context)
    assert "<script>" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert mail.html.count("&lt;script&gt;") == 2
    assert f"Beste {SCRIPT}," in mail.text
    assert f"2020-1  {SCRIPT} (maart 2020" in mail.text


def test_a_subject_cannot_smuggle_a_header() -> None:
    """CR/LF in a value used in the subject collapse to a space, leaving one line."""
    context = sample_context(MailKind.LIST_ADOPTED, "nl")
    context["procedure"] = {**context["procedure"], "organisation": "Provincie\r\nBcc: x@y"}
    subject = render_mail(MailKind.LIST_ADOPTED, "nl", context).subject
    assert "\r" not in subject and "\n" not in subject
    assert subject == "Hotspotlijst Provincie Bcc: x@y 2017–2023 vastgesteld"


def test_one_line_collapses_every_whitespace_run() -> None:
    """Tabs, CR, LF, form feeds and Unicode line separators all become single spaces."""
    collapsed = one_line("  Uitnodiging\r\n\tBcc:\x0b x@y \u2028 einde\n")
    assert collapsed == "Uitnodiging Bcc: x@y einde"


# -- the filters ----------------------------------------------------------------------------


def test_period_filter_shows_months_and_an_open_end() -> None:
    """A closed period shows both months; an open end reads "heden" / "present"."""
    nl = _render(MailKind.PUBLICATION, "nl").text
    en = _render(MailKind.PUBLICATION, "en").text
    assert "(maart 2020 – december 2022)" in nl
    assert "(oktober 2019 – heden)" in nl
    assert "(March 2020 – December 2022)" in en
    assert "(October 2019 – present)" in en


@pytest.mark.parametrize(
    ("moment", "lang", "shown"),
    [
        (datetime(2026, 3, 12, 13, 0, tzinfo=UTC), "nl", "12 maart 2026 om 14:00"),
        (datetime(2026, 3, 12, 13, 0, tzinfo=UTC), "en", "12 March 2026 at 14:00"),
        # Summer time: UTC+2.
        (datetime(2026, 6, 10, 12, 0, tzinfo=UTC), "nl", "10 juni 2026 om 14:00"),
        # 23:30 UTC is already the next day in Amsterdam.
        (datetime(2026, 3, 12, 23, 30, tzinfo=UTC), "nl", "13 maart 2026 om 00:30"),
    ],
)
def test_moment_filter_shows_amsterdam_time(moment: datetime, lang: Language, shown: str) -> None:
    """A UTC moment is shown in Dutch local time, date and clock."""
    session = {"id": 1, "at": moment, "location": "Zwolle", "sequence": 0}
    mail = _render(MailKind.SESSION_INVITATION, lang, session=session)
    assert shown in mail.text
    assert shown in mail.subject


def test_date_filter_given_a_moment_shows_the_amsterdam_day() -> None:
    """A late-evening UTC moment passed to `date` shows the Dutch calendar day."""
    advice = {"by": "Archief", "reason": None, "at": datetime(2026, 4, 15, 22, 30, tzinfo=UTC)}
    text = _render(MailKind.PROPOSAL, "nl", advice=advice).text
    assert "Archief heeft op 16 april 2026" in text
    assert "Toelichting" not in text


def test_a_naive_moment_is_refused() -> None:
    """A moment without a time zone would be read in the server's zone, so it is refused."""
    session = {"id": 1, "at": datetime(2026, 3, 12, 14, 0), "location": None, "sequence": 0}
    with pytest.raises(ValueError, match="time zone"):
        _render(MailKind.SESSION_INVITATION, "nl", session=session)


def test_criteria_filter_joins_numbers() -> None:
    """Criteria numbers are listed as "1, 3" in text and HTML."""
    mail = _render(MailKind.PROPOSAL, "en", entries=[_entry(criteria=[1, 3])])
    assert "Criteria:                1, 3\n" in mail.text
    assert ">1, 3</td>" in mail.html


def _entry(**changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "number": "2021-1",
        "title": "Wolf",
        "period_start": date(2021, 1, 1),
        "period_end": None,
        "description": "Terugkeer van de wolf",
        "criteria": [2],
        "motivation": "Emotioneel debat",
        "perspective_label": "external",
    }
    return {**entry, **changes}
