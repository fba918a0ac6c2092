"""Deadlines and reminders: dated obligations as rows, reminders derived from them by policy."""

from __future__ import annotations

from workflow.deadlines.planning import refresh

__all__ = ["refresh"]
