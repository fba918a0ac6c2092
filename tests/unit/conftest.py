"""Fixtures and small builders for the unit tests of the pure `states` package."""

from __future__ import annotations

import copy
import itertools
import tomllib
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from states.config import MILESTONE_ORDER, RuleConfig, parse_config
from states.phases import Phase
from states.snapshot import (
    Candidate,
    Dossier,
    Expert,
    ListEntry,
    ListStatus,
    ListVersion,
    Member,
    Perspective,
    ProcedureSnapshot,
    Publication,
    Response,
    SearchedSystem,
    Session,
)

DEFAULT_TOML = Path(__file__).resolve().parents[2] / "config" / "default.toml"

with DEFAULT_TOML.open("rb") as _fh:
    _DEFAULT_RAW: dict[str, Any] = tomllib.load(_fh)
# The [mail], [web], [documents] and [zaken] tables configure the installation, not the rules.
_DEFAULT_RAW.pop("mail")
_DEFAULT_RAW.pop("web")
_DEFAULT_RAW.pop("documents")
_DEFAULT_RAW.pop("zaken")

DEFAULT_CONFIG: RuleConfig = parse_config(_DEFAULT_RAW)

DECISION_REF = "GS-2026/0312"
DECISION_DAY = date(2026, 3, 12)


class Make:
    """Builders for snapshot data; ids are unique within one Make instance."""

    decision_ref = DECISION_REF
    decision_day = DECISION_DAY

    def __init__(self) -> None:
        self._ids: Iterator[int] = itertools.count(1)

    def next_id(self) -> int:
        return next(self._ids)

    # -- workgroup and planning -------------------------------------------------------------

    @staticmethod
    def members(*roles: str) -> tuple[Member, ...]:
        return tuple(
            Member(name=f"Lid {i}", email=f"lid{i}@overijssel.nl", role=role)
            for i, role in enumerate(roles, start=1)
        )

    @staticmethod
    def milestones(start: date = date(2026, 1, 5), gap_days: int = 30) -> dict[str, date]:
        """Every milestone, in order, `gap_days` apart (lead times then comfortably met)."""
        return {key: start + timedelta(days=gap_days * i) for i, key in enumerate(MILESTONE_ORDER)}

    # -- experts ------------------------------------------------------------------------------

    def expert(
        self,
        perspective: Perspective = Perspective.INTERNAL,
        profile: str | None = None,
        response: Response = Response.ACCEPTED,
        expert_id: int | None = None,
    ) -> Expert:
        eid = self.next_id() if expert_id is None else expert_id
        if profile is None:
            profile = "beleid" if perspective is Perspective.INTERNAL else "historicus"
        return Expert(
            id=eid,
            name=f"Expert {eid}",
            email=f"expert{eid}@example.nl",
            perspective=perspective,
            profile=profile,
            response=response,
        )

    def panel(
        self,
        internal: int,
        external: int,
        response: Response = Response.ACCEPTED,
        external_profiles: Iterable[str] = (
            "historicus",
            "journalist",
            "maatschappelijke-organisatie",
        ),
    ) -> tuple[Expert, ...]:
        """`internal` + `external` experts; external profiles cycle over `external_profiles`."""
        profiles = itertools.cycle(tuple(external_profiles))
        inside = [self.expert(Perspective.INTERNAL, response=response) for _ in range(internal)]
        outside = [
            self.expert(Perspective.EXTERNAL, next(profiles), response=response)
            for _ in range(external)
        ]
        return (*inside, *outside)

    # -- sessions -----------------------------------------------------------------------------

    def session(
        self,
        attendees: Iterable[Expert | int],
        at: datetime = datetime(2026, 3, 12, 19, 30),
        session_id: int | None = None,
    ) -> Session:
        ids = frozenset(a.id if isinstance(a, Expert) else a for a in attendees)
        sid = self.next_id() if session_id is None else session_id
        return Session(id=sid, at=at, attendee_ids=ids)

    def candidate(
        self,
        nominated_by: Expert | int,
        title: str = "Stikstofcrisis en boerenprotesten",
        assessed: bool = True,
        included: bool = True,
        criteria: tuple[int, ...] = (1, 2),
        motivation: str = "Veel maatschappelijke onrust en media-aandacht",
        candidate_id: int | None = None,
    ) -> Candidate:
        by = nominated_by.id if isinstance(nominated_by, Expert) else nominated_by
        return Candidate(
            id=self.next_id() if candidate_id is None else candidate_id,
            title=title,
            period_start=date(2019, 10, 1),
            period_end=None,
            nominated_by=by,
            assessed=assessed,
            included=included,
            criteria=criteria,
            motivation=motivation,
        )

    # -- decision, inventory, publication -----------------------------------------------------

    @staticmethod
    def entry(
        candidate_id: int,
        number: str = "2020-1",
        title: str = "COVID-19",
        perspective: Perspective = Perspective.EXTERNAL,
    ) -> ListEntry:
        return ListEntry(
            candidate_id=candidate_id,
            number=number,
            title=title,
            period_start=date(2020, 3, 1),
            period_end=date(2022, 12, 31),
            description="Pandemie en maatregelen",
            criteria=(1,),
            motivation="Veel onrust",
            nominated_by_perspective=perspective,
        )

    @staticmethod
    def adopted_list(
        *entries: ListEntry,
        status: ListStatus = ListStatus.ADOPTED,
        advice_positive: bool | None = True,
        advice_by: str | None = "Collectie Overijssel",
        decision_date: date | None = DECISION_DAY,
        decision_ref: str | None = DECISION_REF,
    ) -> ListVersion:
        return ListVersion(
            number=1,
            status=status,
            entries=entries,
            advice_positive=advice_positive,
            advice_by=advice_by,
            decision_date=decision_date,
            decision_ref=decision_ref,
        )

    @staticmethod
    def dossier(
        reason: str = f"Hotspot 2020-1, besluit {DECISION_REF}",
        archiefnominatie: str = "blijvend_bewaren",
        dossier_ref: str = "Z-2020-0001",
    ) -> Dossier:
        return Dossier(dossier_ref=dossier_ref, archiefnominatie=archiefnominatie, reason=reason)

    @staticmethod
    def system(
        candidate_id: int,
        *dossiers: Dossier,
        none_reason: str | None = None,
        system: str = "Corsa",
        owner: str = "DIV",
    ) -> SearchedSystem:
        return SearchedSystem(
            candidate_id=candidate_id,
            system=system,
            owner=owner,
            dossiers=dossiers,
            none_reason=none_reason,
        )

    @staticmethod
    def publication() -> Publication:
        return Publication(
            channel="Provinciaal Blad",
            reference="2026/1234",
            in_force=date(2026, 4, 1),
            objection_weeks=6,
        )

    # -- a procedure that passes every exit rule ---------------------------------------------

    def complete_snapshot(self, phase: Phase = Phase.PREPARATION) -> ProcedureSnapshot:
        """A snapshot that satisfies the exit rules of every phase under the default config."""
        experts = self.panel(internal=4, external=4)
        inside = [e for e in experts if e.perspective is Perspective.INTERNAL]
        outside = [e for e in experts if e.perspective is Perspective.EXTERNAL]
        sessions = (
            self.session(experts, at=datetime(2026, 3, 12, 19, 30)),
            self.session([*inside[:2], *outside[:2]], at=datetime(2026, 3, 26, 19, 30)),
        )
        candidates = (
            self.candidate(inside[0], title="Stikstofcrisis"),
            self.candidate(outside[0], title="Terugkeer van de wolf"),
        )
        entries = tuple(
            self.entry(c.id, number=f"2020-{i}", title=c.title)
            for i, c in enumerate(candidates, start=1)
        )
        inventory = tuple(self.system(c.id, self.dossier()) for c in candidates)
        return ProcedureSnapshot(
            phase=phase,
            members=self.members("procesbegeleider", "informatiebeheerder", "archivaris"),
            milestones=self.milestones(),
            experts=experts,
            sessions=sessions,
            candidates=candidates,
            list_version=self.adopted_list(*entries),
            inventory=inventory,
            publication=self.publication(),
        )


@pytest.fixture(scope="session")
def config() -> RuleConfig:
    """The rule configuration of config/default.toml."""
    return DEFAULT_CONFIG


@pytest.fixture
def raw_config() -> dict[str, Any]:
    """config/default.toml as a fresh dict the test may change."""
    return copy.deepcopy(_DEFAULT_RAW)


@pytest.fixture
def make() -> Make:
    """Builders for snapshot data with fresh ids."""
    return Make()
