"""Exit rules of the workgroup set-up and of the planning."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest

from states.config import RuleConfig
from states.phases import Phase
from states.rules import planning, workgroup
from states.snapshot import ProcedureSnapshot
from states.verdicts import Status

if TYPE_CHECKING:
    from conftest import Make

REQUIRED = ("procesbegeleider", "informatiebeheerder", "archivaris")


def _workgroup(make: Make, *roles: str) -> ProcedureSnapshot:
    return ProcedureSnapshot(phase=Phase.WORKGROUP, members=make.members(*roles))


def _planning(milestones: dict[str, date], **deviations: str) -> ProcedureSnapshot:
    return ProcedureSnapshot(
        phase=Phase.PLANNING,
        milestones=milestones,
        deviations={k.replace("__", "."): v for k, v in deviations.items()},
    )


def _lead(days_rsvp: int = 14, days_first: int = 28) -> dict[str, date]:
    """Only the milestones the lead-time rules read."""
    start = date(2026, 2, 2)
    return {
        "invitations_sent": start,
        "rsvp_deadline": start + timedelta(days=days_rsvp),
        "first_session": start + timedelta(days=days_first),
    }


# -- workgroup.required_roles ---------------------------------------------------------------


def test_workgroup_with_every_required_role_passes(make: Make, config: RuleConfig) -> None:
    """A workgroup holding each required role once passes and says 3 of 3."""
    verdict = workgroup.required_roles.evaluate(_workgroup(make, *REQUIRED), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "workgroup.required_roles"
    assert verdict.figures.nl == "3 van 3 verplichte rollen vervuld"
    assert verdict.figures.en == "3 of 3 required roles filled"


def test_workgroup_without_archivist_fails_and_names_the_role(
    make: Make, config: RuleConfig
) -> None:
    """A workgroup lacking the archivist fails and names the missing role in both languages."""
    snapshot = _workgroup(make, "procesbegeleider", "informatiebeheerder", "communicatieadviseur")
    verdict = workgroup.required_roles.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "2 van 3 verplichte rollen vervuld; ontbreekt: archivaris"
    assert verdict.figures.en == "2 of 3 required roles filled; missing: archivaris"
    assert verdict.data["missing"] == ["archivaris"]


def test_empty_workgroup_lists_every_required_role_as_missing(
    make: Make, config: RuleConfig
) -> None:
    """A workgroup without members misses all required roles, in configured order."""
    verdict = workgroup.required_roles.evaluate(_workgroup(make), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["missing"] == list(REQUIRED)
    assert "0 van 3" in verdict.figures.nl


def test_a_role_filled_twice_does_not_make_up_for_a_missing_one(
    make: Make, config: RuleConfig
) -> None:
    """Two process facilitators and a records manager still lack the archivist."""
    snapshot = _workgroup(make, "procesbegeleider", "procesbegeleider", "informatiebeheerder")
    verdict = workgroup.required_roles.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
    assert verdict.data["missing"] == ["archivaris"]


def test_required_roles_follow_the_configuration(make: Make, config: RuleConfig) -> None:
    """With only the archivist required, a workgroup of one archivist passes."""
    custom = replace(config, roles=replace(config.roles, required=("archivaris",)))
    verdict = workgroup.required_roles.evaluate(_workgroup(make, "archivaris"), custom)
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == "1 van 1 verplichte rollen vervuld"


# -- planning.milestones_set ----------------------------------------------------------------


def test_planning_with_every_milestone_set_passes(make: Make, config: RuleConfig) -> None:
    """All ten milestones set passes with 10 of 10."""
    verdict = planning.milestones_set.evaluate(_planning(make.milestones()), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "planning.milestones_set"
    assert verdict.figures.nl == "10 van 10 mijlpalen vastgelegd"
    assert verdict.figures.en == "10 of 10 milestones set"


def test_planning_without_publication_date_fails_and_names_it(
    make: Make, config: RuleConfig
) -> None:
    """A missing publication milestone fails and is named in both languages."""
    milestones = make.milestones()
    del milestones["publication"]
    verdict = planning.milestones_set.evaluate(_planning(milestones), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "9 van 10 mijlpalen vastgelegd; ontbreekt: publication"
    assert verdict.figures.en == "9 of 10 milestones set; missing: publication"
    assert verdict.data["missing"] == ["publication"]


# -- planning.milestone_order ---------------------------------------------------------------


def test_strictly_increasing_milestones_are_in_order(make: Make, config: RuleConfig) -> None:
    """Milestones one day apart each are in order."""
    verdict = planning.milestone_order.evaluate(_planning(make.milestones(gap_days=1)), config)
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == "10 mijlpalen op volgorde"
    assert verdict.figures.en == "10 milestones in order"


def test_two_milestones_on_the_same_day_are_out_of_order(make: Make, config: RuleConfig) -> None:
    """A first session on the nomination deadline itself fails: each must be strictly later."""
    milestones = make.milestones()
    milestones["nomination_deadline"] = milestones["first_session"] = date(2026, 3, 12)
    verdict = planning.milestone_order.evaluate(_planning(milestones), config)
    assert verdict.status is Status.FAILED
    assert verdict.code == "planning.milestone_order"
    assert verdict.figures.nl == (
        "first_session (12 maart 2026) ligt niet na nomination_deadline (12 maart 2026)"
    )
    assert verdict.figures.en == (
        "first_session (12 March 2026) is not after nomination_deadline (12 March 2026)"
    )
    assert verdict.data["out_of_order"] == [["nomination_deadline", "first_session"]]


def test_a_milestone_before_its_predecessor_is_reported_with_english_dates(
    make: Make, config: RuleConfig
) -> None:
    """An RSVP deadline before the invitations fails with the dates spelled out in English."""
    milestones = make.milestones(start=date(2026, 3, 12))
    milestones["rsvp_deadline"] = date(2026, 3, 1)
    verdict = planning.milestone_order.evaluate(_planning(milestones), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.en == (
        "rsvp_deadline (1 March 2026) is not after invitations_sent (12 March 2026)"
    )
    assert verdict.figures.nl == (
        "rsvp_deadline (1 maart 2026) ligt niet na invitations_sent (12 maart 2026)"
    )


def test_milestone_order_compares_with_the_previous_milestone_that_is_set(
    make: Make, config: RuleConfig
) -> None:
    """With the nomination deadline unset, a first session before the RSVP deadline fails."""
    milestones = make.milestones()
    del milestones["nomination_deadline"]
    milestones["first_session"] = milestones["rsvp_deadline"] - timedelta(days=1)
    verdict = planning.milestone_order.evaluate(_planning(milestones), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["out_of_order"] == [["rsvp_deadline", "first_session"]]


def test_gaps_in_the_milestones_do_not_break_the_order(make: Make, config: RuleConfig) -> None:
    """Unset milestones are skipped; the ones that are set are still in order."""
    milestones = make.milestones()
    for key in ("nomination_deadline", "archivist_advice", "inventory_done"):
        del milestones[key]
    verdict = planning.milestone_order.evaluate(_planning(milestones), config)
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == "7 mijlpalen op volgorde"


def test_every_wrong_pair_is_listed(make: Make, config: RuleConfig) -> None:
    """Two separate order errors are both reported, not just the first."""
    milestones = make.milestones()
    milestones["rsvp_deadline"] = milestones["invitations_sent"]
    milestones["publication"] = milestones["inventory_done"] - timedelta(days=3)
    verdict = planning.milestone_order.evaluate(_planning(milestones), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["out_of_order"] == [
        ["invitations_sent", "rsvp_deadline"],
        ["inventory_done", "publication"],
    ]
    assert verdict.figures.nl.count("ligt niet na") == 2


def test_milestone_order_is_not_deviable(make: Make, config: RuleConfig) -> None:
    """A recorded deviation does not set aside an order error."""
    milestones = make.milestones()
    milestones["decision"] = milestones["proposal_to_body"]
    snapshot = _planning(milestones, planning__milestone_order="de vergadering viel samen")
    verdict = planning.milestone_order.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
    assert verdict.deviable is False
    assert verdict.deviation_reason is None


# -- lead times -----------------------------------------------------------------------------


def test_rsvp_deadline_ten_days_after_invitations_passes(config: RuleConfig) -> None:
    """Exactly the minimum of 10 days to answer passes."""
    verdict = planning.rsvp_lead_time.evaluate(_planning(_lead(days_rsvp=10)), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "planning.rsvp_lead_time"
    assert verdict.figures.nl == "10 dagen, minimaal 10"
    assert verdict.figures.en == "10 days, at least 10"


def test_rsvp_deadline_nine_days_after_invitations_fails(config: RuleConfig) -> None:
    """One day less than the minimum fails with the figures in both languages."""
    verdict = planning.rsvp_lead_time.evaluate(_planning(_lead(days_rsvp=9)), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "9 dagen, minimaal 10"
    assert verdict.figures.en == "9 days, at least 10"
    assert verdict.data == {"days": 9, "minimum": 10}
    assert "invitations_sent" in verdict.message.nl
    assert "rsvp_deadline" in verdict.message.en


def test_first_session_twenty_one_days_after_invitations_passes(config: RuleConfig) -> None:
    """Exactly the minimum of 21 days of notice passes."""
    verdict = planning.session_lead_time.evaluate(_planning(_lead(days_first=21)), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "planning.session_lead_time"
    assert verdict.figures.nl == "21 dagen, minimaal 21"


def test_first_session_twenty_days_after_invitations_fails(config: RuleConfig) -> None:
    """One day less than 21 days of notice fails."""
    verdict = planning.session_lead_time.evaluate(_planning(_lead(days_first=20)), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "20 dagen, minimaal 21"
    assert verdict.figures.en == "20 days, at least 21"


def test_rsvp_deadline_before_invitations_gives_negative_days_and_fails(
    config: RuleConfig,
) -> None:
    """A deadline before the invitations counts negative days and fails."""
    verdict = planning.rsvp_lead_time.evaluate(_planning(_lead(days_rsvp=-3)), config)
    assert verdict.status is Status.FAILED
    assert verdict.data["days"] == -3


@pytest.mark.parametrize(
    ("rule_code", "missing"),
    [
        ("planning.rsvp_lead_time", "invitations_sent"),
        ("planning.rsvp_lead_time", "rsvp_deadline"),
        ("planning.session_lead_time", "invitations_sent"),
        ("planning.session_lead_time", "first_session"),
    ],
)
def test_lead_time_is_not_applicable_until_both_dates_are_set(
    config: RuleConfig, rule_code: str, missing: str
) -> None:
    """A lead-time rule with one of its two dates unset is not applicable, not failed."""
    rule = {r.code: r for r in planning.RULES}[rule_code]
    milestones = _lead()
    del milestones[missing]
    verdict = rule.evaluate(_planning(milestones), config)
    assert verdict.status is Status.NOT_APPLICABLE
    assert not verdict.blocks
    assert "is nog niet vastgelegd" in verdict.figures.nl
    assert "is not set yet" in verdict.figures.en


def test_lead_time_minimum_follows_the_configuration(config: RuleConfig) -> None:
    """With a 14-day RSVP minimum configured, 13 days fails and 14 passes."""
    custom = replace(config, planning=replace(config.planning, min_days_invitations_to_rsvp=14))
    short = planning.rsvp_lead_time.evaluate(_planning(_lead(days_rsvp=13)), custom)
    enough = planning.rsvp_lead_time.evaluate(_planning(_lead(days_rsvp=14)), custom)
    assert short.status is Status.FAILED
    assert enough.status is Status.PASSED
    assert enough.figures.nl == "14 dagen, minimaal 14"


def test_short_rsvp_lead_time_with_a_deviation_is_deviated(config: RuleConfig) -> None:
    """A too-short RSVP time with a recorded reason becomes DEVIATED and no longer blocks."""
    snapshot = _planning(_lead(days_rsvp=7), planning__rsvp_lead_time="zomervakantie")
    verdict = planning.rsvp_lead_time.evaluate(snapshot, config)
    assert verdict.status is Status.DEVIATED
    assert verdict.deviation_reason == "zomervakantie"
    assert not verdict.blocks
    assert verdict.figures.nl == "7 dagen, minimaal 10"


def test_planning_has_exactly_the_four_documented_rules_in_order() -> None:
    """Leaving the planning checks milestones set, their order and both lead times, in order."""
    assert [r.code for r in planning.RULES] == [
        "planning.milestones_set",
        "planning.milestone_order",
        "planning.rsvp_lead_time",
        "planning.session_lead_time",
    ]
