"""Operational logs through structlog: JSON lines when not on a terminal, to stderr.

Importing structlog costs more than a whole short command such as `hotspot status`, which
logs nothing. So `configure_logging` configures structlog at once only when it is loaded
already; otherwise it waits until something imports structlog, and configures it right then,
before any logger can be used. Either way the settings are the ones read at the call.
"""

from __future__ import annotations

import importlib.abc
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

_lock = threading.Lock()
# What the latest configure_logging asked for, waiting for structlog to be imported.
_pending: Callable[[], None] | None = None


def configure_logging(level: str | None = None) -> None:
    """Logs go to stderr, so `--json` output on stdout stays one clean object."""
    global _pending
    name = (level or os.environ.get("HOTSPOT_LOG_LEVEL") or "WARNING").upper()
    stream, tty = sys.stderr, sys.stderr.isatty()

    def apply() -> None:
        _configure(name, stream, tty)

    with _lock:
        if "structlog" not in sys.modules:
            _pending = apply
            if not any(isinstance(f, _ConfigureOnImport) for f in sys.meta_path):
                sys.meta_path.insert(0, _ConfigureOnImport())
            return
        _pending = None
    apply()


def _configure(name: str, stream: TextIO, tty: bool) -> None:
    import structlog

    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer()
        if tty
        else structlog.processors.JSONRenderer(ensure_ascii=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(name, logging.WARNING)
        ),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def _apply_pending() -> None:
    global _pending
    with _lock:
        apply, _pending = _pending, None
    if apply is not None:
        apply()


class _ConfigureOnImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when `structlog` is imported it lets the other finders find it,
    and has the pending configuration applied as soon as the module has run."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "structlog":
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _ThenConfigure(spec.loader)
                return spec
        return None


class _ThenConfigure(importlib.abc.Loader):
    """structlog's own loader, then the pending configuration."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its own loader; only this one run goes through here.
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        _apply_pending()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)
