"""axe-core in the browser: the serious and critical WCAG violations of the page shown."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
# WCAG 2.1 A and AA: the level Dutch government sites must meet.
_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def serious_violations(page: Any) -> list[str]:
    """One line per serious or critical violation: rule id, impact and the first offenders."""
    results = _AXE.run(page, options=_OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        if violation.get("impact") in ("serious", "critical"):
            targets = [", ".join(n["target"]) for n in violation["nodes"][:3]]
            lines.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return lines
