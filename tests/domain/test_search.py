"""The filter's folding: case and accents do not matter, and the fast path equals the definition."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bcc_tui.domain.search import fold


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
