"""Property tests: the balance rules agree with independent oracles over many inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from states.config import MILESTONE_ORDER, RuleConfig, SessionConfig
from states.i18n import LANGUAGES, format_date, percent
from states.phases import Phase
from states.rules import EXIT_RULES, RULES_BY_CODE, panel, planning, sessions
from states.rules.sessions import count_session
from states.snapshot import (
    Candidate,
    Expert,
    Perspective,
    ProcedureSnapshot,
    Response,
    Session,
)
from states.verdicts import Status

PERSPECTIVES = st.sampled_from(list(Perspective))
RESPONSES = st.sampled_from(list(Response))
PERCENT = st.integers(min_value=0, max_value=100)


def _expert(eid: int, perspective: Perspective, response: Response = Response.ACCEPTED) -> Expert:
    return Expert(eid, f"Expert {eid}", f"e{eid}@example.nl", perspective, "beleid", response)


def _experts(
    perspectives: list[Perspective], responses: list[Response] | None = None
) -> tuple[Expert, ...]:
    answers = responses or [Response.ACCEPTED] * len(perspectives)
    return tuple(
        _expert(i, p, r)
        for i, (p, r) in enumerate(zip(perspectives, answers, strict=False), start=1)
    )


@st.composite
def bounds(draw: st.DrawFn) -> tuple[int, int]:
    low = draw(PERCENT)
    return low, draw(st.integers(min_value=low, max_value=100))


@st.composite
def session_configs(draw: st.DrawFn) -> SessionConfig:
    return SessionConfig(
        min_held=draw(st.integers(0, 5)),
        min_attendees=draw(st.integers(0, 12)),
        min_attendees_per_perspective=draw(st.integers(0, 6)),
        max_perspective_percent=draw(PERCENT),
        max_nomination_percent=draw(PERCENT),
        nomination_balance_min_entries=draw(st.integers(0, 12)),
    )


# -- panel ----------------------------------------------------------------------------------


@given(
    internal=st.integers(0, 40),
    external=st.integers(0, 40),
    declined_external=st.integers(0, 5),
    limits=bounds(),
)
def test_external_share_passes_exactly_when_the_fraction_is_within_bounds(
    config: RuleConfig,
    internal: int,
    external: int,
    declined_external: int,
    limits: tuple[int, int],
) -> None:
    """panel.external_share passes iff min% <= external/accepted <= max% with exact fractions."""
    low, high = limits
    custom = replace(
        config, panel=replace(config.panel, min_external_percent=low, max_external_percent=high)
    )
    perspectives = [Perspective.INTERNAL] * internal + [Perspective.EXTERNAL] * (
        external + declined_external
    )
    responses = [Response.ACCEPTED] * (internal + external) + [
        Response.DECLINED
    ] * declined_external
    snapshot = ProcedureSnapshot(
        phase=Phase.EXPERT_SELECTION, experts=_experts(perspectives, responses)
    )
    verdict = panel.external_share.evaluate(snapshot, custom)
    total = internal + external
    expected = total > 0 and Fraction(low, 100) <= Fraction(external, total) <= Fraction(high, 100)
    assert (verdict.status is Status.PASSED) == expected
    assert verdict.status in (Status.PASSED, Status.FAILED)
    assert verdict.figures.nl.startswith(f"{external} van {total} experts extern")


@given(perspectives=st.lists(PERSPECTIVES, max_size=25), responses=st.lists(RESPONSES, max_size=25))
def test_panel_size_counts_only_accepted_experts(
    config: RuleConfig, perspectives: list[Perspective], responses: list[Response]
) -> None:
    """panel.size passes iff the number of accepted experts lies within the configured range."""
    n = min(len(perspectives), len(responses))
    experts = _experts(perspectives[:n], responses[:n])
    snapshot = ProcedureSnapshot(phase=Phase.EXPERT_SELECTION, experts=experts)
    verdict = panel.panel_size.evaluate(snapshot, config)
    accepted = responses[:n].count(Response.ACCEPTED)
    assert verdict.data["accepted"] == accepted
    assert (verdict.status is Status.PASSED) == (6 <= accepted <= 16)


# -- sessions -------------------------------------------------------------------------------


@given(
    perspectives=st.lists(PERSPECTIVES, max_size=30),
    present=st.sets(st.integers(1, 40)),
    cfg=session_configs(),
)
def test_count_session_agrees_with_an_independent_oracle(
    perspectives: list[Perspective], present: set[int], cfg: SessionConfig
) -> None:
    """A session counts iff it has enough attendees, enough of each side and no side too large."""
    experts = {e.id: e for e in _experts(perspectives)}
    session = Session(id=1, at=datetime(2026, 3, 12, 19, 30), attendee_ids=frozenset(present))
    result = count_session(session, experts, cfg)

    known = [experts[i] for i in present if i in experts]
    internal = sum(e.perspective is Perspective.INTERNAL for e in known)
    external = sum(e.perspective is Perspective.EXTERNAL for e in known)
    total = internal + external
    limit = Fraction(cfg.max_perspective_percent, 100)
    expected = (
        total >= cfg.min_attendees
        and internal >= cfg.min_attendees_per_perspective
        and external >= cfg.min_attendees_per_perspective
        and (
            total == 0
            or (Fraction(internal, total) <= limit and Fraction(external, total) <= limit)
        )
    )
    assert (result.internal, result.external) == (internal, external)
    assert result.counts == expected
    assert result.counts == (result.problems == ())


@given(
    attendance=st.lists(st.sets(st.integers(1, 12)), max_size=6),
    perspectives=st.lists(PERSPECTIVES, min_size=12, max_size=12),
)
def test_sessions_held_counts_the_sessions_that_count(
    config: RuleConfig, attendance: list[set[int]], perspectives: list[Perspective]
) -> None:
    """sessions.held reports as held exactly the sessions count_session accepts."""
    experts = _experts(perspectives)
    held = tuple(
        Session(i, datetime(2026, 1, 1, 19) + timedelta(days=7 * i), frozenset(ids))
        for i, ids in enumerate(attendance, start=1)
    )
    snapshot = ProcedureSnapshot(phase=Phase.SESSIONS, experts=experts, sessions=held)
    verdict = sessions.sessions_held.evaluate(snapshot, config)
    by_id = {e.id: e for e in experts}
    counted = sum(count_session(s, by_id, config.sessions).counts for s in held)
    assert verdict.data["held"] == counted
    assert verdict.data["sessions"] == len(held)
    assert (verdict.status is Status.PASSED) == (counted >= config.sessions.min_held)
    assert len(verdict.data["not_counted"]) == len(held) - counted


@st.composite
def concept_lists(draw: st.DrawFn) -> tuple[tuple[Expert, ...], tuple[Candidate, ...]]:
    experts = _experts(draw(st.lists(PERSPECTIVES, min_size=1, max_size=6)))
    candidates = tuple(
        Candidate(
            id=i,
            title=f"Kandidaat {i}",
            period_start=date(2020, 1, 1),
            period_end=None,
            nominated_by=draw(st.sampled_from(experts)).id,
            assessed=draw(st.booleans()),
            included=draw(st.booleans()),
            criteria=(1,),
            motivation="motivering",
        )
        for i in range(1, draw(st.integers(0, 14)) + 1)
    )
    return experts, candidates


@given(data=concept_lists(), cfg=session_configs())
def test_nomination_balance_never_fails_below_the_minimum_entries(
    config: RuleConfig,
    data: tuple[tuple[Expert, ...], tuple[Candidate, ...]],
    cfg: SessionConfig,
) -> None:
    """With fewer concept-list entries than the minimum, the rule is not applicable."""
    experts, candidates = data
    snapshot = ProcedureSnapshot(phase=Phase.SESSIONS, experts=experts, candidates=candidates)
    verdict = sessions.nomination_balance.evaluate(snapshot, replace(config, sessions=cfg))
    listed = [c for c in candidates if c.assessed and c.included]
    if len(listed) < cfg.nomination_balance_min_entries:
        assert verdict.status is Status.NOT_APPLICABLE
    else:
        assert verdict.status in (Status.PASSED, Status.FAILED)


@given(data=concept_lists(), cfg=session_configs())
def test_nomination_balance_agrees_with_an_exact_share_oracle(
    config: RuleConfig,
    data: tuple[tuple[Expert, ...], tuple[Candidate, ...]],
    cfg: SessionConfig,
) -> None:
    """Once applicable, the rule passes iff neither side nominated more than the maximum share."""
    experts, candidates = data
    snapshot = ProcedureSnapshot(phase=Phase.SESSIONS, experts=experts, candidates=candidates)
    verdict = sessions.nomination_balance.evaluate(snapshot, replace(config, sessions=cfg))
    side = {e.id: e.perspective for e in experts}
    listed = [c for c in candidates if c.assessed and c.included]
    if not listed or len(listed) < cfg.nomination_balance_min_entries:
        return
    internal = sum(side[c.nominated_by] is Perspective.INTERNAL for c in listed)
    larger = max(internal, len(listed) - internal)
    expected = Fraction(larger, len(listed)) <= Fraction(cfg.max_nomination_percent, 100)
    assert (verdict.status is Status.PASSED) == expected
    assert verdict.data == {"internal": internal, "external": len(listed) - internal}


# -- planning -------------------------------------------------------------------------------


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    gaps=st.lists(
        st.integers(-5, 60), min_size=len(MILESTONE_ORDER), max_size=len(MILESTONE_ORDER)
    ),
    present=st.lists(st.booleans(), min_size=len(MILESTONE_ORDER), max_size=len(MILESTONE_ORDER)),
)
def test_milestone_order_passes_iff_the_set_dates_strictly_increase(
    config: RuleConfig, start: date, gaps: list[int], present: list[bool]
) -> None:
    """milestone_order passes exactly when the milestones that are set strictly increase."""
    day, milestones = start, {}
    for key, gap, is_set in zip(MILESTONE_ORDER, gaps, present, strict=True):
        day += timedelta(days=gap)
        if is_set:
            milestones[key] = day
    snapshot = ProcedureSnapshot(phase=Phase.PLANNING, milestones=milestones)
    verdict = planning.milestone_order.evaluate(snapshot, config)
    dates = [milestones[k] for k in MILESTONE_ORDER if k in milestones]
    increasing = all(a < b for a, b in pairwise(dates))
    assert (verdict.status is Status.PASSED) == increasing


@given(
    sent=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    days=st.integers(-30, 60),
    minimum=st.integers(0, 60),
)
def test_rsvp_lead_time_passes_iff_the_days_reach_the_minimum(
    config: RuleConfig, sent: date, days: int, minimum: int
) -> None:
    """The RSVP lead time passes exactly when the deadline is at least `minimum` days later."""
    custom = replace(
        config, planning=replace(config.planning, min_days_invitations_to_rsvp=minimum)
    )
    milestones = {"invitations_sent": sent, "rsvp_deadline": sent + timedelta(days=days)}
    snapshot = ProcedureSnapshot(phase=Phase.PLANNING, milestones=milestones)
    verdict = planning.rsvp_lead_time.evaluate(snapshot, custom)
    assert (verdict.status is Status.PASSED) == (days >= minimum)
    assert verdict.data == {"days": days, "minimum": minimum}


# -- deviations -----------------------------------------------------------------------------


@settings(max_examples=50)
@given(
    code=st.sampled_from(sorted(RULES_BY_CODE)),
    phase=st.sampled_from([p for p, rules in EXIT_RULES.items() if rules]),
    reason=st.text(min_size=1, max_size=20),
)
def test_a_deviation_changes_only_a_failing_deviable_verdict(
    config: RuleConfig, code: str, phase: Phase, reason: str
) -> None:
    """On an empty snapshot, a deviation turns FAILED into DEVIATED iff the rule is deviable."""
    rule = RULES_BY_CODE[code]
    plain = rule.evaluate(ProcedureSnapshot(phase=phase), config)
    deviated = rule.evaluate(ProcedureSnapshot(phase=phase, deviations={code: reason}), config)
    if plain.status is Status.FAILED and rule.deviable:
        assert deviated.status is Status.DEVIATED
        assert deviated.deviation_reason == reason
        assert not deviated.blocks
    else:
        assert deviated == plain


# -- display helpers ------------------------------------------------------------------------


@given(whole=st.integers(1, 10_000), data=st.data())
def test_percent_stays_within_zero_and_one_hundred(whole: int, data: st.DataObject) -> None:
    """A part of a whole is shown as a percentage from 0 to 100 within half a percent."""
    part = data.draw(st.integers(0, whole))
    shown = percent(part, whole)
    assert 0 <= shown <= 100
    assert abs(Fraction(shown) - Fraction(100 * part, whole)) <= Fraction(1, 2)


@given(day=st.dates())
def test_format_date_ends_with_the_year_and_starts_with_the_day(day: date) -> None:
    """Both languages spell day, month name and year, in that order."""
    for language in LANGUAGES:
        words = format_date(day, language).split(" ")
        assert words[0] == str(day.day)
        assert words[-1] == str(day.year)
        assert len(words) == 3
