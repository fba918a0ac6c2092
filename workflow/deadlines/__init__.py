"""Deadlines and reminders: dated obligations as rows, reminders derived from them by policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workflow.deadlines.planning import refresh

__all__ = ["refresh"]


def __getattr__(name: str) -> Any:
    """`refresh` on first use: importing the package for a read (workflow.deadlines.listing,
    as `hotspot status` does) should not load the planning code and the ORM behind it."""
    if name == "refresh":
        from workflow.deadlines.planning import refresh

        return refresh
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
