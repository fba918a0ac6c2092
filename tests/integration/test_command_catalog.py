"""The command catalog and the JSON API agree: each declared command is one API operation.

The API's write routes are derived from workflow/commands/declarations.py; these tests read
the OpenAPI document the running app serves and the handlers the declarations name, so a
declaration that drifts from its route or its handler (a renamed keyword, a new route written
by hand, a phase permission the handler no longer checks) fails here, not in production.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from states.audit_actions import AuditAction
from states.phases import Phase
from workflow.app import App
from workflow.commands.declarations import COMMANDS, Command
from workflow.web import create_app
from workflow.web.session import Role

WRITE_METHODS = {"post", "put", "patch", "delete"}
# Routes written by hand from their declaration, each for a reason the loop cannot express:
# mail.retry runs one of two handlers, depending on whether the body names a message.
HAND_WRITTEN = {AuditAction.MAIL_RETRY}
# Logging in and out are the API's own, not commands of the procedure.
SESSION_PATH = "/api/session"


@pytest.fixture
def document(app: App) -> dict[str, Any]:
    answer = TestClient(create_app(app)).get("/api/openapi.json")
    assert answer.status_code == 200
    found: dict[str, Any] = answer.json()
    return found


def _ref_name(content: dict[str, Any]) -> str:
    """The model a request or response body names ("#/components/schemas/NewSession")."""
    schema = content["application/json"]["schema"]
    if "anyOf" in schema:  # an optional body: the model or null
        schema = next(s for s in schema["anyOf"] if "$ref" in s)
    return str(schema["$ref"]).rsplit("/", 1)[-1]


def _label(command: Command) -> str:
    return f"{command.name} ({command.api.method} {command.api.path})"


def test_every_declared_command_is_exactly_one_api_operation(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for command in COMMANDS:
        face = command.api
        operation = paths.get(f"/api{face.path}", {}).get(face.method.lower())
        assert operation is not None, f"{_label(command)} has no API operation"
        assert operation["operationId"] == face.operation, _label(command)
        assert operation["tags"] == [face.tag], _label(command)
        assert operation["summary"] == face.summary, _label(command)
        statuses = {str(face.status_code), *(str(s) for s in face.statuses)}
        assert set(operation["responses"]) == statuses, _label(command)
        answer = operation["responses"][str(face.status_code)]["content"]
        assert _ref_name(answer) == command.result.__name__, _label(command)
        body = operation["requestBody"]
        assert _ref_name(body["content"]) == command.input.__name__, _label(command)
        assert body.get("required", False) is not face.optional_body, _label(command)
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert declared == set(face.path_params), _label(command)
    operations = Counter((c.api.method, c.api.path) for c in COMMANDS)
    assert max(operations.values()) == 1, "two declarations share one route"
    assert len({c.api.operation for c in COMMANDS}) == len(COMMANDS)


def test_every_api_write_is_a_declared_command(document: dict[str, Any]) -> None:
    declared = {(c.api.method.lower(), f"/api{c.api.path}") for c in COMMANDS}
    writes = {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in WRITE_METHODS and path != SESSION_PATH
    }
    assert writes - declared == set(), "API writes without a declaration"
    assert declared - writes == set(), "declarations without an API write"
    assert len(writes) == 35


@pytest.mark.parametrize("command", COMMANDS, ids=[str(c.name) for c in COMMANDS])
def test_the_handler_takes_what_the_declaration_gives_it(command: Command) -> None:
    handler = command.resolve()
    assert callable(handler)
    parameters = inspect.signature(handler).parameters
    # A hand-written route maps the body itself; its path and the rest still come from here.
    fields = set() if command.api.hand_written else set(command.input.model_fields)
    path = set(command.api.path_params)
    # A mapping names only what exists: no stale field, path parameter or conversion.
    assert set(command.names) <= set(command.input.model_fields)
    assert set(command.convert) <= set(command.input.model_fields)
    assert set(command.path_names) <= path
    given = {command.keyword(f) for f in fields} | {command.path_keyword(p) for p in path}
    given |= set(command.fixed) | {"actor"}
    assert len(given) == len(fields) + len(path) + len(command.fixed) + 1, "two map to one"
    assert given <= set(parameters), f"{command.handler} does not take {given - set(parameters)}"
    # `app` comes first, positionally; every other parameter without a default is given.
    first, *rest = parameters.values()
    assert first.name == "app"
    required = {p.name for p in rest if p.default is inspect.Parameter.empty}
    assert required <= given, f"{command.handler} needs {required - given}"


def test_names_roles_phases_and_labels() -> None:
    names = [c.name for c in COMMANDS]
    assert {c.name for c in COMMANDS if c.api.hand_written} == HAND_WRITTEN
    assert all(isinstance(name, AuditAction) for name in names)
    assert len(set(names)) == len(names)
    roles = {role.value for role in Role}
    for command in COMMANDS:
        assert command.roles and command.roles <= roles, _label(command)
        assert command.label.nl and command.label.en and command.label.nl != command.label.en
        if command.phases is not None:
            assert command.phases and all(isinstance(p, Phase) for p in command.phases)


@pytest.mark.parametrize("command", COMMANDS, ids=[str(c.name) for c in COMMANDS])
def test_the_declared_phase_permission_is_the_one_the_handler_checks(command: Command) -> None:
    """Read from the handler's source: a declaration must not promise phases it does not keep."""
    source = inspect.getsource(command.resolve())
    if command.action is None:
        assert "Action." not in source, f"{command.handler} checks a phase; declare its action"
    else:
        assert f"Action.{command.action.name}" in source, command.handler


def test_reading_the_catalog_imports_no_command_module() -> None:
    """The handlers are named, not imported: a face that only lists commands stays light."""
    probe = (
        "import sys, workflow.commands.declarations as d; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('workflow.'))))"
    )
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    commands = {m for m in loaded if m.startswith("workflow.commands.")}
    assert commands == {"workflow.commands.declarations", "workflow.commands.schema"}
    assert not {m for m in loaded if m.startswith(("workflow.db", "workflow.web", "workflow.app"))}
