"""Document versions: what a procedure's documents said, frozen, and the files made from it.

A version is the document's content (notifications.document_data) as canonical JSON, written
in the transaction of the step that produced it; its SHA-256 goes into that step's audit
record. Nothing here updates a version: a changed document is a new version; the same content
about the same list version is the version already stored.

The files (Word, PDF/A, HTML, CSV, JSON) are rendered from a version's content the first time
anyone asks for them (a download, a mail that carries them) and kept: from then on every
download is the same bytes, and the file's own SHA-256 is stored beside it. The rendering
happens outside the step's transaction on purpose, so advancing a procedure stays as quick as
writing its rows.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from notifications.document_data import ProposalData, PublicListData
from notifications.schema import document_files, documents
from states.i18n import Text

DocumentData = ProposalData | PublicListData


class DocumentKind(StrEnum):
    # The concept list with its balance, to the archivist (on entering the decision phase).
    ADVICE_REQUEST = "advice_request"
    # The same with the archivist's advice, to the governing body (after positive advice).
    PROPOSAL = "proposal"
    # The adopted list as it is published (after the publication was recorded).
    PUBLIC_LIST = "public_list"

    @property
    def label(self) -> Text:
        return _LABELS[self]

    @property
    def file_prefix(self) -> str:
        return _PREFIXES[self]

    @property
    def formats(self) -> tuple[str, ...]:
        """The files a version of this kind has, the archive's PDF/A first."""
        if self is DocumentKind.PUBLIC_LIST:
            return ("pdf", "html", "csv", "json")
        return ("pdf", "docx", "html")


_LABELS = {
    DocumentKind.ADVICE_REQUEST: Text("Adviesaanvraag aan de archivaris", "Request for advice"),
    DocumentKind.PROPOSAL: Text(
        "Voorstel aan het bestuursorgaan", "Proposal to the governing body"
    ),
    DocumentKind.PUBLIC_LIST: Text("Openbare hotspotlijst", "Public hotspot list"),
}
_PREFIXES = {
    DocumentKind.ADVICE_REQUEST: "adviesaanvraag",
    DocumentKind.PROPOSAL: "voorstel",
    DocumentKind.PUBLIC_LIST: "hotspotlijst",
}

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
FORMAT_LABELS = {
    "pdf": "PDF/A",
    "docx": "Word",
    "html": "HTML",
    "csv": "CSV",
    "json": "JSON",
}


@dataclass(frozen=True, slots=True)
class StoredVersion:
    id: int
    kind: DocumentKind
    version: int
    list_version: int | None
    created_at: datetime
    created_by: str
    sha256: str
    # False when the same content was already stored: the existing version is returned.
    created: bool = False

    def audit_entry(self) -> dict[str, Any]:
        """What the audit record of the step that made this version says about it."""
        return {
            "kind": self.kind.value,
            "version": self.version,
            "list_version": self.list_version,
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class StoredFile:
    document_id: int
    format: str
    filename: str
    media_type: str
    content: bytes
    sha256: str


class UnknownDocument(LookupError):
    """No such version, or no such format for it."""


@functools.cache
def _adapter(kind: DocumentKind) -> Any:
    # pydantic turns the frozen dataclasses into JSON and back; built once, when first needed.
    from pydantic import TypeAdapter

    return TypeAdapter(PublicListData if kind is DocumentKind.PUBLIC_LIST else ProposalData)


# Stands in for a proposal's `prepared_at` in the stored content: the moment is the version's
# own `created_at`, put back when the content is read, so an unchanged document hashes alike.
_UNDATED = datetime(2000, 1, 1, tzinfo=UTC)


def _canonical(kind: DocumentKind, data: DocumentData) -> bytes:
    """The content as JSON: the dataclasses' fields in their declared order, no dicts, no
    spaces, so the same content always gives the same bytes (and hash)."""
    if isinstance(data, ProposalData):
        data = replace(data, prepared_at=_UNDATED)
    raw: bytes = _adapter(kind).dump_json(data)
    return raw


def _version(row: Any, created: bool = False) -> StoredVersion:
    return StoredVersion(
        id=row.id,
        kind=DocumentKind(row.kind),
        version=row.version,
        list_version=row.list_version,
        created_at=row.created_at,
        created_by=row.created_by,
        sha256=row.sha256,
        created=created,
    )


_VERSION_COLUMNS = (
    documents.c.id,
    documents.c.kind,
    documents.c.version,
    documents.c.list_version,
    documents.c.created_at,
    documents.c.created_by,
    documents.c.sha256,
)


def store_version(
    connection: Connection,
    procedure_id: str,
    kind: DocumentKind,
    data: DocumentData,
    *,
    list_version: int | None,
    now: datetime,
    by: str,
) -> StoredVersion:
    """Keep `data` as the next version of this kind, in the caller's transaction; the latest
    version instead when it is about the same list version with the same content (a document
    asked for twice in one step). A proposal is dated by its version: read
    back, its `prepared_at` is the version's `created_at`."""
    content = _canonical(kind, data)
    digest = hashlib.sha256(content).hexdigest()
    latest = connection.execute(
        select(*_VERSION_COLUMNS)
        .where(documents.c.procedure_id == procedure_id, documents.c.kind == kind.value)
        .order_by(documents.c.version.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.sha256 == digest and latest.list_version == list_version:
        return _version(latest)
    number = (latest.version if latest is not None else 0) + 1
    values: dict[str, Any] = {
        "procedure_id": procedure_id,
        "kind": kind.value,
        "version": number,
        "list_version": list_version,
        "created_at": now,
        "created_by": by,
        "content": content.decode("utf-8"),
        "sha256": digest,
    }
    new_id = connection.execute(insert(documents).returning(documents.c.id), values).scalar_one()
    return StoredVersion(
        id=new_id,
        kind=kind,
        version=number,
        list_version=list_version,
        created_at=now,
        created_by=by,
        sha256=digest,
        created=True,
    )


def versions(connection: Connection, procedure_id: str) -> list[StoredVersion]:
    """Every version of every document of a procedure, newest first per kind."""
    rows = connection.execute(
        select(*_VERSION_COLUMNS)
        .where(documents.c.procedure_id == procedure_id)
        .order_by(documents.c.kind, documents.c.version.desc())
    ).all()
    return [_version(row) for row in rows]


def version(connection: Connection, procedure_id: str, document_id: int) -> StoredVersion:
    row = connection.execute(
        select(*_VERSION_COLUMNS).where(
            documents.c.id == document_id, documents.c.procedure_id == procedure_id
        )
    ).first()
    if row is None:
        raise UnknownDocument(document_id)
    return _version(row)


def content(connection: Connection, document_id: int) -> tuple[DocumentKind, DocumentData]:
    """A version's content, a proposal dated by the version."""
    row = connection.execute(
        select(documents.c.kind, documents.c.content, documents.c.created_at).where(
            documents.c.id == document_id
        )
    ).first()
    if row is None:
        raise UnknownDocument(document_id)
    kind = DocumentKind(row.kind)
    data = _adapter(kind).validate_json(row.content)
    if isinstance(data, ProposalData):
        data = replace(data, prepared_at=row.created_at)
    return kind, data


def render(
    kind: DocumentKind, data: DocumentData, fmt: str, *, docx_template: Path | None = None
) -> bytes:
    """One file of a version's content, in Dutch (the language of the record)."""
    # Imported when rendering: the renderers and their libraries are heavy for a start-up.
    from notifications.documents.pdf import pdf_a
    from notifications.documents.proposal import proposal_docx, proposal_html
    from notifications.documents.public_list import (
        public_list_csv,
        public_list_html,
        public_list_json,
    )

    if isinstance(data, PublicListData):
        renderers: dict[str, Callable[[], bytes]] = {
            "pdf": lambda: pdf_a(public_list_html(data)),
            "html": lambda: public_list_html(data).encode("utf-8"),
            "csv": lambda: public_list_csv(data),
            "json": lambda: public_list_json(data),
        }
    else:
        asking = kind is DocumentKind.ADVICE_REQUEST
        renderers = {
            "pdf": lambda: pdf_a(proposal_html(data, advice_request=asking)),
            "docx": lambda: proposal_docx(data, template=docx_template, advice_request=asking),
            "html": lambda: proposal_html(data, advice_request=asking).encode("utf-8"),
        }
    if fmt not in renderers:
        raise UnknownDocument(fmt)
    return renderers[fmt]()


def filename(kind: DocumentKind, procedure_id: str, version_number: int, fmt: str) -> str:
    from notifications.documents.common import file_stem

    return f"{file_stem(kind.file_prefix, procedure_id)}-v{version_number}.{fmt}"


def stored_file(
    engine: Engine,
    document_id: int,
    fmt: str,
    *,
    now: datetime,
    docx_template: Path | None = None,
) -> StoredFile:
    """A version's file: the kept bytes, or rendered now and kept (the first asker wins a race,
    and everyone gets the winner's bytes)."""
    found = _read_file(engine, document_id, fmt)
    if found is not None:
        return found
    with engine.connect() as connection:
        head = connection.execute(
            select(documents.c.procedure_id, documents.c.version).where(
                documents.c.id == document_id
            )
        ).first()
        if head is None:
            raise UnknownDocument(document_id)
        kind, data = content(connection, document_id)
    if fmt not in kind.formats:
        raise UnknownDocument(fmt)
    body = render(kind, data, fmt, docx_template=docx_template)
    values = {
        "document_id": document_id,
        "format": fmt,
        "filename": filename(kind, head.procedure_id, head.version, fmt),
        "media_type": MEDIA_TYPES[fmt],
        "content": body,
        "sha256": hashlib.sha256(body).hexdigest(),
        "created_at": now,
    }
    try:
        with engine.begin() as connection:
            connection.execute(insert(document_files), values)
    except IntegrityError:
        # Someone rendered it at the same moment; theirs is the kept file.
        pass
    found = _read_file(engine, document_id, fmt)
    assert found is not None
    return found


def _read_file(engine: Engine, document_id: int, fmt: str) -> StoredFile | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(
                document_files.c.filename,
                document_files.c.media_type,
                document_files.c.content,
                document_files.c.sha256,
            ).where(document_files.c.document_id == document_id, document_files.c.format == fmt)
        ).first()
    if row is None:
        return None
    return StoredFile(
        document_id, fmt, row.filename, row.media_type, bytes(row.content), row.sha256
    )
