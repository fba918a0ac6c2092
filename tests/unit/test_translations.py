"""The English catalog, the Babel formatting filters and the governing body's wording.

The message ids are the Dutch text in the templates (and the few in notifications' Python);
templates/locale/en/LC_MESSAGES/messages.po gives each its English.
"""

from __future__ import annotations

import io
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

import jinja2
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from docx import Document
from markupsafe import escape

from notifications import i18n
from notifications.document_data import ProposalData, PublicListData
from notifications.documents import proposal_docx, proposal_html, public_list_html
from notifications.kinds import MailKind
from notifications.render import governing_body_name, render_mail
from states.config import ConfigError, merge, parse_config
from states.governing_body import (
    GoverningBodyKind,
    organisation_kind,
    parse_kind,
    resolve_kind,
)
from states.i18n import Language
from tests.mail_samples import sample_context
from tests.unit.test_document_rendering import _proposal, _public
from workflow.resources import templates_dir

ROOT = templates_dir().parent
CATALOG = templates_dir() / "locale" / "en" / "LC_MESSAGES" / "messages.po"
MAPPING = templates_dir() / "locale" / "babel.cfg"

MessageKey = tuple[str | tuple[str, ...], str | None]


def _extracted() -> dict[MessageKey, list[str]]:
    """Every message id in the templates and notifications' Python, with where it is used."""
    with MAPPING.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[MessageKey, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        found.setdefault((message, context), []).append(f"{filename}:{lineno}")
    return found


def _catalog() -> Catalog:
    with CATALOG.open("rb") as po:
        return read_po(po, locale="en_GB")


def _entries(catalog: Catalog) -> Iterator[Any]:
    return (message for message in catalog if message.id)


# -- the catalog ----------------------------------------------------------------------------


def test_the_checkout_is_where_the_templates_are() -> None:
    """Extraction runs over the project; it needs the checkout's templates and packages."""
    assert (ROOT / "notifications" / "i18n.py").is_file()


def test_every_message_in_the_templates_has_an_english_translation() -> None:
    """Each `_()`, `{% trans %}` and Python `gettext` id has a non-empty, unfuzzy English."""
    catalog = _catalog()
    extracted = _extracted()
    assert len(extracted) > 500
    missing = []
    for (message, context), where in extracted.items():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid, context)
        strings = entry.string if entry is not None else ""
        translated = all(strings) if isinstance(strings, tuple) else bool(strings)
        if entry is None or not translated or entry.fuzzy:
            missing.append(f"{msgid!r} ({context}) at {where[0]}")
    assert not missing, "\n".join(missing)


def test_no_catalog_entry_is_unused() -> None:
    """A catalog entry whose Dutch no template uses any more is stale: remove it."""
    used = {
        (message[0] if isinstance(message, tuple) else message, context)
        for message, context in _extracted()
    }
    stale = [(m.id, m.context) for m in _entries(_catalog())]
    stale = [
        (msgid, context)
        for msgid, context in stale
        if (msgid[0] if isinstance(msgid, tuple) else msgid, context) not in used
    ]
    assert not stale


def test_plural_messages_have_both_english_forms() -> None:
    for message in _entries(_catalog()):
        if isinstance(message.id, tuple):
            assert isinstance(message.string, tuple) and len(message.string) == 2
            assert all(message.string), message.id


def test_placeholders_agree_between_dutch_and_english() -> None:
    """Babel's own checks: the English names the same %(name)s placeholders as the Dutch."""
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in _catalog().check()
        if errors
    ]
    assert not problems


def test_the_catalog_loads_without_a_compiled_file() -> None:
    """Read and compiled in memory: no .mo file is shipped or needed."""
    assert not list(templates_dir().glob("locale/**/*.mo"))
    assert i18n.gettext("Inloggen", "en") == "Log in"
    assert i18n.gettext("Inloggen", "nl") == "Inloggen"
    assert i18n.translations("en") is i18n.translations("en")


def test_a_newstyle_template_translates_and_escapes_the_values() -> None:
    """`{% trans %}` with a value: the value is escaped in HTML, the text is translated."""
    env = jinja2.Environment(autoescape=True)
    i18n.install(env, "en")
    page = env.from_string("{% trans %}Motivering: {{ empty_list_reason }}{% endtrans %}").render(
        empty_list_reason="<b>x</b>"
    )
    assert page == "Reason: &lt;b&gt;x&lt;/b&gt;"


# -- the formatting filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        (date(2025, 4, 3), "nl", "3 april 2025"),
        (date(2025, 4, 3), "en", "3 April 2025"),
        # 22:30 UTC in summer is already the next day in the Netherlands.
        (datetime(2025, 6, 30, 22, 30, tzinfo=UTC), "nl", "1 juli 2025"),
        (None, "nl", ""),
    ],
)
def test_day(value: date | None, lang: Language, shown: str) -> None:
    assert i18n.format_day(value, lang) == shown


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [
        # 12:00 UTC is 14.00 in summer time, 13.00 in winter time.
        (datetime(2025, 4, 3, 12, 0, tzinfo=UTC), "nl", "14.00 uur"),
        (datetime(2025, 1, 3, 12, 0, tzinfo=UTC), "nl", "13.00 uur"),
        (datetime(2025, 4, 3, 12, 0, tzinfo=UTC), "en", "14:00"),
        (time(9, 5), "nl", "09.05 uur"),
    ],
)
def test_time(value: datetime | time, lang: Language, shown: str) -> None:
    assert i18n.format_time(value, lang) == shown


def test_moment_and_month() -> None:
    moment = datetime(2025, 4, 3, 12, 0, tzinfo=UTC)
    assert i18n.format_moment(moment, "nl") == "3 april 2025 14:00"
    assert i18n.format_moment(moment, "nl", at=True) == "3 april 2025 om 14:00"
    assert i18n.format_moment(moment, "en", at=True) == "3 April 2025 at 14:00"
    assert i18n.format_month(date(2020, 3, 1), "nl") == "maart 2020"
    assert i18n.format_month(date(2020, 3, 1), "en") == "March 2020"


@pytest.mark.parametrize(
    ("value", "lang", "shown"),
    [(1234.5, "nl", "1.234,5"), (1234.5, "en", "1,234.5"), (65.2, "nl", "65,2"), (7, "nl", "7")],
)
def test_number(value: float, lang: Language, shown: str) -> None:
    assert i18n.format_number(value, lang) == shown


def test_the_filters_in_a_template() -> None:
    """The filters as templates use them, bound to the environment's language."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(i18n.filters("nl"))
    moment = datetime(2025, 4, 3, 12, 0, tzinfo=UTC)
    shown = env.from_string("{{ m|day }} om {{ m|time }}, {{ n|number }}").render(m=moment, n=0.5)
    assert shown == "3 april 2025 om 14.00 uur, 0,5"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing|day }}").render()


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        i18n.format_time(datetime(2025, 4, 3, 14, 0), "nl")


def test_the_month_names_come_from_babel_not_the_process_locale() -> None:
    assert [i18n.format_month(date(2025, m, 1), "nl").split()[0] for m in (1, 5, 10)] == [
        "januari",
        "mei",
        "oktober",
    ]


# -- the governing body ---------------------------------------------------------------------

# Per kind: the organisation, the typed body, and what the documents and mails must say.
KINDS: dict[GoverningBodyKind, tuple[str, str, str, str, str]] = {
    GoverningBodyKind.PROVINCE: (
        "Provincie Overijssel",
        "GS",
        "Gedeputeerde Staten van Overijssel",
        "the Provincial Executive of Overijssel",
        "het Provinciaal Blad",
    ),
    GoverningBodyKind.MUNICIPALITY: (
        "Gemeente Oss",
        "B&W",
        "het college van burgemeester en wethouders van Oss",
        "the Municipal Executive of Oss",
        "het Gemeenteblad",
    ),
    GoverningBodyKind.WATER_BOARD: (
        "Waterschap Vechtstromen",
        "DB",
        "het dagelijks bestuur van Waterschap Vechtstromen",
        "the Executive Board of Waterschap Vechtstromen",
        "het Waterschapsblad",
    ),
    GoverningBodyKind.MANDATED: (
        "Regionaal Archief Zutphen",
        "Strategisch informatieoverleg",
        "de gemandateerde",
        "the mandated official",
        "het publicatieblad van de organisatie",
    ),
}


def _proposal_for(kind: GoverningBodyKind) -> ProposalData:
    organisation, typed, *_ = KINDS[kind]
    base = _proposal()
    procedure = replace(
        base.procedure, organisation=organisation, governing_body=typed, governing_body_kind=kind
    )
    return replace(base, procedure=procedure)


def _public_for(kind: GoverningBodyKind) -> PublicListData:
    organisation, typed, *_ = KINDS[kind]
    return replace(
        _public(), organisation=organisation, governing_body=typed, governing_body_kind=kind
    )


@pytest.mark.parametrize("kind", list(GoverningBodyKind))
def test_the_kind_is_read_from_the_typed_name(kind: GoverningBodyKind) -> None:
    organisation, typed, *_ = KINDS[kind]
    assert resolve_kind(None, typed, organisation) is kind


@pytest.mark.parametrize("kind", list(GoverningBodyKind))
def test_the_proposal_names_the_body_that_decides(kind: GoverningBodyKind) -> None:
    """The HTML and Word proposal name the body properly and where the decision is published."""
    _, _, named_nl, named_en, gazette = KINDS[kind]
    data = _proposal_for(kind)
    page = proposal_html(data)
    assert f"Voorstel aan {escape(named_nl)}, opgesteld op" in page
    adoption = f"Na vaststelling door {named_nl} wordt het besluit bekendgemaakt in {gazette}."
    assert str(escape(adoption)) in page
    paragraphs = [p.text for p in Document(io.BytesIO(proposal_docx(data))).paragraphs]
    assert adoption in paragraphs
    assert f"Once adopted by {named_en}, the decision" in proposal_html(data, "en")


@pytest.mark.parametrize("kind", list(GoverningBodyKind))
def test_the_public_list_names_the_body_that_adopted_it(kind: GoverningBodyKind) -> None:
    named = KINDS[kind][2]
    page = public_list_html(_public_for(kind))
    assert f"Deze hotspotlijst is vastgesteld door {escape(named)} op" in page


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("kind", list(GoverningBodyKind))
@pytest.mark.parametrize(
    "mail", [MailKind.ADVICE_REQUEST, MailKind.REMINDER_DECISION, MailKind.LIST_ADOPTED]
)
def test_the_mails_name_the_body_that_decides(
    mail: MailKind, kind: GoverningBodyKind, lang: Language
) -> None:
    organisation, typed, named_nl, named_en, _ = KINDS[kind]
    context = sample_context(mail, lang)
    context["procedure"] = {**context["procedure"], "organisation": organisation}
    context["procedure"]["governing_body"] = typed
    rendered = render_mail(mail, lang, context)
    named = named_nl if lang == "nl" else named_en
    assert named in " ".join(rendered.text.split())
    assert str(escape(named)) in rendered.html


def test_a_configured_kind_wins_over_the_names() -> None:
    """The procedure's setting decides; the names are only read without one."""
    procedure = {
        "governing_body": "Directeur Informatievoorziening",
        "organisation": "Provincie Overijssel",
        "governing_body_kind": "gemandateerd",
    }
    assert governing_body_name(procedure, "nl") == "de gemandateerde"
    assert governing_body_name({**procedure, "governing_body_kind": ""}, "nl") == (
        "Gedeputeerde Staten van Overijssel"
    )


def test_an_unknown_body_keeps_the_typed_name() -> None:
    procedure = {"governing_body": "Het Bestuur", "organisation": "Stichting X"}
    assert governing_body_name(procedure, "en") == "Het Bestuur"
    assert organisation_kind("Stichting X") is None


def test_the_kind_setting_is_checked(raw_config: dict[str, Any]) -> None:
    """A known kind parses; an unknown one is refused in Dutch, naming the allowed values."""
    assert parse_config(raw_config).governing_body_kind is None
    parsed = parse_config(merge(raw_config, {"governing_body_kind": "waterschap"}))
    assert parsed.governing_body_kind is GoverningBodyKind.WATER_BOARD
    assert parse_config(parsed.to_dict()) == parsed
    with pytest.raises(ConfigError) as refused:
        parse_config(merge(raw_config, {"governing_body_kind": "kabinet"}))
    assert refused.value.key == "governing_body_kind"
    assert str(refused.value) == (
        "governing_body_kind: onbekende soort bestuursorgaan 'kabinet'; "
        "toegestaan: provincie, gemeente, waterschap, gemandateerd"
    )
    with pytest.raises(ValueError, match="toegestaan"):
        parse_kind("")


def test_the_organisation_files_name_their_kind() -> None:
    folder = ROOT / "config" / "organisations"
    kinds = {
        path.stem: tomllib.loads(path.read_text(encoding="utf-8")).get("governing_body_kind")
        for path in folder.glob("*.toml")
    }
    assert kinds == {"provincie-overijssel": "provincie", "gemeente-voorbeeld": "gemeente"}
