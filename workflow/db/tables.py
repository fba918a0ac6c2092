"""The tables, in SQLAlchemy Core: what is stored, with no ORM behind it.

The commands and pages read and write these tables directly (the lean path); the ORM classes
in workflow.db.models are mapped onto the very same Table objects for the code that wants
objects. Core tables cost next to nothing to import, the ORM and its mapping about as much
as the rest of `hotspot status` together: a command that reads through Core loads neither.
Alembic compares the migrations with `metadata`, which notifications.schema starts with the
mail side's own tables (the outbox, the mail set-up problems).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# The MetaData and the mail side's two tables are notifications' (it stores mail without
# importing workflow); the procedure's tables join them here, in one MetaData.
from notifications.schema import mail_problems as mail_problems
from notifications.schema import metadata as metadata
from notifications.schema import outbox as outbox
from workflow.db.types import UTCDateTime


def _procedure_id() -> Column[str]:
    """The owning procedure; its rows go when the procedure goes."""
    return Column(
        "procedure_id",
        String(80),
        ForeignKey("procedures.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    # Case- and space-insensitive key, so "provincie overijssel " is the same organisation.
    Column("name_key", String(200), nullable=False, unique=True),
)

procedures = Table(
    "procedures",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False, index=True),
    Column("governing_body", String(200), nullable=False),
    Column("period_start", Integer, nullable=False),
    Column("period_end", Integer, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("phase", String(32), nullable=False, index=True),
    Column("definition_version", Integer, nullable=False),
    Column("config", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("cancel_reason", Text),
    Column("empty_list_reason", Text),
    # The facilitator's own introduction at the top of the experts' invitation mail.
    Column("invitation_intro", Text),
    Column("audit_seq", Integer, nullable=False, default=0),
    Column("audit_head", String(64), nullable=False),
    # Optimistic locking: workflow.procedure_store checks and bumps it on every command, so a
    # concurrent writer fails cleanly; the mapper would do the same if the ORM wrote a row.
    Column("version", Integer, nullable=False),
    # The dashboard pages through procedures oldest first.
    Index("ix_procedures_created_at_id", "created_at", "id"),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("email_key", String(320), nullable=False),
    Column("role", String(64), nullable=False),
    # The language this person gets mail in ("nl" or "en").
    Column("language", String(2), nullable=False, default="nl", server_default="nl"),
    # How a letter greets this person (states.salutation): heer, mevrouw or neutraal.
    Column("salutation", String(16), nullable=False, default="neutraal", server_default="neutraal"),
    UniqueConstraint("procedure_id", "email_key", "role"),
)

milestones = Table(
    "milestones",
    metadata,
    Column(
        "procedure_id",
        String(80),
        ForeignKey("procedures.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("key", String(64), primary_key=True),
    Column("due", Date, nullable=False),
)

experts = Table(
    "experts",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("email_key", String(320), nullable=False),
    Column("perspective", String(16), nullable=False),
    Column("profile", String(64), nullable=False),
    Column("response", String(16), nullable=False),
    Column("responded_at", UTCDateTime),
    Column("language", String(2), nullable=False, default="nl", server_default="nl"),
    Column("invited_at", UTCDateTime),
    Column("salutation", String(16), nullable=False, default="neutraal", server_default="neutraal"),
    UniqueConstraint("procedure_id", "email_key"),
)

expert_sessions = Table(
    "expert_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("at", UTCDateTime, nullable=False),
    Column("location", String(300)),
    # iTIP: one UID for the life of the session, SEQUENCE raised on every change.
    Column("uid", String(120), nullable=False, unique=True),
    Column("sequence", Integer, nullable=False, default=0, server_default="0"),
    Column("cancelled_at", UTCDateTime),
    Column("cancel_reason", Text),
)

attendance = Table(
    "attendance",
    metadata,
    Column(
        "session_id",
        Integer,
        ForeignKey("expert_sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("expert_id", Integer, ForeignKey("experts.id", ondelete="CASCADE"), primary_key=True),
)

candidates = Table(
    "candidates",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("title", String(300), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date),
    Column("description", Text, nullable=False),
    Column("nominated_by", Integer, ForeignKey("experts.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # The criteria the nominating expert thinks apply ("1,3"); the session decides `criteria`.
    Column("proposed_criteria", String(16), nullable=False, default="", server_default=""),
    Column("updated_at", UTCDateTime),
    Column("assessed", Boolean, nullable=False, default=False),
    Column("included", Boolean, nullable=False, default=False),
    Column("criteria", String(16), nullable=False, default=""),
    Column("motivation", Text, nullable=False, default=""),
    Column("assessed_at", UTCDateTime),
)

# A concept list frozen when it went to the decision phase; never edited afterwards.
list_versions = Table(
    "list_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("number", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("entries", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("advice_positive", Boolean),
    Column("advice_by", String(200)),
    Column("advice_reason", Text),
    Column("advice_at", UTCDateTime),
    # The advice letter's reference and date, when the archivist gives them.
    Column("advice_ref", String(200)),
    Column("advice_date", Date),
    Column("decision_date", Date),
    Column("decision_ref", String(200)),
    Column("decision_reason", Text),
    Column("decided_at", UTCDateTime),
    UniqueConstraint("procedure_id", "number"),
)

# The information systems of a procedure, defined once (name, owner) and searched per hotspot.
information_systems = Table(
    "information_systems",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("name", String(200), nullable=False),
    # The name compared without regard to case: "Corsa" and "CORSA" are one system.
    Column("name_key", String(200), nullable=False),
    Column("owner", String(200), nullable=False),
    Column("owner_email", String(320)),
    Column("created_at", UTCDateTime, nullable=False),
    # A case system with a ZGW Zaken API (workflow.zgw): its base URL, the client id the
    # engine signs its tokens with, the environment variable holding the secret (never the
    # secret itself) and the case types (zaaktype URLs) its searches look at. NULL: a system
    # searched by hand (a network drive, Teams, a mailbox).
    Column("zaken_url", String(500)),
    # Its Catalogi API, where the case types are listed and named; NULL: not given.
    Column("catalogi_url", String(500)),
    Column("client_id", String(200)),
    Column("secret_env", String(100)),
    Column("zaaktypen", JSON),
    UniqueConstraint("procedure_id", "name_key"),
)

inventory_systems = Table(
    "inventory_systems",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("candidate_id", Integer, ForeignKey("candidates.id"), nullable=False),
    Column("system", String(200), nullable=False),
    Column("query", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    # Where the weekly reminder goes; without it, to the informatiebeheerder of the workgroup.
    Column("owner_email", String(320)),
    Column("none_reason", Text),
    # When the system was listed: its weekly reminders count from here.
    Column("created_at", UTCDateTime),
    # A case system (workflow.zgw): when its search for this hotspot was last recorded.
    Column("searched_at", UTCDateTime),
    UniqueConstraint("procedure_id", "candidate_id", "system"),
)

# A case a case system's search found for an adopted hotspot (workflow.zgw), with the
# informatiebeheerder's choice about it: kept for the hotspot (selected true) or not (false,
# with the reason), or not yet decided (NULL). `found` holds its archive fields as found.
zgw_cases = Table(
    "zgw_cases",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("candidate_id", Integer, nullable=False),
    Column(
        "system_id",
        Integer,
        ForeignKey("information_systems.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("url", String(1000), nullable=False),
    Column("identificatie", String(100), nullable=False),
    Column("omschrijving", String(300), nullable=False),
    Column("zaaktype", String(1000), nullable=False),
    # The case type's name as the Catalogi API gave it at the search (NULL: not read).
    Column("zaaktype_omschrijving", String(300)),
    Column("startdatum", Date),
    Column("einddatum", Date),
    Column("found", JSON, nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
    Column("selected", Boolean),
    Column("reason", Text),
    Column("selected_by", String(200)),
    Column("selected_at", UTCDateTime),
    # The last apply's outcome for this case (workflow.zgw.apply): changed, unchanged, refused
    # or failed, with the before and after values and the API's answer.
    Column("applied_at", UTCDateTime),
    Column("result", String(16)),
    Column("outcome", JSON),
    # The drift guard's last look at a kept case (workflow.commands.zgw_guard): kept, restored,
    # not_restored, gone or unreachable, with what had drifted and the API's answer.
    Column("checked_at", UTCDateTime),
    Column("check_result", String(16)),
    Column("check", JSON),
    # Why a case the apply could not keep needs no further apply (kept by hand, say): with it
    # the failure counts as explained for leaving the inventory.
    Column("explanation", Text),
    UniqueConstraint("procedure_id", "candidate_id", "url"),
)

dossiers = Table(
    "dossiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "inventory_system_id",
        Integer,
        ForeignKey("inventory_systems.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("dossier_ref", String(200), nullable=False),
    Column("title", String(300)),
    Column("archiefnominatie", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("marked_at", UTCDateTime, nullable=False),
    UniqueConstraint("inventory_system_id", "dossier_ref"),
)

publications = Table(
    "publications",
    metadata,
    Column(
        "procedure_id",
        String(80),
        ForeignKey("procedures.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("channel", String(200), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("in_force", Date, nullable=False),
    Column("objection_weeks", Integer, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)

deviations = Table(
    "deviations",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("rule_code", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    UniqueConstraint("procedure_id", "rule_code"),
)

# One hash-chained line of the audit trail; appended, never updated.
audit_records = Table(
    "audit_records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "procedure_id", String(80), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False
    ),
    Column("seq", Integer, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("phase_before", String(32)),
    Column("phase_after", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Column("reason", Text),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("procedure_id", "seq"),
)

# One dated obligation of a procedure: a milestone, a reply deadline, a session...
# `kind` and `subject` name it (`milestone`/`rsvp_deadline`, `rsvp`/expert id, `session`/
# session id); `due` is its day in Amsterdam time, `at` its moment when it has one.
deadlines = Table(
    "deadlines",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("kind", String(16), nullable=False),
    Column("subject", String(80), nullable=False),
    Column("due", Date),
    Column("at", UTCDateTime),
    # The start of a repeating obligation (an inventory system: when it was listed).
    Column("since", Date),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("procedure_id", "kind", "subject"),
)

# One reminder derived from a deadline by the policy; queued at most once.
# Its key is the deadline, the policy rule and offset, the deadline day it was planned for
# and the occurrence of a repeating rule. A worker moves it from `pending` to `sent` (mails
# in the outbox, same transaction) or to `skipped` with the reason; never back.
reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True),
    _procedure_id(),
    Column("deadline_id", Integer, ForeignKey("deadlines.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(16), nullable=False),
    Column("offset_label", String(24), nullable=False),
    Column("planned_for", Date, nullable=False),
    Column("occurrence", Integer, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(32)),
    Column("mails", Integer, nullable=False, default=0, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    UniqueConstraint("deadline_id", "rule", "offset_label", "planned_for", "occurrence"),
    # The sweep walks this index: pending reminders by the moment they fall due.
    Index("ix_reminders_due", "status", "due_at"),
    # The sweep's "is a later reminder of this deadline due too?" reads only a window.
    Index("ix_reminders_deadline_due", "deadline_id", "due_at"),
)

# A facilitator who logs in to the web app; the password is kept only as an argon2 hash.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Failed logins in a row: each one makes the next answer slower.
    Column("failed_logins", Integer, nullable=False, default=0, server_default="0"),
    Column("last_failed_at", UTCDateTime),
    # Set while the account is disabled (`hotspot user disable`): no login, no session.
    Column("disabled_at", UTCDateTime),
    # What the account may do (workflow.users.AccountRole): procesbegeleider,
    # informatiebeheerder or archivaris.
    Column("role", String(32), nullable=False, server_default="procesbegeleider"),
    # An account that signs in through OpenID Connect: the provider and its subject.
    Column("oidc_issuer", String(500)),
    Column("oidc_subject", String(255)),
    UniqueConstraint("oidc_issuer", "oidc_subject"),
)

# A personal link: signed and expiring in itself, revocable through this row.
# Only the SHA-256 of the link's nonce is stored; the link exists in the mail alone. A new
# link for the same person and purpose revokes the previous one.
access_links = Table(
    "access_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "procedure_id", String(80), ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False
    ),
    # "expert" (an expert's portal), "advice" (an archivist), "decision" (management).
    Column("purpose", String(16), nullable=False),
    # The expert's or the member's id, by purpose.
    Column("subject_id", Integer, nullable=False),
    Column("nonce_hash", String(64), nullable=False, unique=True),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
    Column("revoked_reason", String(32)),
    Index("ix_access_links_subject", "procedure_id", "purpose", "subject_id"),
)

# A web session, kept on the server: the browser's cookie holds only a random id.
# Only the SHA-256 of that id is stored, so the table alone opens no session. Logging out
# deletes the row; a password change or a disabled account deletes all rows of the user.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    # A facilitator's account, or the personal link a link holder came in with; neither for
    # a visitor who has only chosen a language or opened the login form.
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True),
    Column("link_id", Integer, ForeignKey("access_links.id", ondelete="CASCADE"), index=True),
    Column("csrf_token", String(64)),
    Column("language", String(2)),
    # Who the session belongs to (role, actor, name, procedure) and pending flash messages.
    Column("data", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    # The absolute end (login plus the session lifetime); the idle end follows last_seen_at.
    Column("expires_at", UTCDateTime, nullable=False, index=True),
)

# A check value of each master key this installation accepts (never the key itself).
# The HMAC-SHA256 of a fixed text under the key derived for links: a process whose keys
# have no check value here (a key file made afresh in another folder, another machine's
# variable) is refused instead of signing links nobody else can open (workflow.key_checks).
key_checks = Table(
    "key_checks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("check_value", String(64), nullable=False, unique=True),
    Column("added_at", UTCDateTime, nullable=False),
)
