"""Keeping the selected cases of a hotspot: the dry run and the apply, case by case.

The current state of the cases is read a hundred at a time; each case that does not yet say
what keeping it requires (workflow.zgw.marking) gets one PATCH, with the reason in
`X-Audit-Toelichting`. The PATCH's answer is the case as changed, so no second read is needed.
Each case's outcome goes to `on_done` the moment it is known, so the caller can store it at
once: after a crash or an outage a rerun finds the finished cases unchanged-needed and changes
only the rest. A refusal (403: a closed case needs the scope `zaken.geforceerd-bijwerken`) is
an outcome, reported per case, never retried and never ignored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workflow.zgw.cases import Case, case_from_api
from workflow.zgw.client import Unavailable, ZaakClient, ZgwError
from workflow.zgw.marking import HotspotDecision, TransferRule, planned_change


class Result(StrEnum):
    CHANGED = "changed"  # the PATCH went through
    UNCHANGED = "unchanged"  # it said all of this already
    REFUSED = "refused"  # 401/403: the case system does not allow it
    FAILED = "failed"  # another answer, no answer, or the case is gone


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    decision: HotspotDecision


@dataclass(frozen=True, slots=True)
class CaseOutcome:
    url: str
    result: Result
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    change: dict[str, Any]
    status: int | None = None
    answer: Any = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedCase:
    target: Target
    case: Case | None
    change: dict[str, Any]


async def plan(
    client: ZaakClient, targets: Sequence[Target], rule: TransferRule
) -> list[PlannedCase]:
    """The dry run: each case with what applying would change in it (empty: nothing)."""
    current = await client.read_many([t.url for t in targets])
    planned = []
    for target in targets:
        case = current.get(target.url)
        change = planned_change(case, target.decision, rule) if case is not None else {}
        planned.append(PlannedCase(target, case, change))
    return planned


async def apply(
    client: ZaakClient,
    targets: Sequence[Target],
    rule: TransferRule,
    on_done: Callable[[CaseOutcome], None] = lambda _o: None,
) -> list[CaseOutcome]:
    """Keep every target; the outcomes in the targets' order."""
    outcomes: list[CaseOutcome] = []
    to_change: list[PlannedCase] = []
    for planned in await plan(client, targets, rule):
        if planned.case is None:
            outcome = CaseOutcome(
                planned.target.url, Result.FAILED, None, None, {}, error="the case is gone"
            )
        elif not planned.change:
            fields = planned.case.archive_fields()
            outcome = CaseOutcome(planned.target.url, Result.UNCHANGED, fields, fields, {})
        else:
            to_change.append(planned)
            continue
        outcomes.append(outcome)
        on_done(outcome)

    async def one(planned: PlannedCase) -> CaseOutcome:
        assert planned.case is not None
        before = planned.case.archive_fields()
        target = planned.target
        try:
            answer = await client.patch(target.url, planned.change, target.decision.toelichting())
        except (Unavailable, ZgwError) as error:
            outcome = CaseOutcome(
                target.url, Result.FAILED, before, None, planned.change, error=str(error)
            )
        else:
            if answer.status == 200 and isinstance(answer.body, dict):
                after = case_from_api(answer.body).archive_fields()
                result = Result.CHANGED
            else:
                after = None
                result = Result.REFUSED if answer.status in (401, 403) else Result.FAILED
            outcome = CaseOutcome(
                target.url, result, before, after, planned.change, answer.status, answer.body
            )
        on_done(outcome)
        return outcome

    outcomes.extend(await asyncio.gather(*(one(p) for p in to_change)))
    order = {t.url: i for i, t in enumerate(targets)}
    return sorted(outcomes, key=lambda o: order[o.url])
