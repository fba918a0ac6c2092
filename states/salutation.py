"""How a letter greets a person: "Geachte heer De Vries", "Geachte mevrouw De Wit" or "Beste …".

A person is greeted neutrally ("Beste Femke de Wit") unless the facilitator recorded heer or
mevrouw: a title is never guessed from a first name. With a title the letter uses the surname
only, and the Dutch rule capitalises its first tussenvoegsel when no first name precedes it
("Femke de Wit" -> "mevrouw De Wit", "Jan van der Berg" -> "heer Van der Berg").
"""

from __future__ import annotations

from enum import StrEnum

from states.i18n import Language, Text


class Salutation(StrEnum):
    HEER = "heer"
    MEVROUW = "mevrouw"
    NEUTRAAL = "neutraal"

    def label(self, lang: Language) -> str:
        return SALUTATION_LABELS[self](lang)


SALUTATION_LABELS = {
    Salutation.HEER: Text("De heer", "Mr"),
    Salutation.MEVROUW: Text("Mevrouw", "Ms"),
    Salutation.NEUTRAAL: Text("Neutraal (Beste …)", "Neutral (Dear …)"),
}

# The words that start a Dutch surname after the given names (lowercase as written there).
TUSSENVOEGSELS = frozenset(
    {"van", "de", "der", "den", "het", "'t", "ten", "ter", "te", "in", "op", "la", "le", "du"}
)


def surname(name: str) -> str:
    """The surname of `name` as a title precedes it: from the first tussenvoegsel after the
    given name on, else the last word; its first letter capitalised."""
    words = name.split()
    if len(words) < 2:
        return name.strip()
    start = len(words) - 1
    for index, word in enumerate(words[1:], start=1):
        if word.lower() in TUSSENVOEGSELS:
            start = index
            break
    rest = " ".join(words[start:])
    return rest[:1].upper() + rest[1:]


def greeting(name: str, salutation: str, lang: Language) -> str:
    """The letter's first line, without its comma."""
    kind = Salutation(salutation) if salutation in Salutation.__members__.values() else None
    if kind is Salutation.HEER:
        return f"Geachte heer {surname(name)}" if lang == "nl" else f"Dear Mr {surname(name)}"
    if kind is Salutation.MEVROUW:
        return f"Geachte mevrouw {surname(name)}" if lang == "nl" else f"Dear Ms {surname(name)}"
    return f"Beste {name.strip()}" if lang == "nl" else f"Dear {name.strip()}"
