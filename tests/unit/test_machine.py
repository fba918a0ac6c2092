"""The shared state machine: advancing, cancelling, sending back, deviations and detaching."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from states.config import RuleConfig
from states.errors import Refused
from states.machine import (
    ADVANCE,
    CANCEL,
    CURRENT_VERSION,
    SEND_BACK,
    ProcedureDefinition,
    ProcedureModel,
    definition,
)
from states.phases import FORWARD_ORDER, OPEN_PHASES, Phase
from states.rules import EXIT_RULES, RULES_BY_CODE, evaluate_all, needed_parts
from states.snapshot import Part, ProcedureSnapshot
from states.verdicts import Status

if TYPE_CHECKING:
    from conftest import Make


def _model(
    snapshot: ProcedureSnapshot, config: RuleConfig, phase: Phase | None = None
) -> ProcedureModel:
    return ProcedureModel(phase or snapshot.phase, snapshot, config)


def _attached(model: ProcedureModel) -> bool:
    return any(m is model for m in definition()._machine.models)


def _refusal(model: ProcedureModel, trigger: str) -> Refused:
    with pytest.raises(Refused) as caught:
        definition().step(model, trigger)
    return caught.value


# -- advance --------------------------------------------------------------------------------


def test_advance_moves_exactly_one_phase_at_a_time_until_closed(
    make: Make, config: RuleConfig
) -> None:
    """A procedure that meets every rule walks the forward order one phase per advance."""
    model = _model(make.complete_snapshot(), config)
    visited = [model.phase]
    for _ in FORWARD_ORDER[1:]:
        visited.append(definition().step(model, ADVANCE))
    assert visited == list(FORWARD_ORDER)
    assert model.phase is Phase.CLOSED


def test_advance_from_preparation_has_no_rules(config: RuleConfig) -> None:
    """Preparation has no exit rules, so even an empty procedure moves to the workgroup."""
    model = _model(ProcedureSnapshot(phase=Phase.PREPARATION), config)
    assert definition().step(model, ADVANCE) is Phase.WORKGROUP
    assert model.phase is Phase.WORKGROUP
    assert model.verdicts == []


def test_refused_advance_lists_every_blocker_with_its_code(make: Make, config: RuleConfig) -> None:
    """Five internal experts fail size, share and profiles; all three are in the refusal."""
    snapshot = ProcedureSnapshot(phase=Phase.EXPERT_SELECTION, experts=make.panel(5, 0))
    model = _model(snapshot, config)
    refusal = _refusal(model, ADVANCE)
    assert refusal.codes == ["panel.size", "panel.external_share", "panel.external_profiles"]
    assert all(v.status is Status.FAILED for v in refusal.verdicts)
    assert refusal.message.nl == "De procedure kan nog niet door naar expertbijeenkomsten"
    assert refusal.message.en == "The procedure cannot move on to expert sessions yet"
    assert model.phase is Phase.EXPERT_SELECTION


def test_refusal_carries_only_the_blocking_verdicts(make: Make, config: RuleConfig) -> None:
    """Passing and not-applicable verdicts are kept on the model but left out of the refusal."""
    snapshot = replace(make.complete_snapshot(Phase.PLANNING), milestones={})
    model = _model(snapshot, config)
    refusal = _refusal(model, ADVANCE)
    assert refusal.codes == ["planning.milestones_set"]
    assert [(v.code, v.status) for v in model.verdicts] == [
        ("planning.milestones_set", Status.FAILED),
        ("planning.milestone_order", Status.PASSED),
        ("planning.rsvp_lead_time", Status.NOT_APPLICABLE),
        ("planning.session_lead_time", Status.NOT_APPLICABLE),
    ]


def test_refusal_explains_itself_in_both_languages(make: Make, config: RuleConfig) -> None:
    """The explanation lists each blocker with its code and figures."""
    snapshot = ProcedureSnapshot(phase=Phase.WORKGROUP, members=make.members("archivaris"))
    refusal = _refusal(_model(snapshot, config), ADVANCE)
    assert refusal.exit_code == 3
    assert refusal.explain("en").splitlines() == [
        "The procedure cannot move on to planning yet",
        "  - [workgroup.required_roles] Every required workgroup role is filled at least once "
        "(1 of 3 required roles filled; missing: procesbegeleider, informatiebeheerder)",
    ]
    as_json = refusal.to_json("nl")
    assert as_json["ok"] is False
    assert as_json["error"] == "refused"
    assert as_json["codes"] == ["workgroup.required_roles"]
    assert as_json["blockers"][0]["status"] == "failed"
    assert "ontbreekt: procesbegeleider, informatiebeheerder" in as_json["blockers"][0]["figures"]


@pytest.mark.parametrize("phase", [Phase.CLOSED, Phase.CANCELLED])
def test_advance_from_a_finished_procedure_is_not_a_transition(
    config: RuleConfig, phase: Phase
) -> None:
    """Advancing a closed or cancelled procedure is refused with phase.transition_not_allowed."""
    model = _model(ProcedureSnapshot(phase=phase), config)
    refusal = _refusal(model, ADVANCE)
    assert refusal.codes == ["phase.transition_not_allowed"]
    assert refusal.verdicts[0].data == {"trigger": "advance", "phase": phase.value}
    assert model.phase is phase


def test_advance_from_closed_names_the_closed_phase(config: RuleConfig) -> None:
    """The refusal message names the phase the step is impossible from."""
    refusal = _refusal(_model(ProcedureSnapshot(phase=Phase.CLOSED), config), ADVANCE)
    assert refusal.message.nl == "Deze stap is niet mogelijk vanuit de fase afgesloten"
    assert refusal.message.en == "This step is not possible from the phase closed"
    assert refusal.verdicts[0].message.en == "'advance' is not possible from closed"


def test_an_unknown_trigger_is_an_error_not_a_refusal(config: RuleConfig) -> None:
    """A trigger the machine does not define is a programming error."""
    model = _model(ProcedureSnapshot(phase=Phase.PLANNING), config)
    with pytest.raises(AttributeError):
        definition().step(model, "jump")
    assert not _attached(model)


# -- cancel and send back -------------------------------------------------------------------


@pytest.mark.parametrize("phase", OPEN_PHASES)
def test_cancel_works_from_every_open_phase_regardless_of_rules(
    config: RuleConfig, phase: Phase
) -> None:
    """Cancelling needs no rules to pass: an empty procedure in any open phase is cancelled."""
    model = _model(ProcedureSnapshot(phase=phase), config)
    assert definition().step(model, CANCEL) is Phase.CANCELLED
    assert model.phase is Phase.CANCELLED


@pytest.mark.parametrize("phase", [Phase.CLOSED, Phase.CANCELLED])
def test_cancel_is_refused_once_the_procedure_is_finished(config: RuleConfig, phase: Phase) -> None:
    """A closed or cancelled procedure cannot be cancelled again."""
    model = _model(ProcedureSnapshot(phase=phase), config)
    refusal = _refusal(model, CANCEL)
    assert refusal.codes == ["phase.transition_not_allowed"]
    assert refusal.verdicts[0].data["trigger"] == "cancel"
    assert model.phase is phase


def test_send_back_returns_from_decision_to_sessions(config: RuleConfig) -> None:
    """The governing body can send the list back from the decision to the sessions."""
    model = _model(ProcedureSnapshot(phase=Phase.DECISION), config)
    assert definition().step(model, SEND_BACK) is Phase.SESSIONS


@pytest.mark.parametrize("phase", [p for p in Phase if p is not Phase.DECISION])
def test_send_back_is_refused_outside_the_decision(config: RuleConfig, phase: Phase) -> None:
    """Sending back is only possible from the decision phase."""
    model = _model(ProcedureSnapshot(phase=phase), config)
    refusal = _refusal(model, SEND_BACK)
    assert refusal.codes == ["phase.transition_not_allowed"]
    assert model.phase is phase


# -- attaching ------------------------------------------------------------------------------


def test_an_attached_model_keeps_its_stored_phase(make: Make, config: RuleConfig) -> None:
    """Attaching a model in the decision phase does not reset it to preparation."""
    model = _model(make.complete_snapshot(Phase.DECISION), config)
    with definition().attached([model]):
        assert model.phase is Phase.DECISION
        assert _attached(model)
        assert definition().fire(model, ADVANCE) is Phase.INVENTORY


def test_the_machine_is_shared_between_definition_calls() -> None:
    """Repeated definition() calls give the same definition and the same machine."""
    first, second = definition(), definition()
    assert first is second
    assert first._machine is second._machine
    assert first.version == CURRENT_VERSION


def test_the_current_version_named_explicitly_is_the_same_definition() -> None:
    """definition(CURRENT_VERSION) is the one shared definition, as its docstring promises."""
    assert definition(CURRENT_VERSION) is definition()


def test_an_unknown_definition_version_is_refused() -> None:
    """Only the current version of the procedure definition exists."""
    with pytest.raises(ValueError, match="unknown procedure definition version 2"):
        definition(2)


def test_models_are_detached_after_a_step(config: RuleConfig) -> None:
    """After step() the shared machine holds no reference to the model."""
    model = _model(ProcedureSnapshot(phase=Phase.PREPARATION), config)
    definition().step(model, ADVANCE)
    assert not _attached(model)


def test_models_are_detached_after_a_refused_step(config: RuleConfig) -> None:
    """A refusal does not leave the model attached to the shared machine."""
    model = _model(ProcedureSnapshot(phase=Phase.WORKGROUP), config)
    _refusal(model, ADVANCE)
    assert not _attached(model)


def test_models_are_detached_when_the_block_raises(config: RuleConfig) -> None:
    """An exception inside attached() still detaches every model."""
    models = [_model(ProcedureSnapshot(phase=p), config) for p in (Phase.PLANNING, Phase.DECISION)]
    with pytest.raises(RuntimeError), definition().attached(models):
        raise RuntimeError("boom")
    assert not any(_attached(m) for m in models)


def test_many_models_are_attached_together_each_at_its_own_phase(config: RuleConfig) -> None:
    """A batch of models shares the machine, each keeping its own phase."""
    phases = (Phase.WORKGROUP, Phase.SESSIONS, Phase.CLOSED)
    models = [_model(ProcedureSnapshot(phase=p), config) for p in phases]
    with definition().attached(models):
        assert tuple(m.phase for m in models) == phases
        definition().fire(models[1], CANCEL)
        assert tuple(m.phase for m in models) == (Phase.WORKGROUP, Phase.CANCELLED, Phase.CLOSED)


def test_a_model_can_be_stepped_twice(config: RuleConfig) -> None:
    """Detaching after the first step does not spoil the second."""
    model = _model(ProcedureSnapshot(phase=Phase.PREPARATION), config)
    definition().step(model, ADVANCE)
    assert definition().step(model, CANCEL) is Phase.CANCELLED


def test_stepping_a_model_already_attached_leaves_the_outer_attach_intact(
    config: RuleConfig,
) -> None:
    """step() inside attached() for the same model does not break the outer detach."""
    model = _model(ProcedureSnapshot(phase=Phase.PREPARATION), config)
    with definition().attached([model]):
        definition().step(model, ADVANCE)
    assert model.phase is Phase.WORKGROUP


def test_a_model_with_an_invalid_phase_leaves_no_other_model_attached(config: RuleConfig) -> None:
    """If attaching a batch fails part-way, none of the batch stays on the shared machine."""
    good = _model(ProcedureSnapshot(phase=Phase.PLANNING), config)
    bad = ProcedureModel(Phase.PLANNING, ProcedureSnapshot(phase=Phase.PLANNING), config)
    bad.state = "bogus"  # a stored phase this definition does not know
    try:
        with pytest.raises(ValueError), definition().attached([good, bad]):
            pass
        assert not _attached(good)
    finally:
        if _attached(good):  # keep the shared machine clean for the other tests
            definition()._machine.remove_model(good)


# -- rules: evaluation and deviations -------------------------------------------------------


def test_evaluate_gives_every_exit_verdict_without_moving(make: Make, config: RuleConfig) -> None:
    """evaluate() returns one verdict per exit rule of the snapshot's phase, in rule order."""
    snapshot = make.complete_snapshot(Phase.SESSIONS)
    verdicts = definition().evaluate(snapshot, config)
    assert [v.code for v in verdicts] == [r.code for r in definition().exit_rules(Phase.SESSIONS)]
    assert not any(v.blocks for v in verdicts)


def test_a_failing_deviable_rule_with_a_deviation_is_deviated_and_does_not_block(
    make: Make, config: RuleConfig
) -> None:
    """A panel of five with a recorded reason for its size can still advance."""
    snapshot = ProcedureSnapshot(
        phase=Phase.EXPERT_SELECTION,
        experts=make.panel(2, 3),
        deviations={"panel.size": "kleine gemeente, weinig deskundigen"},
    )
    model = _model(snapshot, config)
    assert definition().step(model, ADVANCE) is Phase.SESSIONS
    size = next(v for v in model.verdicts if v.code == "panel.size")
    assert size.status is Status.DEVIATED
    assert size.deviation_reason == "kleine gemeente, weinig deskundigen"
    assert size.to_json()["deviation_reason"] == "kleine gemeente, weinig deskundigen"


def test_a_non_deviable_rule_with_a_deviation_still_fails(make: Make, config: RuleConfig) -> None:
    """A deviation recorded for the required workgroup roles does not unblock the workgroup."""
    snapshot = ProcedureSnapshot(
        phase=Phase.WORKGROUP,
        members=make.members("procesbegeleider"),
        deviations={"workgroup.required_roles": "archivaris volgt later"},
    )
    model = _model(snapshot, config)
    refusal = _refusal(model, ADVANCE)
    assert refusal.codes == ["workgroup.required_roles"]
    assert refusal.verdicts[0].status is Status.FAILED
    assert refusal.verdicts[0].deviation_reason is None


def test_a_deviation_for_one_rule_does_not_cover_another(make: Make, config: RuleConfig) -> None:
    """Deviating panel.size leaves a failing external share blocking."""
    snapshot = ProcedureSnapshot(
        phase=Phase.EXPERT_SELECTION,
        experts=make.panel(5, 0),
        deviations={"panel.size": "klein panel"},
    )
    refusal = _refusal(_model(snapshot, config), ADVANCE)
    assert refusal.codes == ["panel.external_share", "panel.external_profiles"]


def test_rule_refuses_to_evaluate_a_part_that_was_not_loaded(config: RuleConfig) -> None:
    """A rule reading experts raises ValueError when experts were not loaded."""
    snapshot = ProcedureSnapshot(phase=Phase.EXPERT_SELECTION, loaded=frozenset({Part.MEMBERS}))
    with pytest.raises(ValueError, match=r"rule panel\.size needs .*experts.* not loaded"):
        RULES_BY_CODE["panel.size"].evaluate(snapshot, config)


def test_advance_with_a_part_not_loaded_raises_and_detaches(config: RuleConfig) -> None:
    """The guard's ValueError reaches the caller and the model is still detached."""
    snapshot = ProcedureSnapshot(
        phase=Phase.SESSIONS, loaded=frozenset({Part.EXPERTS, Part.SESSIONS})
    )
    model = _model(snapshot, config)
    with pytest.raises(ValueError, match="candidates"):
        definition().step(model, ADVANCE)
    assert model.phase is Phase.SESSIONS
    assert not _attached(model)


def test_loading_exactly_the_needed_parts_is_enough(make: Make, config: RuleConfig) -> None:
    """Evaluating with only needed_parts() loaded works for every phase."""
    full = make.complete_snapshot()
    for phase, rules in EXIT_RULES.items():
        snapshot = replace(full, phase=phase, loaded=needed_parts(rules))
        verdicts = evaluate_all(rules, snapshot, config)
        assert not any(v.blocks for v in verdicts), phase


def test_needed_parts_of_the_sessions_are_experts_sessions_and_candidates() -> None:
    """Leaving the sessions reads experts, sessions, candidates and the last list version (a
    returned list must have changed) and nothing else."""
    assert needed_parts(EXIT_RULES[Phase.SESSIONS]) == {
        Part.EXPERTS,
        Part.SESSIONS,
        Part.CANDIDATES,
        Part.LIST_VERSION,
    }


def test_rule_codes_are_unique_and_prefixed_by_their_area() -> None:
    """Every exit rule has a distinct code, so deviations and refusals can name it."""
    codes = [r.code for rules in EXIT_RULES.values() for r in rules]
    assert len(codes) == len(set(codes)) == len(RULES_BY_CODE)
    assert all("." in code and code.split(".")[1] for code in codes)


def test_a_definition_can_be_built_on_its_own(make: Make, config: RuleConfig) -> None:
    """A separately built definition drives its own machine independently of the shared one."""
    own = ProcedureDefinition(CURRENT_VERSION)
    model = _model(make.complete_snapshot(Phase.INVENTORY), config)
    assert own.step(model, ADVANCE) is Phase.PUBLICATION
    assert own._machine is not definition()._machine
