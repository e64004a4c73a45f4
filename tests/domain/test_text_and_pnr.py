from hypothesis import given
from hypothesis import strategies as st

from bcc_tui.domain import personnummer as p
from bcc_tui.domain.text import clean, clean_line


def test_clean_removes_controls_and_bidi_and_keeps_the_rest():
    hostile = (
        "Hej\x1b]52;c;ZXZpbA==\x07 [@click=app.quit]klicka[/] \u202eevil\u202c\x9b2J\tslut\r\nrad två\x7f"
    )
    out = clean(hostile)
    assert out == "Hej]52;c;ZXZpbA== [@click=app.quit]klicka[/] evil2J\tslut\nrad två"
    assert clean_line("a\nb\tc") == "a b c"
    assert clean("Åsa Öberg – ”citat” 😊") == "Åsa Öberg – ”citat” 😊"


@given(st.text())
def test_clean_leaves_no_unsafe_character(text):
    out = clean(text)
    for ch in out:
        code = ord(ch)
        assert ch in "\n\t" or not (code < 0x20 or 0x7F <= code <= 0x9F)
        assert not (0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069)
        assert ch not in INVISIBLE
    assert clean(out) == out


INVISIBLE = "\u00ad\u061c\u180e\u200b\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"


def test_clean_removes_what_shows_nothing():
    """An attacker's trial: a message of zero-width spaces was not empty, a patient named "\u200b"
    was a name, and "fe\u200bber" was no word the acute screen knew."""
    for ch in INVISIBLE:
        assert clean(f"fe{ch}ber") == "feber", repr(ch)
    assert clean("\u200b\u200b").strip() == ""
    # The joiners stay: Persian spelling, an emoji family.
    assert clean("می\u200cخواهم 👨\u200d👩\u200d👧") == "می\u200cخواهم 👨\u200d👩\u200d👧"


def test_personnummer():
    assert p.problem("20150315-1233") is None
    assert p.problem("201503151233") is None
    assert p.problem("20150315-1234") == "personnumrets kontrollsiffra stämmer inte"
    assert p.problem("20150230-1233") == "personnumret har inget giltigt födelsedatum"
    assert p.problem("1503151233") == "personnumret ska ha formen ÅÅÅÅMMDD-NNNN"
    # Samordningsnummer: day + 60.
    assert p.problem("20150375-1230") is None
    assert p.problem("20150395-1230") is not None  # day 35
    assert p.normalise("201503151233") == "20150315-1233"
    assert p.age_on("20130315-0000", __import__("datetime").date(2026, 3, 15)) == 13
    assert p.age_on("20130315-0000", __import__("datetime").date(2026, 3, 14)) == 12


@given(st.from_regex(r"\A[0-9]{9}\Z"))
def test_every_nine_digits_have_exactly_one_check_digit(nine):
    digits = [c for c in "0123456789" if p.luhn_ok(nine + c)]
    assert digits == [p.check_digit(nine)]


def _luhn_by_the_definition(digits: str) -> bool:
    """luhn_ok as it was first written: the definition, digit by digit."""
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


@given(st.from_regex(r"\A[0-9]{1,12}\Z"))
def test_luhn_is_the_definition(digits):
    assert p.luhn_ok(digits) == _luhn_by_the_definition(digits)


def test_luhn_is_the_definition_across_the_nine_digits():
    for n in range(0, 10**9, 999_983):
        nine = f"{n:09d}"
        for c in "0123456789":
            assert p.luhn_ok(nine + c) == _luhn_by_the_definition(nine + c), nine + c


def test_a_written_personnummer_takes_its_century_by_skatteverkets_rule():
    """Ten digits: the latest century in which the person is born by today; "+" a hundred years
    before that. Twelve digits keep theirs; a samordningsnummer's day is its day plus 60."""
    import datetime as dt

    import pytest

    from bcc_tui.domain.personnummer import from_written

    today = dt.date(2026, 12, 8)
    assert from_written("141203-7416", today) == "20141203-7416"
    assert from_written("1412037416", today) == "20141203-7416"
    assert from_written("141203+7416", today) == "19141203-7416"
    assert from_written("261208-1234", today) == "20261208-1234"  # born today
    assert from_written("261209-1234", today) == "19261209-1234"  # tomorrow, so a century before
    assert from_written("141263-7416", today) == "20141263-7416"  # samordningsnummer: day 3 + 60
    assert from_written("191412037416", today) == "19141203-7416"
    assert from_written("260101-1234", dt.date(2026, 1, 1)) == "20260101-1234"  # born on New Year's Day
    assert from_written("260102-1234", dt.date(2026, 1, 1)) == "19260102-1234"
    for bad in ("14120-37416", "abc", "20141203--7416", "１４１２０３-７４１６", "20141203+7416"):
        with pytest.raises(ValueError):
            from_written(bad, today)
