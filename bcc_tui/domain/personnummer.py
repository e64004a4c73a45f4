"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer)."""

import datetime as dt
import re
from functools import lru_cache

# ASCII digits only ([0-9], not \d) and nothing before or after: matched with fullmatch, since
# "$" would accept a trailing newline.
_FORM = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})-?([0-9]{4})", re.ASCII)


# Each digit of an even position (from the left, 0-based) doubled and its digits added: 7 -> 14 -> 5.
_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_ok(digits: str) -> bool:
    """Luhn check over the ten ASCII digits YYMMDDNNNC (or any string of ASCII digits)."""
    # The digits as their bytes, less b"0" each: a quarter of a loop over int(ch) (an import checks
    # every line's personnummer).
    summed = (digits[1::2] + digits[0::2].translate(_DOUBLED)).encode("ascii")
    return (sum(summed) - 48 * len(digits)) % 10 == 0


def check_digit(nine: str) -> str:
    """The Luhn check digit for YYMMDDNNN (used by the demo generator and tests)."""
    for c in "0123456789":
        if luhn_ok(nine + c):
            return c
    raise AssertionError("unreachable")


def problem(pnr: str, today: dt.date | None = None) -> str | None:
    """Why `pnr` is not a valid personnummer or samordningsnummer by Skatteverket's rules, or None
    when it is. With `today`, a birth date after it is refused too."""
    m = _FORM.fullmatch(pnr)
    if not m:
        return "personnumret ska ha formen ÅÅÅÅMMDD-NNNN"
    year, month, day, tail = (int(m[1]), int(m[2]), int(m[3]), m[4])
    if year // 100 not in (18, 19, 20):
        return "personnumrets århundrade ska vara 18, 19 eller 20"
    if day > 60:  # samordningsnummer: the day of birth plus 60
        day -= 60
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return "personnumret har inget giltigt födelsedatum"
    if today is not None and born > today:
        return "personnumrets födelsedatum ligger i framtiden"
    if tail[:3] == "000":
        return "personnumrets födelsenummer ska vara 001–999"
    if not luhn_ok(m[1][2:] + m[2] + m[3] + tail):
        return "personnumrets kontrollsiffra stämmer inte"
    return None


def normalise(pnr: str) -> str:
    """YYYYMMDD-NNNN, the one form stored."""
    m = _FORM.fullmatch(pnr)
    if not m:
        raise ValueError(pnr)
    return f"{m[1]}{m[2]}{m[3]}-{m[4]}"


# As people write it: twelve digits or ten, with "-", "+" or nothing before the last four.
_WRITTEN = re.compile(r"([0-9]{2})?([0-9]{6})([-+]?)([0-9]{4})", re.ASCII)


def from_written(text: str, today: dt.date) -> str:
    """The stored form (YYYYMMDD-NNNN) of a personnummer as people write it. Ten digits take
    their century by Skatteverket's rule: the latest one in which the person is born by `today`,
    a hundred years before that with "+" (100 years or older). ValueError when it is neither."""
    m = _WRITTEN.fullmatch(text.strip())
    if not m:
        raise ValueError("personnumret ska ha formen ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN")
    century, date, sign, tail = m[1], m[2], m[3], m[4]
    if century is not None and sign == "+":
        # "+" says a century the ten digits leave out: with twelve it was dropped unseen.
        raise ValueError("ett + hör till tio siffror; med tolv skrivs personnumret med -")
    if century is None:
        yy, mm, dd = int(date[:2]), int(date[2:4]), int(date[4:])
        year = today.year - (today.year - yy) % 100
        try:
            born = dt.date(year, mm, dd - 60 if dd > 60 else dd)
        except ValueError:
            born = None
        if born is not None and born > today:
            year -= 100
        if sign == "+":
            year -= 100
        century = f"{year // 100:02d}"
    return f"{century}{date}-{tail}"


@lru_cache(maxsize=65536)
def birth_date(pnr: str) -> dt.date:
    # A list meets each patient several times (R12 asks for the age at every proxy's errand).
    m = _FORM.fullmatch(pnr)
    if not m:
        raise ValueError(pnr)
    day = int(m[3])
    return dt.date(int(m[1]), int(m[2]), day - 60 if day > 60 else day)


def age_on(pnr: str, day: dt.date) -> int:
    born = birth_date(pnr)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
