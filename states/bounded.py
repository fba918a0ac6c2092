"""Bounded numbers of the installation's settings, from a TOML table or the environment.

The `[web]` and `[mail]` settings read their numbers here, so both refuse alike: an
InvalidInput naming the environment variable when the value came from there, else the
setting's key, with the value given and the bounds that would satisfy it. A number outside
its bounds is a typo (a few zeros too many), not a policy. Pure: the environment and the
table come in as mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from states.errors import InvalidInput
from states.i18n import Text


def setting_source(
    table: Mapping[str, Any],
    key: str,
    default: object,
    name: str,
    env: Mapping[str, str] | None = None,
    variable: str | None = None,
) -> tuple[str, object]:
    """The raw value of a setting and the name a refusal blames.

    The environment variable wins when it is set and not empty (an empty one is as good as
    unset); otherwise `key` in the table, or the default, under the name `name`.
    """
    raw = env.get(variable) if env is not None and variable else None
    if variable and raw:
        return variable, raw
    return name, table.get(key, default)


def whole_number(name: str, value: object, low: int, high: int, *, clip: int | None = 30) -> int:
    """`value` as an int from `low` to `high`, or InvalidInput naming `name`.

    With `clip` the value is shown as text cut to that many characters (an environment
    variable can hold anything); without, as it came (the `[web]` table's wording).
    """
    shown = repr(value) if clip is None else repr(str(value)[:clip])
    try:
        if isinstance(value, bool):  # TOML's true is no number, though int() would take it
            raise ValueError(shown)
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(
            name, Text(f"{shown} is geen geheel getal", f"{shown} is not a whole number")
        ) from None
    if not low <= number <= high:
        figure = str(number) if clip is None else str(number)[:clip]
        raise InvalidInput(
            name,
            Text(
                f"{figure} ligt niet tussen {low} en {high}",
                f"{figure} is not between {low} and {high}",
            ),
        )
    return number


def whole_number_setting(
    table: Mapping[str, Any],
    key: str,
    default: int,
    name: str,
    low: int,
    high: int,
    *,
    env: Mapping[str, str] | None = None,
    variable: str | None = None,
    clip: int | None = 30,
) -> int:
    """A bounded whole number from the environment variable or else the table (see above)."""
    source, value = setting_source(table, key, default, name, env, variable)
    return whole_number(source, value, low, high, clip=clip)


def seconds(name: str, value: object, most: float) -> float:
    """A positive number of seconds, at most `most` (fractions allowed)."""
    try:
        number = float(str(value)) if not isinstance(value, bool) else float("nan")
    except ValueError:
        number = float("nan")
    # NaN fails every comparison, so it is refused here too.
    if not 0 < number <= most:
        raise InvalidInput(
            name,
            Text(
                f"{str(value)[:30]!r} is geen aantal seconden tussen 0 en {most:g}",
                f"{str(value)[:30]!r} is not a number of seconds between 0 and {most:g}",
            ),
        )
    return number
