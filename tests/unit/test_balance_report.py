"""The balance report: the balance rules' verdicts, labelled, with recorded deviations marked."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from states.balance_report import BALANCE_CODES, RULE_LABELS, balance_report, rule_label
from states.config import RuleConfig
from states.phases import Phase
from states.rules import RULES_BY_CODE
from states.snapshot import Part, Perspective

if TYPE_CHECKING:
    from conftest import Make


def test_a_balanced_procedure_reports_every_balance_rule_as_met(
    make: Make, config: RuleConfig
) -> None:
    """The five balance rules come back in order, all met, none deviated."""
    lines = balance_report(make.complete_snapshot(Phase.DECISION), config)
    assert [line.code for line in lines] == list(BALANCE_CODES)
    assert [line.code for line in lines] == [
        "panel.size",
        "panel.external_share",
        "panel.external_profiles",
        "sessions.held",
        "sessions.nomination_balance",
    ]
    assert all(line.ok and not line.deviated for line in lines)


def test_each_line_carries_a_bilingual_label_and_the_figures(
    make: Make, config: RuleConfig
) -> None:
    """A line names the rule in Dutch and English and its message ends with the figures."""
    size = balance_report(make.complete_snapshot(Phase.DECISION), config)[0]
    assert size.label.nl == "Omvang van het expertpanel"
    assert size.label.en == "Size of the expert panel"
    assert size.message.nl == (
        "Het panel telt 6 tot en met 16 experts die hebben toegezegd "
        "(8 experts toegezegd, toegestaan 6 tot en met 16)"
    )
    assert size.message.en.endswith("(8 experts accepted, allowed 6 to 16)")


def test_an_unmet_rule_with_a_recorded_deviation_is_not_ok_and_deviated(
    make: Make, config: RuleConfig
) -> None:
    """Five accepted experts fail the panel size; the recorded deviation is marked."""
    snapshot = replace(
        make.complete_snapshot(Phase.DECISION),
        experts=make.panel(internal=3, external=2),
        deviations={"panel.size": "Zesde expert trok zich terug"},
    )
    by_code = {line.code: line for line in balance_report(snapshot, config)}
    assert not by_code["panel.size"].ok and by_code["panel.size"].deviated
    assert "5 experts toegezegd" in by_code["panel.size"].message.nl
    assert not by_code["panel.external_share"].deviated


def test_an_unmet_rule_without_a_deviation_is_reported_as_not_ok(
    make: Make, config: RuleConfig
) -> None:
    """An imbalance nobody recorded a deviation for is shown as it is, not hidden."""
    snapshot = replace(
        make.complete_snapshot(Phase.DECISION), experts=make.panel(internal=5, external=1)
    )
    share = next(
        line for line in balance_report(snapshot, config) if line.code == "panel.external_share"
    )
    assert not share.ok and not share.deviated
    assert "1 van 6 experts extern" in share.message.nl


def test_a_deviation_from_a_rule_that_is_met_now_is_still_marked(
    make: Make, config: RuleConfig
) -> None:
    """A deviation on record stays visible even when the norm happens to be met now."""
    snapshot = replace(
        make.complete_snapshot(Phase.DECISION), deviations={"sessions.held": "Eén extra sessie"}
    )
    held = next(line for line in balance_report(snapshot, config) if line.code == "sessions.held")
    assert held.ok and held.deviated


def test_a_session_with_one_perspective_absent_shows_why_it_does_not_count(
    make: Make, config: RuleConfig
) -> None:
    """Attendance of only internal experts leaves one counting session, and the line says why."""
    base = make.complete_snapshot(Phase.DECISION)
    inside = [e for e in base.experts if e.perspective is Perspective.INTERNAL]
    sessions = (
        make.session(base.experts, at=datetime(2026, 3, 12, 19, 30)),
        make.session(inside, at=datetime(2026, 3, 26, 19, 30)),
    )
    held = next(
        line
        for line in balance_report(replace(base, sessions=sessions), config)
        if line.code == "sessions.held"
    )
    assert not held.ok
    assert "1 van 2 bijeenkomsten tellen mee" in held.message.nl
    assert "0 extern, minimaal 2 per perspectief" in held.message.nl


def test_nomination_balance_on_a_short_list_does_not_apply_and_is_ok(
    make: Make, config: RuleConfig
) -> None:
    """Below four entries the nomination rule does not apply: ok, marked not applicable."""
    line = balance_report(make.complete_snapshot(Phase.DECISION), config)[-1]
    assert line.code == "sessions.nomination_balance"
    assert line.ok and not line.applicable
    assert "de regel geldt vanaf 4" in line.message.nl


def test_a_list_nominated_by_one_perspective_fails_the_nomination_balance(
    make: Make, config: RuleConfig
) -> None:
    """Four entries all nominated internally exceed the 75% share and are reported."""
    base = make.complete_snapshot(Phase.DECISION)
    insider = next(e for e in base.experts if e.perspective is Perspective.INTERNAL)
    candidates = tuple(make.candidate(insider, title=f"Hotspot {i}") for i in range(4))
    line = balance_report(replace(base, candidates=candidates), config)[-1]
    assert not line.ok and line.applicable and not line.deviated
    assert "4 of 4 nominated by the internal perspective (100%)" in line.message.en


def test_a_snapshot_without_the_experts_is_refused(make: Make, config: RuleConfig) -> None:
    """Without the experts loaded the report refuses rather than report an empty panel."""
    snapshot = replace(
        make.complete_snapshot(Phase.DECISION), loaded=frozenset({Part.CANDIDATES, Part.SESSIONS})
    )
    with pytest.raises(ValueError, match="experts"):
        balance_report(snapshot, config)


def test_every_rule_has_a_label_in_both_languages() -> None:
    """Each rule code has a short Dutch and English name; unknown codes fall back to the code."""
    assert set(RULE_LABELS) == set(RULES_BY_CODE)
    assert all(label.nl.strip() and label.en.strip() for label in RULE_LABELS.values())
    assert rule_label("no.such_rule").nl == "no.such_rule"
