"""What the drift guard can find when it reads a kept case again, in words."""

from __future__ import annotations

from enum import StrEnum

from states.i18n import Language, Text


class Check(StrEnum):
    KEPT = "kept"  # still says what keeping it requires
    RESTORED = "restored"  # had drifted; put back
    NOT_RESTORED = "not_restored"  # had drifted; the case system refused or failed
    GONE = "gone"  # the case system no longer has the case
    UNREACHABLE = "unreachable"  # the case system gave no usable answer: not checked

    def label(self, lang: Language) -> str:
        return CHECK_LABELS[self](lang)


CHECK_LABELS = {
    Check.KEPT: Text("bewaard", "kept"),
    Check.RESTORED: Text("afgeweken en hersteld", "drifted and restored"),
    Check.NOT_RESTORED: Text("afgeweken, niet hersteld", "drifted, not restored"),
    Check.GONE: Text("niet meer in het zaaksysteem", "gone from the case system"),
    Check.UNREACHABLE: Text("zaaksysteem niet bereikbaar", "case system unreachable"),
}
# What the informatiebeheerder and management are told about.
NEEDS_ATTENTION = (Check.NOT_RESTORED, Check.GONE, Check.UNREACHABLE)
