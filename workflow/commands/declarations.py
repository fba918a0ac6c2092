"""Every write command declared once: its input, result, handler, roles, phases and faces.

A face reads a `Command` and derives its own shape from it: the API registers one route per
declaration (workflow/web/routes/api.py), the CLI one click command per row of its table
(workflow/cli/declared.py); both map the domain field names to the handler's keyword names
through `Command.keywords`. The handler is named as "module:function" and imported only when
a face first runs it, so reading the catalog imports no command module (and none of what
those import).

A declaration says what the command is, never how it works: the rules stay in the handler and
in `states`. `action` names the phase permission (states/actions.py) the handler checks; a
command without one is allowed in every phase by its own rules (opening, advancing,
cancelling, revoking links, retrying mail).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel

from states.actions import ALLOWED_PHASES, Action
from states.audit_actions import AuditAction
from states.errors import InvalidInput
from states.i18n import Text
from states.phases import Phase
from workflow.commands import schema as s

Method = Literal["POST", "PUT", "PATCH", "DELETE"]

# Who may run a command: the web session's roles (workflow.web.session.Role) by value. Most
# writes are the facilitator's (procesbegeleider); the informatiebeheerder and the archivaris
# with an account do the inventory; the personal links reach their own few commands.
FACILITATOR = "facilitator"
INFORMATION_MANAGER = "information_manager"
RECORDS_ARCHIVIST = "records_archivist"
ACCOUNTS = frozenset({FACILITATOR, INFORMATION_MANAGER, RECORDS_ARCHIVIST})

# What every write can answer besides success; opening a procedure has no procedure to miss.
WRITE_STATUSES = (401, 403, 404, 408, 409, 413, 422, 503)
OPEN_STATUSES = (401, 403, 408, 409, 413, 422, 503)

# A path's ids have the same names in every route; the handlers call them by their own names.
PATH_NAMES: Mapping[str, str] = MappingProxyType(
    {"pid": "procedure_id", "sid": "session_id", "cid": "candidate_id"}
)


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class ApiFace:
    """How the JSON API offers a command: method, path (under /api), answer and description."""

    method: Method
    path: str
    operation: str  # the operation id, stable for generated clients
    tag: str
    summary: str
    status_code: int = 200
    statuses: tuple[int, ...] = WRITE_STATUSES
    description: str | None = None
    # A body that may be left out entirely (then the input's defaults hold).
    optional_body: bool = False
    # The route is written by hand from this face (a dispatch the loop does not express).
    hand_written: bool = False

    @property
    def path_params(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))


@dataclass(frozen=True)
class Command:
    """One write command: what it takes, what it answers, who may run it and when."""

    name: AuditAction
    handler: str  # "workflow.commands.sessions:move_session", imported on first use
    input: type[BaseModel]
    result: type[BaseModel]
    label: Text
    api: ApiFace
    roles: frozenset[str] = frozenset({FACILITATOR})
    action: Action | None = None
    # Input field -> the handler's keyword, where the names differ.
    names: Mapping[str, str] = field(default_factory=_frozen)
    # Path parameter -> the handler's keyword, beyond PATH_NAMES (pid, sid, cid).
    path_names: Mapping[str, str] = field(default_factory=_frozen)
    # Keywords the face passes as they are (who recorded it, how a refusal names the field).
    fixed: Mapping[str, Any] = field(default_factory=_frozen)
    # Input field -> how its value reaches the handler, where the types differ.
    convert: Mapping[str, Callable[[Any], Any]] = field(default_factory=_frozen)

    @property
    def phases(self) -> tuple[Phase, ...] | None:
        """The phases the command may run in; None: every phase, by the command's own rules."""
        return ALLOWED_PHASES[self.action] if self.action is not None else None

    def keyword(self, name: str) -> str:
        """The handler's keyword for an input field."""
        return self.names.get(name, name)

    def path_keyword(self, name: str) -> str:
        """The handler's keyword for a path parameter."""
        return self.path_names.get(name, PATH_NAMES.get(name, name))

    def input_name(self, keyword: str) -> str:
        """The domain name (input field or path parameter) of one of the handler's keywords.

        A handler names a bad value by its own keyword; each face turns that into its own word
        (the API and the forms through this, the CLI through its option spellings).
        """
        for name in self.input.model_fields:
            if self.keyword(name) == keyword:
                return name
        for name in self.api.path_params:
            if self.path_keyword(name) == keyword:
                return name
        return keyword

    def resolve(self) -> Callable[..., Any]:
        """The handler function (its module imported now, once)."""
        module, function = self.handler.split(":")
        found: Callable[..., Any] = getattr(importlib.import_module(module), function)
        return found

    def keywords(self, path: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
        """The handler's keywords for path values and input field values, each given by its
        domain name: the one mapping every face shares (the API's typed input, the CLI's words).
        """
        arguments = {self.path_keyword(name): value for name, value in path.items()}
        arguments.update({self.keyword(name): value for name, value in fields.items()})
        return arguments

    def arguments(self, path: Mapping[str, Any], body: BaseModel | None) -> dict[str, Any]:
        """The handler's keyword arguments for these path values and this input (no actor)."""
        fields = {}
        for name in type(body).model_fields if body is not None else ():
            value = getattr(body, name)
            fields[name] = self.convert[name](value) if name in self.convert else value
        return {**self.keywords(path, fields), **self.fixed}

    def call(self, app: Any, actor: str, /, **keywords: Any) -> Any:
        """Run the handler: `app` first, then who acts, then the keywords `keywords()` made."""
        return self.resolve()(app, actor=actor, **keywords)


def _comma_list(numbers: list[int]) -> str:
    # The assessment takes its criteria as the command line writes them: "1,3".
    return ",".join(str(n) for n in numbers)


def _names(**names: str) -> Mapping[str, str]:
    return _frozen(names)


COMMANDS: tuple[Command, ...] = (
    # --- Procedures ---
    Command(
        AuditAction.PROCEDURE_INIT,
        "workflow.commands.procedures:init_procedure",
        s.NewProcedure,
        s.Done,
        Text("Procedure openen", "Open a procedure"),
        ApiFace(
            "POST",
            "/procedures",
            "open_procedure",
            "procedures",
            "Open a procedure (phase preparation)",
            status_code=201,
            statuses=OPEN_STATUSES,
        ),
        names=_names(governing_body="body"),
    ),
    Command(
        AuditAction.PHASE_ADVANCE,
        "workflow.commands.procedures:advance",
        s.AdvanceRequest,
        s.Advanced,
        Text("Naar de volgende fase", "Go to the next phase"),
        ApiFace(
            "POST",
            "/procedures/{pid}/advance",
            "advance",
            "procedures",
            "Go to the next phase if every rule allows it",
            optional_body=True,
        ),
    ),
    Command(
        AuditAction.PHASE_CANCEL,
        "workflow.commands.procedures:cancel",
        s.CancelRequest,
        s.Done,
        Text("Procedure annuleren", "Cancel the procedure"),
        ApiFace(
            "POST",
            "/procedures/{pid}/cancel",
            "cancel",
            "procedures",
            "Cancel the procedure, with a reason",
        ),
    ),
    Command(
        AuditAction.DEVIATION_RECORD,
        "workflow.commands.procedures:deviate",
        s.DeviationRequest,
        s.DeviationRecorded,
        Text("Afwijking vastleggen", "Record a deviation"),
        ApiFace(
            "POST",
            "/procedures/{pid}/deviations",
            "deviate",
            "procedures",
            "Record a deliberate deviation from a balance rule",
            status_code=201,
        ),
        action=Action.DEVIATE,
    ),
    # --- Workgroup and planning ---
    Command(
        AuditAction.MEMBER_ADD,
        "workflow.commands.people:add_member",
        s.NewMember,
        s.MemberAdded,
        Text("Werkgroeplid toevoegen", "Add a workgroup member"),
        ApiFace(
            "POST",
            "/procedures/{pid}/members",
            "add_member",
            "workgroup",
            "Add a workgroup member with a role",
            status_code=201,
        ),
        action=Action.ADD_MEMBER,
    ),
    Command(
        AuditAction.MILESTONE_SET,
        "workflow.commands.planning:set_milestone",
        s.MilestoneDate,
        s.MilestoneSet,
        Text("Mijlpaal vaststellen", "Set a milestone"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/milestones/{key}",
            "set_milestone",
            "planning",
            "Set the date of a milestone",
        ),
        action=Action.SET_MILESTONE,
        names=_names(date="day"),
    ),
    Command(
        AuditAction.MILESTONES_PLAN,
        "workflow.commands.planning:set_milestones",
        s.MilestonePlan,
        s.PlanSet,
        Text("Planning vaststellen", "Set the planning"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/milestones",
            "set_milestones",
            "planning",
            "Set several milestones at once, all or none",
        ),
        action=Action.SET_MILESTONE,
    ),
    # --- Experts ---
    Command(
        AuditAction.EXPERT_ADD,
        "workflow.commands.people:add_expert",
        s.NewExpert,
        s.ExpertAdded,
        Text("Expert toevoegen", "Add an expert"),
        ApiFace(
            "POST",
            "/procedures/{pid}/experts",
            "add_expert",
            "experts",
            "Add an expert",
            status_code=201,
        ),
        action=Action.ADD_EXPERT,
    ),
    Command(
        AuditAction.EXPERT_INVITE,
        "workflow.commands.people:invite",
        s.Invitations,
        s.Invited,
        Text("Experts uitnodigen", "Invite experts"),
        ApiFace(
            "POST",
            "/procedures/{pid}/experts/invitations",
            "invite_experts",
            "experts",
            "Queue invitations, each with a fresh personal link",
        ),
        action=Action.INVITE_EXPERT,
    ),
    Command(
        AuditAction.INVITATION_INTRO,
        "workflow.commands.people:set_invitation_intro",
        s.InvitationIntro,
        s.Done,
        Text("Inleiding van de uitnodiging vastleggen", "Set the invitation's introduction"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/invitation-intro",
            "set_invitation_intro",
            "experts",
            "The facilitator's introduction at the top of every expert's invitation",
        ),
        action=Action.SET_INVITATION_INTRO,
    ),
    Command(
        AuditAction.EXPERT_RESPOND,
        "workflow.commands.people:respond",
        s.ExpertResponse,
        s.Responded,
        Text("Antwoord van een expert vastleggen", "Record an expert's answer"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/experts/{email}/response",
            "record_response",
            "experts",
            "Record an expert's answer to the invitation",
        ),
        action=Action.RESPOND,
    ),
    Command(
        AuditAction.LINK_REVOKE,
        "workflow.commands.access:revoke_links",
        s.LinkRevocation,
        s.LinksRevoked,
        Text("Persoonlijke links intrekken", "Revoke personal links"),
        ApiFace(
            "POST",
            "/procedures/{pid}/links/revocations",
            "revoke_links",
            "experts",
            "Revoke a person's personal links (expert, advice or decision)",
            description="Their open sessions end on their next request; audited as `link.revoke`.",
        ),
    ),
    Command(
        AuditAction.EXPERT_EMAIL,
        "workflow.commands.people:correct_expert_email",
        s.AddressCorrection,
        s.AddressCorrected,
        Text("E-mailadres van een expert corrigeren", "Correct an expert's address"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/experts/{email}/email",
            "correct_expert_email",
            "experts",
            "Correct an expert's e-mail address (their waiting and failed mail follows)",
        ),
        action=Action.CORRECT_ADDRESS,
        # The path names the address as it is, the body the address as it should be.
        names=_names(email="new"),
        path_names=_names(email="old"),
    ),
    Command(
        AuditAction.MEMBER_EMAIL,
        "workflow.commands.people:correct_member_email",
        s.AddressCorrection,
        s.AddressCorrected,
        Text("E-mailadres van een werkgroeplid corrigeren", "Correct a member's address"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/members/{email}/email",
            "correct_member_email",
            "workgroup",
            "Correct a workgroup member's e-mail address, in every role they hold",
        ),
        action=Action.CORRECT_ADDRESS,
        names=_names(email="new"),
        path_names=_names(email="old"),
    ),
    # --- Expert sessions ---
    Command(
        AuditAction.SESSION_ADD,
        "workflow.commands.sessions:add_session",
        s.NewSession,
        s.SessionAdded,
        Text("Bijeenkomst plannen", "Plan a session"),
        ApiFace(
            "POST",
            "/procedures/{pid}/sessions",
            "add_session",
            "sessions",
            "Plan an expert session",
            status_code=201,
        ),
        action=Action.ADD_SESSION,
    ),
    Command(
        AuditAction.SESSION_MOVE,
        "workflow.commands.sessions:move_session",
        s.SessionMove,
        s.SessionMoved,
        Text("Bijeenkomst verplaatsen", "Move a session"),
        ApiFace(
            "PATCH",
            "/procedures/{pid}/sessions/{sid}",
            "move_session",
            "sessions",
            "Move a session; attendees get an updated calendar invitation",
        ),
        action=Action.CHANGE_SESSION,
    ),
    Command(
        AuditAction.SESSION_CANCEL,
        "workflow.commands.sessions:cancel_session",
        s.SessionCancellation,
        s.SessionCancelled,
        Text("Bijeenkomst afzeggen", "Call a session off"),
        ApiFace(
            "POST",
            "/procedures/{pid}/sessions/{sid}/cancellation",
            "cancel_session",
            "sessions",
            "Call a session off, with a reason",
        ),
        action=Action.CHANGE_SESSION,
    ),
    Command(
        AuditAction.SESSION_ATTEND,
        "workflow.commands.sessions:attend",
        s.Attendance,
        s.AttendanceRecorded,
        Text("Aanwezigheid vastleggen", "Record attendance"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/sessions/{sid}/attendance",
            "record_attendance",
            "sessions",
            "Add experts to a session's attendance list",
        ),
        action=Action.RECORD_ATTENDANCE,
    ),
    # --- Candidates and the concept list ---
    Command(
        AuditAction.CANDIDATE_ADD,
        "workflow.commands.sessions:add_candidate",
        s.NewCandidate,
        s.CandidateAdded,
        Text("Kandidaat toevoegen", "Add a candidate"),
        ApiFace(
            "POST",
            "/procedures/{pid}/candidates",
            "add_candidate",
            "candidates",
            "Nominate a candidate hotspot on an expert's behalf",
            status_code=201,
        ),
        action=Action.ADD_CANDIDATE,
    ),
    Command(
        AuditAction.CANDIDATE_ASSESS,
        "workflow.commands.sessions:assess",
        s.Assessment,
        s.Assessed,
        Text("Kandidaat beoordelen", "Assess a candidate"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/candidates/{cid}/assessment",
            "assess_candidate",
            "candidates",
            "Assess a candidate against the four criteria",
        ),
        action=Action.ASSESS_CANDIDATE,
        convert=_frozen({"criteria": _comma_list}),
    ),
    Command(
        AuditAction.WORKGROUP_NOTICE,
        "workflow.commands.notices:send_notice",
        s.WorkgroupNotice,
        s.Done,
        Text("Bericht aan de werkgroep sturen", "Send the workgroup a message"),
        ApiFace(
            "POST",
            "/procedures/{pid}/notices",
            "send_notice",
            "workgroup",
            "Mail every workgroup member a message from the facilitator",
        ),
        action=Action.NOTIFY_WORKGROUP,
    ),
    Command(
        AuditAction.CONCEPT_LIST_EMPTY_REASON,
        "workflow.commands.sessions:empty_list_reason",
        s.EmptyListReason,
        s.Done,
        Text("Reden voor een lege conceptlijst vastleggen", "Record why the list is empty"),
        ApiFace(
            "PUT",
            "/procedures/{pid}/concept-list/empty-reason",
            "set_empty_list_reason",
            "candidates",
            "Record why the concept list stays empty",
        ),
        action=Action.EMPTY_LIST_REASON,
    ),
    # --- Advice and decision (the facilitator records them on the writer's behalf) ---
    Command(
        AuditAction.ADVICE_RECORD,
        "workflow.commands.decision:record_advice",
        s.Advice,
        s.AdviceRecorded,
        Text("Advies archivaris vastleggen", "Record the archivist's advice"),
        ApiFace(
            "POST",
            "/procedures/{pid}/advice",
            "record_advice",
            "decision",
            "Record the archivist's advice on their behalf",
        ),
        action=Action.RECORD_ADVICE,
        fixed=_frozen({"via": "facilitator"}),
    ),
    Command(
        AuditAction.DECISION_RECORD,
        "workflow.commands.decision:record_decision",
        s.Decision,
        s.DecisionRecorded,
        Text("Besluit vastleggen", "Record the decision"),
        ApiFace(
            "POST",
            "/procedures/{pid}/decision",
            "record_decision",
            "decision",
            "Record the governing body's decision on its behalf",
        ),
        action=Action.RECORD_DECISION,
        names=_names(date="day"),
        fixed=_frozen({"via": "facilitator"}),
    ),
    # --- Inventory and publication ---
    Command(
        AuditAction.INVENTORY_SYSTEM_DEFINE,
        "workflow.commands.records:define_system",
        s.InformationSystem,
        s.Done,
        Text("Informatiesysteem van de procedure vastleggen", "Set an information system"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/information-systems",
            "define_system",
            "inventory",
            "Define an information system of the procedure once, with its owner",
            status_code=201,
        ),
        roles=ACCOUNTS,
        action=Action.INVENTORY,
    ),
    Command(
        AuditAction.INVENTORY_SYSTEM,
        "workflow.commands.records:add_system",
        s.InventorySystem,
        s.SystemAdded,
        Text("Systeem aan de inventarisatie toevoegen", "Add a system to the inventory"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/systems",
            "add_system",
            "inventory",
            "List an information system to search for an adopted hotspot",
            status_code=201,
        ),
        roles=ACCOUNTS,
        action=Action.INVENTORY,
    ),
    Command(
        AuditAction.INVENTORY_CASES_FOUND,
        # Asks the case system first (outside the transaction), then keeps what it found.
        "workflow.commands.zgw_cases:record_cases",
        s.CaseSearch,
        s.CasesFound,
        Text("Zaken van een hotspot zoeken in een zaaksysteem", "Search a case system"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/case-searches",
            "search_cases",
            "inventory",
            "Search a case system (ZGW Zaken API) for an adopted hotspot's cases and keep them",
        ),
        roles=ACCOUNTS,
        action=Action.INVENTORY,
    ),
    Command(
        AuditAction.INVENTORY_CASE_SELECT,
        "workflow.commands.zgw_cases:select_case",
        s.CaseSelection,
        s.CaseSelected,
        Text("Zaak wel of niet bewaren bij een hotspot", "Keep a case for a hotspot or not"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/case-selections",
            "select_case",
            "inventory",
            "Keep a found case for the hotspot (include) or not (with the reason)",
        ),
        roles=ACCOUNTS,
        action=Action.INVENTORY,
    ),
    Command(
        AuditAction.INVENTORY_CASE_APPLY,
        # Network first, then one audited record per case the moment its outcome is known.
        "workflow.commands.zgw_cases:apply_cases",
        s.CaseApplication,
        s.CasesApplied,
        Text("Gekozen zaken blijvend bewaren in het zaaksysteem", "Keep the chosen cases"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/case-applications",
            "apply_cases",
            "inventory",
            "Keep the cases chosen for a hotspot in their case systems (or a dry run)",
        ),
        roles=ACCOUNTS,
        action=Action.INVENTORY,
    ),
    Command(
        AuditAction.INVENTORY_CASE_EXPLAIN,
        "workflow.commands.zgw_cases:explain_case",
        s.CaseExplanation,
        s.CaseExplained,
        Text("Uitleggen waarom een zaak niet is bijgewerkt", "Explain a case not kept"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/case-explanations",
            "explain_case",
            "inventory",
            "Explain why a chosen case the case system refused needs no further apply",
        ),
        roles=ACCOUNTS,
        action=Action.GUARD_CASES,
    ),
    Command(
        AuditAction.CASES_CHECK,
        # Network first; each drifted case audited when known, then the round's summary.
        "workflow.commands.zgw_guard:check_cases",
        s.CaseCheck,
        s.CasesChecked,
        Text("Bewaarde zaken controleren", "Check the kept cases"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/case-checks",
            "check_cases",
            "inventory",
            "Read every kept case again, restore drift and report what could not be restored",
        ),
        roles=ACCOUNTS,
        action=Action.GUARD_CASES,
    ),
    Command(
        AuditAction.INVENTORY_DOSSIER,
        "workflow.commands.records:mark_dossier",
        s.InventoryDossier,
        s.DossierMarked,
        Text("Dossier op blijvend bewaren zetten", "Mark a file for permanent retention"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/dossiers",
            "mark_dossier",
            "inventory",
            "Mark a dossier found for a hotspot as to be retained",
            status_code=201,
        ),
        roles=ACCOUNTS,
        action=Action.INVENTORY,
    ),
    Command(
        AuditAction.INVENTORY_NONE,
        "workflow.commands.records:nothing_found",
        s.NothingFound,
        s.NothingFoundRecorded,
        Text("Geen dossiers gevonden vastleggen", "Record that no files were found"),
        ApiFace(
            "POST",
            "/procedures/{pid}/inventory/none",
            "record_nothing_found",
            "inventory",
            "Record that a system holds nothing for a hotspot, and why",
        ),
        roles=ACCOUNTS,
        action=Action.INVENTORY,
    ),
    Command(
        AuditAction.PUBLICATION_RECORD,
        # Once committed, the public list's files follow (workflow.publishing), into the
        # folder the face names; `hotspot public-list` writes them again on request.
        "workflow.commands.records:publish",
        s.Publication,
        s.Published,
        Text("Publicatie vastleggen", "Record the publication"),
        ApiFace(
            "POST",
            "/procedures/{pid}/publication",
            "record_publication",
            "publication",
            "Record the publication of the adopted list",
            status_code=201,
        ),
        action=Action.PUBLISH,
        names=_names(date="day"),
    ),
    # --- Mail ---
    Command(
        AuditAction.MAIL_RETRY,
        # With a `message` in the body the route runs mail:retry_message for that one
        # message instead: a dispatch on the input, so the route is written by hand.
        "workflow.commands.mail:retry_procedure",
        s.MailRetry,
        s.MailRetried,
        Text("Mislukte mail opnieuw versturen", "Send failed mail again"),
        ApiFace(
            "POST",
            "/procedures/{pid}/outbox/retry",
            "retry_mail",
            "records",
            "Send failed mail again: one message, or every failed message of the procedure",
            optional_body=True,
            hand_written=True,
        ),
    ),
)

BY_NAME: Mapping[AuditAction, Command] = MappingProxyType({c.name: c for c in COMMANDS})


def renamed(error: InvalidInput, word: Callable[[str], str]) -> InvalidInput:
    """`error` with its field in a face's word; a CSV line's prefix ("regel 3: ") stays."""
    prefix, _, name = error.field.rpartition(": ")
    field = f"{prefix}: {word(name)}" if prefix else word(name)
    return InvalidInput(field, error.message)


def run(
    name: AuditAction,
    app: Any,
    actor: str,
    path: Mapping[str, Any],
    fields: Mapping[str, Any],
    /,
    **extra: Any,
) -> Any:
    """Run a declared command with path values and input fields by their domain names, plus
    keywords a face gives the handler as they are: how the CLI dispatches every write."""
    command = BY_NAME[name]
    return command.call(app, actor, **command.keywords(path, fields), **extra)
