"""Rules for leaving the inventory: every adopted hotspot's records found, or why not."""

from __future__ import annotations

from states.config import RuleConfig
from states.i18n import Text
from states.rules.base import rule
from states.snapshot import CaseProgress, Part, ProcedureSnapshot
from states.verdicts import Verdict, check


def _adopted(snapshot: ProcedureSnapshot) -> list[tuple[int, str, str]]:
    version = snapshot.list_version
    if version is None:
        return []
    return [(e.candidate_id, e.number, e.title) for e in version.entries]


@rule("inventory.hotspots_covered", Part.LIST_VERSION, Part.INVENTORY)
def hotspots_covered(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    ref = snapshot.list_version.decision_ref if snapshot.list_version else None
    uncovered: list[str] = []
    uncited: list[str] = []
    for candidate_id, number, title in _adopted(snapshot):
        systems = [s for s in snapshot.inventory if s.candidate_id == candidate_id]
        dossiers = [d for s in systems for d in s.dossiers]
        if not dossiers and not any((s.none_reason or "").strip() for s in systems):
            uncovered.append(f"{number} {title}")
        # The reason for blijvend bewaren must cite the decision that makes it lawful.
        if any(
            d.archiefnominatie != "blijvend_bewaren" or not ref or ref not in d.reason
            for d in dossiers
        ):
            uncited.append(f"{number} {title}")
    total = len(_adopted(snapshot))
    problems_nl, problems_en = [], []
    if uncovered:
        problems_nl.append("geen dossier en geen reden: " + ", ".join(uncovered))
        problems_en.append("no dossier and no reason: " + ", ".join(uncovered))
    if uncited:
        problems_nl.append(
            "dossier zonder blijvend bewaren met verwijzing naar het besluit: " + ", ".join(uncited)
        )
        problems_en.append(
            "dossier not marked for permanent preservation citing the decision: "
            + ", ".join(uncited)
        )
    done = total - len(set(uncovered) | set(uncited))
    return check(
        not uncovered and not uncited,
        "",
        Text(
            "Elke vastgestelde hotspot heeft een dossier op blijvend bewaren, of een reden "
            "waarom niets is gevonden",
            "Every adopted hotspot has a dossier marked for permanent preservation, or a reason "
            "why nothing was found",
        ),
        Text(
            f"{done} van {total} hotspots in orde" + "".join(f"; {p}" for p in problems_nl),
            f"{done} of {total} hotspots in order" + "".join(f"; {p}" for p in problems_en),
        ),
        uncovered=uncovered,
        uncited=uncited,
    )


@rule("inventory.systems_searched", Part.LIST_VERSION, Part.INVENTORY)
def systems_searched(snapshot: ProcedureSnapshot, config: RuleConfig) -> Verdict:
    numbers = {cid: number for cid, number, _ in _adopted(snapshot)}
    open_ = [s for s in snapshot.inventory if not s.searched]
    names = ", ".join(
        f"{s.system} ({numbers.get(s.candidate_id, s.candidate_id)}, eigenaar {s.owner}"
        f"{_cases_left(s.cases, 'nl')})"
        for s in open_
    )
    names_en = ", ".join(
        f"{s.system} ({numbers.get(s.candidate_id, s.candidate_id)}, owner {s.owner}"
        f"{_cases_left(s.cases, 'en')})"
        for s in open_
    )
    total = len(snapshot.inventory)
    return check(
        not open_,
        "",
        Text(
            "Geen opgegeven informatiesysteem is nog onderzocht gebleven",
            "No listed information system is left unsearched",
        ),
        Text(
            f"{total - len(open_)} van {total} systemen doorzocht"
            + (f"; open: {names}" if open_ else ""),
            f"{total - len(open_)} of {total} systems searched"
            + (f"; open: {names_en}" if open_ else ""),
        ),
        open=[[s.candidate_id, s.system] for s in open_],
    )


def _cases_left(cases: CaseProgress | None, language: str) -> str:
    """What a case system still needs before it counts as searched: "; 2 zaken niet gekozen"."""
    if cases is None:
        return ""
    dutch = language == "nl"
    if not cases.searched:
        return "; nog niet gezocht in het zaaksysteem" if dutch else "; case system not searched"
    parts = [
        (cases.undecided, "niet gekozen", "not chosen"),
        (cases.unapplied, "gekozen maar niet toegepast", "chosen but not applied"),
        (
            cases.unresolved,
            "geweigerd of mislukt zonder uitleg",
            "refused or failed without explanation",
        ),
    ]
    said = [
        f"{count} {'zaken' if dutch else 'cases'} {nl if dutch else en}"
        for count, nl, en in parts
        if count
    ]
    return "".join(f"; {part}" for part in said)


RULES = [hotspots_covered, systems_searched]
