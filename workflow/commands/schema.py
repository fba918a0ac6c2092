"""What a command accepts and answers, as typed models: field names are the domain's names.

The declarations (workflow/commands/declarations.py) name these as each command's input and
result; the JSON API takes them as its request bodies and answers, and its OpenAPI
description is made from them. The input limits mirror workflow/validation.py and the
database columns, so an input the schema allows reaches the command, and one it forbids is
refused before any query runs. Every text field refuses control characters: PostgreSQL
cannot store NUL in text, and a name or title travels into mail headers. The commands still
check everything themselves (a whitespace-only name, an unknown role); the models only keep
out what no command expects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

from states.config import MILESTONE_ORDER
from states.errors import InvalidInput
from states.phases import Phase
from workflow import validation
from workflow.validation import MAX_ID

# Patterns as JSON Schema (ECMA-262) and pydantic read them alike.
# One line: no control characters at all (C0, DEL, C1) and no Unicode line separators.
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
# Running text: tab, line feed and carriage return are fine, other control characters not.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_EMAIL_CHAR = r"[^@\s<>\"',;\x00-\x1f\x7f-\x9f]"
EMAIL_PATTERN = rf"^{_EMAIL_CHAR}+@{_EMAIL_CHAR}+\.{_EMAIL_CHAR}+$"
PROCEDURE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
PERIOD_PATTERN = r"^\s*\d{4}\s*[-–—/]\s*\d{4}\s*$"
RULE_CODE_PATTERN = r"^[a-z_]+\.[a-z_]+$"
ACTION_PATTERN = r"^[a-z_]+(\.[a-z_]+)?$"
# The years a date may fall in: wide for any real procedure, narrow enough that the deadline
# arithmetic (days before and after) never leaves the calendar.
FIRST_YEAR, LAST_YEAR = validation.FIRST_YEAR, validation.LAST_YEAR
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def id_digits(value: object) -> object:
    """An id in a path or query is written as the program writes it, as everywhere else:
    ASCII digits, no sign, spaces, underscores or leading zero (pydantic alone takes "05",
    "+5", " 5" and "5_0")."""
    if isinstance(value, str) and validation.id_or_none(value) is None:
        raise ValueError(
            f"must be a number from 1 to {MAX_ID}, written with the digits 0-9 only "
            "(no sign, spaces or leading zero)"
        )
    return value


# For a path or query parameter: add Path(ge=1, le=MAX_ID) or Query(...) beside it.
IdDigits = BeforeValidator(id_digits)
# An id in a JSON body is a JSON number: not "5", not 5.0, not true.
BodyId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]


def _fits_lowercased(limit: int) -> AfterValidator:
    """Stored keys are lower-cased, and lower-casing may lengthen a text ("İ" becomes two)."""

    def check(value: str) -> str:
        if len(value.strip().lower()) > limit:
            raise ValueError(f"too long once lower-cased (at most {limit} characters)")
        return value

    return AfterValidator(check)


def _checked(parse: Callable[[str, str], object]) -> AfterValidator:
    """Check a date or moment as the commands will (`workflow.validation`)."""

    def check(value: str) -> str:
        try:
            parse("value", value)
        except InvalidInput as error:
            # Both languages travel along: the API answers in the one the request asks for.
            words = {"nl": error.message("nl"), "en": error.message("en")}
            raise PydanticCustomError("invalid_value", "{en}", words) from None
        return value

    return AfterValidator(check)


def single_line(max_length: int, *, min_length: int = 1) -> Any:
    return Field(min_length=min_length, max_length=max_length, pattern=SINGLE_LINE_PATTERN)


def text(max_length: int, *, min_length: int = 1) -> Any:
    return Field(min_length=min_length, max_length=max_length, pattern=TEXT_PATTERN)


Name = Annotated[str, single_line(200)]
Email = Annotated[
    str,
    Field(min_length=5, max_length=320, pattern=EMAIL_PATTERN, examples=["iemand@example.org"]),
    _fits_lowercased(320),
]
Word = Annotated[str, single_line(64)]
Reason = Annotated[str, text(4000)]
LongText = Annotated[str, text(10_000)]
Reference = Annotated[str, single_line(200)]
Hotspot = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")]
# Dates and moments are JSON strings, checked as the command line checks them: a number
# would otherwise be read as seconds since 1970 ({"date": 0} as 1 January 1970).
Day = Annotated[
    str,
    Field(
        max_length=10,
        pattern=DAY_PATTERN,
        description=f"A day (YYYY-MM-DD) in the years {FIRST_YEAR} to {LAST_YEAR}.",
        examples=["2025-06-12"],
    ),
    _checked(validation.parse_date),
]
Moment = Annotated[
    str,
    Field(
        max_length=40,
        description="A moment with its time of day (YYYY-MM-DDTHH:MM, optionally with an "
        "offset); without an offset it is Dutch local time, and then a time that does not "
        "exist (when summer time begins) or occurs twice (when it ends) is refused: give the "
        f"offset. Years {FIRST_YEAR} to {LAST_YEAR}.",
        examples=["2025-06-12T14:00", "2025-10-26T02:30+01:00"],
    ),
    _checked(validation.parse_datetime),
]
Language = Literal["nl", "en"]
# How a letter greets the person (states.salutation).
Salutation = Literal["heer", "mevrouw", "neutraal"]
MilestoneKey = Literal[
    "invitations_sent",
    "rsvp_deadline",
    "nomination_deadline",
    "first_session",
    "concept_list",
    "archivist_advice",
    "proposal_to_body",
    "decision",
    "inventory_done",
    "publication",
]
if get_args(MilestoneKey) != MILESTONE_ORDER:  # pragma: no cover - caught by any test run
    raise RuntimeError("the milestone keys changed: update MilestoneKey")


class Body(BaseModel):
    """A request body: unknown fields are refused rather than silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- Requests -------------------------------------------------------------------------------


class NewProcedure(Body):
    organisation: Annotated[str, single_line(200), _fits_lowercased(200)]
    governing_body: Name
    period: Annotated[str, Field(max_length=40, pattern=PERIOD_PATTERN, examples=["2017-2023"])]
    procedure_id: Annotated[str | None, Field(max_length=80, pattern=PROCEDURE_ID_PATTERN)] = None
    legal_basis: Annotated[str | None, text(2000)] = None


class AdvanceRequest(Body):
    reason: Reason | None = None
    # Entering the decision before the nomination deadline has passed: said on purpose.
    confirm_early: bool = False


class CancelRequest(Body):
    reason: Reason


class DeviationRequest(Body):
    rule_code: Annotated[
        str, Field(max_length=64, pattern=RULE_CODE_PATTERN, examples=["panel.size"])
    ]
    reason: Reason


class NewMember(Body):
    name: Name
    email: Email
    role: Word
    language: Language = "nl"
    salutation: Salutation = "neutraal"


class MilestoneDate(Body):
    date: Day


class MilestonePlan(Body):
    """Dates by milestone key; an empty one leaves its milestone as it is."""

    dates: dict[MilestoneKey, Day | Literal[""]]


class NewExpert(Body):
    name: Name
    email: Email
    perspective: Literal["internal", "external"]
    profile: Word
    language: Language = "nl"
    salutation: Salutation = "neutraal"


class Invitations(Body):
    """Without addresses: every expert who has not been invited yet."""

    emails: Annotated[list[Email], Field(max_length=500)] = []


class ExpertResponse(Body):
    accept: bool


class AddressCorrection(Body):
    """The corrected address; the procedure's waiting and failed mail to the old one follows."""

    email: Email


class MailRetry(Body):
    """One failed message (its id in the outbox), or without it every failed message."""

    message: BodyId | None = None


class LinkRevocation(Body):
    """Whose personal links to end: one person (by address), one kind of link or all."""

    email: Email
    purpose: Literal["expert", "advice", "decision"] | None = Field(
        default=None,
        description="expert (portal), advice (archivist) or decision (management); "
        "without it every kind of link of this person.",
    )
    reason: Reason | None = None


class NewSession(Body):
    at: Moment
    location: Annotated[str | None, single_line(300)] = None


class SessionMove(Body):
    at: Moment


class SessionCancellation(Body):
    reason: Reason


class Attendance(Body):
    emails: Annotated[list[Email], Field(min_length=1, max_length=500)]


class NewCandidate(Body):
    title: Annotated[str, single_line(300)]
    start: Day
    end: Day | None = None
    description: LongText
    nominated_by: Email


class Assessment(Body):
    criteria: Annotated[
        list[Annotated[int, Field(ge=1, le=4)]],
        Field(max_length=4, description="The hotspot criteria met, numbered 1 to 4."),
    ] = []
    motivation: Annotated[str, text(10_000, min_length=0)] = ""
    include: bool


class WorkgroupNotice(Body):
    subject: Annotated[str, single_line(200)]
    text: LongText


class InvitationIntro(Body):
    """Empty: the invitation goes out without an introduction of the facilitator's own."""

    text: Annotated[str, Field(max_length=4000)] = ""


class EmptyListReason(Body):
    reason: Reason


class Advice(Body):
    positive: bool
    by: Name
    reason: Annotated[str | None, text(10_000)] = None


class Decision(Body):
    adopted: bool
    date: Day
    ref: Reference
    reason: Annotated[str | None, text(10_000)] = None


class InformationSystem(Body):
    """A system searched by hand, or with `zaken_url` and `client_id` a ZGW case system."""

    name: Name
    owner: Name
    owner_email: Email | None = None
    zaken_url: Annotated[str, single_line(500)] | None = None
    client_id: Name | None = None
    secret_env: Annotated[str, single_line(100)] | None = None
    catalogi_url: Annotated[str, single_line(500)] | None = None
    zaaktypen: Annotated[list[Annotated[str, single_line(500)]], Field(max_length=50)] = []


class CaseSearch(Body):
    """Search a case system of the procedure for an adopted hotspot's cases, and keep them."""

    hotspot: Hotspot
    system: Name
    keyword: Annotated[str, single_line(100)] | None = None
    # A GeoJSON Polygon or MultiPolygon in EPSG:4326 (or a Feature holding one), as an object
    # or as its JSON text (the web form's field).
    area: dict[str, Any] | str | None = None


class CaseSelection(Body):
    """Keep a found case for the hotspot or not; not keeping it needs the reason."""

    hotspot: Hotspot
    case: Annotated[str, single_line(1000)]
    include: bool
    reason: Reason | None = None


class CaseApplication(Body):
    """Keep the cases chosen for the hotspot in their case systems (`dry_run`: only say what
    that would change)."""

    hotspot: Hotspot
    dry_run: bool = False


class CaseExplanation(Body):
    """Why a chosen case the case system refused (or failed to keep) needs no further apply."""

    hotspot: Hotspot
    case: Annotated[str, single_line(1000)]
    explanation: Reason


class CaseCheck(Body):
    """Read the kept cases again (of one hotspot, or all), restore drift, tell what is not."""

    hotspot: Hotspot | None = None


class InventorySystem(Body):
    """A system the procedure defined brings its owner; a new one needs `owner`."""

    hotspot: Hotspot
    system: Name
    query: Reason
    owner: Name | None = None
    owner_email: Email | None = None


class InventoryDossier(Body):
    hotspot: Hotspot
    system: Name
    dossier: Reference
    title: Annotated[str | None, single_line(300)] = None


class NothingFound(Body):
    hotspot: Hotspot
    system: Name
    reason: Reason


class Publication(Body):
    channel: Reference
    ref: Reference
    date: Day
    objection_weeks: Annotated[int | None, Field(ge=1, le=52)] = None


# --- Results --------------------------------------------------------------------------------


class Done(BaseModel):
    """What every command answers: the procedure and the phase it stands in now."""

    ok: bool = True
    procedure: str
    phase: Phase


class Advanced(Done):
    list_version: int | None = Field(
        default=None, description="Entering the decision phase: the concept list's version."
    )


class DeviationRecorded(Done):
    rule: str


class MemberAdded(Done):
    member: int


class PlanSet(Done):
    changed: list[str]
    reminders: dict[str, Any]


class MilestoneSet(Done):
    milestone: str
    due: date
    reminders: dict[str, Any]


class ExpertAdded(Done):
    expert: int


class Invited(Done):
    invited: list[str]


class LinksRevoked(Done):
    revoked: int = Field(description="How many live links ended.")
    purposes: dict[str, int] = Field(description="Of those, how many per kind of link.")


class Responded(Done):
    expert: int
    response: Literal["accepted", "declined"]


class AddressCorrected(Done):
    email: str = Field(description="The address as it is kept now (a domain in ASCII form).")
    mail: int = Field(description="Waiting and failed messages that now go to it.")


class MailNotRetried(BaseModel):
    """A failed message a retry left out, and why (the rule's code and its message)."""

    message: int
    code: str
    reason: str
    reason_en: str


class MailRetried(Done):
    """The messages queued again, the fresh links they share, and those left out."""

    messages: list[int]
    count: int
    links: int
    skipped: list[MailNotRetried]


class SessionAdded(Done):
    session: int


class SessionMoved(Done):
    session: int
    at: datetime


class SessionCancelled(Done):
    session: int
    cancelled: bool


class AttendanceRecorded(Done):
    session: int
    attendees: int


class CandidateAdded(Done):
    candidate: int


class Assessed(Done):
    candidate: int
    included: bool


class AdviceRecorded(Done):
    list_version: int


class DecisionRecorded(Done):
    list_version: int
    adopted: bool


class SystemAdded(Done):
    hotspot: str
    system: str


class CasesFound(Done):
    hotspot: str
    system: str
    found: int
    new: int


class CaseSelected(Done):
    hotspot: str
    case: str
    include: bool


class CasesApplied(Done):
    hotspot: str
    dry_run: bool
    # How many cases ended how: changed, unchanged, refused, failed.
    outcomes: dict[str, int]
    # Per case: its identificatie and its result, or (dry run) the change it would get.
    cases: list[dict[str, Any]]


class CaseExplained(Done):
    hotspot: str
    case: str


class CasesChecked(Done):
    checked: int
    # How many cases ended how: kept, restored, not_restored, gone, unreachable.
    checks: dict[str, int]
    # Per case: its identificatie, hotspot and check.
    cases: list[dict[str, Any]]
    # How many people were told about the cases that need attention.
    told: int


class DossierMarked(Done):
    hotspot: str
    dossier: str
    archiefnominatie: str
    reason: str


class NothingFoundRecorded(Done):
    hotspot: str
    system: str


class Published(Done):
    publication: str
