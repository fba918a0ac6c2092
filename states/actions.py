"""Which action may be taken in which phase; a refusal says which phases would allow it."""

from __future__ import annotations

from enum import StrEnum

from states.errors import Refused
from states.i18n import Text
from states.phases import OPEN_PHASES, Phase


class Action(StrEnum):
    ADD_MEMBER = "member.add"
    SET_MILESTONE = "milestone.set"
    ADD_EXPERT = "expert.add"
    INVITE_EXPERT = "expert.invite"
    RESPOND = "expert.respond"
    ADD_SESSION = "session.add"
    CHANGE_SESSION = "session.change"
    RECORD_ATTENDANCE = "session.attend"
    ADD_CANDIDATE = "candidate.add"
    ASSESS_CANDIDATE = "candidate.assess"
    EMPTY_LIST_REASON = "concept_list.empty"
    RECORD_ADVICE = "advice"
    RECORD_DECISION = "decide"
    INVENTORY = "inventory"
    PUBLISH = "publish"
    DEVIATE = "deviate"
    CORRECT_ADDRESS = "address.correct"
    NOTIFY_WORKGROUP = "workgroup.notice"
    SET_INVITATION_INTRO = "invitation.intro"
    GUARD_CASES = "cases.guard"

    @property
    def label(self) -> Text:
        """What the step is, in words: a refusal names it, never by its code."""
        return _LABELS[self]


_LABELS = {
    Action.ADD_MEMBER: Text("Een lid aan de werkgroep toevoegen", "Adding a workgroup member"),
    Action.SET_MILESTONE: Text("Een mijlpaal plannen", "Planning a milestone"),
    Action.ADD_EXPERT: Text("Een expert toevoegen", "Adding an expert"),
    Action.INVITE_EXPERT: Text("Experts uitnodigen", "Inviting experts"),
    Action.RESPOND: Text("Het antwoord van een expert vastleggen", "Recording an expert's answer"),
    Action.ADD_SESSION: Text("Een expertbijeenkomst plannen", "Planning an expert session"),
    Action.CHANGE_SESSION: Text("Een expertbijeenkomst wijzigen", "Changing an expert session"),
    Action.RECORD_ATTENDANCE: Text("Aanwezigheid vastleggen", "Recording attendance"),
    Action.ADD_CANDIDATE: Text("Een hotspot voordragen", "Nominating a hotspot"),
    Action.ASSESS_CANDIDATE: Text("Een kandidaat-hotspot beoordelen", "Assessing a candidate"),
    Action.EMPTY_LIST_REASON: Text(
        "Een lege conceptlijst toelichten", "Explaining an empty concept list"
    ),
    Action.RECORD_ADVICE: Text("Het advies van de archivaris vastleggen", "Recording the advice"),
    Action.RECORD_DECISION: Text("Het besluit vastleggen", "Recording the decision"),
    Action.INVENTORY: Text("De archiefbescheiden inventariseren", "Taking the inventory"),
    Action.PUBLISH: Text("De publicatie vastleggen", "Recording the publication"),
    Action.DEVIATE: Text("Een afwijking vastleggen", "Recording a deviation"),
    Action.CORRECT_ADDRESS: Text("Een e-mailadres verbeteren", "Correcting an e-mail address"),
    Action.NOTIFY_WORKGROUP: Text("De werkgroep een bericht sturen", "Messaging the workgroup"),
    Action.SET_INVITATION_INTRO: Text(
        "De inleiding van de uitnodiging schrijven", "Writing the invitation's introduction"
    ),
    Action.GUARD_CASES: Text(
        "De bewaarde zaken in de zaaksystemen bewaken", "Guarding the cases kept in case systems"
    ),
}


_BEFORE_SESSIONS = (Phase.PREPARATION, Phase.WORKGROUP, Phase.PLANNING, Phase.EXPERT_SELECTION)

ALLOWED_PHASES: dict[Action, tuple[Phase, ...]] = {
    # A management contact or a replacement archivist can join at any time.
    Action.ADD_MEMBER: OPEN_PHASES,
    # Dates slip; the planning rule is checked when leaving planning, later changes are audited.
    Action.SET_MILESTONE: OPEN_PHASES,
    # Once the sessions run, a new expert would change the balance the sessions were held on.
    Action.ADD_EXPERT: _BEFORE_SESSIONS,
    # Invitations go out once the planning gives the RSVP deadline and the first session.
    Action.INVITE_EXPERT: (Phase.PLANNING, Phase.EXPERT_SELECTION),
    # An expert who withdraws during the sessions must be recordable.
    Action.RESPOND: (Phase.EXPERT_SELECTION, Phase.SESSIONS),
    Action.ADD_SESSION: (Phase.PLANNING, Phase.EXPERT_SELECTION, Phase.SESSIONS),
    Action.CHANGE_SESSION: (Phase.PLANNING, Phase.EXPERT_SELECTION, Phase.SESSIONS),
    Action.RECORD_ATTENDANCE: (Phase.SESSIONS,),
    Action.ADD_CANDIDATE: (Phase.SESSIONS,),
    Action.ASSESS_CANDIDATE: (Phase.SESSIONS,),
    Action.EMPTY_LIST_REASON: (Phase.SESSIONS,),
    Action.RECORD_ADVICE: (Phase.DECISION,),
    Action.RECORD_DECISION: (Phase.DECISION,),
    Action.INVENTORY: (Phase.INVENTORY,),
    Action.PUBLISH: (Phase.PUBLICATION,),
    Action.DEVIATE: OPEN_PHASES,
    # A wrong e-mail address of an expert or member can be put right while the procedure runs.
    Action.CORRECT_ADDRESS: OPEN_PHASES,
    # The facilitator may tell the workgroup something at any moment of an open procedure.
    Action.NOTIFY_WORKGROUP: OPEN_PHASES,
    # The introduction is read when invitations are queued: it may change until they are.
    Action.SET_INVITATION_INTRO: _BEFORE_SESSIONS,
    # The cases stay kept long after the procedure: the guard runs from the inventory on,
    # also once the procedure is closed or cancelled.
    Action.GUARD_CASES: (Phase.INVENTORY, Phase.PUBLICATION, Phase.CLOSED, Phase.CANCELLED),
}


def require_phase(action: Action, phase: Phase) -> None:
    """Refuse `action` unless the procedure is in a phase that allows it."""
    allowed = ALLOWED_PHASES[action]
    if phase in allowed:
        return
    names_nl = ", ".join(p.label.nl for p in allowed)
    names_en = ", ".join(p.label.en for p in allowed)
    raise Refused.one(
        Text("Deze stap past niet in de huidige fase", "This step does not fit the current phase"),
        "phase.action_not_allowed",
        Text(
            f"{action.label.nl} kan alleen in de fase {names_nl}",
            f"{action.label.en} is only possible in the phase {names_en}",
        ),
        Text(f"huidige fase: {phase.label.nl}", f"current phase: {phase.label.en}"),
        action=action.value,
        phase=phase.value,
        allowed=[p.value for p in allowed],
    )
