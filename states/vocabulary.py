"""The words of the method itself: the four hotspot criteria and the two perspectives."""

from __future__ import annotations

from states.i18n import Text
from states.snapshot import Perspective

# The four criteria in short; a hotspot meets at least one (numbered as the method numbers them).
CRITERIA: dict[int, Text] = {
    1: Text(
        "veel maatschappelijke onrust, bijzondere betekenis voor inwoners en/of veel "
        "media-aandacht",
        "much public unrest, special significance for residents and/or much media attention",
    ),
    2: Text(
        "principiële tegenstellingen tussen burgers, of een emotioneel debat",
        "principled oppositions between citizens, or an emotional debate",
    ),
    3: Text(
        "intensief publiek debat over het functioneren van het bestuursorgaan zelf",
        "intense public debate about how the governing body itself functions",
    ),
    4: Text(
        "een politiek vraagstuk dat de positie van het bestuursorgaan ernstig bedreigde of "
        "juist onderstreepte",
        "a political issue that seriously threatened, or underlined, the body's position",
    ),
}

PERSPECTIVE_LABELS: dict[Perspective, Text] = {
    Perspective.INTERNAL: Text("intern (overheidsperspectief)", "internal (government)"),
    Perspective.EXTERNAL: Text("extern (maatschappelijk perspectief)", "external (society)"),
}
