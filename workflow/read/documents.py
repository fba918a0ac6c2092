"""The procedure's document versions as the pages list them, and their files for download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from notifications import document_store
from notifications.document_store import FORMAT_LABELS, DocumentKind, StoredFile
from notifications.documents.word import TemplateProblem
from states.errors import EnvironmentProblem, NotFound
from states.i18n import Text
from workflow.app import App

# The order the pages list the kinds in: the order the procedure makes them.
_ORDER = (DocumentKind.ADVICE_REQUEST, DocumentKind.PROPOSAL, DocumentKind.PUBLIC_LIST)


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    kind: DocumentKind
    version: int
    list_version: int | None
    created_at: datetime
    sha256: str
    # False for a version a newer one of the same kind replaced.
    latest: bool

    @property
    def label(self) -> Text:
        return self.kind.label

    @property
    def formats(self) -> tuple[tuple[str, str], ...]:
        return tuple((fmt, FORMAT_LABELS[fmt]) for fmt in self.kind.formats)


def document_rows(
    connection: Connection, procedure_id: str, kinds: tuple[DocumentKind, ...] = _ORDER
) -> tuple[DocumentRow, ...]:
    """Every version of the given kinds, kind by kind, newest version first."""
    found = document_store.versions(connection, procedure_id)
    rows: list[DocumentRow] = []
    for kind in kinds:
        of_kind = [v for v in found if v.kind is kind]
        rows.extend(
            DocumentRow(v.id, v.kind, v.version, v.list_version, v.created_at, v.sha256, index == 0)
            for index, v in enumerate(of_kind)
        )
    return tuple(rows)


def procedure_documents(
    app: App, procedure_id: str, kinds: tuple[DocumentKind, ...] = _ORDER
) -> tuple[DocumentRow, ...]:
    with app.reading() as connection:
        return document_rows(connection, procedure_id, kinds)


_GONE = Text(
    "dit document bestaat niet (of niet in deze vorm) bij deze procedure",
    "this document does not exist (or not in this form) in this procedure",
)


def document_file(
    app: App,
    procedure_id: str,
    document_id: int,
    fmt: str,
    kinds: tuple[DocumentKind, ...] = _ORDER,
) -> StoredFile:
    """A version's file for download: the kept bytes, rendered and kept on the first ask.
    NotFound for another procedure's document, a kind the asker may not see, a format the
    kind has not."""
    try:
        with app.reading() as connection:
            stored = document_store.version(connection, procedure_id, document_id)
        if stored.kind not in kinds or fmt not in stored.kind.formats:
            raise NotFound(_GONE)
        return document_store.stored_file(
            app.engine, document_id, fmt, now=app.now(), docx_template=app.docx_template
        )
    except document_store.UnknownDocument:
        raise NotFound(_GONE) from None
    except TemplateProblem as problem:
        # The organisation's Word template, not the request: the setting is what to fix.
        raise EnvironmentProblem(
            "HOTSPOT_DOCX_TEMPLATE",
            Text(
                f"het Word-sjabloon van de organisatie is onbruikbaar: {problem}",
                f"the organisation's Word template cannot be used: {problem}",
            ),
        ) from None
