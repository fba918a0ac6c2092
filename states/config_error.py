"""The one error a procedure configuration can raise while it is parsed.

Its own module so that every parser of a configuration table (states.config for the whole,
states.reminders for `[reminders]`) can raise it without importing the other.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration value that cannot be used; `key` is its dotted path."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
