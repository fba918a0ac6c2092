"""Plain data that the rules read: a procedure as it stands, with no database behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from states.phases import Phase


class Part(StrEnum):
    """The parts of a procedure a rule may read, so a loader fetches only what is needed."""

    MEMBERS = "members"
    MILESTONES = "milestones"
    EXPERTS = "experts"
    SESSIONS = "sessions"
    CANDIDATES = "candidates"
    LIST_VERSION = "list_version"
    INVENTORY = "inventory"
    PUBLICATION = "publication"


class Perspective(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


class Response(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ListStatus(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ADOPTED = "adopted"


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    email: str
    role: str


@dataclass(frozen=True, slots=True)
class Expert:
    id: int
    name: str
    email: str
    perspective: Perspective
    profile: str
    response: Response = Response.PENDING


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    at: datetime
    attendee_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    title: str
    period_start: date
    period_end: date | None
    nominated_by: int
    assessed: bool = False
    included: bool = False
    criteria: tuple[int, ...] = ()
    motivation: str = ""
    description: str = ""
    # The criteria the nominating expert thought apply (the assessment decides).
    proposed: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A hotspot on a frozen list: what the governing body was asked to adopt."""

    candidate_id: int
    number: str
    title: str
    period_start: date
    period_end: date | None
    description: str
    criteria: tuple[int, ...]
    motivation: str
    nominated_by_perspective: Perspective


@dataclass(frozen=True, slots=True)
class ListVersion:
    number: int
    status: ListStatus
    entries: tuple[ListEntry, ...]
    advice_positive: bool | None = None
    advice_by: str | None = None
    decision_date: date | None = None
    decision_ref: str | None = None
    advice_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Dossier:
    dossier_ref: str
    archiefnominatie: str
    reason: str


@dataclass(frozen=True, slots=True)
class CaseProgress:
    """A case system's cases for one hotspot (workflow.zgw): how far the search, the choice
    and the apply have come. A failure counts until a later apply succeeds or it is explained."""

    searched: bool = False
    undecided: int = 0
    unapplied: int = 0
    unresolved: int = 0

    @property
    def done(self) -> bool:
        return self.searched and not (self.undecided or self.unapplied or self.unresolved)


@dataclass(frozen=True, slots=True)
class SearchedSystem:
    """One information system to search for one adopted hotspot. A case system's cases kept
    for the hotspot are among its dossiers; `cases` says how far its search has come."""

    candidate_id: int
    system: str
    owner: str
    dossiers: tuple[Dossier, ...] = ()
    none_reason: str | None = None
    cases: CaseProgress | None = None

    @property
    def searched(self) -> bool:
        if self.cases is not None:
            return self.cases.done
        return bool(self.dossiers) or bool((self.none_reason or "").strip())


@dataclass(frozen=True, slots=True)
class Publication:
    channel: str
    reference: str
    in_force: date
    objection_weeks: int


@dataclass(frozen=True, slots=True)
class ProcedureSnapshot:
    """A procedure as the rules see it. Parts not loaded stay empty; `loaded` says which."""

    phase: Phase
    loaded: frozenset[Part] = frozenset(Part)
    members: tuple[Member, ...] = ()
    milestones: dict[str, date] = field(default_factory=dict)
    experts: tuple[Expert, ...] = ()
    sessions: tuple[Session, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    empty_list_reason: str | None = None
    list_version: ListVersion | None = None
    inventory: tuple[SearchedSystem, ...] = ()
    publication: Publication | None = None
    deviations: dict[str, str] = field(default_factory=dict)

    def accepted_experts(self) -> tuple[Expert, ...]:
        return tuple(e for e in self.experts if e.response is Response.ACCEPTED)

    def expert_by_id(self) -> dict[int, Expert]:
        return {e.id: e for e in self.experts}

    def concept_list(self) -> tuple[Candidate, ...]:
        """The candidates the sessions included, in the order they were nominated."""
        return tuple(c for c in self.candidates if c.assessed and c.included)
