"""The thresholds and vocabularies of a procedure definition, parsed and checked from plain data.

The TOML files are read elsewhere (workflow.settings); here a merged dict becomes a typed
RuleConfig or a ConfigError that names the key, what it holds and what it should hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import TYPE_CHECKING, Any

# ConfigError lives in its own module (states.reminders raises it too); callers read it here.
from states.config_error import ConfigError as ConfigError
from states.i18n import Text
from states.reminders import ReminderPolicy, parse_policy

if TYPE_CHECKING:
    from states.governing_body import GoverningBodyKind

MILESTONE_ORDER: tuple[str, ...] = (
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
)


# What each milestone means, for people reading a planning.
MILESTONE_LABELS: dict[str, Text] = {
    "invitations_sent": Text("uitnodigingen verstuurd", "invitations sent"),
    "rsvp_deadline": Text("uiterste antwoorddatum experts", "experts' reply deadline"),
    "nomination_deadline": Text("uiterste datum voordrachten", "nomination deadline"),
    "first_session": Text("eerste expertbijeenkomst", "first expert session"),
    "concept_list": Text("conceptlijst gereed", "concept list ready"),
    "archivist_advice": Text("advies archivaris", "archivist's advice"),
    "proposal_to_body": Text("voorstel aan bestuursorgaan", "proposal to the governing body"),
    "decision": Text("besluit bestuursorgaan", "decision by the governing body"),
    "inventory_done": Text("inventarisatie gereed", "inventory done"),
    "publication": Text("publicatie", "publication"),
}


@dataclass(frozen=True, slots=True)
class RoleConfig:
    known: tuple[str, ...]
    required: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProfileConfig:
    known: tuple[str, ...]
    required_external: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlanningConfig:
    milestones: tuple[str, ...]
    min_days_invitations_to_rsvp: int
    min_days_invitations_to_first_session: int


@dataclass(frozen=True, slots=True)
class PanelConfig:
    min_accepted: int
    max_accepted: int
    min_external_percent: int
    max_external_percent: int


@dataclass(frozen=True, slots=True)
class SessionConfig:
    min_held: int
    min_attendees: int
    min_attendees_per_perspective: int
    max_perspective_percent: int
    max_nomination_percent: int
    nomination_balance_min_entries: int


@dataclass(frozen=True, slots=True)
class PublicationConfig:
    default_objection_weeks: int


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """Everything the rules of one procedure depend on; stored with the procedure at `init`."""

    legal_basis: str
    roles: RoleConfig
    profiles: ProfileConfig
    planning: PlanningConfig
    panel: PanelConfig
    sessions: SessionConfig
    publication: PublicationConfig
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    # Which body adopts the list, for the wording of mails and documents; None: derived from
    # the governing body's name or the organisation's (states.governing_body.resolve_kind).
    governing_body_kind: GoverningBodyKind | None = None

    def to_dict(self) -> dict[str, Any]:
        # The reminder policy keeps a cache and a time of day: it says itself how it is stored.
        special = ("reminders", "governing_body_kind")
        plain = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in special}
        result: dict[str, Any] = _lists(
            {
                k: asdict(v) if is_dataclass(v) and not isinstance(v, type) else v
                for k, v in plain.items()
            }
        )
        result["reminders"] = self.reminders.to_dict()
        # TOML has no null: an empty text means "derive the kind".
        kind = self.governing_body_kind
        result["governing_body_kind"] = kind.value if kind else ""
        return result


def _lists(value: Any) -> Any:
    """asdict keeps tuples; JSON and TOML want lists, and equality after a round trip needs them."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def merge(base: Mapping[str, Any], override: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """`base` with `override` laid over it table by table; unknown keys are refused."""
    merged = dict(base)
    for key, value in override.items():
        dotted = f"{path}{key}"
        if key not in base:
            known = ", ".join(sorted(base)) or "(geen)"
            raise ConfigError(dotted, f"onbekende instelling; bekend op dit niveau: {known}")
        if isinstance(base[key], Mapping):
            if not isinstance(value, Mapping):
                raise ConfigError(dotted, "verwacht een tabel met instellingen")
            merged[key] = merge(base[key], value, f"{dotted}.")
        else:
            merged[key] = value
    return merged


def parse_config(raw: Mapping[str, Any]) -> RuleConfig:
    """A checked RuleConfig from a merged dict, or ConfigError naming the first bad key."""
    reader = _Reader(raw)
    roles = RoleConfig(
        known=reader.words("roles.known"),
        required=reader.words("roles.required"),
    )
    _subset(roles.required, roles.known, "roles.required", "roles.known")
    profiles = ProfileConfig(
        known=reader.words("profiles.known"),
        required_external=reader.words("profiles.required_external"),
    )
    _subset(
        profiles.required_external, profiles.known, "profiles.required_external", "profiles.known"
    )
    planning = PlanningConfig(
        milestones=reader.words("planning.milestones"),
        min_days_invitations_to_rsvp=reader.count("planning.min_days_invitations_to_rsvp"),
        min_days_invitations_to_first_session=reader.count(
            "planning.min_days_invitations_to_first_session"
        ),
    )
    if planning.milestones != MILESTONE_ORDER:
        raise ConfigError(
            "planning.milestones",
            "deze versie van de procedure kent precies deze mijlpalen in deze volgorde: "
            + ", ".join(MILESTONE_ORDER),
        )
    panel = PanelConfig(
        min_accepted=reader.count("panel.min_accepted"),
        max_accepted=reader.count("panel.max_accepted"),
        min_external_percent=reader.percent("panel.min_external_percent"),
        max_external_percent=reader.percent("panel.max_external_percent"),
    )
    _ordered(panel.min_accepted, panel.max_accepted, "panel.max_accepted")
    _ordered(panel.min_external_percent, panel.max_external_percent, "panel.max_external_percent")
    sessions = SessionConfig(
        min_held=reader.count("sessions.min_held"),
        min_attendees=reader.count("sessions.min_attendees"),
        min_attendees_per_perspective=reader.count("sessions.min_attendees_per_perspective"),
        max_perspective_percent=reader.percent("sessions.max_perspective_percent"),
        max_nomination_percent=reader.percent("sessions.max_nomination_percent"),
        nomination_balance_min_entries=reader.count("sessions.nomination_balance_min_entries"),
    )
    publication = PublicationConfig(
        default_objection_weeks=reader.count("publication.default_objection_weeks"),
    )
    legal_basis = reader.text("legal_basis")
    reminders_raw = raw.get("reminders")
    if reminders_raw is not None and not isinstance(reminders_raw, Mapping):
        raise ConfigError("reminders", "verwacht een tabel met instellingen")
    reminders = parse_policy(reminders_raw)
    return RuleConfig(
        legal_basis,
        roles,
        profiles,
        planning,
        panel,
        sessions,
        publication,
        reminders,
        _governing_body_kind(raw.get("governing_body_kind")),
    )


def _governing_body_kind(value: Any) -> GoverningBodyKind | None:
    # Absent (a procedure stored before the setting existed) or empty: derived when needed.
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError("governing_body_kind", f"verwacht een tekst, gevonden {value!r}")
    # Loaded only for a procedure that names its kind: `hotspot status` reads every config.
    from states.governing_body import parse_kind

    try:
        return parse_kind(value)
    except ValueError as error:
        raise ConfigError("governing_body_kind", str(error)) from None


def _subset(items: tuple[str, ...], known: tuple[str, ...], key: str, known_key: str) -> None:
    unknown = [item for item in items if item not in known]
    if unknown:
        raise ConfigError(key, f"{', '.join(unknown)} staat niet in {known_key}")


def _ordered(low: int, high: int, key: str) -> None:
    if high < low:
        raise ConfigError(key, f"{high} is kleiner dan het minimum {low}")


class _Reader:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = raw

    def _get(self, key: str) -> Any:
        node: Any = self._raw
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise ConfigError(key, "ontbreekt")
            node = node[part]
        return node

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(key, f"verwacht een tekst, gevonden {value!r}")
        return value.strip()

    def words(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(key, f"verwacht een lijst met namen, gevonden {value!r}")
        if len(set(value)) != len(value):
            raise ConfigError(key, "bevat een naam meer dan eens")
        return tuple(value)

    def count(self, key: str) -> int:
        value = self._get(key)
        # bool is an int in Python; `true` in a TOML file is still a mistake here.
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(key, f"verwacht een geheel getal van 0 of meer, gevonden {value!r}")
        return value

    def percent(self, key: str) -> int:
        value = self.count(key)
        if value > 100:
            raise ConfigError(
                key, f"verwacht een percentage van 0 tot en met 100, gevonden {value}"
            )
        return value
