"""The installation's rules for case systems: the `[zaken]` table, environment on top.

`transfer_years`: a kept case's archiefactiedatum is its end date plus this many years (the
organisation's transfer rule; Archiefwet 1995 art. 12 allows at most twenty).
`check_every_days`: how often the worker reads every kept case again (the drift guard).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from states.bounded import whole_number_setting
from states.errors import InvalidInput
from states.i18n import Text

ZAKEN_TABLE = "zaken"
# name in [zaken] -> (environment variable that wins, lowest, highest)
_LIMITS: dict[str, tuple[str, int, int]] = {
    "transfer_years": ("HOTSPOT_ZGW_TRANSFER_YEARS", 0, 20),
    "check_every_days": ("HOTSPOT_ZGW_CHECK_DAYS", 1, 366),
}


@dataclass(frozen=True, slots=True)
class ZgwSettings:
    transfer_years: int = 20
    check_every_days: int = 7

    @classmethod
    def from_sources(cls, table: Mapping[str, Any], env: Mapping[str, str]) -> ZgwSettings:
        unknown = sorted(set(table) - set(_LIMITS))
        if unknown:
            raise InvalidInput(
                f"{ZAKEN_TABLE}.{unknown[0]}",
                Text(
                    f"onbekende instelling; bekend: {', '.join(sorted(_LIMITS))}",
                    f"unknown setting; known: {', '.join(sorted(_LIMITS))}",
                ),
            )
        base = cls()
        values = {
            name: whole_number_setting(
                table,
                name,
                getattr(base, name),
                f"{ZAKEN_TABLE}.{name}",
                low,
                high,
                env=env,
                variable=variable,
                clip=None,
            )
            for name, (variable, low, high) in _LIMITS.items()
        }
        return cls(**values)
