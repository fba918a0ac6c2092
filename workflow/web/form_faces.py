"""The procedure page's forms as faces of the declared commands (workflow/commands/declarations.py).

A form face names the command a form runs, the form's URL (under /procedures/{pid}), its
success message and how each of the command's domain fields is read from the form's own
spellings ("session" for the path's `sid`, "answer" for `accept`). `run_declared` then calls
the declared handler the way the JSON API does (`Command.arguments`): the same keyword names,
conversions and fixed keywords. The form's values are handed over as the page posted them
(text, not yet parsed): the handler checks them and names a bad field as the command line
does, which the page turns into the field's label (workflow/web/field_labels.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from starlette.datastructures import FormData

from states.audit_actions import AuditAction
from states.errors import InvalidInput
from states.i18n import Text
from workflow.app import App
from workflow.commands.declarations import BY_NAME, Command, renamed
from workflow.web import forms

# How one value is read from the posted form.
Reader = Callable[[FormData], Any]


class _Absent:
    """A value the form left empty where the input has a default: the default holds."""


ABSENT = _Absent()


def text(name: str) -> Reader:
    """The field as posted ("" when missing)."""
    return lambda form: forms.field(form, name)


def optional(name: str) -> Reader:
    """The field without surrounding spaces, or None when that leaves nothing."""
    return lambda form: forms.field(form, name).strip() or None


def blank_none(name: str) -> Reader:
    """The field as posted, or None when empty (spaces are kept: the command refuses them)."""
    return lambda form: forms.field(form, name) or None


def or_default(name: str) -> Reader:
    """The field as posted, or the input's default when empty."""
    return lambda form: forms.field(form, name) or ABSENT


def many(name: str) -> Reader:
    """Every value posted under the name (checkboxes, a multiple select)."""
    return lambda form: forms.fields(form, name)


def many_lines(name: str) -> Reader:
    """A text area with one value per line, as a list without the empty lines."""
    return lambda form: [
        line.strip() for line in forms.field(form, name).splitlines() if line.strip()
    ]


def one_as_list(name: str) -> Reader:
    """An optional single address as a list: empty means "everyone the command would take"."""

    def read(form: FormData) -> list[str]:
        one = forms.field(form, name).strip()
        return [one] if one else []

    return read


def either(name: str, yes: str, no: str) -> Reader:
    """A required choice between two radio buttons; InvalidInput (flashed) when neither."""

    def read(form: FormData) -> bool:
        value = forms.field(form, name)
        if value not in (yes, no):
            raise InvalidInput(name, Text(f"kies {yes} of {no}", f"choose {yes} or {no}"))
        return value == yes

    return read


def keyed(prefix: str) -> Reader:
    """Every field named `prefix` + key, as a mapping by key ("due_rsvp_deadline" -> the
    `rsvp_deadline` date); the command leaves empty ones as they are."""

    def read(form: FormData) -> dict[str, str]:
        return {
            name[len(prefix) :]: forms.field(form, name)
            for name in form
            if name.startswith(prefix) and len(name) > len(prefix)
        }

    return read


def _frozen(mapping: Mapping[str, Reader] | None = None) -> Mapping[str, Reader]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class FormFace:
    """How the procedure page offers a declared command."""

    name: AuditAction
    route: str  # the form's URL under /procedures/{pid}, as the template posts it
    success: Text
    # The declaration's path parameters (besides pid) -> how the form gives them.
    path: Mapping[str, Reader] = field(default_factory=_frozen)
    # The declaration's input fields -> how the form gives them.
    body: Mapping[str, Reader] = field(default_factory=_frozen)
    # Handler keywords the form offers beyond the declared input (the API does not take
    # them): passed under their own name.
    extra: Mapping[str, Reader] = field(default_factory=_frozen)

    @property
    def command(self) -> Command:
        return BY_NAME[self.name]

    @property
    def url(self) -> str:
        return f"/procedures/{{pid}}{self.route}"

    @property
    def endpoint_name(self) -> str:
        # The route's name: the API's operation id, prefixed so the two never clash.
        return f"form_{self.command.api.operation}"


def run_declared(
    app: App,
    command: Command,
    *,
    actor: str,
    path: Mapping[str, Any],
    body: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> Any:
    """Call `command`'s handler with these path values and input fields, as the API does.

    `body` holds domain field names; a field left out, or ABSENT, keeps the input's default.
    The values are not validated here (the input model is built without checks): the handler
    checks everything itself and names a bad field as the command line does.
    """
    given = {name: value for name, value in body.items() if value is not ABSENT}
    unknown = set(given) - set(command.input.model_fields)
    if unknown:
        raise RuntimeError(f"{command.name}: not fields of its input: {sorted(unknown)}")
    arguments = command.arguments(path, command.input.model_construct(**given))
    arguments.update(extra or {})
    try:
        return command.resolve()(app, actor=actor, **arguments)
    except InvalidInput as error:
        # By its domain name, which the page shows as the field's label (field_labels.py).
        raise renamed(error, command.input_name) from None


def run_face(app: App, face: FormFace, pid: str, form: FormData, actor: str) -> Any:
    """Read `face`'s fields from `form` and run its command for procedure `pid`."""
    path = {"pid": pid, **{name: read(form) for name, read in face.path.items()}}
    body = {name: read(form) for name, read in face.body.items()}
    extra = {name: read(form) for name, read in face.extra.items()}
    return run_declared(app, face.command, actor=actor, path=path, body=body, extra=extra)


def _face(
    action: AuditAction,
    route: str,
    success: Text,
    same: str = "",
    /,
    *,
    path: Mapping[str, Reader] | None = None,
    extra: Mapping[str, Reader] | None = None,
    **body: Reader,
) -> FormFace:
    """A face; `same` names the input fields the form posts under their own name, as typed."""
    # Positional-only first: an input field may well be called `name`.
    fields = {name: text(name) for name in same.split()} | body
    return FormFace(action, route, success, _frozen(path), _frozen(fields), _frozen(extra))


A = AuditAction
_CORRECTED = Text(
    "E-mailadres verbeterd; wachtende en mislukte mail gaat naar het nieuwe adres",
    "Address corrected; waiting and failed mail goes to the new address",
)

# The forms that run one declared command and nothing else; the others (import, revoking an
# expert's link and inviting again, retrying mail, publishing) are written by hand in
# workflow/web/routes/facilitator_actions.py.
FORMS: tuple[FormFace, ...] = (
    # --- workgroup and planning ---
    _face(
        A.MEMBER_ADD,
        "/members",
        Text("Werkgroeplid toegevoegd", "Workgroup member added"),
        "name email role",
        language=or_default("language"),
        salutation=or_default("salutation"),
    ),
    _face(
        A.MILESTONES_PLAN,
        "/milestones/plan",
        Text("Planning vastgesteld", "Planning set"),
        dates=keyed("due_"),
    ),
    _face(
        A.MILESTONE_SET,
        "/milestones",
        Text("Mijlpaal vastgelegd", "Milestone set"),
        path={"key": text("key")},
        date=text("day"),
    ),
    # --- experts ---
    _face(
        A.EXPERT_ADD,
        "/experts",
        Text("Expert toegevoegd", "Expert added"),
        "name email perspective profile",
        language=or_default("language"),
        salutation=or_default("salutation"),
    ),
    _face(
        A.EXPERT_INVITE,
        "/experts/invite",
        Text("Uitnodiging(en) klaargezet", "Invitation(s) queued"),
        emails=one_as_list("email"),
    ),
    _face(
        A.EXPERT_RESPOND,
        "/experts/respond",
        Text("Antwoord vastgelegd", "Answer recorded"),
        path={"email": text("email")},
        accept=either("answer", "accept", "decline"),
    ),
    _face(
        # Any person's links by address and kind: the archivist's and management's too.
        A.LINK_REVOKE,
        "/links/revoke",
        Text("Persoonlijke link(s) ingetrokken", "Personal link(s) revoked"),
        "email",
        purpose=blank_none("purpose"),
        reason=optional("reason"),
    ),
    # The old address is the declaration's path parameter, the new one its input.
    _face(
        A.EXPERT_EMAIL, "/experts/email", _CORRECTED, path={"email": text("old")}, email=text("new")
    ),
    _face(
        A.MEMBER_EMAIL, "/members/email", _CORRECTED, path={"email": text("old")}, email=text("new")
    ),
    # --- sessions and candidates ---
    _face(
        A.SESSION_ADD,
        "/sessions",
        Text("Bijeenkomst gepland", "Session planned"),
        "at",
        location=optional("location"),
    ),
    _face(
        A.SESSION_MOVE,
        "/sessions/move",
        Text("Bijeenkomst verplaatst", "Session moved"),
        "at",
        path={"sid": text("session")},
    ),
    _face(
        A.SESSION_CANCEL,
        "/sessions/cancel",
        Text("Bijeenkomst geannuleerd", "Session cancelled"),
        "reason",
        path={"sid": text("session")},
    ),
    _face(
        A.SESSION_ATTEND,
        "/sessions/attend",
        Text("Aanwezigheid vastgelegd", "Attendance recorded"),
        path={"sid": text("session")},
        emails=many("emails"),
    ),
    _face(
        A.CANDIDATE_ADD,
        "/candidates",
        Text("Kandidaat-hotspot voorgedragen", "Candidate hotspot nominated"),
        "title start description nominated_by",
        end=optional("end"),
    ),
    _face(
        A.CANDIDATE_ASSESS,
        "/candidates/assess",
        Text("Beoordeling vastgelegd", "Assessment recorded"),
        "motivation",
        path={"cid": text("candidate")},
        # The ticked numbers as posted; the declaration joins them as the command line writes
        # them ("1,3") and the command checks each.
        criteria=many("criteria"),
        include=either("verdict", "include", "exclude"),
    ),
    _face(
        A.INVITATION_INTRO,
        "/experts/intro",
        Text("Inleiding van de uitnodiging vastgelegd", "Introduction of the invitation set"),
        "text",
    ),
    _face(
        A.WORKGROUP_NOTICE,
        "/notices",
        Text("Bericht aan de werkgroep verstuurd", "Message sent to the workgroup"),
        "subject text",
    ),
    _face(
        A.CONCEPT_LIST_EMPTY_REASON,
        "/concept-list/empty",
        Text("Reden voor een lege lijst vastgelegd", "Reason for an empty list recorded"),
        "reason",
    ),
    # --- advice, decision, inventory ---
    _face(
        A.ADVICE_RECORD,
        "/advice",
        Text("Advies vastgelegd namens de archivaris", "Advice recorded for the archivist"),
        "by",
        # The page also takes the advice letter's reference and date, as the CLI does.
        extra={"ref": optional("ref"), "day": optional("day")},
        positive=either("advice", "positive", "negative"),
        reason=optional("reason"),
    ),
    _face(
        A.DECISION_RECORD,
        "/decision",
        Text("Besluit vastgelegd namens het bestuursorgaan", "Decision recorded for the body"),
        "ref",
        adopted=either("decision", "adopted", "returned"),
        date=text("day"),
        reason=optional("reason"),
    ),
    _face(
        A.INVENTORY_SYSTEM_DEFINE,
        "/inventory/define",
        Text("Informatiesysteem vastgelegd", "Information system set"),
        "name owner",
        owner_email=optional("owner_email"),
        zaken_url=optional("zaken_url"),
        client_id=optional("client_id"),
        secret_env=optional("secret_env"),
        catalogi_url=optional("catalogi_url"),
        zaaktypen=many_lines("zaaktypen"),
    ),
    _face(
        A.INVENTORY_CASES_FOUND,
        "/inventory/search",
        Text("Zaken gezocht in het zaaksysteem", "Cases searched in the case system"),
        "hotspot system",
        keyword=optional("keyword"),
        area=optional("area"),
    ),
    _face(
        A.INVENTORY_CASE_SELECT,
        "/inventory/select",
        Text("Keuze voor de zaak vastgelegd", "Choice for the case recorded"),
        "hotspot case",
        include=either("include", "yes", "no"),
        reason=optional("reason"),
    ),
    _face(
        A.INVENTORY_CASE_APPLY,
        "/inventory/apply",
        Text("Gekozen zaken in het zaaksysteem bijgewerkt", "Chosen cases kept"),
        "hotspot",
    ),
    _face(
        A.INVENTORY_CASE_EXPLAIN,
        "/inventory/explain",
        Text("Uitleg bij de zaak vastgelegd", "Explanation for the case recorded"),
        "hotspot case explanation",
    ),
    _face(
        A.CASES_CHECK,
        "/inventory/check",
        Text("Bewaarde zaken gecontroleerd", "Kept cases checked"),
        "",
        hotspot=optional("hotspot"),
    ),
    _face(
        A.INVENTORY_SYSTEM,
        "/inventory/system",
        Text("Informatiesysteem opgegeven", "Information system listed"),
        "hotspot system query",
        owner=optional("owner"),
        owner_email=optional("owner_email"),
    ),
    _face(
        A.INVENTORY_DOSSIER,
        "/inventory/dossier",
        Text("Dossier gemarkeerd als blijvend bewaren", "Dossier marked for permanent retention"),
        "hotspot system dossier",
        title=optional("title"),
    ),
    _face(
        A.INVENTORY_NONE,
        "/inventory/none",
        Text("Niets gevonden; reden vastgelegd", "Nothing found; reason recorded"),
        "hotspot system reason",
    ),
    # --- the phase ---
    _face(
        A.PHASE_ADVANCE,
        "/advance",
        Text("Naar de volgende fase", "Moved on to the next phase"),
        reason=optional("reason"),
        confirm_early=lambda form: forms.field(form, "confirm_early") == "1",
    ),
    _face(
        A.PHASE_CANCEL, "/cancel", Text("Procedure geannuleerd", "Procedure cancelled"), "reason"
    ),
    _face(
        A.DEVIATION_RECORD,
        "/deviations",
        Text("Afwijking vastgelegd", "Deviation recorded"),
        "reason",
        rule_code=text("rule"),
    ),
)


def _check(faces: tuple[FormFace, ...]) -> None:
    """Each face fits its declaration: its path parameters, input fields and nothing else."""
    for face in faces:
        command = face.command
        path = set(command.api.path_params) - {"pid"}
        if set(face.path) != path:
            raise RuntimeError(f"{face.name}: the form gives {sorted(face.path)}, not {path}")
        inputs = set(command.input.model_fields)
        if not set(face.body) <= inputs:
            raise RuntimeError(f"{face.name}: {sorted(set(face.body) - inputs)} are no input")
        missing = {n for n, f in command.input.model_fields.items() if f.is_required()}
        if not missing <= set(face.body):
            raise RuntimeError(f"{face.name}: the form lacks {sorted(missing - set(face.body))}")
        if set(face.extra) & {command.keyword(n) for n in inputs}:
            raise RuntimeError(f"{face.name}: an extra keyword repeats an input field")


_check(FORMS)
