"""Header fields built by hand, so no text from a person ever passes the email package's parser.

Python's header parser decodes RFC 2047 encoded words, and before CVE-2024-6923 was fixed its
folder wrote a decoded CR or LF out raw: a name like `=?utf-8?q?Jan=0D=0ABcc:_x@evil?=` became
real header lines. Here a header is made complete, already folded, from plain text:

* a word of plain ASCII (an RFC 5322 atom in a name, printable ASCII in a subject) without
  `=?` is written as it is, and the text is folded at its spaces;
* every run of other words, and always a word containing `=?`, becomes RFC 2047 encoded
  words (UTF-8, base64), each of whole characters and at most 75 characters long;
* every line stays within the 78 characters RFC 5322 recommends (an address longer than that
  gets a line of its own, well within the 998 it demands).

The result is a `PrebuiltHeader`: a `str` (the plain value, for reading) with a `name` and a
`fold(policy=...)` method. `EmailPolicy.header_store_parse` keeps such an object as it is and
every generator (the file transport's and aiosmtplib's flattening alike) asks it to fold
itself, so the bytes on the wire are exactly the ones built here.
"""

from __future__ import annotations

import base64
import re
from email.policy import Policy
from typing import Any

# One word of RFC 5322 atext: with no "=?" in it, it reads the same to every parser.
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+")
# One word of printable ASCII: safe as it is in unstructured text (a subject).
_PRINTABLE = re.compile(r"[!-~]+")
# Every control character (C0, DEL, C1) and the Unicode line and paragraph separators.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LINE = 78
_WORD_MAX = 75
_PREFIX, _SUFFIX = "=?utf-8?b?", "?="


class PrebuiltHeader(str):
    """A header value that folds itself exactly as built; `str()` is the readable value."""

    name: str
    lines: tuple[str, ...]

    def __new__(cls, name: str, shown: str, lines: tuple[str, ...]) -> PrebuiltHeader:
        header = super().__new__(cls, shown)
        header.name = name
        header.lines = lines
        return header

    def fold(self, *, policy: Policy) -> str:
        """`Name: value` with the folds made here, in the policy's line ending."""
        linesep = getattr(policy, "linesep", "\r\n")
        # Each fold is the line ending and one space: unfolding gives back the single space
        # between two words (and between two encoded words, where decoders drop it).
        return f"{self.name}: {(linesep + ' ').join(self.lines)}{linesep}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (PrebuiltHeader, (self.name, str(self), self.lines))


def clean_text(text: str) -> str:
    """One line: control characters and every run of whitespace as a single space."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def _encoded_words(text: str, first_room: int) -> list[str]:
    """`text` as encoded words of whole characters; the first fits in `first_room` columns."""
    words: list[str] = []
    chunk = bytearray()
    room = first_room
    for char in text:
        data = char.encode("utf-8")
        limit = (room - len(_PREFIX) - len(_SUFFIX)) // 4 * 3
        if chunk and len(chunk) + len(data) > limit:
            words.append(_PREFIX + base64.b64encode(bytes(chunk)).decode("ascii") + _SUFFIX)
            chunk = bytearray()
            room = _WORD_MAX
        chunk += data
    if chunk:
        words.append(_PREFIX + base64.b64encode(bytes(chunk)).decode("ascii") + _SUFFIX)
    return words


def _fold(name: str, tokens: list[str]) -> tuple[str, ...]:
    """Tokens joined by single spaces; a new line wherever the next token would pass 78."""
    lines: list[str] = []
    current = ""
    width = len(name) + 2  # "Name: " on the first line, the folding space on the others
    for token in tokens:
        if current and width + 1 + len(token) > LINE:
            lines.append(current)
            current, width = token, 1 + len(token)
        elif current:
            current += " " + token
            width += 1 + len(token)
        else:
            current = token
            width += len(token)
    lines.append(current)
    return tuple(lines)


def text_tokens(name: str, text: str, plain: re.Pattern[str]) -> list[str]:
    """`text` as header tokens: plain words as they are, each run of other words encoded.

    A run of words that are not plain (with the spaces inside it) becomes encoded words; the
    spaces around it stay plain spaces, which every decoder keeps. Encoding runs rather than
    the whole text keeps a name like "Jan Jansen (Overijssel)" mostly readable.
    """
    if not text:
        return []
    tokens: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            room = _WORD_MAX if tokens else min(LINE - len(name) - 2, _WORD_MAX)
            tokens.extend(_encoded_words(" ".join(run), room))
            run.clear()

    for word in text.split(" "):
        room = LINE - 1 if tokens or run else LINE - len(name) - 2
        if plain.fullmatch(word) and "=?" not in word and len(word) <= room:
            flush()
            tokens.append(word)
        else:
            run.append(word)
    flush()
    return tokens


def unstructured(name: str, text: str) -> PrebuiltHeader:
    """A Subject (or any unstructured field) carrying `text` and nothing else."""
    shown = clean_text(text)
    tokens = text_tokens(name, shown, _PRINTABLE)
    return PrebuiltHeader(name, shown, _fold(name, tokens) if tokens else ("",))


def mailbox(name: str, display: str, address: str) -> PrebuiltHeader:
    """From or To: one mailbox, `display <address>`; `address` must be checked already."""
    shown = clean_text(display)
    tokens = text_tokens(name, shown, _ATOM)
    tokens.append(f"<{address}>" if tokens else address)
    value = f"{shown} <{address}>" if shown else address
    return PrebuiltHeader(name, value, _fold(name, tokens))


def plain(name: str, value: str) -> PrebuiltHeader:
    """A field whose value this program made itself (a date, a Message-ID), written as is."""
    if _CONTROLS.search(value) or not value.isascii():
        raise ValueError(f"{name} is not plain ASCII text: {value!r}")
    return PrebuiltHeader(name, value, (value,))
