"""The kind of governing body that adopts a hotspot list, and the words that go with it.

A procedure stores its governing body as the text its facilitator typed ("Gedeputeerde
Staten", "College van B&W", "DB"). The kind says which body that is and carries what mails
and documents need to name it properly: "het college van Gedeputeerde Staten stelt de
hotspotlijst vast", published in the Provinciaal Blad. `governing_body_kind` reads the stored
text; text it does not recognise gives None, and the caller keeps using the text as typed.
`resolve_kind` adds the configured kind (`governing_body_kind` in the procedure's settings) and
the organisation's own name ("Provincie Overijssel") to that; `parse_kind` reads the setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from states.i18n import Text


class GoverningBodyKind(StrEnum):
    """Who adopts the list: a province's, a municipality's or a water board's executive, or an
    official who holds a mandate for it (such as a strategic information board)."""

    PROVINCE = "provincie"
    MUNICIPALITY = "gemeente"
    WATER_BOARD = "waterschap"
    MANDATED = "gemandateerd"

    @property
    def label(self) -> Text:
        """The body and its organisation, for a choice list: "Gedeputeerde Staten (provincie)"."""
        words = _WORDS[self]
        return Text(
            f"{words.name.nl} ({words.organisation_type.nl})",
            f"{words.name.en} ({words.organisation_type.en})",
        )

    @property
    def body_name(self) -> Text:
        """The body's own name, as in a heading: "Gedeputeerde Staten"."""
        return _WORDS[self].name

    @property
    def organisation_type(self) -> Text:
        return _WORDS[self].organisation_type

    @property
    def the_body(self) -> Text:
        """The body in running text: "het college van Gedeputeerde Staten"."""
        return _WORDS[self].the_body

    @property
    def salutation(self) -> Text:
        """How a letter or mail to the body opens: "Geacht college,"."""
        return _WORDS[self].salutation

    @property
    def gazette(self) -> Text:
        """Where its decisions are published: "het Provinciaal Blad"."""
        return _WORDS[self].gazette

    def adopts(self, what: Text) -> Text:
        """The body adopting `what`: "het college van Gedeputeerde Staten stelt <what> vast"."""
        body = self.the_body
        return Text(f"{body.nl} stelt {what.nl} vast", f"{body.en} adopts {what.en}")

    def named(self, organisation: str | None = None) -> Text:
        """The body in running text, with its place when the organisation's name gives it:
        "Gedeputeerde Staten van Overijssel", "het college van burgemeester en wethouders van
        Oss", "het dagelijks bestuur van Waterschap Vechtstromen", "de gemandateerde"."""
        name = " ".join((organisation or "").split())
        first, _, rest = name.partition(" ")
        kind_of_name = _ORGANISATION_WORDS.get(first.casefold())
        if self is GoverningBodyKind.PROVINCE and kind_of_name is self and rest:
            return Text(f"Gedeputeerde Staten van {rest}", f"the Provincial Executive of {rest}")
        if self is GoverningBodyKind.MUNICIPALITY and kind_of_name is self and rest:
            return Text(
                f"het college van burgemeester en wethouders van {rest}",
                f"the Municipal Executive of {rest}",
            )
        if self is GoverningBodyKind.WATER_BOARD and kind_of_name is self and rest:
            return Text(f"het dagelijks bestuur van {name}", f"the Executive Board of {name}")
        return self.the_body

    @property
    def adopted_by(self) -> Text:
        """After a list: "vastgesteld door het college van Gedeputeerde Staten"."""
        body = self.the_body
        return Text(f"vastgesteld door {body.nl}", f"adopted by {body.en}")


@dataclass(frozen=True, slots=True)
class _Words:
    name: Text
    organisation_type: Text
    the_body: Text
    salutation: Text
    gazette: Text


_WORDS: dict[GoverningBodyKind, _Words] = {
    GoverningBodyKind.PROVINCE: _Words(
        Text("Gedeputeerde Staten", "Provincial Executive (Gedeputeerde Staten)"),
        Text("provincie", "province"),
        Text("het college van Gedeputeerde Staten", "the Provincial Executive"),
        Text("Geacht college,", "Dear members of the Provincial Executive,"),
        Text("het Provinciaal Blad", "the Provinciaal Blad (provincial gazette)"),
    ),
    GoverningBodyKind.MUNICIPALITY: _Words(
        Text(
            "college van burgemeester en wethouders",
            "Municipal Executive (burgemeester en wethouders)",
        ),
        Text("gemeente", "municipality"),
        Text("het college van burgemeester en wethouders", "the Municipal Executive"),
        Text("Geacht college,", "Dear members of the Municipal Executive,"),
        Text("het Gemeenteblad", "the Gemeenteblad (municipal gazette)"),
    ),
    GoverningBodyKind.WATER_BOARD: _Words(
        Text("dagelijks bestuur", "Executive Board (dagelijks bestuur)"),
        Text("waterschap", "water board"),
        Text("het dagelijks bestuur van het waterschap", "the Executive Board of the water board"),
        Text("Geacht bestuur,", "Dear members of the Executive Board,"),
        Text("het Waterschapsblad", "the Waterschapsblad (water board gazette)"),
    ),
    GoverningBodyKind.MANDATED: _Words(
        Text("gemandateerd functionaris", "mandated official"),
        # A mandate can be given in a province, a municipality or a water board alike.
        Text("overheidsorganisatie", "public body"),
        Text("de gemandateerde", "the mandated official"),
        Text("Geachte heer, mevrouw,", "Dear Sir or Madam,"),
        Text("het publicatieblad van de organisatie", "the organisation's official gazette"),
    ),
}


# Names as people type them, after `_normalised`: lower case, "&" as "en", no dots.
_ALIASES: dict[str, GoverningBodyKind] = {
    "gedeputeerde staten": GoverningBodyKind.PROVINCE,
    "college van gedeputeerde staten": GoverningBodyKind.PROVINCE,
    "gs": GoverningBodyKind.PROVINCE,
    "college van gs": GoverningBodyKind.PROVINCE,
    "b en w": GoverningBodyKind.MUNICIPALITY,
    "college van b en w": GoverningBodyKind.MUNICIPALITY,
    "burgemeester en wethouders": GoverningBodyKind.MUNICIPALITY,
    "college van burgemeester en wethouders": GoverningBodyKind.MUNICIPALITY,
    "bw": GoverningBodyKind.MUNICIPALITY,
    "college van bw": GoverningBodyKind.MUNICIPALITY,
    "dagelijks bestuur": GoverningBodyKind.WATER_BOARD,
    "db": GoverningBodyKind.WATER_BOARD,
    "gemandateerd functionaris": GoverningBodyKind.MANDATED,
    "gemandateerde functionaris": GoverningBodyKind.MANDATED,
    "gemandateerde": GoverningBodyKind.MANDATED,
    "mandaathouder": GoverningBodyKind.MANDATED,
    "strategisch informatieoverleg": GoverningBodyKind.MANDATED,
    "strategisch informatieberaad": GoverningBodyKind.MANDATED,
}
# Aliases this short mean something only on their own ("db" is no prefix of a name).
_WHOLE_ONLY = frozenset(alias for alias in _ALIASES if len(alias) <= 2)


def _normalised(text: str) -> str:
    lowered = text.casefold().replace("&", " en ").replace(".", " ").replace(",", " ")
    words = lowered.split()
    # "Het college van ..." and "De gemandateerd functionaris" name the same body.
    if words and words[0] in ("het", "de"):
        words = words[1:]
    return " ".join(words)


def governing_body_kind(text: str | None) -> GoverningBodyKind | None:
    """The kind a stored governing-body text names, or None for text it does not know.

    Case, spacing, "&" against "en" and a leading article do not matter; a known name may be
    followed by more words ("Dagelijks bestuur van Waterschap Vechtstromen").
    """
    if not text:
        return None
    wanted = _normalised(text)
    if wanted in _ALIASES:
        return _ALIASES[wanted]
    # The longest known name the text starts with, as a whole word.
    for alias in sorted(_ALIASES, key=len, reverse=True):
        if alias not in _WHOLE_ONLY and wanted.startswith(alias + " "):
            return _ALIASES[alias]
    return None


# The first word of an organisation's name that says what kind of body governs it.
_ORGANISATION_WORDS: dict[str, GoverningBodyKind] = {
    "provincie": GoverningBodyKind.PROVINCE,
    "gemeente": GoverningBodyKind.MUNICIPALITY,
    "waterschap": GoverningBodyKind.WATER_BOARD,
    "hoogheemraadschap": GoverningBodyKind.WATER_BOARD,
    "wetterskip": GoverningBodyKind.WATER_BOARD,
}
ALLOWED_KINDS = ", ".join(kind.value for kind in GoverningBodyKind)


def organisation_kind(organisation: str | None) -> GoverningBodyKind | None:
    """The kind an organisation's name implies: "Provincie Overijssel" is governed by GS."""
    first = (organisation or "").strip().split(" ", 1)[0].casefold()
    return _ORGANISATION_WORDS.get(first)


def parse_kind(value: str) -> GoverningBodyKind:
    """A configured kind ("provincie", "gemeente", "waterschap", "gemandateerd"); ValueError
    with a Dutch message naming the allowed values otherwise."""
    wanted = value.strip().casefold()
    for kind in GoverningBodyKind:
        if wanted == kind.value:
            return kind
    raise ValueError(f"onbekende soort bestuursorgaan {value!r}; toegestaan: {ALLOWED_KINDS}")


def resolve_kind(
    configured: GoverningBodyKind | None, governing_body: str | None, organisation: str | None
) -> GoverningBodyKind | None:
    """The configured kind; else the one the body's name or the organisation's name says."""
    return configured or governing_body_kind(governing_body) or organisation_kind(organisation)
