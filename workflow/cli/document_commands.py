"""Commands that write documents: the proposal to the governing body and the public list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from states.errors import EnvironmentProblem, InvalidInput
from states.i18n import Text
from workflow.cli.context import CliContext, common_options
from workflow.cli.group import cli

_OUT = click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Map voor de bestanden (wordt aangemaakt).",
)


def _written(ctx: CliContext, proc: str, paths: list[Path], nl: str, en: str) -> None:
    files = [str(p) for p in paths]
    result = {"ok": True, "procedure": proc, "files": files}

    def human() -> None:
        click.echo(ctx.t(nl, en))
        for name in files:
            click.echo(name)

    ctx.emit(result, human)


def _writing(out_dir: Path, write: Callable[[], list[Path]]) -> list[Path]:
    """Run `write`; a folder that cannot be written is bad input, not a crash."""
    from notifications.documents.word import TemplateProblem

    try:
        return write()
    except TemplateProblem as problem:
        raise EnvironmentProblem(
            "HOTSPOT_DOCX_TEMPLATE",
            Text(
                f"het Word-sjabloon is niet te gebruiken ({problem}); noem een .docx-bestand "
                "of laat de instelling leeg voor A4",
                f"the Word template cannot be used ({problem}); name a .docx file or leave the "
                "setting empty for A4",
            ),
        ) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise InvalidInput(
            "--out",
            Text(
                f"kan niet schrijven in {out_dir}: {reason}",
                f"cannot write into {out_dir}: {reason}",
            ),
        ) from error


@cli.command()
@click.argument("proc")
@_OUT
@common_options
def proposal(ctx: CliContext, proc: str, out_dir: Path) -> None:
    """Schrijf het voorstel aan het bestuursorgaan (Word en HTML); --lang en voor Engels."""
    from notifications.documents import write_proposal
    from workflow.documents import proposal_data

    data = proposal_data(ctx.app, proc)
    template = ctx.app.settings.docx_template
    paths = _writing(
        out_dir, lambda: write_proposal(data, out_dir, ctx.language, template=template)
    )
    _written(ctx, data.procedure.id, paths, "Voorstel geschreven:", "Proposal written:")


@cli.command(name="public-list")
@click.argument("proc")
@_OUT
@common_options
def public_list(ctx: CliContext, proc: str, out_dir: Path) -> None:
    """Schrijf de vastgestelde hotspotlijst voor publicatie (HTML, CSV en JSON)."""
    from notifications.documents import write_public_list
    from workflow.documents import public_list_data

    data = public_list_data(ctx.app, proc)
    paths = _writing(out_dir, lambda: write_public_list(data, out_dir))
    _written(ctx, data.procedure_id, paths, "Hotspotlijst geschreven:", "Hotspot list written:")
