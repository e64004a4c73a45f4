"""Flags that make an errand stand out (R12, R19); the acute signs of R11 are acute.py."""

from __future__ import annotations

import datetime as dt

from bcc_tui.domain import personnummer
from bcc_tui.domain.business_days import add_business_days

PROXY_AGE_LIMIT = 13  # R12: guardians act for children under 13 in 1177
DEFAULT_FOLLOWUP_DAYS = 5  # R19


def proxy_for_older_child(pnr: str, has_proxy: bool, on: dt.date) -> bool:
    """R12: a proxy writing for a patient aged 13 or more."""
    return has_proxy and personnummer.age_on(pnr, on) >= PROXY_AGE_LIMIT


def followup_date(partial_reply_on: dt.date, days: int = DEFAULT_FOLLOWUP_DAYS) -> dt.date:
    """R19: when an errand answered only by a partial reply needs its follow-up."""
    return add_business_days(partial_reply_on, days)
