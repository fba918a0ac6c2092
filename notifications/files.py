"""Files written whole or not at all (documents, the file transport's messages), and CSV cells
a spreadsheet will not run."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, content: bytes, *, mode: int = 0o644) -> Path:
    """Write `content` to `path` so a reader sees the old file or the whole new one, never half.

    Creates the folder. The temporary file sits beside the target, since os.replace is only
    atomic within one file system.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); documents are meant to be shared, mail
        # (with its personal links) is not: the caller says which.
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def defuse_cell(value: Any) -> Any:
    """Keep a spreadsheet from running typed text as a formula (CSV injection)."""
    # A spreadsheet skips leading blanks and line breaks before it looks for a formula.
    if isinstance(value, str) and (
        value[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")
        or value.lstrip(" \t\r\n")[:1] in ("=", "+", "-", "@")
    ):
        return "'" + value
    return value
