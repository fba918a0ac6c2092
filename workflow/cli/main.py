"""Entry point of `hotspot`: the command tree, and errors turned into exit codes."""

from __future__ import annotations

import json
import os
import sys

import click
from rich.console import Console

from states.errors import HotspotError
from states.i18n import parse_language
from workflow.cli import (
    deadline_commands,
    document_commands,
    mail_commands,
    procedure_commands,
    render,
    step_commands,
    web_commands,
)
from workflow.cli.context import CliContext
from workflow.cli.group import cli

# Imported for their side effect: they add their commands to `cli`.
__all__ = [
    "cli",
    "deadline_commands",
    "document_commands",
    "mail_commands",
    "main",
    "procedure_commands",
    "step_commands",
    "web_commands",
]


def _wants_json(args: list[str]) -> bool:
    return "--json" in args


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit 0 done, 2 invalid input, 3 refused, 4 not found, 5 conflict."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Known before parsing, so even a parse error is explained in the chosen language.
    language = parse_language(_value_after(args, "--lang") or os.environ.get("HOTSPOT_LANG"))
    err_console = Console(stderr=True)
    context = CliContext(language=language)
    try:
        cli.main(args=args, prog_name="hotspot", standalone_mode=False, obj=context)
    except HotspotError as error:
        if _wants_json(args):
            sys.stdout.write(json.dumps(error.to_json(language), ensure_ascii=False) + "\n")
        else:
            render.error(err_console, error, language)
        raise SystemExit(error.exit_code) from None
    except click.ClickException as error:
        if _wants_json(args):
            payload = {"ok": False, "error": "invalid_input", "message": error.format_message()}
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            error.show(file=sys.stderr)
        raise SystemExit(error.exit_code) from None
    except click.exceptions.Abort:
        raise SystemExit(1) from None
    finally:
        context.close()
    raise SystemExit(0)


def _value_after(args: list[str], flag: str) -> str:
    if flag in args and args.index(flag) + 1 < len(args):
        return args[args.index(flag) + 1]
    return ""


if __name__ == "__main__":
    main()
