"""A moment already written in its canonical form, recognised without parsing it again.

Almost every `at` an import reads is written as `parse_at` would write it: `YYYY-MM-DD`, or
`YYYY-MM-DDTHH:MM:SSZ` in UTC. `parse_at` turns such a datetime into an aware `datetime`, moves it
to UTC and writes it back, which was a tenth of an import's time. Here the text is checked to be
a real day (and time) in the supported range and returned as it is; anything else, a wrong day
included, is left to `parse_at`, which stays the authority on what a moment is and on its errors.
"""

from __future__ import annotations

import re
from datetime import date

_CANONICAL = re.compile(
    r"(?:1[0-9]|[2-8][0-9])[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?"
)
"""A canonical moment: a day of the years 1000 to 8999 (those of `events.EARLIEST` and `events.LATEST`),
or a whole second of such a day in UTC (hours 00 to 23: no leap second)."""


def canonical_at(value: object) -> str | None:
    """`value` itself when it is a canonical moment `parse_at` would give back unchanged; else None.

    None says nothing about the value (it may be fine, or wrong): ask `parse_at` then.
    """
    if type(value) is not str or _CANONICAL.fullmatch(value) is None:
        return None
    if value[8:10] > "28":  # the 29th to the 31st: is it a day of that month (and year)?
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value
