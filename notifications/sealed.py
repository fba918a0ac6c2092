"""The personal link of a queued message, sealed with the installation's outbox key.

A stored mail body holds `LINK_PLACEHOLDER` instead of the link; the link itself waits beside
it, encrypted (Fernet: AES-128-CBC with HMAC-SHA256), until the message is built for sending,
and is then cleared. Every key of the ring can open a seal, so a message queued before a key
rotation still goes out with its link; the newest key seals.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Sealer:
    """Seals with the newest key and opens with any of them (keys oldest first, 32 bytes)."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("no outbox key")
        # MultiFernet encrypts with its first key and tries them all in order to decrypt.
        self._fernet = MultiFernet(
            [Fernet(base64.urlsafe_b64encode(key)) for key in reversed(keys)]
        )

    def seal(self, link: str) -> str:
        return self._fernet.encrypt(link.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str | None:
        """The link, or None when no key of the ring opens it (retired, or tampered with)."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError):
            return None
