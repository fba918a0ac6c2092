"""Actions per phase, bilingual text and dates, and the phase enum."""

from __future__ import annotations

from datetime import date

import pytest

from states.actions import ALLOWED_PHASES, Action, require_phase
from states.errors import HotspotError, InvalidInput, Refused
from states.i18n import (
    Language,
    Text,
    format_date,
    local_date,
    parse_language,
    percent,
    percent_text,
)
from states.phases import FORWARD_ORDER, OPEN_PHASES, PHASE_LABELS, Phase, parse_phase
from states.verdicts import Status

# -- require_phase --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "phase"),
    [(action, phase) for action, phases in ALLOWED_PHASES.items() for phase in phases],
)
def test_an_action_is_allowed_in_each_of_its_phases(action: Action, phase: Phase) -> None:
    """require_phase returns quietly for every allowed action and phase."""
    assert require_phase(action, phase) is None


def test_every_action_has_its_allowed_phases() -> None:
    """No action is missing from the table, so require_phase never raises KeyError."""
    assert set(ALLOWED_PHASES) == set(Action)


def test_attendance_outside_the_sessions_is_refused_naming_the_sessions_phase() -> None:
    """Recording attendance in the planning is refused; the refusal names the allowed phase."""
    with pytest.raises(Refused) as caught:
        require_phase(Action.RECORD_ATTENDANCE, Phase.PLANNING)
    refusal = caught.value
    assert refusal.codes == ["phase.action_not_allowed"]
    verdict = refusal.verdicts[0]
    assert verdict.status is Status.FAILED
    assert verdict.message.nl == "Aanwezigheid vastleggen kan alleen in de fase expertbijeenkomsten"
    assert (
        verdict.message.en == "Recording attendance is only possible in the phase expert sessions"
    )
    assert verdict.figures.nl == "huidige fase: planning"
    assert verdict.data == {
        "action": "session.attend",
        "phase": "planning",
        "allowed": ["sessions"],
    }
    assert refusal.message.en == "This step does not fit the current phase"


def test_adding_an_expert_during_the_sessions_lists_every_earlier_phase() -> None:
    """Adding an expert in the sessions is refused and all four earlier phases are named."""
    with pytest.raises(Refused) as caught:
        require_phase(Action.ADD_EXPERT, Phase.SESSIONS)
    verdict = caught.value.verdicts[0]
    assert verdict.message.nl.endswith(
        "voorbereiding, instellen hotspotwerkgroep, planning, selectie experts"
    )
    assert verdict.message.en.endswith("preparation, workgroup set-up, planning, expert selection")
    assert verdict.figures.en == "current phase: expert sessions"
    assert verdict.data["allowed"] == ["preparation", "workgroup", "planning", "expert_selection"]


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.GUARD_CASES])
@pytest.mark.parametrize("phase", [Phase.CLOSED, Phase.CANCELLED])
def test_no_action_is_possible_once_the_procedure_is_finished(action: Action, phase: Phase) -> None:
    """A closed or cancelled procedure refuses every action but guarding its kept cases."""
    with pytest.raises(Refused) as caught:
        require_phase(action, phase)
    assert caught.value.verdicts[0].data["phase"] == phase.value


@pytest.mark.parametrize("phase", [Phase.INVENTORY, Phase.PUBLICATION, Phase.CLOSED])
def test_kept_cases_are_guarded_from_the_inventory_on_also_after_closing(phase: Phase) -> None:
    """A kept case must stay kept long after the procedure: its guard outlives the phases."""
    require_phase(Action.GUARD_CASES, phase)
    with pytest.raises(Refused):
        require_phase(Action.GUARD_CASES, Phase.DECISION)


def test_a_withdrawal_can_be_recorded_during_the_sessions_but_not_at_the_decision() -> None:
    """Responding is allowed in expert selection and sessions only."""
    require_phase(Action.RESPOND, Phase.SESSIONS)
    with pytest.raises(Refused):
        require_phase(Action.RESPOND, Phase.DECISION)


# -- i18n -----------------------------------------------------------------------------------


def test_format_date_spells_the_month_in_dutch_by_default() -> None:
    """12 March 2026 reads as "12 maart 2026" without a language."""
    assert format_date(date(2026, 3, 12)) == "12 maart 2026"


def test_format_date_spells_the_month_in_english_on_request() -> None:
    """12 March 2026 reads as "12 March 2026" in English."""
    assert format_date(date(2026, 3, 12), "en") == "12 March 2026"


@pytest.mark.parametrize(
    ("month", "nl", "en"),
    [(1, "januari", "January"), (5, "mei", "May"), (12, "december", "December")],
)
def test_format_date_has_no_leading_zero_and_the_right_month(month: int, nl: str, en: str) -> None:
    """The first of a month has no leading zero and the month name matches its number."""
    day = date(2025, month, 1)
    assert format_date(day, "nl") == f"1 {nl} 2025"
    assert format_date(day, "en") == f"1 {en} 2025"


@pytest.mark.parametrize(
    ("value", "language"),
    [(None, "nl"), ("", "nl"), ("nl", "nl"), ("de", "nl"), ("en", "en"), (" EN-gb ", "en")],
)
def test_parse_language_is_dutch_unless_english_is_asked(value: str | None, language: str) -> None:
    """Anything that does not start with "en" falls back to Dutch."""
    assert parse_language(value) == language


def test_text_gives_dutch_by_default_and_english_on_request() -> None:
    """A Text called without language, and its str(), are Dutch."""
    text = Text("afgesloten", "closed")
    assert text() == "afgesloten"
    assert text("en") == "closed"
    assert str(text) == "afgesloten"


@pytest.mark.parametrize(
    ("part", "whole", "shown"), [(2, 7, 29), (13, 20, 65), (5, 7, 71), (3, 0, 0)]
)
def test_percent_is_a_whole_number_for_display(part: int, whole: int, shown: int) -> None:
    """percent rounds for display and gives 0 for an empty whole."""
    assert percent(part, whole) == shown


# -- phases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "following"),
    [
        (Phase.PREPARATION, Phase.WORKGROUP),
        (Phase.EXPERT_SELECTION, Phase.SESSIONS),
        (Phase.SESSIONS, Phase.DECISION),
        (Phase.PUBLICATION, Phase.CLOSED),
        (Phase.CLOSED, None),
        (Phase.CANCELLED, None),
    ],
)
def test_next_is_the_phase_advance_leads_to(phase: Phase, following: Phase | None) -> None:
    """Each open phase leads to the next; closed and cancelled lead nowhere."""
    assert phase.next is following


def test_next_follows_the_forward_order_throughout() -> None:
    """Every phase but the last in the forward order leads to its successor."""
    assert [p.next for p in FORWARD_ORDER[:-1]] == list(FORWARD_ORDER[1:])


def test_is_past_compares_positions_in_the_forward_order() -> None:
    """Decision is past the sessions, not the other way round, and no phase is past itself."""
    assert Phase.DECISION.is_past(Phase.SESSIONS)
    assert Phase.CLOSED.is_past(Phase.PREPARATION)
    assert not Phase.SESSIONS.is_past(Phase.DECISION)
    assert not Phase.SESSIONS.is_past(Phase.SESSIONS)


@pytest.mark.parametrize("other", list(Phase))
def test_cancelled_is_never_past_nor_passed(other: Phase) -> None:
    """Cancelled is outside the forward order, so is_past is False both ways."""
    assert not Phase.CANCELLED.is_past(other)
    assert not other.is_past(Phase.CANCELLED)


def test_open_phases_are_all_but_closed_and_cancelled() -> None:
    """OPEN_PHASES is the forward order without the closed phase, and excludes cancelled."""
    assert FORWARD_ORDER[:-1] == OPEN_PHASES
    assert all(p.is_open for p in OPEN_PHASES)
    assert not Phase.CLOSED.is_open
    assert not Phase.CANCELLED.is_open


def test_every_phase_has_a_dutch_and_english_label() -> None:
    """Each phase has a non-empty label in both languages."""
    assert set(PHASE_LABELS) == set(Phase)
    assert all(p.label.nl and p.label.en for p in Phase)
    assert Phase.WORKGROUP.label == Text("instellen hotspotwerkgroep", "workgroup set-up")


@pytest.mark.parametrize(
    ("value", "phase"),
    [("sessions", Phase.SESSIONS), ("  Expert_Selection ", Phase.EXPERT_SELECTION)],
)
def test_parse_phase_accepts_codes_in_any_case_and_padding(value: str, phase: Phase) -> None:
    """Phase codes are matched case-insensitively after stripping."""
    assert parse_phase(value) is phase


@pytest.mark.parametrize("value", ["sessies", "", "expertbijeenkomsten"])
def test_parse_phase_refuses_an_unknown_phase_and_lists_the_codes(value: str) -> None:
    """An unknown phase is invalid input naming the field, the value and every known code."""
    with pytest.raises(InvalidInput) as caught:
        parse_phase(value)
    assert caught.value.field == "phase"
    message = caught.value.message.nl
    assert message.startswith(f"onbekende fase {value!r}; bekend: ")
    assert message.endswith(", ".join(p.value for p in Phase))


# -- errors ---------------------------------------------------------------------------------


def test_invalid_input_names_its_field() -> None:
    """InvalidInput explains itself with the field first and exits with code 2."""
    error = InvalidInput("email", Text("geen geldig adres", "not a valid address"))
    assert isinstance(error, HotspotError)
    assert error.exit_code == 2
    assert error.explain("en") == "email: not a valid address"
    assert error.to_json() == {
        "ok": False,
        "error": "invalid_input",
        "message": "email: geen geldig adres",
        "field": "email",
    }


@pytest.mark.parametrize(
    ("part", "whole", "bound", "language", "shown"),
    [
        (15, 23, 65, "nl", "65,2"),  # 65.2% rounds to the bound: one decimal keeps it honest
        (15, 23, 65, "en", "65.2"),
        (13, 20, 65, "nl", "65"),  # exactly at the bound: a whole number
        (2, 7, 40, "nl", "29"),  # far from the bound: a whole number
        (0, 0, 40, "nl", "0"),
    ],
)
def test_percent_text_shows_a_decimal_only_where_rounding_would_mislead(
    part: int, whole: int, bound: int, language: Language, shown: str
) -> None:
    """Next to a threshold, a rounded share never reads as equal to it when it is not."""
    assert percent_text(part, whole, bound, language) == shown


def test_a_moment_just_after_midnight_dutch_time_keeps_its_dutch_date() -> None:
    """00:30 in Amsterdam is 23:30 UTC the day before; people see the Dutch day."""
    from datetime import UTC, datetime

    assert local_date(datetime(2025, 3, 9, 23, 30, tzinfo=UTC)).isoformat() == "2025-03-10"


def test_every_action_is_named_in_words_in_both_languages() -> None:
    """A refusal names the step in words; no action code reaches a page."""
    for action in Action:
        assert action.label.nl and action.label.en
        assert action.value not in action.label.nl
