"""Exit rules of the decision, the inventory and the publication."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from states.config import RuleConfig
from states.phases import Phase
from states.rules import decision, inventory, publication
from states.snapshot import ListStatus, ListVersion, ProcedureSnapshot, SearchedSystem
from states.verdicts import Status

if TYPE_CHECKING:
    from conftest import Make


def _deciding(version: ListVersion | None) -> ProcedureSnapshot:
    return ProcedureSnapshot(phase=Phase.DECISION, list_version=version)


def _inventory(version: ListVersion | None, *systems: SearchedSystem) -> ProcedureSnapshot:
    return ProcedureSnapshot(phase=Phase.INVENTORY, list_version=version, inventory=systems)


# -- decision.archivist_advice --------------------------------------------------------------


def test_positive_archivist_advice_passes_and_names_the_adviser(
    make: Make, config: RuleConfig
) -> None:
    """Positive advice passes and says who gave it."""
    version = make.adopted_list(advice_positive=True, advice_by="Collectie Overijssel")
    verdict = decision.archivist_advice.evaluate(_deciding(version), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "decision.archivist_advice"
    assert verdict.figures.nl == "positief advies van Collectie Overijssel"
    assert verdict.figures.en == "positive advice by Collectie Overijssel"


def test_missing_archivist_advice_fails(make: Make, config: RuleConfig) -> None:
    """Advice not yet recorded (None) fails."""
    version = make.adopted_list(advice_positive=None, advice_by=None)
    verdict = decision.archivist_advice.evaluate(_deciding(version), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "nog geen advies vastgelegd"
    assert verdict.figures.en == "no advice recorded yet"


def test_negative_archivist_advice_fails(make: Make, config: RuleConfig) -> None:
    """Negative advice (False) fails and says so."""
    verdict = decision.archivist_advice.evaluate(
        _deciding(make.adopted_list(advice_positive=False)), config
    )
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "negatief advies"
    assert verdict.figures.en == "negative advice"


def test_archivist_advice_without_a_list_version_fails(config: RuleConfig) -> None:
    """Without a frozen list there is no advice, so the rule fails."""
    verdict = decision.archivist_advice.evaluate(_deciding(None), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "nog geen advies vastgelegd"


def test_negative_advice_cannot_be_set_aside(make: Make, config: RuleConfig) -> None:
    """The advice rule is not deviable: a recorded reason leaves it FAILED."""
    snapshot = ProcedureSnapshot(
        phase=Phase.DECISION,
        list_version=make.adopted_list(advice_positive=False),
        deviations={"decision.archivist_advice": "bestuur wil door"},
    )
    verdict = decision.archivist_advice.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED


# -- decision.adoption ----------------------------------------------------------------------


def test_adopted_list_with_date_and_reference_passes(make: Make, config: RuleConfig) -> None:
    """Status adopted with a decision date and reference passes, both shown in the figures."""
    verdict = decision.adoption.evaluate(_deciding(make.adopted_list()), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "decision.adoption"
    assert verdict.figures.nl == "vastgesteld op 12 maart 2026, kenmerk GS-2026/0312"
    assert verdict.figures.en == "adopted on 12 March 2026, reference GS-2026/0312"


@pytest.mark.parametrize(
    ("status", "day", "ref"),
    [
        (ListStatus.SUBMITTED, date(2026, 3, 12), "GS-2026/0312"),
        (ListStatus.RETURNED, date(2026, 3, 12), "GS-2026/0312"),
        (ListStatus.ADOPTED, None, "GS-2026/0312"),
        (ListStatus.ADOPTED, date(2026, 3, 12), None),
        (ListStatus.ADOPTED, date(2026, 3, 12), ""),
    ],
)
def test_adoption_needs_status_date_and_reference_together(
    make: Make, config: RuleConfig, status: ListStatus, day: date | None, ref: str | None
) -> None:
    """Missing any of status adopted, decision date or reference fails the adoption."""
    version = make.adopted_list(status=status, decision_date=day, decision_ref=ref)
    verdict = decision.adoption.evaluate(_deciding(version), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "nog geen vaststelling vastgelegd"
    assert verdict.figures.en == "no adoption recorded yet"


def test_adoption_without_a_list_version_fails(config: RuleConfig) -> None:
    """No list version means no adoption."""
    verdict = decision.adoption.evaluate(_deciding(None), config)
    assert verdict.status is Status.FAILED


# -- inventory.hotspots_covered -------------------------------------------------------------


def test_hotspot_with_a_dossier_citing_the_decision_passes(make: Make, config: RuleConfig) -> None:
    """A dossier on blijvend bewaren whose reason cites the decision reference passes."""
    version = make.adopted_list(make.entry(1))
    reason = f"Hotspot 2020-1 COVID-19, besluit GS {make.decision_ref}"
    snapshot = _inventory(version, make.system(1, make.dossier(reason=reason)))
    verdict = inventory.hotspots_covered.evaluate(snapshot, config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "inventory.hotspots_covered"
    assert verdict.figures.nl == "1 van 1 hotspots in orde"
    assert verdict.figures.en == "1 of 1 hotspots in order"


def test_dossier_reason_without_the_decision_reference_fails(
    make: Make, config: RuleConfig
) -> None:
    """A reason that does not cite the decision reference fails and names the hotspot."""
    version = make.adopted_list(make.entry(1, number="2020-1", title="COVID-19"))
    dossier = make.dossier(reason="Hotspot COVID-19, zie hotspotlijst")
    verdict = inventory.hotspots_covered.evaluate(
        _inventory(version, make.system(1, dossier)), config
    )
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == (
        "0 van 1 hotspots in orde; dossier zonder blijvend bewaren met verwijzing naar het "
        "besluit: 2020-1 COVID-19"
    )
    assert verdict.figures.en == (
        "0 of 1 hotspots in order; dossier not marked for permanent preservation citing the "
        "decision: 2020-1 COVID-19"
    )
    assert verdict.data == {"uncovered": [], "uncited": ["2020-1 COVID-19"]}


def test_dossier_not_marked_blijvend_bewaren_fails(make: Make, config: RuleConfig) -> None:
    """A dossier citing the decision but still set to vernietigen fails."""
    version = make.adopted_list(make.entry(1))
    dossier = make.dossier(archiefnominatie="vernietigen")
    verdict = inventory.hotspots_covered.evaluate(
        _inventory(version, make.system(1, dossier)), config
    )
    assert verdict.status is Status.FAILED
    assert verdict.data["uncited"] == ["2020-1 COVID-19"]


def test_one_bad_dossier_among_good_ones_fails_the_hotspot(make: Make, config: RuleConfig) -> None:
    """Every dossier of a hotspot must cite the decision, not just one of them."""
    version = make.adopted_list(make.entry(1))
    system = make.system(1, make.dossier(), make.dossier(reason="hotspot", dossier_ref="Z-2"))
    verdict = inventory.hotspots_covered.evaluate(_inventory(version, system), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["uncited"] == ["2020-1 COVID-19"]


def test_hotspot_with_a_reason_why_nothing_was_found_passes(make: Make, config: RuleConfig) -> None:
    """A recorded none-reason covers a hotspot without dossiers."""
    version = make.adopted_list(make.entry(1))
    system = make.system(1, none_reason="alleen mondeling en via pers afgehandeld")
    verdict = inventory.hotspots_covered.evaluate(_inventory(version, system), config)
    assert verdict.status is Status.PASSED


def test_hotspot_without_systems_is_uncovered(make: Make, config: RuleConfig) -> None:
    """A hotspot with neither dossier nor reason fails and is named; the other is counted."""
    version = make.adopted_list(
        make.entry(1, number="2020-1", title="COVID-19"),
        make.entry(2, number="2020-2", title="Stikstofcrisis"),
    )
    verdict = inventory.hotspots_covered.evaluate(
        _inventory(version, make.system(1, make.dossier())), config
    )
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == (
        "1 van 2 hotspots in orde; geen dossier en geen reden: 2020-2 Stikstofcrisis"
    )
    assert verdict.figures.en == (
        "1 of 2 hotspots in order; no dossier and no reason: 2020-2 Stikstofcrisis"
    )
    assert verdict.data["uncovered"] == ["2020-2 Stikstofcrisis"]


def test_a_dossier_of_another_hotspot_does_not_cover_this_one(
    make: Make, config: RuleConfig
) -> None:
    """Dossiers are matched per hotspot by candidate id."""
    version = make.adopted_list(make.entry(1), make.entry(2, number="2020-2", title="Wolf"))
    snapshot = _inventory(version, make.system(1, make.dossier()), make.system(1, make.dossier()))
    verdict = inventory.hotspots_covered.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
    assert verdict.data["uncovered"] == ["2020-2 Wolf"]


def test_dossier_fails_when_the_decision_has_no_reference(make: Make, config: RuleConfig) -> None:
    """Without a decision reference no dossier reason can cite it."""
    version = make.adopted_list(make.entry(1), decision_ref=None)
    verdict = inventory.hotspots_covered.evaluate(
        _inventory(version, make.system(1, make.dossier())), config
    )
    assert verdict.status is Status.FAILED
    assert verdict.data["uncited"] == ["2020-1 COVID-19"]


# -- inventory.systems_searched -------------------------------------------------------------


def test_an_unsearched_system_fails_and_names_owner_and_hotspot(
    make: Make, config: RuleConfig
) -> None:
    """A listed system with neither dossiers nor reason is open work and fails."""
    version = make.adopted_list(make.entry(1, number="2020-1"))
    open_system = make.system(1, system="Corsa", owner="DIV")
    verdict = inventory.systems_searched.evaluate(_inventory(version, open_system), config)
    assert verdict.status is Status.FAILED
    assert verdict.code == "inventory.systems_searched"
    assert verdict.figures.nl == "0 van 1 systemen doorzocht; open: Corsa (2020-1, eigenaar DIV)"
    assert verdict.figures.en == "0 of 1 systems searched; open: Corsa (2020-1, owner DIV)"
    assert verdict.data["open"] == [[1, "Corsa"]]


def test_unsearched_system_fails_even_when_the_hotspot_is_covered_elsewhere(
    make: Make, config: RuleConfig
) -> None:
    """A hotspot with a good dossier in one system still leaves the other system open."""
    version = make.adopted_list(make.entry(1))
    snapshot = _inventory(
        version,
        make.system(1, make.dossier(), system="Open Zaak", owner="Team Zaken"),
        make.system(1, system="Exchange", owner="ICT"),
    )
    assert inventory.hotspots_covered.evaluate(snapshot, config).status is Status.PASSED
    verdict = inventory.systems_searched.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "1 van 2 systemen doorzocht; open: Exchange (2020-1, eigenaar ICT)"


def test_every_system_searched_passes(make: Make, config: RuleConfig) -> None:
    """Systems with dossiers or with a none-reason are all searched."""
    version = make.adopted_list(make.entry(1))
    snapshot = _inventory(
        version,
        make.system(1, make.dossier(), system="Open Zaak"),
        make.system(1, none_reason="niets gevonden op zoektermen", system="Teams"),
    )
    verdict = inventory.systems_searched.evaluate(snapshot, config)
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == "2 van 2 systemen doorzocht"
    assert verdict.figures.en == "2 of 2 systems searched"


# -- publication.recorded -------------------------------------------------------------------


def test_no_publication_recorded_fails(config: RuleConfig) -> None:
    """Without a publication the procedure cannot be closed."""
    snapshot = ProcedureSnapshot(phase=Phase.PUBLICATION, publication=None)
    verdict = publication.recorded.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
    assert verdict.code == "publication.recorded"
    assert verdict.figures.nl == "nog geen publicatie vastgelegd"
    assert verdict.figures.en == "no publication recorded yet"


def test_recorded_publication_passes_with_channel_date_and_objection_period(
    make: Make, config: RuleConfig
) -> None:
    """A recorded publication passes and its figures read back every field."""
    snapshot = ProcedureSnapshot(phase=Phase.PUBLICATION, publication=make.publication())
    verdict = publication.recorded.evaluate(snapshot, config)
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == (
        "Provinciaal Blad 2026/1234, in werking 1 april 2026, bezwaartermijn 6 weken"
    )
    assert verdict.figures.en == (
        "Provinciaal Blad 2026/1234, in force 1 April 2026, objection period 6 weeks"
    )
