"""What the mail side needs of the application that runs it, as protocols.

The sender is handed the application when it is started (`send_due(app, settings)`): its
database, its clock and its installation keys. These protocols name exactly what it uses;
workflow.app.App fits them as it is, and notifications imports nothing of workflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session

# What the key that seals a queued mail's personal link is derived for (its HKDF info);
# workflow.keys.KeyUse.OUTBOX is this very value.
OUTBOX_KEY_USE = "outbox-secrets"


class MailKeys(Protocol):
    """The installation's keys: derived per use, oldest first, the current one last."""

    @property
    def source(self) -> str:
        """Where the keys came from (a file, an environment variable), for messages."""
        ...

    def derive(self, use: str) -> Sequence[bytes]: ...


class MailHost(Protocol):
    """The database, clock and keys of the process that sends the outbox."""

    @property
    def engine(self) -> Engine: ...

    @property
    def keys(self) -> MailKeys: ...

    def now(self) -> datetime: ...

    @property
    def docx_template(self) -> Path | None:
        """The organisation's Word template for documents the mail carries (None: plain A4)."""
        ...

    def transaction(self) -> AbstractContextManager[Connection]:
        """One write transaction: committed when the block ends, rolled back on an error."""
        ...

    def read(self) -> AbstractContextManager[Session]:
        """A read-only session."""
        ...
