"""parse_config and merge: a merged dict becomes a checked RuleConfig or a ConfigError."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from states.config import MILESTONE_ORDER, ConfigError, RuleConfig, merge, parse_config


def _set(raw: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    node = raw
    *tables, key = dotted.split(".")
    for table in tables:
        node = node[table]
    node[key] = value
    return raw


def _refused(raw: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    return caught.value


# -- the default configuration --------------------------------------------------------------


def test_default_configuration_has_the_documented_thresholds(config: RuleConfig) -> None:
    """config/default.toml parses to the thresholds the rules are described with."""
    assert config.panel.min_accepted == 6
    assert config.panel.max_accepted == 16
    assert (config.panel.min_external_percent, config.panel.max_external_percent) == (40, 60)
    assert config.planning.min_days_invitations_to_rsvp == 10
    assert config.planning.min_days_invitations_to_first_session == 21
    assert config.sessions.min_held == 2
    assert config.sessions.min_attendees == 4
    assert config.sessions.min_attendees_per_perspective == 2
    assert config.sessions.max_perspective_percent == 65
    assert config.sessions.max_nomination_percent == 75
    assert config.sessions.nomination_balance_min_entries == 4
    assert config.roles.required == ("procesbegeleider", "informatiebeheerder", "archivaris")
    assert config.planning.milestones == MILESTONE_ORDER
    assert config.legal_basis.startswith("Archiefbesluit 1995, art. 5 lid 1 sub e")


def test_to_dict_round_trips_through_parse_config(config: RuleConfig) -> None:
    """A stored configuration (lists, not tuples) parses back to an equal RuleConfig."""
    stored = config.to_dict()
    assert stored["roles"]["required"] == ["procesbegeleider", "informatiebeheerder", "archivaris"]
    assert parse_config(stored) == config


def test_to_dict_equals_the_toml_it_was_read_from(
    config: RuleConfig, raw_config: dict[str, Any]
) -> None:
    """The default file holds exactly the settings RuleConfig knows, no more and no fewer."""
    assert config.to_dict() == raw_config


def test_legal_basis_is_stripped(raw_config: dict[str, Any]) -> None:
    """Whitespace around the legal basis is dropped."""
    parsed = parse_config(_set(raw_config, "legal_basis", "  Archiefwet 2021  \n"))
    assert parsed.legal_basis == "Archiefwet 2021"


# -- merge ----------------------------------------------------------------------------------


def test_merge_lays_an_override_over_one_key_of_a_table(raw_config: dict[str, Any]) -> None:
    """Overriding panel.min_accepted keeps the other panel settings from the base."""
    merged = merge(raw_config, {"panel": {"min_accepted": 8}})
    assert merged["panel"]["min_accepted"] == 8
    assert merged["panel"]["max_accepted"] == 16
    assert parse_config(merged).panel.min_accepted == 8


def test_merge_leaves_the_base_unchanged(raw_config: dict[str, Any]) -> None:
    """The base dict is not mutated by a merge."""
    before = copy.deepcopy(raw_config)
    merge(raw_config, {"panel": {"min_accepted": 8}, "legal_basis": "anders"})
    assert raw_config == before


def test_merge_refuses_an_unknown_top_level_key(raw_config: dict[str, Any]) -> None:
    """An unknown table is refused with its name as the key."""
    with pytest.raises(ConfigError) as caught:
        merge(raw_config, {"pannel": {"min_accepted": 8}})
    assert caught.value.key == "pannel"
    assert "onbekende instelling" in str(caught.value)
    assert "panel" in str(caught.value)


def test_merge_refuses_an_unknown_nested_key_with_its_dotted_path(
    raw_config: dict[str, Any],
) -> None:
    """A typo inside a table is refused as panel.min_acepted, listing the known keys there."""
    with pytest.raises(ConfigError) as caught:
        merge(raw_config, {"panel": {"min_acepted": 8}})
    assert caught.value.key == "panel.min_acepted"
    assert str(caught.value).startswith("panel.min_acepted: onbekende instelling")
    assert "min_accepted" in str(caught.value)
    assert "max_external_percent" in str(caught.value)


def test_merge_refuses_a_value_where_a_table_is_expected(raw_config: dict[str, Any]) -> None:
    """Replacing a whole table by a number is refused for that table's key."""
    with pytest.raises(ConfigError) as caught:
        merge(raw_config, {"sessions": 3})
    assert caught.value.key == "sessions"
    assert "tabel" in str(caught.value)


def test_merge_replaces_lists_whole(raw_config: dict[str, Any]) -> None:
    """A list in the override replaces the base list instead of being appended."""
    merged = merge(raw_config, {"roles": {"required": ["archivaris"]}})
    assert merged["roles"]["required"] == ["archivaris"]
    assert parse_config(merged).roles.required == ("archivaris",)


# -- parse_config: types --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["6", 6.0, None, [6]])
def test_a_count_of_the_wrong_type_is_refused(raw_config: dict[str, Any], value: Any) -> None:
    """panel.min_accepted must be a whole number; text, floats and lists are refused."""
    error = _refused(_set(raw_config, "panel.min_accepted", value))
    assert error.key == "panel.min_accepted"
    assert "verwacht een geheel getal van 0 of meer" in str(error)


@pytest.mark.parametrize(
    "key",
    [
        "panel.min_accepted",
        "sessions.min_held",
        "planning.min_days_invitations_to_rsvp",
        "sessions.max_perspective_percent",
        "publication.default_objection_weeks",
    ],
)
def test_a_boolean_is_refused_where_a_number_is_expected(
    raw_config: dict[str, Any], key: str
) -> None:
    """`true` is an int in Python but a mistake in a TOML threshold."""
    error = _refused(_set(raw_config, key, True))
    assert error.key == key
    assert "True" in str(error)


def test_a_negative_count_is_refused(raw_config: dict[str, Any]) -> None:
    """Counts start at zero."""
    error = _refused(_set(raw_config, "sessions.min_attendees", -1))
    assert error.key == "sessions.min_attendees"


def test_zero_is_an_allowed_count(raw_config: dict[str, Any]) -> None:
    """Zero is the smallest allowed count."""
    assert parse_config(_set(raw_config, "sessions.min_held", 0)).sessions.min_held == 0


@pytest.mark.parametrize(
    "key",
    [
        "panel.max_external_percent",
        "sessions.max_perspective_percent",
        "sessions.max_nomination_percent",
    ],
)
def test_a_percentage_above_one_hundred_is_refused(raw_config: dict[str, Any], key: str) -> None:
    """101% is refused for every percentage setting, naming the key."""
    error = _refused(_set(raw_config, key, 101))
    assert error.key == key
    assert "verwacht een percentage van 0 tot en met 100, gevonden 101" in str(error)


def test_one_hundred_percent_is_allowed(raw_config: dict[str, Any]) -> None:
    """Exactly 100% is the largest allowed percentage."""
    parsed = parse_config(_set(raw_config, "sessions.max_perspective_percent", 100))
    assert parsed.sessions.max_perspective_percent == 100


@pytest.mark.parametrize("value", ["", "   ", 42, None])
def test_legal_basis_must_be_non_blank_text(raw_config: dict[str, Any], value: Any) -> None:
    """A blank or non-text legal basis is refused."""
    error = _refused(_set(raw_config, "legal_basis", value))
    assert error.key == "legal_basis"


def test_a_missing_setting_is_refused_by_name(raw_config: dict[str, Any]) -> None:
    """Leaving out sessions.min_held is refused as missing."""
    del raw_config["sessions"]["min_held"]
    error = _refused(raw_config)
    assert error.key == "sessions.min_held"
    assert str(error) == "sessions.min_held: ontbreekt"


def test_a_missing_table_is_refused_by_its_first_key(raw_config: dict[str, Any]) -> None:
    """Leaving out the whole [roles] table names roles.known as missing."""
    del raw_config["roles"]
    assert _refused(raw_config).key == "roles.known"


@pytest.mark.parametrize("value", ["archivaris", ["archivaris", ""], ["archivaris", 3]])
def test_a_word_list_must_be_a_list_of_names(raw_config: dict[str, Any], value: Any) -> None:
    """roles.known must be a list of non-empty strings."""
    error = _refused(_set(raw_config, "roles.known", value))
    assert error.key == "roles.known"
    assert "verwacht een lijst met namen" in str(error)


def test_a_word_list_with_duplicates_is_refused(raw_config: dict[str, Any]) -> None:
    """A name listed twice is refused."""
    error = _refused(_set(raw_config, "profiles.known", ["historicus", "historicus"]))
    assert error.key == "profiles.known"
    assert "meer dan eens" in str(error)


# -- parse_config: consistency --------------------------------------------------------------


def test_required_roles_must_be_known_roles(raw_config: dict[str, Any]) -> None:
    """A required role that is not among the known roles is refused and named."""
    error = _refused(_set(raw_config, "roles.required", ["archivaris", "griffier"]))
    assert error.key == "roles.required"
    assert str(error) == "roles.required: griffier staat niet in roles.known"


def test_required_external_profiles_must_be_known_profiles(raw_config: dict[str, Any]) -> None:
    """A required external profile that is not a known profile is refused."""
    error = _refused(_set(raw_config, "profiles.required_external", ["influencer"]))
    assert error.key == "profiles.required_external"
    assert "influencer staat niet in profiles.known" in str(error)


def test_panel_minimum_above_maximum_is_refused(raw_config: dict[str, Any]) -> None:
    """min_accepted 10 with max_accepted 9 is refused on the maximum."""
    _set(raw_config, "panel.min_accepted", 10)
    error = _refused(_set(raw_config, "panel.max_accepted", 9))
    assert error.key == "panel.max_accepted"
    assert str(error) == "panel.max_accepted: 9 is kleiner dan het minimum 10"


def test_panel_minimum_equal_to_maximum_is_allowed(raw_config: dict[str, Any]) -> None:
    """A fixed panel size (min == max) is allowed."""
    _set(raw_config, "panel.min_accepted", 10)
    parsed = parse_config(_set(raw_config, "panel.max_accepted", 10))
    assert (parsed.panel.min_accepted, parsed.panel.max_accepted) == (10, 10)


def test_external_percent_minimum_above_maximum_is_refused(raw_config: dict[str, Any]) -> None:
    """min_external_percent 61 with max 60 is refused on the maximum."""
    error = _refused(_set(raw_config, "panel.min_external_percent", 61))
    assert error.key == "panel.max_external_percent"
    assert "60 is kleiner dan het minimum 61" in str(error)


@pytest.mark.parametrize(
    "milestones",
    [
        [*MILESTONE_ORDER[1:], MILESTONE_ORDER[0]],
        list(MILESTONE_ORDER[:-1]),
        [*MILESTONE_ORDER, "evaluation"],
        [MILESTONE_ORDER[1], MILESTONE_ORDER[0], *MILESTONE_ORDER[2:]],
    ],
    ids=["rotated", "one-missing", "one-extra", "two-swapped"],
)
def test_milestones_must_be_exactly_the_fixed_order(
    raw_config: dict[str, Any], milestones: list[str]
) -> None:
    """Any milestone list other than MILESTONE_ORDER is refused and the order is spelled out."""
    error = _refused(_set(raw_config, "planning.milestones", milestones))
    assert error.key == "planning.milestones"
    assert ", ".join(MILESTONE_ORDER) in str(error)


def test_config_error_is_a_value_error_carrying_its_key() -> None:
    """ConfigError is a ValueError whose text starts with the dotted key."""
    error = ConfigError("panel.min_accepted", "ontbreekt")
    assert isinstance(error, ValueError)
    assert error.key == "panel.min_accepted"
    assert str(error) == "panel.min_accepted: ontbreekt"
