"""The rules a facilitator's new password must meet, each refusal naming its rule.

`password.length`: at least 12 characters. `password.distinct`: at least 6 different
characters (`aaaaaaaaaaaa` and `abcabcabcabc` are out). `password.personal`: neither the user
name nor a part of the full name in it. `password.common`: not (nearly) one of the commonest
passwords and not guessable from a pattern; judged by zxcvbn, a maintained package that ships
its lists (the 30,000 commonest passwords, common English words and names), so nothing goes
over the network. zxcvbn knows no Dutch, so it is also given Dutch words passwords are made
of, this application's own words and the organisations and governing bodies on record
(workflow.password_words, and `words` from the database): `Wachtwoord2024!`,
`Provincie2024!` and `Amsterdam2024!` are as weak as `Password2024!`. A famous example
passphrase (`correcthorsebatterystaple`, with or without separators) is refused outright.
zxcvbn is imported only when a password is checked: it loads its lists on import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from states.errors import InvalidInput
from states.i18n import Text
from workflow.password_words import APP_WORDS, DUTCH_WORDS, FAMOUS_PHRASES

MIN_LENGTH = 12
MIN_DISTINCT = 6
# Name parts shorter than this ("de", "van") are too common to refuse a password for.
MIN_NAME_PART = 3
# zxcvbn's scale: 4 means "very unguessable: strong protection from offline attacks" (10^10
# guesses and more). Score 3 (10^8) let `Welkom01!2345` and `Zomer2024!!!` through.
MIN_SCORE = 4
# What zxcvbn found, in words people read.
_PATTERNS: dict[str, Text] = {
    "dictionary": Text("een veelgebruikt wachtwoord of woord", "a common password or word"),
    "spatial": Text("een toetsenbordpatroon", "a keyboard pattern"),
    "repeat": Text("een herhaling", "a repetition"),
    "sequence": Text("een reeks zoals abcd of 1234", "a sequence such as abcd or 1234"),
    "regex": Text("een jaartal of getal", "a year or number"),
    "date": Text("een datum", "a date"),
}


def check(
    password: str,
    *,
    username: str,
    name: str,
    field: str = "password",
    words: Sequence[str] = (),
) -> None:
    """InvalidInput naming every rule the password breaks; nothing when it meets them all.

    `words`: more text a password must not be built on (the organisations on record).
    """
    problems = _length(password) + _distinct(password) + _personal(password, username, name)
    if not problems:
        problems = _famous(password)
    if not problems:
        # The guessability check costs milliseconds; only for a password that passed the rest.
        own = [username, *_name_parts(name), *(p for w in words for p in _name_parts(w))]
        problems = _common(password, [*own, *APP_WORDS, *DUTCH_WORDS])
    if problems:
        raise InvalidInput(
            field,
            Text(
                "; ".join(p.nl for p in problems),
                "; ".join(p.en for p in problems),
            ),
        )


def _length(password: str) -> list[Text]:
    if len(password) >= MIN_LENGTH:
        return []
    return [
        Text(
            f"het wachtwoord heeft {len(password)} tekens, minimaal {MIN_LENGTH} "
            "(regel password.length)",
            f"the password has {len(password)} characters, at least {MIN_LENGTH} "
            "(rule password.length)",
        )
    ]


def _distinct(password: str) -> list[Text]:
    distinct = len(set(password))
    if distinct >= MIN_DISTINCT:
        return []
    return [
        Text(
            f"het wachtwoord heeft {distinct} verschillende tekens, minimaal {MIN_DISTINCT} "
            "(regel password.distinct)",
            f"the password has {distinct} different characters, at least {MIN_DISTINCT} "
            "(rule password.distinct)",
        )
    ]


def _name_parts(name: str) -> list[str]:
    return [part for part in re.split(r"[\W_]+", name.lower()) if len(part) >= MIN_NAME_PART]


def _personal(password: str, username: str, name: str) -> list[Text]:
    lowered = password.lower()
    found = [
        part
        for part in [username.lower(), *_name_parts(name)]
        if len(part) >= MIN_NAME_PART and part in lowered
    ]
    if not found:
        return []
    return [
        Text(
            f"het wachtwoord bevat de gebruikersnaam of een deel van de naam ({found[0]!r}) "
            "(regel password.personal)",
            f"the password contains the user name or part of the name ({found[0]!r}) "
            "(rule password.personal)",
        )
    ]


def _famous(password: str) -> list[Text]:
    letters = re.sub(r"[\W_]+", "", password.lower())
    if not any(phrase in letters for phrase in FAMOUS_PHRASES):
        return []
    return [
        Text(
            "het wachtwoord bevat een bekende voorbeeldzin (regel password.common; kies "
            "bijvoorbeeld vier losse, ongewone woorden)",
            "the password contains a well-known example phrase (rule password.common; choose "
            "for example four unrelated, uncommon words)",
        )
    ]


def _common(password: str, personal: list[str]) -> list[Text]:
    from zxcvbn import zxcvbn

    # zxcvbn's cost grows with the length; a passphrase this long is not a common password.
    result: Any = zxcvbn(password[:100], user_inputs=personal)
    if int(result["score"]) >= MIN_SCORE:
        return []
    patterns = [str(match.get("pattern")) for match in result.get("sequence", [])]
    what = [_PATTERNS[p] for p in dict.fromkeys(patterns) if p in _PATTERNS]
    found_nl = ", ".join(w.nl for w in what) or "een bekend patroon"
    found_en = ", ".join(w.en for w in what) or "a known pattern"
    return [
        Text(
            f"het wachtwoord is te gemakkelijk te raden: het bestaat uit {found_nl} "
            "(regel password.common; kies bijvoorbeeld vier losse, ongewone woorden)",
            f"the password is too easy to guess: it consists of {found_en} "
            "(rule password.common; choose for example four unrelated, uncommon words)",
        )
    ]
