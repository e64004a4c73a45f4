"""Flags that make an errand stand out (R11, R12, R19)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from bcc_tui.domain import personnummer
from bcc_tui.domain.business_days import add_business_days

# R11: stems of words suggesting an acute condition in a child with cancer. Each matches at the
# start of a word, case-insensitively: "feb" matches feber, febern, febrig. A setting; these are
# the defaults.
DEFAULT_ACUTE_STEMS = (
    "feb",
    "frossa",
    "andnöd",
    "andas",
    "andning",
    "blöd",
    "kramp",
    "medvetslös",
    "medvetande",
    "svimm",
    "okontaktbar",
    "sepsis",
    "petekier",
)
PROXY_AGE_LIMIT = 13  # R12: guardians act for children under 13 in 1177
DEFAULT_FOLLOWUP_DAYS = 5  # R19


@lru_cache(maxsize=32)
def _pattern(stems: tuple[str, ...]) -> re.Pattern | None:
    stems = tuple(s.strip().lower() for s in stems if s.strip())
    if not stems:
        return None
    # Matched against lower-cased text: twice as fast as IGNORECASE on long messages (import).
    # Stems are word characters (check_stems), so \b is "not after a letter".
    return re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")\w*")


def acute_words(text: str, stems: tuple[str, ...]) -> list[str]:
    """The words in `text` that begin with an acute-sign stem, each once, in order."""
    pattern = _pattern(tuple(stems))
    if pattern is None:
        return []
    seen: list[str] = []
    for m in pattern.finditer(text.lower()):
        word = m.group(0)
        if word not in seen:
            seen.append(word)
    return seen


def check_stems(stems: list[str]) -> tuple[str, ...]:
    from bcc_tui.domain.errors import InvalidInput

    out = []
    for s in stems:
        s = s.strip().lower()
        if not s:
            continue
        if len(s) < 3 or not re.fullmatch(r"\w+", s):
            raise InvalidInput(f"ordstammen '{s}' ska vara minst tre bokstäver, utan mellanslag eller tecken")
        if s not in out:
            out.append(s)
    return tuple(out)


def proxy_for_older_child(pnr: str, has_proxy: bool, on: dt.date) -> bool:
    """R12: a proxy writing for a patient aged 13 or more."""
    return has_proxy and personnummer.age_on(pnr, on) >= PROXY_AGE_LIMIT


def followup_date(partial_reply_on: dt.date, days: int = DEFAULT_FOLLOWUP_DAYS) -> dt.date:
    """R19: when an errand answered only by a partial reply needs its follow-up."""
    return add_business_days(partial_reply_on, days)
