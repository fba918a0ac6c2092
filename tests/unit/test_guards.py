"""The guards of single steps: each refuses with its own rule code, or lets the step pass."""

from __future__ import annotations

import pytest

from states.errors import Refused
from states.guards import (
    OpenProcedure,
    refuse_overlap,
    require_deviable,
    require_no_advice_yet,
    require_open_list,
    require_positive_advice,
    require_session_open,
    require_unpublished,
)
from states.phases import Phase
from states.rules import RULES_BY_CODE
from states.snapshot import ListStatus


def _codes(error: pytest.ExceptionInfo[Refused]) -> list[str]:
    return error.value.codes


@pytest.mark.parametrize("status", [None, ListStatus.RETURNED, ListStatus.ADOPTED])
def test_advice_and_decision_need_a_submitted_list(status: ListStatus | None) -> None:
    """Without a submitted list there is nothing to advise on or decide."""
    with pytest.raises(Refused) as error:
        require_open_list(status)
    assert _codes(error) == ["decision.no_open_list"]
    require_open_list(ListStatus.SUBMITTED)


def test_a_list_gets_one_advice() -> None:
    """A second advice on the same list is refused and names the first adviser."""
    require_no_advice_yet(1, None, None)
    with pytest.raises(Refused) as error:
        require_no_advice_yet(2, False, "Archivaris")
    assert _codes(error) == ["decision.advice_recorded"]
    assert "lijst 2: advies van Archivaris" in error.value.verdicts[0].figures.nl


@pytest.mark.parametrize("advice", [None, False])
def test_the_body_decides_only_after_positive_advice(advice: bool | None) -> None:
    """No advice or negative advice blocks the decision."""
    with pytest.raises(Refused) as error:
        require_positive_advice(advice)
    assert _codes(error) == ["decision.advice_first"]
    require_positive_advice(True)


def test_only_balance_rules_can_be_deviated_from() -> None:
    """A deviable rule passes; the adoption rule is refused."""
    require_deviable(RULES_BY_CODE["panel.external_share"])
    with pytest.raises(Refused) as error:
        require_deviable(RULES_BY_CODE["decision.adoption"])
    assert _codes(error) == ["deviation.not_allowed"]


def test_a_procedure_is_published_once() -> None:
    """A second publication is refused with both references."""
    require_unpublished(None, "Prb. 1")
    with pytest.raises(Refused) as error:
        require_unpublished("Prb. 1", "Prb. 2")
    assert "Prb. 1" in error.value.verdicts[0].figures.nl


@pytest.mark.parametrize(
    ("start", "end", "clash"),
    [(2023, 2024, True), (2010, 2017, True), (2024, 2025, False), (2010, 2016, False)],
)
def test_overlapping_open_periods_are_refused(start: int, end: int, clash: bool) -> None:
    """Years shared with an open procedure clash; adjacent periods do not."""
    others = [OpenProcedure("ov-2017-2023", 2017, 2023, Phase.SESSIONS)]
    if clash:
        with pytest.raises(Refused) as error:
            refuse_overlap(start, end, others)
        assert _codes(error) == ["procedure.overlapping_period"]
        assert "ov-2017-2023" in error.value.verdicts[0].figures.nl
    else:
        refuse_overlap(start, end, others)


def test_closed_and_cancelled_procedures_do_not_block_a_period() -> None:
    """Only open procedures count for the overlap rule."""
    refuse_overlap(
        2017,
        2023,
        [
            OpenProcedure("a", 2017, 2023, Phase.CLOSED),
            OpenProcedure("b", 2017, 2023, Phase.CANCELLED),
        ],
    )


def test_an_open_session_passes() -> None:
    """Not cancelled and nothing recorded yet: moving, cancelling and attending may go on."""
    require_session_open(3, None, 0)
    require_session_open(3, None, -1)


def test_a_cancelled_session_is_refused_with_its_reason() -> None:
    """The refusal names the session and why it was called off."""
    with pytest.raises(Refused) as refused:
        require_session_open(3, "Zaal niet beschikbaar", -1)
    assert refused.value.codes == ["session.cancelled"]
    assert "Zaal niet beschikbaar" in refused.value.verdicts[0].figures.nl


def test_a_held_session_is_refused_with_its_attendance() -> None:
    """Recorded attendance means the session happened; the figure says how many attended."""
    with pytest.raises(Refused) as refused:
        require_session_open(4, None, 5)
    assert refused.value.codes == ["session.held"]
    assert refused.value.verdicts[0].figures.en == "session 4: 5 attendees recorded"
