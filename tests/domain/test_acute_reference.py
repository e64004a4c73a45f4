"""The acute screen made faster (issue 31, item 6) finds exactly what it found before: the same
categories and quotes in the same order, on every labelled message, the demo's and the benchmark's,
hostile and random texts, and with an administrator's own rules. The reference is the screen as it
was, kept unchanged in tests/domain/acute_reference.py; any difference fails."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcc_tui.domain import acute
from bench.acute_corpus import CORPUS, read
from tests.domain import acute_reference as reference
from tests.hostile import hostile

ROOT = Path(__file__).resolve().parents[2]
RULES: list[dict[str, Any]] = [
    {},
    {"threshold": 37.5},
    {"threshold": 39.0},
    {
        "words": {"pain": ("ont typ hela natten", "värker*"), "consciousness": ("int sova",)},
        "exceptions": ("kramp i vaden", "ont i magen", "feber*"),
    },
    {"exceptions": ()},
]


def _corpus() -> list[str]:
    return [item["text"] for path in sorted(CORPUS.glob("*.jsonl")) for item in read(path)]


def _demo() -> list[str]:
    out = []
    for path in [
        ROOT / "fixtures" / "demo" / "demo-stories.jsonl",
        *sorted((ROOT / "fixtures" / "examples").glob("*.jsonl")),
    ]:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                out.append(f"{obj.get('subject', '')}\n{obj.get('message', '')}")
    return out


def _bench() -> list[str]:
    from bench.run import import_lines

    return [
        f"{obj['subject']}\n{obj['message']}"
        for obj in (json.loads(line) for line in import_lines(24, mix=True))
    ]


def _pair(rules_kw: dict) -> tuple[acute.Rules, reference.Rules]:
    return acute.Rules(**rules_kw), reference.Rules(**rules_kw)


def _same(text: str, rules_kw: dict | None = None) -> None:
    new_rules, old_rules = _pair(rules_kw or {})
    new = [(f.category.code, f.quote) for f in acute.screen(text, new_rules)]
    old = [(f.category.code, f.quote) for f in reference.screen(text, old_rules)]
    assert new == old, text


# Words and pieces of the labelled messages: random sentences of them meet the rules' edges
# (negations before signs, numbers beside units, a line and its trouble in one sentence).
_WORDS = sorted({w for t in _corpus() for w in re.findall(r"\w+|[^\w\s]", t.lower())})
_SEPARATORS = [" ", " ", " ", ", ", ". ", "! ", "? ", "\n", ": ", " - ", ";", "", "  ", ".", ",", "-"]
_PIECES = st.one_of(
    st.sampled_from(_WORDS), st.sampled_from(_SEPARATORS), st.sampled_from(_WORDS).map(str.upper)
)


def test_the_same_findings_on_every_known_message():
    texts = [*_corpus(), *_demo(), *_bench()]
    assert len(texts) > 1250
    for kw in RULES:
        for text in texts:
            _same(text, kw)


def test_the_same_findings_on_sentences_made_of_the_corpus_words():
    rng = random.Random(31)
    for n in range(3000):
        pieces = []
        for _ in range(rng.randint(1, 40)):
            pieces.append(rng.choice(_WORDS))
            pieces.append(rng.choice(_SEPARATORS))
        _same("".join(pieces), RULES[n % len(RULES)])


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n",
        "om " * 6700 + "feber",
        "inte " * 4000 + "feber",
        "Feber. " * 2800,
        "a" * 20000,
        "ont " * 3000,
        "kontroll " * 2000,
        "smärtstillande " * 1500 + "hjälper inte",
        "alvedon, " * 2000 + "ingen effekt",
        "huvudvärk. kräks. " * 900,
        "CVK röd svullen. " * 1000,
        "39,5 " * 3000,
        "İ" * 500 + " feber 39",
        "Hon är jättetrött och går knappt att väcka.\u00a0\u00a0Feber 39,2!!! Ring!",
    ],
)
def test_the_same_findings_on_long_and_odd_messages(text):
    for kw in RULES:
        _same(text, kw)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join), st.sampled_from(RULES))
def test_the_same_findings_on_any_mix_of_the_words(text, kw):
    _same(text, kw)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(hostile(), _PIECES), max_size=30).map(lambda parts: "".join(parts)[:20_000]))
def test_the_same_findings_on_hostile_text(text):
    _same(text)  # at most 20,000 characters, intake's limit for a message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_the_same_findings_on_any_text(text):
    _same(text)


def _gate_strings() -> set[str]:
    acute.screen("feber")  # reads the gates
    return set(acute._scanner()[1])


def test_each_gate_strings_beginnings_are_the_gate_strings_it_starts_with():
    strings = _gate_strings()
    assert acute._scanner()[1] == {s: {p for p in strings if s.startswith(p)} for s in strings}


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_one_pass_finds_every_gate_string_a_text_holds(text):
    low = acute._normalise(text)[0]
    assert acute._Present(low).strings == {s for s in _gate_strings() if s in low}


def test_the_closer_gates_open_for_every_match_of_their_pattern():
    """A gate that stayed shut where its pattern matches would hide a sign: on every known
    message and on random ones, each category's pattern matches only where its gate opens."""
    rng = random.Random(7)
    texts = [*_corpus(), *_demo(), *_bench()]
    texts += ["".join(rng.choice(_WORDS) + rng.choice(_SEPARATORS) for _ in range(30)) for _ in range(2000)]
    for text in texts:
        low = acute._normalise(text)[0]
        present = acute._Present(low)
        for cat, pattern in acute._SIGNS.items():
            if pattern.search(low):
                assert acute._GATES[cat].opens(present.strings), (cat, text)
        for pattern, gate in (
            (acute._LINE, acute._LINE_GATE),
            (acute._HEADACHE, acute._HEADACHE_GATE),
            (acute._VOMIT, acute._VOMIT_GATE),
        ):
            if pattern.search(low):
                assert gate.opens(present.strings), (pattern.pattern, text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            _PIECES,
            st.sampled_from(
                [
                    "3",
                    "38.5",
                    "1.",
                    ".5",
                    "!!",
                    "?.",
                    "\t",
                    "\u00a0",
                    "o",
                    "e",
                    "ä",
                    "int",
                    "trettio",
                    "fyrtio",
                    "tf",
                    "٣",
                ]
            ),
        ),
        max_size=60,
    ).map("".join)
)
def test_the_rewritten_patterns_read_as_before(text):
    """The sentence ends, written to begin with a class of characters, end the same sentences;
    a text the quick test says needs no normalising has nothing _NORMAL would change; a text's
    gate strings are its sentences' (each sentence read from the cache)."""
    low = text.lower()
    assert [m.span() for m in acute._SENTENCE.finditer(low)] == [
        m.span() for m in re.finditer(r"[!?;\n]+|\.(?!\d)|(?<!\d)\.", low)
    ]
    assert [m.span() for m in acute._NUMBERISH.finditer(low)] == [
        m.span() for m in re.finditer(r"\d|trettio|fyrtio", low)
    ]
    if acute._NORMAL.search(low):
        assert acute._may_normalise(low)
    normal = acute._normalise(text)[0]
    screening = acute._Screening(normal, [])
    assert acute._Present(normal, screening.bounds).strings == acute._Present(normal).strings


_STOPPY = st.lists(
    st.one_of(_PIECES, st.sampled_from([".", "!", "?", ";", "\n", "..", "!\n", ";.", "38.5", " - "])),
    max_size=80,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_STOPPY)
def test_a_search_stretch_by_stretch_finds_what_one_over_the_whole_text_finds(text):
    low = acute._normalise(text)[0]
    screening = acute._Screening(low, [])
    for gate in acute._GATES.values():
        whole = [m.span() for m in gate.pattern.finditer(low)]
        if gate.opens(screening.present.strings):
            assert [m.span() for m in gate.finditer(low, screening.present, screening.bounds)] == whole
        else:
            assert not whole


def test_the_patterns_that_can_be_searched_stretch_by_stretch():
    """Which characters ending a sentence each category's pattern never takes (a change to a
    pattern that takes one more is read here, and only makes its stretches longer)."""
    acute.screen("feber")
    assert {cat.code: "".join(sorted(g.splits_at)) for cat, g in acute._GATES.items()} == {
        "fever": "!.;?",
        "breathing": "\n!.;?",
        "bleeding": "\n!.;?",
        "seizures": "\n!.;?",
        "consciousness": "!.;?",
        "fluids": "\n!.;?",
        "pain": "\n!?",
        "neurology": "!.;?",
        "worry": "\n!.;?",
        "exposure": "\n!.;?",
    }
    assert acute._consumes(acute._parser.parse(r"a[^.!?\n]b"), ";")
    assert not acute._consumes(acute._parser.parse(r"a[^.!?\n]b"), ".")
    assert acute._consumes(acute._parser.parse(r"a(?!\s)b"), "\n")
    assert acute._consumes(acute._parser.parse(r"a.b"), "!")  # not known: taken to take it
