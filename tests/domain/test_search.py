"""The filter's folding: case and accents do not matter, and the fast path equals the definition;
a personnummer is found in any written form."""

import datetime as dt
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bcc_tui.domain.personnummer import check_digit, problem
from bcc_tui.domain.search import fold, needle, personnummer_text


def _definition(text: str) -> str:
    low = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return low.translate(
        str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "þ": "th", "œ": "oe"})
    )


def test_what_people_type_finds_what_they_see():
    assert fold("Övrigt") == "ovrigt" and "ovrig" in fold("Övrigt")
    assert fold("Emma Ström") == "emma strom"
    assert fold("Åsa Lindgrén") == "asa lindgren"
    assert fold("Søren Ærø") == "soren aero"
    assert fold(None) == "" and fold("") == ""


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x2FF)))
def test_the_fast_path_is_the_definition(text):
    assert fold(text) == _definition(text)


def _written_forms(pnr: str) -> list[str]:
    """Every way a person writes the stored YYYYMMDD-NNNN (issue 27)."""
    date, tail = pnr.split("-")
    return [date + tail, date[2:] + tail, f"{date}-{tail}", f"{date[2:]}-{tail}", f"{date[2:]}+{tail}"]


def test_a_personnummer_is_found_in_every_written_form():
    searched = fold(personnummer_text("20150304-1236"))
    forms = ["201503041236", "1503041236", "20150304-1236", "150304-1236", "150304+1236"]
    assert _written_forms("20150304-1236") == forms
    for form in forms:
        assert needle(form) in searched, form
        # The filter follows each key: every piece typed on the way is found too.
        for end in range(1, len(form) + 1):
            assert needle(form[:end]) in searched, form[:end]
    # Another child's number is not.
    assert needle("150304-1237") not in searched and needle("1503041237") not in searched


@given(
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 12, 31)),
    serial=st.integers(min_value=1, max_value=999),
    samordning=st.booleans(),
)
def test_every_written_form_of_any_personnummer_is_found(born, serial, samordning):
    day = born.day + (60 if samordning else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    pnr = f"{born:%Y%m}{day:02d}-{serial:03d}{check_digit(nine)}"
    assert problem(pnr) is None
    searched = fold(personnummer_text(pnr))
    for form in _written_forms(pnr):
        assert needle(form) in searched, form


def test_a_plus_is_read_as_a_hyphen_only_after_a_date_of_birth():
    assert needle("150304+12") == "150304-12" and needle("Hugo 20150304+1236") == "hugo 20150304-1236"
    # Elsewhere a "+" is what was typed: a reference, a subject, seven digits.
    assert needle("C+ vitamin") == "c+ vitamin"
    assert needle("1503041+2") == "1503041+2" and needle("15030+41") == "15030+41"
    assert needle("1177-100001") == "1177-100001"
