"""Publishing, below the faces: a recorded publication is followed by the public list's files.

`ListPublished` is handled here: once the publication's transaction has committed, the public
list (HTML, CSV, JSON) is written from what it stored, whichever face published (CLI, form,
API). The folder is `DEFAULT_DIR` unless the caller names another with `public_list_to`.
Should writing fail, the publication stands and `hotspot public-list` writes the files again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from states.errors import InvalidInput
from states.i18n import Text
from workflow.app import App
from workflow.change import Change, Handler
from workflow.events import Event, ListPublished

# Where `hotspot publish`, the publish form and the API write the public list by default.
DEFAULT_DIR = Path("var") / "publicatie"


@dataclass
class PublicList:
    """Where the public list goes, and the files written there once the publication committed."""

    directory: Path
    files: list[Path] = field(default_factory=list)


_TARGET: ContextVar[PublicList | None] = ContextVar("hotspot_public_list", default=None)


@contextmanager
def public_list_to(directory: Path) -> Iterator[PublicList]:
    """Within the block, a publication writes its public list into `directory`."""
    target = PublicList(directory)
    token = _TARGET.set(target)
    try:
        yield target
    finally:
        _TARGET.reset(token)


def on_list_published(change: Change, _event: ListPublished) -> None:
    target = _TARGET.get() or PublicList(DEFAULT_DIR)
    procedure_id = change.procedure.id
    # The files are derived from what was committed, so they wait for the commit.
    change.after_commit(lambda app: write(app, procedure_id, target))


def write(app: App, procedure_id: str, target: PublicList) -> None:
    # Imported when publishing: the renderers are more than any other command needs to load.
    from notifications.documents import write_public_list
    from workflow.documents import public_list_data

    try:
        target.files = write_public_list(public_list_data(app, procedure_id), target.directory)
    except OSError as error:
        raise InvalidInput(
            "out",
            Text(
                f"publicatie vastgelegd, maar de openbare lijst kon niet worden geschreven "
                f"({error}); probeer opnieuw met 'hotspot public-list {procedure_id} --out MAP'",
                f"publication recorded, but the public list could not be written ({error}); "
                f"try again with 'hotspot public-list {procedure_id} --out DIR'",
            ),
        ) from None


DOCUMENT_HANDLERS: tuple[tuple[type[Event], Handler], ...] = ((ListPublished, on_list_published),)
