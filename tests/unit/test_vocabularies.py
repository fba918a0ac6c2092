"""The vocabularies in `states`: audit actions with their sentences, governing-body kinds."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states.audit_actions import AuditAction, action_label, describe, parse_audit_action
from states.governing_body import GoverningBodyKind, governing_body_kind
from states.i18n import LANGUAGES, Language, Text

ROOT = Path(__file__).resolve().parents[2]

# --- audit actions: labels and sentences ---------------------------------------------------

# What each command stores, as it stores it (see workflow/commands/*, worker, sweep).
TYPICAL: dict[AuditAction, dict[str, Any]] = {
    AuditAction.PROCEDURE_INIT: {
        "organisation": "Provincie Overijssel",
        "governing_body": "Gedeputeerde Staten",
        "period": [2017, 2023],
    },
    AuditAction.PHASE_ADVANCE: {"from": "sessions", "to": "decision", "list_version": 1},
    AuditAction.PHASE_CANCEL: {"from": "planning", "to": "cancelled", "links_ended": 0},
    AuditAction.DEVIATION_RECORD: {"rule": "panel.size"},
    AuditAction.MEMBER_ADD: {"member": 3, "name": "Carla", "role": "archivaris"},
    AuditAction.MEMBER_EMAIL: {"members": [3], "from": "c@a.example", "to": "c@b.example"},
    AuditAction.MILESTONES_PLAN: {
        "milestones": {"first_session": {"due": "2025-03-10", "previous": None}}
    },
    AuditAction.MILESTONE_SET: {
        "milestone": "first_session",
        "due": "2025-03-10",
        "previous": "2025-03-03",
    },
    AuditAction.EXPERT_ADD: {"expert": 7, "name": "Hanna Historica", "perspective": "external"},
    AuditAction.EXPERT_IMPORT: {"file": "experts.csv", "experts": [1, 2, 3], "count": 3},
    AuditAction.EXPERT_INVITE: {"experts": [1, 2], "count": 2},
    AuditAction.EXPERT_RESPOND: {"expert": 7, "response": "accepted", "previous": "pending"},
    AuditAction.EXPERT_EMAIL: {"expert": 7, "from": "h@a.example", "to": "h@b.example"},
    AuditAction.SESSION_ADD: {
        "session": 2,
        "at": "2025-03-10T14:00:00+01:00",
        "location": "Zwolle",
    },
    AuditAction.SESSION_MOVE: {
        "session": 2,
        "from": "2025-03-10T13:00:00+00:00",
        "to": "2025-04-03T14:00:00+02:00",
        "sequence": 1,
    },
    AuditAction.SESSION_CANCEL: {"session": 2, "sequence": 2},
    AuditAction.SESSION_ATTEND: {"session": 2, "experts": [1, 2, 5]},
    AuditAction.CANDIDATE_ADD: {"candidate": 4, "title": "Stikstofcrisis", "start": "2019-10-01"},
    AuditAction.CANDIDATE_ASSESS: {"candidate": 4, "included": True, "criteria": [1, 2]},
    AuditAction.NOMINATION_SUBMIT: {"candidate": 4, "by_expert": 7, "title": "Wolf"},
    AuditAction.NOMINATION_EDIT: {"candidate": 4, "by_expert": 7, "title": "Wolf"},
    AuditAction.CONCEPT_LIST_EMPTY_REASON: {"reason": "niets gevonden"},
    AuditAction.ADVICE_RECORD: {"list_version": 1, "positive": True, "by": "Carla"},
    AuditAction.DECISION_RECORD: {
        "list_version": 1,
        "adopted": True,
        "date": "2025-05-20",
        "hotspots": ["2019-1", "2020-1"],
    },
    AuditAction.INVENTORY_SYSTEM: {"hotspot": "2020-1", "system": "Corsa", "owner": "DIV"},
    AuditAction.INVENTORY_SYSTEM_DEFINE: {"system": "Corsa", "owner": "DIV"},
    AuditAction.INVENTORY_CASES_FOUND: {"hotspot": "2019-1", "system": "Open Zaak", "found": 12},
    AuditAction.INVENTORY_CASE_APPLY: {
        "hotspot": "2019-1",
        "case": "ZAAK-2020-0000000001",
        "result": "changed",
    },
    AuditAction.INVENTORY_CASE_EXPLAIN: {
        "hotspot": "2019-1",
        "case": "ZAAK-2020-0000000001",
        "explanation": "met de hand bewaard in het DMS",
    },
    AuditAction.CASES_CHECK: {
        "checked": 12,
        "kept": 9,
        "restored": 2,
        "not_restored": 1,
        "gone": 0,
        "unreachable": 0,
        "told": 2,
    },
    AuditAction.CASES_DRIFT: {
        "hotspot": "2019-1",
        "case": "ZAAK-2020-0000000001",
        "check": "restored",
        "drifted": ["archiefnominatie"],
    },
    AuditAction.INVENTORY_CASE_SELECT: {
        "hotspot": "2019-1",
        "case": "ZAAK-2020-0000000001",
        "include": False,
        "reason": "gaat over een ander onderwerp",
    },
    AuditAction.INVENTORY_DOSSIER: {"hotspot": "2020-1", "system": "Corsa", "dossier": "Z-12"},
    AuditAction.INVENTORY_NONE: {"hotspot": "2020-1", "system": "Teams"},
    AuditAction.PUBLICATION_RECORD: {
        "channel": "Provinciaal Blad",
        "ref": "PB 2025/123",
        "in_force": "2025-07-01",
        "objection_weeks": 6,
    },
    AuditAction.LINK_REVOKE: {
        "experts": [7],
        "members": [],
        "purposes": {"expert": 1},
        "revoked": 1,
    },
    AuditAction.MAIL_RETRY: {"messages": [10, 11], "count": 2, "links": 1, "skipped": {}},
    AuditAction.MAIL_FAILURES_REPORTED: {"failed": [10, 11], "problem": None, "to": 1},
    AuditAction.REMINDERS_SWEEP: {"sent": {"rsvp": 2, "session": 1}, "skipped": {"rsvp": 1}},
    AuditAction.DEADLINES_PLAN: {"reminders": {"planned": 4, "moved": 0}},
    AuditAction.WORKGROUP_NOTICE: {"subject": "Tweede bijeenkomst"},
    AuditAction.INVITATION_INTRO: {"length": 240},
}

ACTOR = "Sanne de Vries"


def fallback(action: AuditAction, language: Language) -> str:
    return f"{action.label(language)} {'by' if language == 'en' else 'door'} {ACTOR}"


def test_every_action_has_typical_data_here() -> None:
    """A new action needs its typical data in this test, so its sentence is tried."""
    assert set(TYPICAL) == set(AuditAction)


@pytest.mark.parametrize("action", list(AuditAction))
def test_every_action_has_a_dutch_and_an_english_label(action: AuditAction) -> None:
    label = action.label
    assert isinstance(label, Text)
    assert label.nl.strip() and label.en.strip()
    assert action_label(action.value, "nl") == label.nl
    assert action_label(action.value, "en") == label.en


def test_the_labels_tell_the_actions_apart() -> None:
    for language in LANGUAGES:
        labels = [action.label(language) for action in AuditAction]
        assert len(set(labels)) == len(labels), language


@pytest.mark.parametrize("action", list(AuditAction))
@pytest.mark.parametrize("language", LANGUAGES)
def test_typical_data_reads_as_a_sentence_naming_the_actor(
    action: AuditAction, language: Language
) -> None:
    """More than the label: the actor first, then what the data says."""
    said = action.sentence(ACTOR, TYPICAL[action], language)
    assert said.startswith(f"{ACTOR} ")
    assert said != fallback(action, language)
    assert "None" not in said and "{" not in said


@pytest.mark.parametrize("action", list(AuditAction))
@pytest.mark.parametrize("language", LANGUAGES)
def test_empty_data_still_gives_a_sentence_with_the_actor(
    action: AuditAction, language: Language
) -> None:
    said = action.sentence(ACTOR, {}, language)
    assert ACTOR in said and said.strip() == said and said
    assert "None" not in said


def test_the_sentences_of_the_brief() -> None:
    """The examples the audit page is built for, in Dutch time and Dutch notation."""
    data = TYPICAL[AuditAction.SESSION_MOVE]
    assert AuditAction.SESSION_MOVE.sentence(ACTOR, data, "nl") == (
        "Sanne de Vries verplaatste bijeenkomst 2 naar 3 april 2025 14.00 uur"
    )
    assert AuditAction.SESSION_MOVE.sentence(ACTOR, data, "en") == (
        "Sanne de Vries moved session 2 to 3 April 2025 14:00"
    )
    # Stored in UTC, shown in Dutch winter time.
    added = {"session": 1, "at": "2025-03-10T13:00:00+00:00", "location": "Zwolle"}
    assert AuditAction.SESSION_ADD.sentence("jan", added, "nl") == (
        "Jan plande bijeenkomst 1 op 10 maart 2025 14.00 uur in Zwolle"
    )


def test_odd_data_falls_back_to_the_label_with_the_actor() -> None:
    """Values of the wrong type are not shown as if they were right."""
    odd = {"session": True, "to": "gisteren"}
    assert AuditAction.SESSION_MOVE.sentence(ACTOR, odd, "nl") == (
        "Bijeenkomst verplaatst door Sanne de Vries"
    )
    assert AuditAction.SESSION_MOVE.sentence("", odd, "en") == ("Session moved by someone unknown")


def test_singular_and_plural_counts() -> None:
    one = AuditAction.EXPERT_INVITE.sentence(ACTOR, {"count": 1}, "nl")
    two = AuditAction.EXPERT_INVITE.sentence(ACTOR, {"count": 2}, "en")
    assert one == "Sanne de Vries nodigde 1 expert uit"
    assert two == "Sanne de Vries invited 2 experts"


def test_an_unknown_code_is_shown_as_stored() -> None:
    assert parse_audit_action("comet.impact") is None
    assert describe("comet.impact", "jan", {"x": 1}, "nl") == "Jan: comet.impact"
    assert action_label("comet.impact", "en") == "comet.impact"
    assert describe("session.cancel", "jan", {"session": 3}, "en") == "Jan cancelled session 3"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
KNOWN_KEYS = sorted({key for data in TYPICAL.values() for key in data})
DATA = st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(max_size=10), JSON, max_size=8)


@given(
    action=st.sampled_from(list(AuditAction)),
    actor=st.text(max_size=40),
    data=DATA,
    language=st.sampled_from(LANGUAGES),
)
def test_a_sentence_never_raises_whatever_the_data(
    action: AuditAction, actor: str, data: dict[str, Any], language: Language
) -> None:
    said = action.sentence(actor, data, language)
    assert isinstance(said, str) and said


@given(action=st.sampled_from(list(AuditAction)), data=JSON)
def test_data_that_is_not_a_mapping_does_not_raise(action: AuditAction, data: Any) -> None:
    assert action.sentence(ACTOR, data, "nl")


# --- every action the code records is in the vocabulary ------------------------------------

# The calls that write an audit record, and which positional argument is the action (as in
# `run_change(app, procedure_id, actor, action, body)`); an `action=` keyword counts too.
AUDIT_CALLS: dict[str, int | None] = {
    "run_change": 3,
    "changing": 3,
    "append_audit": 1,
    "next_record": None,
}


def _called(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _string(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    ):
        member = AuditAction.__members__.get(node.attr)
        # A misspelt member is a finding too: the test names it.
        return member.value if member is not None else f"AuditAction.{node.attr}"
    return None


def recorded_actions(root: Path) -> dict[str, set[str]]:
    """Every action string the code under `root` passes to an audit-writing call, by file.

    Read with `ast` rather than a regular expression: calls spread over lines and actions in
    module constants (`ACTION = "mail.failures_reported"`) are found as well.
    """
    found: dict[str, set[str]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
        }
        where = str(path.relative_to(root.parent))
        for name, value in constants.items():
            if name.endswith("ACTION"):
                found.setdefault(value, set()).add(where)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _called(node) not in AUDIT_CALLS:
                continue
            position = AUDIT_CALLS[_called(node)]
            arguments = [k.value for k in node.keywords if k.arg == "action"]
            if position is not None and len(node.args) > position:
                arguments.append(node.args[position])
            for argument in arguments:
                value = _string(argument, constants)
                if value is not None:
                    found.setdefault(value, set()).add(where)
    return found


def test_every_recorded_action_is_an_audit_action() -> None:
    """A new free string on the trail fails here until it is declared in AuditAction."""
    found = recorded_actions(ROOT / "workflow")
    # The scan itself must see the trail being written: well over twenty actions today.
    assert len(found) >= 25, sorted(found)
    unknown = {a: sorted(files) for a, files in found.items() if parse_audit_action(a) is None}
    assert unknown == {}


def test_the_scan_would_catch_a_free_string(tmp_path: Path) -> None:
    """The scan finds an undeclared action however it is written."""
    module = tmp_path / "workflow" / "commands" / "new.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        'ACTION = "comet.watch"\n'
        "def a(app, pid, actor, body):\n"
        "    return run_change(\n"
        '        app, pid, actor, "comet.impact", body\n'
        "    )\n"
        "def b(change):\n"
        "    append_audit(change, AuditAction.SESSION_MOVE)\n"
        '    next_record(change, action="comet.dust", actor="x")\n',
        encoding="utf-8",
    )
    found = set(recorded_actions(tmp_path / "workflow"))
    assert found == {"comet.watch", "comet.impact", "session.move", "comet.dust"}


# --- governing-body kinds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Gedeputeerde Staten", GoverningBodyKind.PROVINCE),
        ("  gedeputeerde   STATEN ", GoverningBodyKind.PROVINCE),
        ("GS", GoverningBodyKind.PROVINCE),
        ("het college van Gedeputeerde Staten", GoverningBodyKind.PROVINCE),
        ("Gedeputeerde Staten van Overijssel", GoverningBodyKind.PROVINCE),
        ("College van B&W", GoverningBodyKind.MUNICIPALITY),
        ("college van b & w", GoverningBodyKind.MUNICIPALITY),
        ("B&W", GoverningBodyKind.MUNICIPALITY),
        ("B. en W.", GoverningBodyKind.MUNICIPALITY),
        ("College van Burgemeester en Wethouders", GoverningBodyKind.MUNICIPALITY),
        ("Dagelijks bestuur", GoverningBodyKind.WATER_BOARD),
        ("DB", GoverningBodyKind.WATER_BOARD),
        ("Dagelijks Bestuur van Waterschap Vechtstromen", GoverningBodyKind.WATER_BOARD),
        ("Gemandateerd functionaris", GoverningBodyKind.MANDATED),
        ("de gemandateerde functionaris", GoverningBodyKind.MANDATED),
        ("Strategisch Informatieoverleg", GoverningBodyKind.MANDATED),
    ],
)
def test_a_stored_governing_body_maps_to_its_kind(text: str, kind: GoverningBodyKind) -> None:
    assert governing_body_kind(text) is kind


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "Provinciale Staten",
        "Gemeenteraad",
        "Algemeen bestuur",
        "DB-lid",
        "dbx",
        "GS en PS",
        "Raad van bestuur",
        "college",
    ],
)
def test_unknown_text_gives_no_kind(text: str | None) -> None:
    assert governing_body_kind(text) is None


@pytest.mark.parametrize("kind", list(GoverningBodyKind))
def test_every_kind_has_its_words_in_both_languages(kind: GoverningBodyKind) -> None:
    for words in (
        kind.label,
        kind.body_name,
        kind.organisation_type,
        kind.the_body,
        kind.salutation,
        kind.gazette,
        kind.adopted_by,
    ):
        assert isinstance(words, Text) and words.nl.strip() and words.en.strip()
    # The kind's own words are read back as the kind.
    assert governing_body_kind(kind.body_name.nl) is kind
    assert governing_body_kind(kind.the_body.nl) is kind


def test_the_wording_documents_and_mails_use() -> None:
    province = GoverningBodyKind.PROVINCE
    the_list = Text("de hotspotlijst 2017–2023", "the hotspot list 2017–2023")
    assert province.adopts(the_list).nl == (
        "het college van Gedeputeerde Staten stelt de hotspotlijst 2017–2023 vast"
    )
    assert province.adopts(the_list).en == (
        "the Provincial Executive adopts the hotspot list 2017–2023"
    )
    assert province.adopted_by.nl == "vastgesteld door het college van Gedeputeerde Staten"
    assert province.label.nl == "Gedeputeerde Staten (provincie)"
    assert GoverningBodyKind.MUNICIPALITY.gazette.nl == "het Gemeenteblad"
    assert GoverningBodyKind.WATER_BOARD.the_body.nl == "het dagelijks bestuur van het waterschap"
    assert GoverningBodyKind("gemeente") is GoverningBodyKind.MUNICIPALITY
