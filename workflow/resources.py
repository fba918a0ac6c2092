"""Find the bundled `config/` and `templates/` folders from a checkout or an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The folder `name` (config or templates): inside the wheel, else beside the packages."""
    for candidate in (_PACKAGE / "_bundled" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the folder {name!r} is neither bundled nor in the checkout")


def config_dir() -> Path:
    return resource_dir("config")


def templates_dir() -> Path:
    return resource_dir("templates")
