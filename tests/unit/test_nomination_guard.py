"""The nomination guards on plain values: the deadline day, the acceptance, the assessment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states.errors import Refused
from states.guards import (
    require_accepted_nominator,
    require_nomination_open,
    require_unassessed_nomination,
)
from states.snapshot import Response

DEADLINE = date(2025, 3, 3)


def test_the_deadline_day_itself_is_still_open() -> None:
    """Nominating on the deadline day and before it passes."""
    require_nomination_open(DEADLINE, DEADLINE)
    require_nomination_open(DEADLINE - timedelta(days=30), DEADLINE)


def test_the_day_after_the_deadline_is_refused_with_the_figures() -> None:
    """The refusal names its code, the deadline, today and how late it is."""
    with pytest.raises(Refused) as refused:
        require_nomination_open(date(2025, 3, 4), DEADLINE)
    [verdict] = refused.value.verdicts
    assert verdict.code == "nomination.closed"
    assert verdict.figures.nl == (
        "termijn tot en met 3 maart 2025; vandaag is 4 maart 2025 (1 dag te laat)"
    )
    assert verdict.figures.en == (
        "deadline 3 March 2025 inclusive; today is 4 March 2025 (1 day late)"
    )
    assert verdict.data == {"deadline": "2025-03-03", "today": "2025-03-04"}


def test_without_a_deadline_the_window_is_not_limited_by_date() -> None:
    """No nomination deadline in the planning: the phase alone decides."""
    require_nomination_open(date(2099, 12, 31), None)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
)
def test_a_day_is_refused_exactly_when_it_lies_after_the_deadline(
    today: date, deadline: date
) -> None:
    """For any two days the guard refuses if and only if today is later than the deadline."""
    try:
        require_nomination_open(today, deadline)
    except Refused as refused:
        assert today > deadline
        late = (today - deadline).days
        assert (
            f"({late} {'dag' if late == 1 else 'dagen'} te laat)" in refused.verdicts[0].figures.nl
        )
    else:
        assert today <= deadline


@pytest.mark.parametrize(
    ("answer", "figures"),
    [(Response.PENDING, "expert 7: nog geen antwoord"), (Response.DECLINED, "expert 7: afgezegd")],
)
def test_only_an_accepted_expert_may_nominate(answer: Response, figures: str) -> None:
    """A pending or declined expert is refused with their answer in the figures."""
    require_accepted_nominator(7, Response.ACCEPTED)
    with pytest.raises(Refused) as refused:
        require_accepted_nominator(7, answer)
    assert refused.value.codes == ["nomination.not_accepted"]
    assert refused.value.verdicts[0].figures.nl == figures


def test_an_assessed_nomination_is_no_longer_the_experts_to_edit() -> None:
    """Until the assessment the nomination can change; afterwards it is refused."""
    require_unassessed_nomination(12, assessed=False)
    with pytest.raises(Refused) as refused:
        require_unassessed_nomination(12, assessed=True)
    assert refused.value.codes == ["nomination.assessed"]
    assert refused.value.verdicts[0].figures.nl == "kandidaat 12: beoordeeld"
