"""The inventory per hotspot: the procedure's systems, what each hotspot searched where, the
files marked *blijvend bewaren*, and what is still open; for the page, the CLI and the exports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from states.i18n import Language, Text
from states.snapshot import CaseProgress, ListStatus
from workflow import repository
from workflow.app import App
from workflow.db.models import Dossier, InformationSystem, InventorySystem, ZgwCase, table_of
from workflow.zgw.checks import NEEDS_ATTENTION, Check

IST, INV, DT = table_of(InformationSystem), table_of(InventorySystem), table_of(Dossier)
ZC = table_of(ZgwCase)

STATE_LABELS = {
    "found": Text("dossiers gemarkeerd", "files marked"),
    "nothing": Text("niets gevonden", "nothing found"),
    "open": Text("nog te doorzoeken", "still to search"),
    "cases": Text("zaken gekozen en bewaard", "cases chosen and kept"),
}


@dataclass(frozen=True, slots=True)
class DefinedSystem:
    name: str
    owner: str
    owner_email: str | None
    # A case system's Zaken API and the case types searched there; None: searched by hand.
    zaken_url: str | None = None
    zaaktypen: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FoundCase:
    system: str
    url: str
    identificatie: str
    omschrijving: str
    startdatum: date | None
    einddatum: date | None
    archiefnominatie: str | None
    # True: kept for the hotspot; False: not (with the reason); None: not decided yet.
    selected: bool | None
    reason: str | None
    # The last apply's result (changed, unchanged, refused, failed) and the guard's last check.
    result: str | None = None
    check_result: str | None = None
    explanation: str | None = None
    # The case type by name (the Catalogi API's omschrijving, else the URL's last part) and
    # the rest of the archive fields as found.
    zaaktype: str = ""
    archiefactiedatum: str | None = None
    archiefstatus: str | None = None

    @property
    def failed(self) -> bool:
        """Chosen, but the case system did not keep it, or no longer does (the drift guard
        could not restore it, or it is gone): what an explanation is for."""
        lost = self.check_result in ("not_restored", "gone")
        return bool(self.selected) and (self.result in ("refused", "failed") or lost)


@dataclass(frozen=True, slots=True)
class MarkedFile:
    reference: str
    title: str | None
    marked_at: datetime


@dataclass(frozen=True, slots=True)
class SearchedSystem:
    """One system searched for one hotspot: where, for what, and what came of it."""

    system: str
    query: str
    owner: str
    files: tuple[MarkedFile, ...]
    none_reason: str | None
    # A case system: how far its search, choice and apply are (states.snapshot.CaseProgress).
    cases: CaseProgress | None = None

    @property
    def state(self) -> str:
        if self.cases is not None:
            return "cases" if self.cases.done else "open"
        if self.files:
            return "found"
        return "nothing" if self.none_reason else "open"

    def state_label(self, lang: Language) -> str:
        return STATE_LABELS[self.state](lang)


@dataclass(frozen=True, slots=True)
class HotspotInventory:
    number: str
    title: str
    systems: tuple[SearchedSystem, ...]
    # What the case systems' searches found for this hotspot, with the choice made about each.
    cases: tuple[FoundCase, ...] = ()

    @property
    def open_systems(self) -> tuple[SearchedSystem, ...]:
        return tuple(s for s in self.systems if s.state == "open")

    @property
    def complete(self) -> bool:
        """Every listed system has files or a reason why not, and at least one was listed."""
        return bool(self.systems) and not self.open_systems

    @property
    def file_count(self) -> int:
        return sum(len(s.files) for s in self.systems)


@dataclass(frozen=True, slots=True)
class InventoryOverview:
    procedure_id: str
    adopted: bool
    systems: tuple[DefinedSystem, ...]
    hotspots: tuple[HotspotInventory, ...]

    @property
    def open_count(self) -> int:
        """Hotspots not yet complete: without any system, or with a system still open."""
        return sum(1 for h in self.hotspots if not h.complete)

    def rows(self, lang: Language) -> Iterator[list[object]]:
        """One row per marked file, per system without files and per hotspot without systems,
        so the export shows what is still open as plainly as what was found."""
        for hotspot in self.hotspots:
            if not hotspot.systems:
                open_ = STATE_LABELS["open"](lang)
                yield [hotspot.number, hotspot.title, "", "", "", open_, "", "", ""]
                continue
            for searched in hotspot.systems:
                base = [hotspot.number, hotspot.title, searched.system, searched.query]
                label = searched.state_label(lang)
                if not searched.files:
                    yield [*base, searched.owner, label, "", "", searched.none_reason or ""]
                for file in searched.files:
                    yield [
                        *base,
                        searched.owner,
                        label,
                        file.reference,
                        file.title or "",
                        file.marked_at.date().isoformat(),
                    ]


EXPORT_HEADER = {
    "nl": (
        "hotspot",
        "titel",
        "systeem",
        "zoekvraag",
        "eigenaar",
        "stand",
        "dossier",
        "dossiertitel",
        "gemarkeerd op / reden",
    ),
    "en": (
        "hotspot",
        "title",
        "system",
        "query",
        "owner",
        "state",
        "file",
        "file title",
        "marked on / reason",
    ),
}


def defined_systems(connection: Connection, procedure_id: str) -> tuple[DefinedSystem, ...]:
    rows = connection.execute(
        select(IST.c.name, IST.c.owner, IST.c.owner_email, IST.c.zaken_url, IST.c.zaaktypen)
        .where(IST.c.procedure_id == procedure_id)
        .order_by(IST.c.name_key)
    )
    return tuple(
        DefinedSystem(r.name, r.owner, r.owner_email, r.zaken_url, tuple(r.zaaktypen or ()))
        for r in rows
    )


def inventory_overview(app: App, procedure_id: str) -> InventoryOverview:
    """The adopted list's hotspots in list order, each with its searched systems and files."""
    with app.read() as session:
        connection = session.connection()
        latest = repository.latest_list_version(session, procedure_id)
        adopted = latest is not None and latest.status == ListStatus.ADOPTED.value
        entries = repository.list_entries(latest) if latest is not None and adopted else ()
        searched = connection.execute(
            select(
                INV.c.id,
                INV.c.candidate_id,
                INV.c.system,
                INV.c.query,
                INV.c.owner,
                INV.c.none_reason,
            )
            .where(INV.c.procedure_id == procedure_id)
            .order_by(INV.c.system, INV.c.id)
        ).all()
        files = connection.execute(
            select(DT.c.inventory_system_id, DT.c.dossier_ref, DT.c.title, DT.c.marked_at)
            .join(INV, INV.c.id == DT.c.inventory_system_id)
            .where(INV.c.procedure_id == procedure_id)
            .order_by(DT.c.marked_at, DT.c.id)
        ).all()
        systems = defined_systems(connection, procedure_id)
        progress = repository.case_progress(connection, {"pid": procedure_id})
        found = connection.execute(
            select(ZC, IST.c.name.label("system_name"))
            .join(IST, IST.c.id == ZC.c.system_id)
            .where(ZC.c.procedure_id == procedure_id)
            .order_by(ZC.c.startdatum, ZC.c.id)
        ).all()
    by_system: dict[int, list[MarkedFile]] = {}
    for f in files:
        by_system.setdefault(f.inventory_system_id, []).append(
            MarkedFile(f.dossier_ref, f.title, f.marked_at)
        )
    hotspots = tuple(
        HotspotInventory(
            entry.number,
            entry.title,
            tuple(
                SearchedSystem(
                    s.system,
                    s.query,
                    s.owner,
                    tuple(by_system.get(s.id, ())),
                    s.none_reason,
                    progress.get((s.candidate_id, s.system), ((), None))[1],
                )
                for s in searched
                if s.candidate_id == entry.candidate_id
            ),
            tuple(
                FoundCase(
                    c.system_name,
                    c.url,
                    c.identificatie,
                    c.omschrijving,
                    c.startdatum,
                    c.einddatum,
                    (c.found or {}).get("archiefnominatie"),
                    c.selected,
                    c.reason,
                    c.result,
                    c.check_result,
                    c.explanation,
                    c.zaaktype_omschrijving or c.zaaktype.rstrip("/").rsplit("/", 1)[-1],
                    (c.found or {}).get("archiefactiedatum"),
                    (c.found or {}).get("archiefstatus"),
                )
                for c in found
                if c.candidate_id == entry.candidate_id
            ),
        )
        for entry in entries
    )
    return InventoryOverview(procedure_id, adopted, systems, hotspots)


# Why a case on the exception list may not be destroyed, in the words destruction-list tools
# show beside it.
EXCEPTION_REASON = "Zaken die bij een vastgestelde hotspot behoren"
EXCEPTION_HEADER = (
    "zaak_url",
    "identificatie",
    "hotspot",
    "besluit_kenmerk",
    "besluit_datum",
    "reden",
)


@dataclass(frozen=True, slots=True)
class KeptCase:
    url: str
    identificatie: str
    hotspot: str
    decision_ref: str
    decision_date: date | None
    system: str = ""
    kept_at: datetime | None = None
    # The drift guard's last look (workflow.commands.zgw_guard): when, and what it found.
    checked_at: datetime | None = None
    check_result: str | None = None
    explanation: str | None = None

    def check_label(self, lang: Language) -> str:
        if self.check_result is None:
            return NOT_CHECKED(lang)
        try:
            return Check(self.check_result).label(lang)
        except ValueError:  # a value a later version wrote: shown as it is
            return self.check_result

    @property
    def needs_attention(self) -> bool:
        return self.check_result in NEEDS_ATTENTION

    def row(self) -> list[str]:
        day = self.decision_date.isoformat() if self.decision_date else ""
        return [
            self.url,
            self.identificatie,
            self.hotspot,
            self.decision_ref,
            day,
            EXCEPTION_REASON,
        ]


def kept_cases(app: App, procedure_id: str) -> tuple[KeptCase, ...]:
    """The cases the apply kept (changed, or found kept already) for an adopted hotspot: the
    exception list a destruction list must leave out. Chosen but not (yet) kept cases are not
    on it: the list says what the case systems hold, not what was meant."""
    with app.read() as session:
        latest = repository.latest_list_version(session, procedure_id)
        if latest is None or latest.status != ListStatus.ADOPTED.value:
            return ()
        numbers = {e.candidate_id: e.number for e in repository.list_entries(latest)}
        rows = (
            session.connection()
            .execute(
                select(
                    ZC.c.url,
                    ZC.c.identificatie,
                    ZC.c.candidate_id,
                    IST.c.name,
                    ZC.c.applied_at,
                    ZC.c.checked_at,
                    ZC.c.check_result,
                    ZC.c.explanation,
                )
                .join(IST, IST.c.id == ZC.c.system_id)
                .where(
                    ZC.c.procedure_id == procedure_id,
                    ZC.c.selected.is_(True),
                    ZC.c.result.in_(("changed", "unchanged")),
                )
                .order_by(ZC.c.candidate_id, ZC.c.identificatie)
            )
            .all()
        )
        ref, day = latest.decision_ref or "", latest.decision_date
    return tuple(
        KeptCase(
            r.url,
            r.identificatie,
            numbers.get(r.candidate_id, ""),
            ref,
            day,
            r.name,
            r.applied_at,
            r.checked_at,
            r.check_result,
            r.explanation,
        )
        for r in rows
    )


NOT_CHECKED = Text("nog niet gecontroleerd", "not checked yet")
GUARD_HEADER = (
    "hotspot",
    "identificatie",
    "zaaksysteem",
    "zaak_url",
    "bewaard_op",
    "laatste_controle",
    "uitkomst",
    "uitleg",
)


def guard_rows(cases: tuple[KeptCase, ...], lang: Language) -> list[list[str]]:
    """The report of the drift guard: every kept case and its last check."""
    return [
        [
            c.hotspot,
            c.identificatie,
            c.system,
            c.url,
            c.kept_at.isoformat(timespec="seconds") if c.kept_at else "",
            c.checked_at.isoformat(timespec="seconds") if c.checked_at else "",
            c.check_label(lang),
            c.explanation or "",
        ]
        for c in cases
    ]


def exception_list_json(cases: tuple[KeptCase, ...]) -> bytes:
    import json

    document = [dict(zip(EXCEPTION_HEADER, case.row(), strict=True)) for case in cases]
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
