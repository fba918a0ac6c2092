"""The procedure's documents as versions: made in the step that produces them, below the faces.

Entering the decision phase makes the advice request, positive advice the proposal, the
recorded publication the public list. Each is kept as an immutable version
(notifications.document_store) in the step's own transaction, its SHA-256 in the step's audit
record under `documents`; the mail that asks for it carries its files. A list sent back and
frozen again is a new list version, so its documents are new versions too.
"""

from __future__ import annotations

from notifications.document_store import DocumentKind, StoredVersion, store_version
from notifications.outbox import AttachmentRef
from states.snapshot import ProcedureSnapshot
from workflow import documents, repository
from workflow.change import Change, Handler
from workflow.events import AdviceRecorded, Event, ListFrozen, ListPublished

# What a mail that asks for a document carries of it: the archive's PDF/A, and Word for a
# text its reader may want to work on.
_CARRIED = {
    DocumentKind.ADVICE_REQUEST: ("pdf", "docx"),
    DocumentKind.PROPOSAL: ("pdf", "docx"),
    DocumentKind.PUBLIC_LIST: ("pdf",),
}


def keep(change: Change, kind: DocumentKind) -> StoredVersion:
    """The version of `kind` this step made (or found unchanged); once per step and kind."""
    memo_key = f"document:{kind.value}"
    found = change.memo.get(memo_key)
    if isinstance(found, StoredVersion):
        return found
    change.flush()
    session = change.session
    row = repository.latest_list_version(session, change.procedure.id)
    if row is None:
        raise LookupError(f"no list version to make the {kind.value} of")
    data: documents.ProposalData | documents.PublicListData
    if kind is DocumentKind.PUBLIC_LIST:
        data = documents.build_public_list(session, change.procedure, row)
    else:
        # `advance` has just read the rows the balance needs; the builder reuses them.
        snapshot = change.memo.get("snapshot")
        data = documents.build_proposal(
            session,
            change.procedure,
            row,
            change.now,
            snapshot if isinstance(snapshot, ProcedureSnapshot) else None,
        )
    stored = store_version(
        change.connection,
        change.procedure.id,
        kind,
        data,
        list_version=row.number,
        now=change.now,
        by=change.actor,
    )
    change.memo[memo_key] = stored
    change.data.setdefault("documents", []).append(stored.audit_entry())
    return stored


def attachments(change: Change, kind: DocumentKind) -> tuple[AttachmentRef, ...]:
    """The files of this step's version of `kind` that its mail carries."""
    stored = keep(change, kind)
    return tuple(AttachmentRef(stored.id, fmt) for fmt in _CARRIED[kind])


def on_list_frozen(change: Change, _event: ListFrozen) -> None:
    keep(change, DocumentKind.ADVICE_REQUEST)


def on_advice_recorded(change: Change, event: AdviceRecorded) -> None:
    if event.positive:
        keep(change, DocumentKind.PROPOSAL)


def on_list_published(change: Change, _event: ListPublished) -> None:
    keep(change, DocumentKind.PUBLIC_LIST)


VERSION_HANDLERS: tuple[tuple[type[Event], Handler], ...] = (
    (ListFrozen, on_list_frozen),
    (AdviceRecorded, on_advice_recorded),
    (ListPublished, on_list_published),
)
