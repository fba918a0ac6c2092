"""What the proposal to the governing body and the published hotspot list say, read from the DB.

Read-only: nothing here changes a procedure or writes an audit record. The renderers in
`notifications.documents` turn these plain, frozen values (notifications.document_data) into
files.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

# The values the renderers take are theirs (notifications.document_data); built here.
from notifications.document_data import AdviceInfo as AdviceInfo
from notifications.document_data import DeviationInfo as DeviationInfo
from notifications.document_data import ListInfo as ListInfo
from notifications.document_data import ProcedureInfo as ProcedureInfo
from notifications.document_data import ProposalData as ProposalData
from notifications.document_data import PublicHotspot as PublicHotspot
from notifications.document_data import PublicListData as PublicListData
from states.balance_report import BALANCE_PARTS, balance_report, rule_label
from states.errors import NotFound, Refused
from states.governing_body import resolve_kind
from states.i18n import Text
from states.phases import FORWARD_ORDER, Phase
from states.snapshot import ListEntry, ListStatus, Part, ProcedureSnapshot
from workflow import repository
from workflow.app import App
from workflow.db import models as m
from workflow.procedure_store import ProcedureRecord, load_procedure

_DECISION_INDEX = FORWARD_ORDER.index(Phase.DECISION)


def proposal_data(app: App, procedure_id: str) -> ProposalData:
    """The proposal for the latest frozen list; Refused before the decision phase."""
    with app.read() as session:
        procedure = load_procedure(session.connection(), procedure_id)
        row = repository.latest_list_version(session, procedure.id)
        _require_proposable(procedure, row)
        assert row is not None
        return build_proposal(session, procedure, row, _version_date(session, row) or app.now())


def _version_date(session: Session, row: m.ListVersion) -> datetime | None:
    """When the kept version of this list's proposal (or, before the advice, its request) was
    made: the document is dated by its version, not by the day it is read."""
    from notifications.document_store import DocumentKind, versions

    kind = DocumentKind.PROPOSAL if row.advice_positive else DocumentKind.ADVICE_REQUEST
    for kept in versions(session.connection(), row.procedure_id):
        if kept.kind is kind and kept.list_version == row.number:
            return kept.created_at
    return None


def build_proposal(
    session: Session,
    procedure: ProcedureRecord,
    row: m.ListVersion,
    now: datetime,
    snapshot: ProcedureSnapshot | None = None,
) -> ProposalData:
    """The proposal for list version `row`, read in the caller's transaction; `snapshot` when
    the caller has one that covers the balance rules already."""
    connection = session.connection()
    # In the decision phase and later the panel, attendance and assessments can no longer
    # change, so the live data is what the frozen list was built from.
    if snapshot is None or not snapshot.loaded >= BALANCE_PARTS:
        snapshot = repository.load_snapshot(connection, procedure, BALANCE_PARTS)
    info = _procedure_info(session, procedure)
    entries = repository.list_entries(row)
    return ProposalData(
        procedure=info,
        list_version=ListInfo(
            row.number, ListStatus(row.status), entries, row.decision_date, row.decision_ref
        ),
        balance=balance_report(snapshot, procedure.config),
        deviations=_deviations(session, procedure.id),
        advice=(
            AdviceInfo(row.advice_positive, row.advice_by or "", row.advice_reason, row.advice_at)
            if row.advice_positive is not None
            else None
        ),
        empty_list_reason=procedure.empty_list_reason,
        proposed_decision=_proposed_decision(info, row.number, entries, procedure),
        prepared_at=now,
    )


def public_list_data(app: App, procedure_id: str) -> PublicListData:
    """The adopted hotspot list with its decision and publication; NotFound when not adopted."""
    with app.read() as session:
        procedure = load_procedure(session.connection(), procedure_id)
        row = repository.latest_list_version(session, procedure.id)
        return build_public_list(session, procedure, row)


def build_public_list(
    session: Session, procedure: ProcedureRecord, row: m.ListVersion | None
) -> PublicListData:
    """The adopted list as published, read in the caller's transaction; NotFound before."""
    if (
        row is None
        or row.status != ListStatus.ADOPTED.value
        or row.decision_date is None
        or not row.decision_ref
    ):
        raise NotFound(
            Text(
                "deze procedure heeft nog geen vastgestelde hotspotlijst om te publiceren",
                "this procedure has no adopted hotspot list to publish yet",
            )
        )
    info = _procedure_info(session, procedure)
    return PublicListData(
        procedure_id=info.id,
        organisation=info.organisation,
        governing_body=info.governing_body,
        period_start=info.period_start,
        period_end=info.period_end,
        legal_basis=info.legal_basis,
        list_number=row.number,
        decision_ref=row.decision_ref,
        decision_date=row.decision_date,
        publication=repository.load_snapshot(
            session.connection(), procedure, frozenset({Part.PUBLICATION})
        ).publication,
        # Field by field on purpose: the motivation and the nominating perspective stay out.
        hotspots=tuple(
            PublicHotspot(
                e.number, e.title, e.period_start, e.period_end, e.criteria, e.description
            )
            for e in repository.list_entries(row)
        ),
        governing_body_kind=info.governing_body_kind,
    )


def _require_proposable(procedure: ProcedureRecord, row: m.ListVersion | None) -> None:
    phase = Phase(procedure.phase)
    headline = Text(
        "Er is nog geen voorstel voor het bestuursorgaan te maken",
        "No proposal for the governing body can be made yet",
    )
    figures = Text(f"huidige fase: {phase.label.nl}", f"current phase: {phase.label.en}")
    if row is None:
        raise Refused.one(
            headline,
            "documents.no_list_version",
            Text(
                "De conceptlijst wordt pas vastgelegd bij de overgang naar de fase "
                "bestuurlijke besluitvorming",
                "The concept list is only frozen when the procedure enters the decision phase",
            ),
            figures,
            phase=phase.value,
        )
    if phase in FORWARD_ORDER and FORWARD_ORDER.index(phase) < _DECISION_INDEX:
        # Sent back: the sessions may change the list, so a proposal now would be stale.
        raise Refused.one(
            headline,
            "documents.list_sent_back",
            Text(
                f"Lijstversie {row.number} is teruggestuurd naar de expertbijeenkomsten; "
                "een nieuw voorstel volgt bij de volgende overgang naar besluitvorming",
                f"List version {row.number} was sent back to the expert sessions; a new "
                "proposal follows when the procedure enters the decision phase again",
            ),
            figures,
            phase=phase.value,
            list_version=row.number,
        )


def _procedure_info(session: Session, procedure: ProcedureRecord) -> ProcedureInfo:
    org = session.get(m.Organisation, procedure.organisation_id)
    organisation = org.name if org else ""
    return ProcedureInfo(
        id=procedure.id,
        organisation=organisation,
        governing_body=procedure.governing_body,
        period_start=procedure.period_start,
        period_end=procedure.period_end,
        legal_basis=procedure.legal_basis,
        governing_body_kind=resolve_kind(
            procedure.config.governing_body_kind, procedure.governing_body, organisation
        ),
    )


def _deviations(session: Session, procedure_id: str) -> tuple[DeviationInfo, ...]:
    rows = repository.deviation_rows(session.connection(), procedure_id)
    return tuple(
        DeviationInfo(d.rule_code, rule_label(d.rule_code), d.reason, d.actor, d.recorded_at)
        for d in rows
    )


def _proposed_decision(
    info: ProcedureInfo,
    number: int,
    entries: tuple[ListEntry, ...],
    procedure: ProcedureRecord,
) -> tuple[Text, ...]:
    """The decision points, in the infinitive so they read after any body's name."""
    period = f"{info.period_start}–{info.period_end}"
    publish = Text(
        "het besluit bekend te maken in het publicatieblad en op de website, en de experts, "
        "de archiefdienst en de betrokken afdelingen te informeren.",
        "to publish the decision in the official gazette and on the website, and to inform "
        "the experts, the archive and the departments concerned.",
    )
    if not entries:
        reason = (procedure.empty_list_reason or "").strip()
        return (
            Text(
                f"vast te stellen dat over de periode {period} geen hotspots worden aangewezen"
                + (f", omdat: {reason}" if reason else "")
                + ";",
                f"to establish that no hotspots are designated for the period {period}"
                + (f", because: {reason}" if reason else "")
                + ";",
            ),
            publish,
        )
    count = len(entries)
    return (
        Text(
            f"de hotspotlijst {period} (lijstversie {number}, {count} "
            f"{'hotspot' if count == 1 else 'hotspots'}) vast te stellen;",
            f"to adopt the hotspot list {period} (list version {number}, {count} "
            f"{'hotspot' if count == 1 else 'hotspots'});",
        ),
        Text(
            "de archiefnominatie van de informatie over deze hotspots te wijzigen van "
            f"vernietigen in blijvend bewaren, op grond van {info.legal_basis};",
            "to change the archiefnominatie of the records about these hotspots from "
            f"vernietigen (destroy) to blijvend bewaren (retain permanently), under "
            f"{info.legal_basis};",
        ),
        publish,
    )
