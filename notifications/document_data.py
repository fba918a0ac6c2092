"""What the documents say, as plain frozen values: the renderers' input.

workflow.documents reads these from the database; the renderers in notifications.documents
turn them into files. They live with the renderers, so that notifications needs nothing of
workflow, and outside that package, so that reading them loads no renderer (python-docx).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from states.balance_report import BalanceLine
from states.governing_body import GoverningBodyKind
from states.i18n import Text
from states.snapshot import ListEntry, ListStatus, Publication


@dataclass(frozen=True, slots=True)
class ProcedureInfo:
    id: str
    organisation: str
    governing_body: str
    period_start: int
    period_end: int
    legal_basis: str
    # Which body adopts the list, for its wording; None: the typed name is all there is.
    governing_body_kind: GoverningBodyKind | None = None


@dataclass(frozen=True, slots=True)
class ListInfo:
    """The frozen list version the proposal is about; the decision once one is recorded."""

    number: int
    status: ListStatus
    entries: tuple[ListEntry, ...]
    decision_date: date | None = None
    decision_ref: str | None = None


@dataclass(frozen=True, slots=True)
class DeviationInfo:
    rule_code: str
    label: Text
    reason: str
    actor: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class AdviceInfo:
    positive: bool
    by: str
    reason: str | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class ProposalData:
    """Everything the proposal to the governing body states; no expert is named in it."""

    procedure: ProcedureInfo
    list_version: ListInfo
    balance: tuple[BalanceLine, ...]
    deviations: tuple[DeviationInfo, ...]
    advice: AdviceInfo | None
    empty_list_reason: str | None
    # The numbered points of the decision the governing body is asked to take.
    proposed_decision: tuple[Text, ...]
    prepared_at: datetime


@dataclass(frozen=True, slots=True)
class PublicHotspot:
    number: str
    title: str
    period_start: date
    period_end: date | None
    criteria: tuple[int, ...]
    description: str


@dataclass(frozen=True, slots=True)
class PublicListData:
    """The adopted list as it may be published: no experts, no nominators, no motivations."""

    procedure_id: str
    organisation: str
    governing_body: str
    period_start: int
    period_end: int
    legal_basis: str
    list_number: int
    decision_ref: str
    decision_date: date
    publication: Publication | None
    hotspots: tuple[PublicHotspot, ...]
    governing_body_kind: GoverningBodyKind | None = None
