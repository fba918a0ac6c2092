"""Exit rules of the expert selection: panel size, external share and external profiles."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from states.config import RuleConfig
from states.phases import Phase
from states.rules import panel
from states.snapshot import Expert, Perspective, ProcedureSnapshot, Response
from states.verdicts import Status

if TYPE_CHECKING:
    from conftest import Make


def _selection(*experts: Expert, deviations: dict[str, str] | None = None) -> ProcedureSnapshot:
    return ProcedureSnapshot(
        phase=Phase.EXPERT_SELECTION, experts=experts, deviations=deviations or {}
    )


# -- panel.size -----------------------------------------------------------------------------


@pytest.mark.parametrize("accepted", [6, 16])
def test_panel_at_the_size_limits_passes(make: Make, config: RuleConfig, accepted: int) -> None:
    """Exactly 6 or exactly 16 accepted experts is an allowed panel size."""
    experts = make.panel(internal=accepted // 2, external=accepted - accepted // 2)
    verdict = panel.panel_size.evaluate(_selection(*experts), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "panel.size"
    assert verdict.figures.nl == f"{accepted} experts toegezegd, toegestaan 6 tot en met 16"
    assert verdict.figures.en == f"{accepted} experts accepted, allowed 6 to 16"


def test_panel_of_five_accepted_experts_is_too_small(make: Make, config: RuleConfig) -> None:
    """Five accepted experts is one below the minimum and fails."""
    verdict = panel.panel_size.evaluate(_selection(*make.panel(3, 2)), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "5 experts toegezegd, toegestaan 6 tot en met 16"
    assert verdict.figures.en == "5 experts accepted, allowed 6 to 16"
    assert verdict.data == {"accepted": 5, "minimum": 6, "maximum": 16}


def test_panel_of_seventeen_accepted_experts_is_too_large(make: Make, config: RuleConfig) -> None:
    """Seventeen accepted experts is one above the maximum and fails."""
    verdict = panel.panel_size.evaluate(_selection(*make.panel(8, 9)), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl.startswith("17 experts toegezegd")


def test_pending_and_declined_experts_do_not_count_towards_the_panel(
    make: Make, config: RuleConfig
) -> None:
    """Five accepted experts plus invited and declined ones is still too small."""
    experts = (
        *make.panel(3, 2),
        *make.panel(2, 2, response=Response.PENDING),
        *make.panel(1, 1, response=Response.DECLINED),
    )
    verdict = panel.panel_size.evaluate(_selection(*experts), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["accepted"] == 5


def test_too_small_panel_with_a_deviation_is_deviated(make: Make, config: RuleConfig) -> None:
    """A recorded reason turns the failing panel size into DEVIATED, which does not block."""
    snapshot = _selection(*make.panel(3, 2), deviations={"panel.size": "kleine organisatie"})
    verdict = panel.panel_size.evaluate(snapshot, config)
    assert verdict.status is Status.DEVIATED
    assert verdict.deviation_reason == "kleine organisatie"
    assert verdict.deviable is True
    assert not verdict.blocks


def test_a_deviation_on_a_passing_panel_size_leaves_it_passed(
    make: Make, config: RuleConfig
) -> None:
    """A deviation only changes a failing verdict; a passing one stays PASSED without reason."""
    snapshot = _selection(*make.panel(4, 4), deviations={"panel.size": "voor de zekerheid"})
    verdict = panel.panel_size.evaluate(snapshot, config)
    assert verdict.status is Status.PASSED
    assert verdict.deviation_reason is None


# -- panel.external_share -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("internal", "external", "share"),
    [(6, 4, 40), (4, 6, 60), (3, 2, 40), (2, 3, 60), (5, 5, 50)],
)
def test_external_share_within_forty_to_sixty_percent_passes(
    make: Make, config: RuleConfig, internal: int, external: int, share: int
) -> None:
    """An external share of exactly 40%, exactly 60% or in between passes."""
    verdict = panel.external_share.evaluate(_selection(*make.panel(internal, external)), config)
    total = internal + external
    assert verdict.status is Status.PASSED
    assert verdict.code == "panel.external_share"
    assert verdict.figures.nl == (
        f"{external} van {total} experts extern ({share}%), toegestaan 40-60%"
    )
    assert verdict.figures.en == (
        f"{external} of {total} experts external ({share}%), allowed 40-60%"
    )


def test_two_external_of_seven_is_below_the_minimum_share(make: Make, config: RuleConfig) -> None:
    """Two external experts of seven (29%) fails and names the minimum."""
    verdict = panel.external_share.evaluate(_selection(*make.panel(5, 2)), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "2 van 7 experts extern (29%), minimaal 40%"
    assert verdict.figures.en == "2 of 7 experts external (29%), at least 40%"
    assert verdict.data == {"external": 2, "accepted": 7, "min_percent": 40, "max_percent": 60}


def test_seven_external_of_ten_is_above_the_maximum_share(make: Make, config: RuleConfig) -> None:
    """Seven external experts of ten (70%) fails and names the maximum."""
    verdict = panel.external_share.evaluate(_selection(*make.panel(3, 7)), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "7 van 10 experts extern (70%), maximaal 60%"
    assert verdict.figures.en == "7 of 10 experts external (70%), at most 60%"


@pytest.mark.parametrize(
    ("external", "status"),
    [(39, Status.FAILED), (40, Status.PASSED), (60, Status.PASSED), (61, Status.FAILED)],
)
def test_external_share_one_percent_outside_the_bounds_fails(
    make: Make, config: RuleConfig, external: int, status: Status
) -> None:
    """Of a hundred experts, 39 or 61 external fails while 40 and 60 pass."""
    experts = make.panel(internal=100 - external, external=external)
    verdict = panel.external_share.evaluate(_selection(*experts), config)
    assert verdict.status is status
    assert verdict.figures.nl.startswith(f"{external} van 100 experts extern ({external}%)")


@pytest.mark.parametrize(("internal", "external"), [(5, 3), (3, 5)])
def test_external_share_just_outside_the_bounds_on_eight_experts_fails(
    make: Make, config: RuleConfig, internal: int, external: int
) -> None:
    """3 of 8 (37.5%) and 5 of 8 (62.5%) external both fail: no rounding into the bounds."""
    verdict = panel.external_share.evaluate(_selection(*make.panel(internal, external)), config)
    assert verdict.status is Status.FAILED


def test_an_empty_panel_fails_the_external_share(config: RuleConfig) -> None:
    """With no accepted experts there is no balance to speak of, so the share fails."""
    verdict = panel.external_share.evaluate(_selection(), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl.startswith("0 van 0 experts extern (0%)")


def test_declined_external_experts_do_not_count_for_the_share(
    make: Make, config: RuleConfig
) -> None:
    """Declined external experts do not lift a 2 of 7 share."""
    experts = (*make.panel(5, 2), *make.panel(0, 4, response=Response.DECLINED))
    verdict = panel.external_share.evaluate(_selection(*experts), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["accepted"] == 7
    assert verdict.data["external"] == 2


def test_external_share_bounds_follow_the_configuration(make: Make, config: RuleConfig) -> None:
    """With 30-70% configured, 3 of 10 external passes and the figures show the new bounds."""
    custom = replace(
        config, panel=replace(config.panel, min_external_percent=30, max_external_percent=70)
    )
    verdict = panel.external_share.evaluate(_selection(*make.panel(7, 3)), custom)
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl.endswith("toegestaan 30-70%")


# -- panel.external_profiles ----------------------------------------------------------------


def test_external_experts_covering_every_required_profile_pass(
    make: Make, config: RuleConfig
) -> None:
    """A historian, journalist and civil-society representative among the externals passes."""
    verdict = panel.external_profiles.evaluate(_selection(*make.panel(3, 3)), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "panel.external_profiles"
    assert verdict.figures.nl == "3 van 3 vereiste profielen"
    assert verdict.figures.en == "3 of 3 required profiles"


def test_missing_journalist_fails_and_is_named(make: Make, config: RuleConfig) -> None:
    """Without an external journalist the rule fails and names the missing profile."""
    experts = make.panel(3, 3, external_profiles=("historicus", "maatschappelijke-organisatie"))
    verdict = panel.external_profiles.evaluate(_selection(*experts), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "2 van 3 vereiste profielen; ontbreekt: journalist"
    assert verdict.figures.en == "2 of 3 required profiles; missing: journalist"
    assert verdict.data["missing"] == ["journalist"]


def test_an_internal_journalist_does_not_cover_the_external_profile(
    make: Make, config: RuleConfig
) -> None:
    """The journalist profile must be held by an external expert."""
    experts = (
        *make.panel(3, 2, external_profiles=("historicus", "maatschappelijke-organisatie")),
        make.expert(Perspective.INTERNAL, "journalist"),
    )
    verdict = panel.external_profiles.evaluate(_selection(*experts), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["missing"] == ["journalist"]


def test_a_declined_external_journalist_does_not_cover_the_profile(
    make: Make, config: RuleConfig
) -> None:
    """Only accepted experts count for the required profiles."""
    experts = (
        *make.panel(3, 2, external_profiles=("historicus", "maatschappelijke-organisatie")),
        make.expert(Perspective.EXTERNAL, "journalist", response=Response.DECLINED),
    )
    verdict = panel.external_profiles.evaluate(_selection(*experts), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["missing"] == ["journalist"]


def test_no_external_experts_misses_every_required_profile(make: Make, config: RuleConfig) -> None:
    """A panel of internal experts only misses all three profiles, in configured order."""
    verdict = panel.external_profiles.evaluate(_selection(*make.panel(6, 0)), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["missing"] == ["historicus", "journalist", "maatschappelijke-organisatie"]
    assert verdict.figures.nl.startswith("0 van 3 vereiste profielen")


def test_panel_rules_are_all_deviable() -> None:
    """Size, share and profiles of the panel can each be set aside with a reason."""
    assert [(r.code, r.deviable) for r in panel.RULES] == [
        ("panel.size", True),
        ("panel.external_share", True),
        ("panel.external_profiles", True),
    ]
