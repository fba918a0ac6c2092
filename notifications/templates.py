"""Where the mail and document templates are: the application says so when it starts.

The templates ship with the installation (a checkout's `templates/`, a wheel's bundled copy),
and only the application knows where that is. It hands over a function that finds the folder
(`use_templates`, called by the workflow package as it loads); nothing is looked up until the
first template is rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

_finders: list[Callable[[], Path]] = []


def use_templates(finder: Callable[[], Path]) -> None:
    """Render from the folder `finder` returns (with `mail/` and `documents/` in it)."""
    _finders[:] = [finder]


def templates_root() -> Path:
    if not _finders:
        raise RuntimeError(
            "no template folder: the application names it at start-up "
            "(notifications.templates.use_templates)"
        )
    return _finders[0]()
