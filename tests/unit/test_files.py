"""Files written whole: shared documents readable by others, mail private to its owner."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from notifications.files import write_atomic


def test_a_document_is_readable_by_others_and_replaces_the_old_one(tmp_path: Path) -> None:
    """The default mode is 0644 and a second write replaces the first completely."""
    target = tmp_path / "sub" / "voorstel.html"
    write_atomic(target, b"eerste versie, langer dan de tweede")
    write_atomic(target, b"tweede")
    assert target.read_bytes() == b"tweede"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["voorstel.html"]


def test_a_mail_file_can_be_kept_private(tmp_path: Path) -> None:
    """With mode 0600 only the owner can read a message and its personal link."""
    target = write_atomic(tmp_path / "bericht.eml", b"Subject: x\r\n\r\n", mode=0o600)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    """Content that cannot be written (not bytes) leaves what was there, and no leftovers."""
    target = write_atomic(tmp_path / "lijst.csv", b"oud")
    with pytest.raises(TypeError):
        write_atomic(target, "geen bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"oud"
    assert [p.name for p in tmp_path.iterdir()] == ["lijst.csv"]
