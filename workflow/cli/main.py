"""Entry point of `hotspot`: the command tree, and errors turned into exit codes.

Importing the command tree is cheap: each command imports what it needs when it runs (the
web app, documents, mail, password hashing), so `hotspot status` pays for none of them.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from typing import TYPE_CHECKING

import click

from states.errors import HotspotError, InvalidInput
from states.i18n import Language, Text, parse_language
from workflow.cli import (
    deadline_commands,
    declared,
    document_commands,
    mail_commands,
    procedure_commands,
    step_commands,
    web_commands,
)
from workflow.cli.context import CliContext
from workflow.cli.group import cli

if TYPE_CHECKING:
    from rich.console import Console

# Imported for their side effect: they add their commands to `cli`.
__all__ = [
    "cli",
    "deadline_commands",
    "declared",
    "document_commands",
    "mail_commands",
    "main",
    "procedure_commands",
    "step_commands",
    "web_commands",
]


# Starting a command makes a few hundred thousand objects that live as long as the process
# (modules, tables, rules, the command tree) and next to no garbage. With Python's default
# first threshold (700) the collector walks them again and again while they are made, in
# full at least once. This one lets it run about as often as there is garbage to find; a
# long-running command (serve, worker) keeps collecting, a little later.
GC_THRESHOLD = 50_000


def _wants_json(args: list[str]) -> bool:
    return "--json" in args


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit 0 done, 2 invalid input, 3 refused, 4 not found, 5 conflict,
    7 environment problem (database, disk or file), 1 a bug.

    Without `argv` this is the program (`hotspot`, `python -m workflow.cli.main`): the
    process ends with the command, and Python need not collect its garbage on the way out.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    # Known before parsing, so even a parse error is explained in the chosen language.
    language = parse_language(_value_after(args, "--lang") or os.environ.get("HOTSPOT_LANG"))
    context = CliContext(language=language)
    thresholds = gc.get_threshold()
    gc.set_threshold(max(GC_THRESHOLD, thresholds[0]), *thresholds[1:])

    def run() -> None:
        cli.main(args=args, prog_name="hotspot", standalone_mode=False, obj=context)

    try:
        try:
            # A collision with another writer is retried by the command itself, around its
            # one transaction (workflow.commands.base.run_change), never here: a whole command
            # may have read a file or a prompt, or be a server.
            run()
        except Exception as error:
            # Only a database or operating-system error can be an environment problem; the
            # check that tells them apart is imported when one occurred.
            from workflow.environment import problem_of

            problem = problem_of(error, context.database_url) if _is_environment(error) else None
            if problem is None:
                raise
            raise problem from error
    except HotspotError as error:
        _report(error, args, language, _stderr())
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
    except Exception as error:
        _report_bug(error, args, language, _stderr())
        raise SystemExit(1) from None
    finally:
        context.close()
        gc.set_threshold(*thresholds)
        if argv is None:
            # At exit Python walks every object still alive in search of cycles, as long as a
            # short command itself takes to start. The database is closed and the output is
            # flushed at exit all the same; what the walk would find dies with the process.
            gc.freeze()
    raise SystemExit(0)


def _is_environment(error: Exception) -> bool:
    """A DBAPIError or an OSError. SQLAlchemy's exceptions are looked up, not imported: a
    command that never opened the database (`hotspot keys new`) has not loaded them."""
    if isinstance(error, OSError):
        return True
    exc = sys.modules.get("sqlalchemy.exc")
    return exc is not None and isinstance(error, exc.DBAPIError)


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)


# A hand-written command's handler keyword that its command line writes otherwise; any other
# keyword is written as an option (`owner_email` -> `--owner-email`).
_CLI_WORDS = {"path": "FILE", "day": "--date"}


def cli_field(error: HotspotError) -> HotspotError:
    """A refusal's field as the command line writes it; the commands name their keywords.

    A declared command's dispatch has already done this with its own options
    (workflow/cli/declared.py); what is spelled as the CLI spells it, a CSV line's field
    ("regel 3: email", the file's column) and an environment variable stay as they are.
    """
    if not isinstance(error, InvalidInput):
        return error
    field = error.field
    if field.startswith("-") or field.isupper() or ": " in field or not field.isidentifier():
        return error
    spelled = _CLI_WORDS.get(field) or "--" + field.replace("_", "-")
    return InvalidInput(spelled, error.message)


def _report(error: HotspotError, args: list[str], language: Language, console: Console) -> None:
    error = cli_field(error)
    if _wants_json(args):
        sys.stdout.write(json.dumps(error.to_json(language), ensure_ascii=False) + "\n")
    else:
        from workflow.cli import render

        render.error(console, error, language)


def _report_bug(error: Exception, args: list[str], language: Language, console: Console) -> None:
    """Something the program did not foresee: a short message, the traceback on request.

    It still exits non-zero (1), so scripts notice; with HOTSPOT_LOG_LEVEL=DEBUG the whole
    traceback follows on stderr for the bug report.
    """
    from rich.markup import escape

    from workflow.environment import brief

    debug = os.environ.get("HOTSPOT_LOG_LEVEL", "").strip().upper() == "DEBUG"
    # The class and the first line only: a database error's full text holds the statement and
    # its parameters, the names and addresses being written.
    what = brief(error)
    message = Text(
        f"interne fout ({what}). Dit is een fout in het programma, niet in uw invoer; "
        "meld haar met de volledige melding (HOTSPOT_LOG_LEVEL=DEBUG toont de traceback).",
        f"internal error ({what}). This is a fault in the program, not in your input; "
        "please report it with the full details (HOTSPOT_LOG_LEVEL=DEBUG shows the traceback).",
    )(language)
    if _wants_json(args):
        payload = {"ok": False, "error": "internal", "message": message}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        console.print(f"[bold red]✘[/] {escape(message)}")
    if debug:
        traceback.print_exception(error, file=sys.stderr)


def _value_after(args: list[str], flag: str) -> str:
    if flag in args and args.index(flag) + 1 < len(args):
        return args[args.index(flag) + 1]
    return ""


if __name__ == "__main__":
    main()
