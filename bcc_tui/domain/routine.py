"""The clinic's routine itself as a document: its version, its validity and its owner
(docs/routine.md). An administrator is warned from WARN_BEFORE before it expires, so that a
renewed routine is in place in time."""

from __future__ import annotations

import datetime as dt

NAME = "1177 Vårdguidens e-tjänster, Barncancercentrum"
VERSION = "5.0"
VALID_FROM = dt.date(2026, 2, 17)
VALID_TO = dt.date(2028, 2, 16)
OWNER = "sektionsledare, öppenvården"
WARN_BEFORE = dt.timedelta(days=60)

VALIDITY = f"Rutinen (version {VERSION}) gäller {VALID_FROM} – {VALID_TO}; ägare: {OWNER}."


def warning(today: dt.date, valid_to: dt.date = VALID_TO) -> str | None:
    """What to tell the administrator on `today`: None while the routine is more than
    WARN_BEFORE from its last valid day."""
    left = (valid_to - today).days
    if today < valid_to - WARN_BEFORE:
        return None
    if left < 0:
        return (
            f"Rutinen (version {VERSION}) gick ut {valid_to} och gäller inte längre; "
            f"ägaren ({OWNER}) behöver fastställa en ny."
        )
    days = "sista dagen är idag" if left == 0 else ("om 1 dag" if left == 1 else f"om {left} dagar")
    return (
        f"Rutinen (version {VERSION}) gäller till och med {valid_to} ({days}); "
        f"påminn ägaren ({OWNER}) om att förnya den."
    )
