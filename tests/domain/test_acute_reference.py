"""The acute screen made faster (issue 31, item 6) finds exactly what it found before: the same
categories and quotes in the same order, on every labelled message, the demo's and the benchmark's,
hostile and random texts, and with an administrator's own rules. The reference is the screen as it
was, kept unchanged in tests/domain/acute_reference.py; any difference fails."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bcc_tui.domain import acute
from bench.acute_corpus import CORPUS, read
from tests.domain import acute_reference as reference
from tests.hostile import hostile

ROOT = Path(__file__).resolve().parents[2]
RULES = [
    ({}, {}),
    ({"threshold": 37.5}, {}),
    ({"threshold": 39.0}, {}),
    (
        {
            "words": {"pain": ("ont typ hela natten", "värker*"), "consciousness": ("int sova",)},
            "exceptions": ("kramp i vaden", "ont i magen", "feber*"),
        },
        {},
    ),
    ({"exceptions": ()}, {}),
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
    for kw, _ in RULES:
        for text in texts:
            _same(text, kw)


def test_the_same_findings_on_sentences_made_of_the_corpus_words():
    rng = random.Random(31)
    for n in range(3000):
        pieces = []
        for _ in range(rng.randint(1, 40)):
            pieces.append(rng.choice(_WORDS))
            pieces.append(rng.choice(_SEPARATORS))
        _same("".join(pieces), RULES[n % len(RULES)][0])


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
    for kw, _ in RULES:
        _same(text, kw)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join), st.sampled_from([kw for kw, _ in RULES]))
def test_the_same_findings_on_any_mix_of_the_words(text, kw):
    _same(text, kw)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(hostile(), _PIECES), max_size=30).map("".join))
def test_the_same_findings_on_hostile_text(text):
    _same(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_the_same_findings_on_any_text(text):
    _same(text)
