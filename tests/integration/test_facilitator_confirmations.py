"""Irreversible steps on the procedure page: a summary first, then a deliberate second click;
entering the decision before the nomination deadline only when confirmed, and on record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from states.errors import Refused
from states.i18n import local_date
from states.phases import Phase
from tests import support
from tests.support import ACTOR
from tests.web_support import logged_in, post_form
from workflow.app import App
from workflow.commands import planning, procedures
from workflow.db import models as m


def _phase(app: App, pid: str) -> Phase:
    return procedures.status(app, pid).phase


def _last(app: App, pid: str) -> m.AuditRecord:
    with app.read() as db:
        row = db.scalars(
            select(m.AuditRecord)
            .where(m.AuditRecord.procedure_id == pid)
            .order_by(m.AuditRecord.seq.desc())
        ).first()
    assert row is not None
    return row


@pytest.fixture
def ready(app: App) -> str:
    """Sessions held, candidates assessed, the nomination deadline still a week ahead."""
    pid = support.open_procedure(app)
    support.drive_to(app, pid, Phase.SESSIONS)
    support.hold_sessions(app, pid)
    support.nominate_and_assess(app, pid)
    week = local_date(app.now()) + timedelta(days=7)
    planning.set_milestone(app, pid, "nomination_deadline", week, actor=ACTOR)
    return pid


def test_entering_the_decision_early_needs_an_explicit_confirmation(app: App, ready: str) -> None:
    with pytest.raises(Refused) as refused:
        procedures.advance(app, ready, actor=ACTOR)
    assert refused.value.codes == ["phase.early_decision"]
    assert "tot en met" in refused.value.explain("nl")
    assert _phase(app, ready) is Phase.SESSIONS
    procedures.advance(app, ready, actor=ACTOR, confirm_early=True)
    assert _phase(app, ready) is Phase.DECISION
    record = _last(app, ready)
    assert record.action == "phase.advance"
    deadline = local_date(app.now()) + timedelta(days=7)
    assert record.data["confirmed_early"] == {"nomination_deadline": deadline.isoformat()}


def test_the_advance_form_shows_a_summary_and_asks_for_the_tick(app: App, ready: str) -> None:
    web = logged_in(app)
    page = f"/procedures/{ready}"
    summary = post_form(web, f"{page}/advance", {"reason": "Alles besproken"}, page)
    # Nothing happened yet: a page says what will, with a second form.
    assert summary.status_code == 200
    assert _phase(app, ready) is Phase.SESSIONS
    html = summary.text
    assert "De conceptlijst wordt bevroren" in html
    assert 'name="confirm_early" value="1" required' in html
    assert 'name="confirmed" value="1"' in html
    assert 'name="reason" value="Alles besproken"' in html
    # Confirmed without the tick: refused, and said why.
    refused = post_form(
        web, f"{page}/advance", {"reason": "Alles besproken", "confirmed": "1"}, page
    )
    assert refused.status_code == 303
    assert _phase(app, ready) is Phase.SESSIONS
    assert "De voordrachttermijn loopt nog" in web.get(refused.headers["location"]).text
    # With the tick: done, and on record.
    done = post_form(
        web,
        f"{page}/advance",
        {"reason": "Alles besproken", "confirmed": "1", "confirm_early": "1"},
        page,
    )
    assert done.status_code == 303
    assert _phase(app, ready) is Phase.DECISION
    assert "confirmed_early" in _last(app, ready).data


def test_cancel_and_publication_are_summarised_first(app: App) -> None:
    pid = support.open_procedure(app)
    web = logged_in(app)
    page = f"/procedures/{pid}"
    summary = post_form(web, f"{page}/cancel", {"reason": "Reorganisatie"}, page)
    assert summary.status_code == 200
    assert "kan niet worden hervat" in summary.text and "Reden: Reorganisatie" in summary.text
    assert _phase(app, pid) is not Phase.CANCELLED
    done = post_form(web, f"{page}/cancel", {"reason": "Reorganisatie", "confirmed": "1"}, page)
    assert done.status_code == 303
    assert _phase(app, pid) is Phase.CANCELLED


def test_the_api_is_explicit_and_needs_no_summary_page(app: App, ready: str) -> None:
    from tests.integration.test_web_api import log_in

    api = log_in(app)
    early = api.write("POST", f"/api/procedures/{ready}/advance", {})
    assert early.status_code == 409
    assert early.json()["codes"] == ["phase.early_decision"]
    done = api.write("POST", f"/api/procedures/{ready}/advance", {"confirm_early": True})
    assert done.status_code == 200, done.text
    assert _phase(app, ready) is Phase.DECISION
