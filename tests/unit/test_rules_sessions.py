"""Exit rules of the expert sessions: balanced attendance and a sound concept list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from states.config import RuleConfig
from states.phases import Phase
from states.rules import sessions
from states.rules.sessions import count_session
from states.snapshot import Candidate, Expert, Perspective, ProcedureSnapshot, Session
from states.verdicts import Status

if TYPE_CHECKING:
    from conftest import Make


def _at_sessions(
    experts: tuple[Expert, ...] = (),
    held: tuple[Session, ...] = (),
    candidates: tuple[Candidate, ...] = (),
    empty_list_reason: str | None = None,
    deviations: dict[str, str] | None = None,
) -> ProcedureSnapshot:
    return ProcedureSnapshot(
        phase=Phase.SESSIONS,
        experts=experts,
        sessions=held,
        candidates=candidates,
        empty_list_reason=empty_list_reason,
        deviations=deviations or {},
    )


def _split(experts: tuple[Expert, ...]) -> tuple[list[Expert], list[Expert]]:
    inside = [e for e in experts if e.perspective is Perspective.INTERNAL]
    outside = [e for e in experts if e.perspective is Perspective.EXTERNAL]
    return inside, outside


def _by_id(experts: tuple[Expert, ...]) -> dict[int, Expert]:
    return {e.id: e for e in experts}


# -- count_session --------------------------------------------------------------------------


def test_two_internal_and_two_external_attendees_count(make: Make, config: RuleConfig) -> None:
    """Four attendees, two of each perspective, is the smallest session that counts."""
    experts = make.panel(2, 2)
    result = count_session(make.session(experts), _by_id(experts), config.sessions)
    assert result.counts
    assert (result.internal, result.external) == (2, 2)
    assert result.problems == ()


def test_three_attendees_do_not_count_and_every_reason_is_given(
    make: Make, config: RuleConfig
) -> None:
    """Two internal and one external attendee fails on size, on the external count and on share."""
    experts = make.panel(2, 1)
    result = count_session(make.session(experts), _by_id(experts), config.sessions)
    assert not result.counts
    assert [p.nl for p in result.problems] == [
        "3 aanwezigen, minimaal 4",
        "2 van 3 intern (67%), maximaal 65%",
        "1 extern, minimaal 2 per perspectief",
    ]
    assert [p.en for p in result.problems] == [
        "3 attended, at least 4",
        "2 of 3 internal (67%), at most 65%",
        "1 external, at least 2 per perspective",
    ]


def test_four_internal_attendees_without_externals_do_not_count(
    make: Make, config: RuleConfig
) -> None:
    """Enough people, but the society perspective is absent and the internal one overwhelming."""
    experts = make.panel(4, 0)
    result = count_session(make.session(experts), _by_id(experts), config.sessions)
    assert not result.counts
    assert [p.nl for p in result.problems] == [
        "4 van 4 intern (100%), maximaal 65%",
        "0 extern, minimaal 2 per perspectief",
    ]


def test_five_internal_and_two_external_is_an_overwhelming_perspective(
    make: Make, config: RuleConfig
) -> None:
    """Five of seven internal (71%) exceeds 65%, so the session does not count."""
    experts = make.panel(5, 2)
    result = count_session(make.session(experts), _by_id(experts), config.sessions)
    assert not result.counts
    assert [p.nl for p in result.problems] == ["5 van 7 intern (71%), maximaal 65%"]
    assert [p.en for p in result.problems] == ["5 of 7 internal (71%), at most 65%"]


def test_thirteen_of_twenty_from_one_perspective_is_exactly_sixty_five_percent_and_counts(
    make: Make, config: RuleConfig
) -> None:
    """13 internal of 20 attendees is exactly the 65% maximum and counts."""
    experts = make.panel(13, 7)
    result = count_session(make.session(experts), _by_id(experts), config.sessions)
    assert config.sessions.max_perspective_percent == 65
    assert result.counts


def test_fourteen_of_twenty_from_one_perspective_does_not_count(
    make: Make, config: RuleConfig
) -> None:
    """14 external of 20 attendees (70%) exceeds the maximum."""
    experts = make.panel(6, 14)
    result = count_session(make.session(experts), _by_id(experts), config.sessions)
    assert not result.counts
    assert [p.en for p in result.problems] == ["14 of 20 external (70%), at most 65%"]


def test_attendees_who_are_not_known_experts_are_ignored(make: Make, config: RuleConfig) -> None:
    """Unknown attendee ids do not make a three-person session count."""
    experts = make.panel(2, 1)
    session = make.session([*experts, 901, 902])
    result = count_session(session, _by_id(experts), config.sessions)
    assert not result.counts
    assert (result.internal, result.external) == (2, 1)


def test_attendance_thresholds_follow_the_configuration(make: Make, config: RuleConfig) -> None:
    """With at least three per perspective configured, two of each no longer counts."""
    custom = replace(config.sessions, min_attendees_per_perspective=3)
    experts = make.panel(2, 2)
    result = count_session(make.session(experts), _by_id(experts), custom)
    assert not result.counts
    assert [p.nl for p in result.problems] == [
        "2 intern, minimaal 3 per perspectief",
        "2 extern, minimaal 3 per perspectief",
    ]


# -- sessions.held --------------------------------------------------------------------------


def test_two_balanced_sessions_are_enough(make: Make, config: RuleConfig) -> None:
    """Two sessions that both count meet the minimum of two."""
    experts = make.panel(3, 3)
    held = (make.session(experts), make.session(experts))
    verdict = sessions.sessions_held.evaluate(_at_sessions(experts, held), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "sessions.held"
    assert verdict.figures.nl == "2 van 2 bijeenkomsten tellen mee, minimaal 2"
    assert verdict.figures.en == "2 of 2 sessions count, at least 2"


def test_an_unbalanced_session_is_named_with_its_date_and_reason(
    make: Make, config: RuleConfig
) -> None:
    """One good and one internal-heavy session fails, naming the session, date and reason."""
    experts = make.panel(5, 2)
    inside, outside = _split(experts)
    good = make.session([*inside[:2], *outside], at=datetime(2026, 2, 26, 19, 30), session_id=1)
    bad = make.session(experts, at=datetime(2026, 3, 12, 19, 30), session_id=2)
    verdict = sessions.sessions_held.evaluate(_at_sessions(experts, (bad, good)), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == (
        "1 van 2 bijeenkomsten tellen mee, minimaal 2; bijeenkomst 2 (12 maart 2026) telt niet: "
        "5 van 7 intern (71%), maximaal 65%"
    )
    assert verdict.figures.en == (
        "1 of 2 sessions count, at least 2; session 2 (12 March 2026) does not count: "
        "5 of 7 internal (71%), at most 65%"
    )
    assert verdict.data["held"] == 1
    assert verdict.data["sessions"] == 2
    assert verdict.data["not_counted"] == {"2": ["5 van 7 intern (71%), maximaal 65%"]}


def test_sessions_that_do_not_count_are_listed_in_date_order(
    make: Make, config: RuleConfig
) -> None:
    """Two failing sessions are reported by date, not by the order they were given in."""
    experts = make.panel(2, 1)
    later = make.session(experts, at=datetime(2026, 4, 2, 19, 0), session_id=7)
    earlier = make.session(experts, at=datetime(2026, 3, 5, 19, 0), session_id=9)
    verdict = sessions.sessions_held.evaluate(_at_sessions(experts, (later, earlier)), config)
    assert verdict.status is Status.FAILED
    text = verdict.figures.nl
    assert text.index("bijeenkomst 9 (5 maart 2026)") < text.index("bijeenkomst 7 (2 april 2026)")


def test_no_sessions_held_fails(config: RuleConfig) -> None:
    """Without sessions the minimum of two is not met."""
    verdict = sessions.sessions_held.evaluate(_at_sessions(), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "0 van 0 bijeenkomsten tellen mee, minimaal 2"


def test_one_session_short_with_a_deviation_is_deviated(make: Make, config: RuleConfig) -> None:
    """A single good session with a recorded reason is DEVIATED and keeps its figures."""
    experts = make.panel(2, 2)
    snapshot = _at_sessions(
        experts, (make.session(experts),), deviations={"sessions.held": "tweede sessie uitgevallen"}
    )
    verdict = sessions.sessions_held.evaluate(snapshot, config)
    assert verdict.status is Status.DEVIATED
    assert verdict.deviation_reason == "tweede sessie uitgevallen"
    assert verdict.figures.nl.startswith("1 van 1 bijeenkomsten tellen mee")


# -- sessions.candidates_assessed -----------------------------------------------------------


def test_an_unassessed_candidate_blocks(make: Make, config: RuleConfig) -> None:
    """A candidate not yet assessed fails the rule and is named by id and title."""
    expert = make.expert()
    done = make.candidate(expert, title="COVID-19", candidate_id=1)
    open_ = make.candidate(expert, title="Terugkeer van de wolf", assessed=False, candidate_id=2)
    verdict = sessions.candidates_assessed.evaluate(
        _at_sessions((expert,), candidates=(done, open_)), config
    )
    assert verdict.status is Status.FAILED
    assert verdict.code == "sessions.candidates_assessed"
    assert verdict.figures.nl == "1 van 2 kandidaten beoordeeld; open: 2 Terugkeer van de wolf"
    assert verdict.figures.en == "1 of 2 candidates assessed; open: 2 Terugkeer van de wolf"
    assert verdict.data["unassessed"] == [2]


def test_every_candidate_assessed_passes_whether_included_or_not(
    make: Make, config: RuleConfig
) -> None:
    """Assessed candidates pass, including those the sessions left off the list."""
    expert = make.expert()
    candidates = (make.candidate(expert), make.candidate(expert, included=False, criteria=()))
    verdict = sessions.candidates_assessed.evaluate(
        _at_sessions((expert,), candidates=candidates), config
    )
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == "2 van 2 kandidaten beoordeeld"


def test_candidates_assessed_cannot_be_set_aside(make: Make, config: RuleConfig) -> None:
    """The rule is not deviable: a recorded reason leaves it FAILED."""
    expert = make.expert()
    snapshot = _at_sessions(
        (expert,),
        candidates=(make.candidate(expert, assessed=False),),
        deviations={"sessions.candidates_assessed": "geen tijd"},
    )
    verdict = sessions.candidates_assessed.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
    assert verdict.deviation_reason is None


# -- sessions.concept_list_criteria ---------------------------------------------------------


def test_included_candidate_without_criteria_blocks(make: Make, config: RuleConfig) -> None:
    """A hotspot on the concept list that meets no criterion fails."""
    expert = make.expert()
    weak = make.candidate(expert, title="Laagvliegroutes", criteria=(), candidate_id=4)
    verdict = sessions.concept_list_criteria.evaluate(
        _at_sessions((expert,), candidates=(weak,)), config
    )
    assert verdict.status is Status.FAILED
    assert verdict.code == "sessions.concept_list_criteria"
    assert (
        verdict.figures.nl == "0 van 1 in orde; zonder criterium of motivering: 4 Laagvliegroutes"
    )
    assert (
        verdict.figures.en == "0 of 1 in order; without criterion or motivation: 4 Laagvliegroutes"
    )
    assert verdict.data["insufficient"] == [4]


@pytest.mark.parametrize("motivation", ["", "   ", "\n\t"])
def test_included_candidate_with_blank_motivation_blocks(
    make: Make, config: RuleConfig, motivation: str
) -> None:
    """A criterion without a real motivation is not enough."""
    expert = make.expert()
    weak = make.candidate(expert, motivation=motivation)
    verdict = sessions.concept_list_criteria.evaluate(
        _at_sessions((expert,), candidates=(weak,)), config
    )
    assert verdict.status is Status.FAILED
    assert verdict.data["insufficient"] == [weak.id]


def test_candidates_left_off_the_list_need_no_criteria(make: Make, config: RuleConfig) -> None:
    """Only included, assessed candidates are checked for criteria and motivation."""
    expert = make.expert()
    candidates = (
        make.candidate(expert),
        make.candidate(expert, included=False, criteria=(), motivation=""),
        make.candidate(expert, assessed=False, criteria=(), motivation=""),
    )
    verdict = sessions.concept_list_criteria.evaluate(
        _at_sessions((expert,), candidates=candidates), config
    )
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == "1 van 1 in orde"


# -- sessions.nomination_balance ------------------------------------------------------------


def _nominated(make: Make, internal: int, external: int) -> ProcedureSnapshot:
    experts = make.panel(2, 2)
    inside, outside = _split(experts)
    candidates = (
        *(make.candidate(inside[i % 2]) for i in range(internal)),
        *(make.candidate(outside[i % 2]) for i in range(external)),
    )
    return _at_sessions(experts, candidates=candidates)


def test_three_of_four_nominated_by_one_side_is_exactly_the_maximum(
    make: Make, config: RuleConfig
) -> None:
    """3 of 4 entries from the internal side is 75% and passes."""
    verdict = sessions.nomination_balance.evaluate(_nominated(make, 3, 1), config)
    assert verdict.status is Status.PASSED
    assert verdict.code == "sessions.nomination_balance"
    assert verdict.figures.nl == "3 van 4 voorgedragen door intern perspectief (75%), maximaal 75%"
    assert verdict.figures.en == ("3 of 4 nominated by the internal perspective (75%), at most 75%")
    assert verdict.data == {"internal": 3, "external": 1}


def test_four_of_four_nominated_by_one_side_fails(make: Make, config: RuleConfig) -> None:
    """All four entries from the internal side is 100% and fails."""
    verdict = sessions.nomination_balance.evaluate(_nominated(make, 4, 0), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl.startswith("4 van 4 voorgedragen door intern perspectief (100%)")


def test_external_domination_of_the_list_fails_too(make: Make, config: RuleConfig) -> None:
    """Four of five entries from the society side (80%) fails and names that side."""
    verdict = sessions.nomination_balance.evaluate(_nominated(make, 1, 4), config)
    assert verdict.status is Status.FAILED
    assert verdict.figures.nl == "4 van 5 voorgedragen door extern perspectief (80%), maximaal 75%"
    assert verdict.figures.en.startswith("4 of 5 nominated by the external perspective (80%)")


def test_three_of_three_from_one_side_is_not_applicable(make: Make, config: RuleConfig) -> None:
    """Below four entries the balance rule does not apply, so it does not block."""
    verdict = sessions.nomination_balance.evaluate(_nominated(make, 3, 0), config)
    assert verdict.status is Status.NOT_APPLICABLE
    assert not verdict.blocks
    assert verdict.figures.nl == "3 hotspots op de lijst; de regel geldt vanaf 4"
    assert verdict.figures.en == "3 hotspots on the list; the rule applies from 4"


def test_only_the_concept_list_counts_for_nomination_balance(
    make: Make, config: RuleConfig
) -> None:
    """Internal nominations left off the list do not tip a balanced list."""
    experts = make.panel(2, 2)
    inside, outside = _split(experts)
    candidates = (
        make.candidate(inside[0]),
        make.candidate(inside[1]),
        make.candidate(outside[0]),
        make.candidate(outside[1]),
        *(make.candidate(inside[0], included=False) for _ in range(5)),
        make.candidate(inside[1], assessed=False),
    )
    verdict = sessions.nomination_balance.evaluate(
        _at_sessions(experts, candidates=candidates), config
    )
    assert verdict.status is Status.PASSED
    assert verdict.data == {"internal": 2, "external": 2}


def test_unbalanced_nominations_with_a_deviation_are_deviated(
    make: Make, config: RuleConfig
) -> None:
    """The nomination balance can be set aside with a recorded reason."""
    snapshot = replace(
        _nominated(make, 4, 0),
        deviations={"sessions.nomination_balance": "externe experts droegen niets voor"},
    )
    verdict = sessions.nomination_balance.evaluate(snapshot, config)
    assert verdict.status is Status.DEVIATED
    assert verdict.deviation_reason == "externe experts droegen niets voor"


# -- sessions.concept_list_not_empty --------------------------------------------------------


def test_empty_concept_list_without_reason_fails(make: Make, config: RuleConfig) -> None:
    """A concept list with nothing on it and no recorded reason fails."""
    expert = make.expert()
    snapshot = _at_sessions((expert,), candidates=(make.candidate(expert, included=False),))
    verdict = sessions.concept_list_not_empty.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
    assert verdict.code == "sessions.concept_list_not_empty"
    assert verdict.figures.nl == "0 hotspots op de conceptlijst"
    assert verdict.figures.en == "0 hotspots on the concept list"


def test_empty_concept_list_with_a_reason_passes(config: RuleConfig) -> None:
    """An empty list with its reason recorded passes and shows the reason."""
    snapshot = _at_sessions(empty_list_reason="geen gebeurtenissen die aan de criteria voldoen")
    verdict = sessions.concept_list_not_empty.evaluate(snapshot, config)
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == (
        "lege lijst, reden vastgelegd: geen gebeurtenissen die aan de criteria voldoen"
    )
    assert verdict.figures.en == (
        "empty list, reason: geen gebeurtenissen die aan de criteria voldoen"
    )


def test_non_empty_concept_list_passes(make: Make, config: RuleConfig) -> None:
    """Two included hotspots pass and are counted."""
    expert = make.expert()
    snapshot = _at_sessions((expert,), candidates=(make.candidate(expert), make.candidate(expert)))
    verdict = sessions.concept_list_not_empty.evaluate(snapshot, config)
    assert verdict.status is Status.PASSED
    assert verdict.figures.nl == "2 hotspots op de conceptlijst"
    assert verdict.data == {"size": 2}


def test_empty_concept_list_cannot_be_set_aside_by_a_deviation(config: RuleConfig) -> None:
    """The not-empty rule is not deviable; the way out is the recorded empty-list reason."""
    snapshot = _at_sessions(deviations={"sessions.concept_list_not_empty": "leeg"})
    verdict = sessions.concept_list_not_empty.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED


def test_session_rules_run_in_the_documented_order() -> None:
    """The six session exit rules are evaluated in a fixed order, which the refusal follows."""
    assert [r.code for r in sessions.RULES] == [
        "sessions.held",
        "sessions.candidates_assessed",
        "sessions.concept_list_criteria",
        "sessions.nomination_balance",
        "sessions.concept_list_not_empty",
        "sessions.list_changed_after_return",
    ]


def test_a_blank_reason_does_not_excuse_an_empty_concept_list(config: RuleConfig) -> None:
    """Spaces alone are no recorded reason for an empty list."""
    snapshot = ProcedureSnapshot(phase=Phase.SESSIONS, empty_list_reason="   ")
    verdict = sessions.concept_list_not_empty.evaluate(snapshot, config)
    assert verdict.status is Status.FAILED
