"""R11 acute signs: a rule set that reads a parent's message for what should make a receiver call
the family now. Pure: no I/O, no clock; the settings arrive as `Rules`.

What Swedish paediatric oncology tells families to call about at once (the clinic's own leaflets,
Barncancerfonden, the national care programmes for childhood leukaemia and solid tumours): fever,
a temperature of 38.0 °C or more, however the child otherwise seems (neutropenic fever can be
sepsis within hours); breathing trouble; bleeding that does not stop, blood in urine, stool or
vomit, new bruises or petechiae; seizures; a child who is drowsy, confused or hard to wake; redness,
swelling, pain, pus or leaking at a central line, or chills when it is flushed; vomiting or
diarrhoea with too little drink or urine; pain that the painkillers do not reach; headache with
vomiting, a stiff neck, sudden weakness, slurred speech or double vision; and exposure to chickenpox,
shingles or measles, which the child's immune defence may not meet without help.

How a message is read (docs/acute.md says the same for the staff):
- The text is cut into sentences and each sentence into clauses (at commas, "men", "och", …).
- A sign is a pattern over whole Swedish words and their inflections: "kräks", "kräktes",
  "kräkts"; a prefix is never a word, so "feb" is not februari and "blodprover" is no bleeding.
- A temperature is a number between 34 and 44 that its clause says is one: a unit (°, grader,
  "i feber"), a word before it (temp, feber, mätte), a decimal that nothing calls a weight, a dose,
  a room, a day or a time. At or above the threshold it is fever.
- A sign is cancelled by a negation that reaches it ("ingen feber", "har inte haft någon feber",
  "kräkningar har hon inte haft"), by a resolution in its clause ("näsblodet slutade direkt",
  "febern gick över" — but not "har inte slutat"), by a hypothetical ("om hon får feber", "vid
  feber") and by an exception phrase the administrator keeps ("kramp i vaden").
- A sign at a central line needs both: a line (CVK, port, PICC, infart) and a sign of trouble
  (rodnad, svullen, ont, var, läcker, frossa vid spolning) in one sentence. Routine care of the
  line (CVK-spolning, "portnålen ska bytas") names no trouble and is no sign.

It is a triage aid: it errs towards flagging (a missed acute message is worse than a false one),
and it never replaces reading the message.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, cast

# Parents write without å, ä and ö too (a keyboard abroad, a phone set to English, haste):
# "andnod", "svarvackt", "blamarken overallt", "han ar helt slo". Every message, and every pattern
# and word list it is read with, is read with those three folded (å and ä as a, ö as o): one letter
# for one, so a place in the folded text is the same place in the text as written, and the quotes
# are cut from the text as written. No sign of the rules needs the three told apart.
_FOLDED = (("å", "a"), ("ä", "a"), ("ö", "o"), ("Å", "A"), ("Ä", "A"), ("Ö", "O"))


# A few words folded would be another word that the rules read otherwise: "öm" (tender) would be
# "om" (if, about), in nearly every message; "år" (years: "38 år" is an age) would be "är" ("38,9
# är det farligt?" lost its fever); "vår" (our: "med vår port") would be "var" (pus); "å" (chat for
# "och", "att") would be "ä" (chat for "är"). And a few words without dots would be a sign folded:
# "smart" (smärt…), "varken" (…värk…), "lack" (läck…). Alone, each keeps a letter of its own, in
# the messages and in the rules alike.
_KEPT = {
    "öm": "ɵm",
    "år": "ɑr",
    "vår": "vɑr",
    "å": "ɑ",
    "smart": "smɑrt",
    "varken": "vɑrken",
    "lack": "lɑck",
}
# Each word on its own, as a whole word, behind its own letters: the regular-expression engine
# then skips to where the word is. One pattern for all seven, beginning with a look behind, was
# tried at every place of every message: with str.translate for the three letters, folding cost
# two thirds of the screen's time again (issue 31, item 6); str.replace costs next to nothing.
_KEPT_WORDS = tuple(
    (word, re.compile(re.escape(word) + r"(?<!\w" + re.escape(word) + r")(?!\w)"), kept)
    for word, kept in _KEPT.items()
)


def _fold(text: str) -> str:
    for word, whole, kept in _KEPT_WORDS:
        if word in text:
            text = whole.sub(kept, text)
    for letter, plain in _FOLDED:
        text = text.replace(letter, plain)
    return text


def _fold_words(words: Iterable[str]) -> frozenset[str]:
    return frozenset(_fold(w) for w in words)


class _Lazy:
    """A pattern compiled when it is first used. The rules are some 40 patterns, a tenth of a
    second to compile, and most processes that import this module never screen a message: the
    dashboard and `list` only read stored findings (`load`, `labels`, `summary`)."""

    _METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "split")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = _fold(pattern)  # as the messages are read (_normalise)
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        # Called only until the pattern is compiled: its methods then sit on the instance.
        compiled = re.compile(self.pattern, self.flags)
        for method in self._METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return cast(re.Pattern[str], _Lazy(pattern, flags))


# Bumped whenever the built-in rules change, so that open errands are screened again (services).
ENGINE = "acute-rules-5"

DEFAULT_THRESHOLD = 38.0
THRESHOLD_RANGE = (37.0, 40.0)  # what the administrator may set, in °C
PHRASE_MAX = 60  # characters of one word or phrase in the settings
PHRASES_MAX = 200  # words or phrases per category, and exceptions
QUOTE_MAX = 60  # characters of a quote on the banner


@dataclass(frozen=True)
class Category:
    code: str  # English, for scripts and storage
    label: str  # Swedish, on the screen and in `acute_categories`


FEVER = Category("fever", "Feber")
BREATHING = Category("breathing", "Andning")
BLEEDING = Category("bleeding", "Blödning")
SEIZURES = Category("seizures", "Kramper")
CONSCIOUSNESS = Category("consciousness", "Medvetande")
CENTRAL_LINE = Category("central_line", "Central infart")
FLUIDS = Category("fluids", "Vätska")
PAIN = Category("pain", "Smärta")
NEUROLOGY = Category("neurology", "Neurologi")
EXPOSURE = Category("exposure", "Smitta")
# A parent's own alarm is a sign of its own in children's emergency care (NICE's traffic light
# for fever in under-fives counts "parental concern" among the warning features).
WORRY = Category("worry", "Oro")

CATEGORIES: tuple[Category, ...] = (
    FEVER,
    BREATHING,
    BLEEDING,
    SEIZURES,
    CONSCIOUSNESS,
    CENTRAL_LINE,
    FLUIDS,
    PAIN,
    NEUROLOGY,
    EXPOSURE,
    WORRY,
)
# What each category covers, in the staff's words: the admin tab, `settings` and the help say it.
BUILT_IN: dict[str, str] = {
    "fever": "38,0 °C eller mer, feber, frossa, känns het",
    "breathing": "andnöd, svårt att andas, blå om läpparna",
    "bleeding": "blödning som inte slutar, blod i kiss/bajs",
    "seizures": "kramper, ryckningar, stirrar tomt",
    "consciousness": "svårväckt, förvirrad, slö, svimmar",
    "central_line": "CVK/port/PICC: rodnad, svullnad, var, läcker",
    "fluids": "kräks allt, dricker inte, kissar inte",
    "pain": "svår smärta, ont trots smärtstillande",
    "neurology": "huvudvärk och kräkningar, nackstel, sluddrar",
    "exposure": "vattkoppor, bältros, mässling",
    "worry": "snälla ring, jätteoroliga, ambulans, panik",
}


def built_in(code: str, threshold: float) -> str:
    """What a category covers, with the clinic's fever threshold: the tab said "38,0 °C eller mer"
    after the threshold was set to 38,5."""
    text = BUILT_IN[code]
    if code == "fever":
        text = text.replace("38,0 °C", f"{threshold:.1f} °C".replace(".", ","), 1)
    return text


BY_CODE = {c.code: c for c in CATEGORIES}
BY_LABEL = {c.label.lower(): c for c in CATEGORIES}
UNKNOWN = Category("unknown", "Akut ord")  # a flag stored by an older version (a word, no category)

# Muscle cramps in a calf (vincristine) and the like are not seizures. A setting; these are the
# defaults the administrator starts from.
DEFAULT_EXCEPTIONS: tuple[str, ...] = (
    "kramp i vaden",
    "kramp i vaderna",
    "kramp i benen",
    "kramp i foten",
    "kramp i fötterna",
    "kramp i tårna",
    "kramp i handen",
    "kramp i händerna",
    "kramp i låret",
    "kramper i vaden",
    "kramper i benen",
    "kramper i fötterna",
    "febril aktivitet",
)


@dataclass(frozen=True)
class Rules:
    """The administrator's part of the rule set (R11): words and phrases added per category,
    exception phrases, and the fever threshold."""

    threshold: float = DEFAULT_THRESHOLD
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    exceptions: tuple[str, ...] = DEFAULT_EXCEPTIONS

    def to_json(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "words": {code: list(self.words[code]) for code in BY_CODE if self.words.get(code)},
            "exceptions": list(self.exceptions),
        }

    @classmethod
    def from_json(cls, raw: object) -> Rules:
        """Stored settings as written by `check_rules`; anything else falls back to the defaults
        for that part (a damaged setting must not switch the screen off)."""
        if not isinstance(raw, dict):
            return cls()
        threshold = raw.get("threshold", DEFAULT_THRESHOLD)
        if (
            not isinstance(threshold, (int, float))
            or not THRESHOLD_RANGE[0] <= threshold <= THRESHOLD_RANGE[1]
        ):
            threshold = DEFAULT_THRESHOLD
        words: dict[str, tuple[str, ...]] = {}
        raw_words = raw.get("words")
        if isinstance(raw_words, dict):
            for code, phrases in raw_words.items():
                if code in BY_CODE and isinstance(phrases, list):
                    words[code] = tuple(p for p in phrases if isinstance(p, str) and _PHRASE.fullmatch(p))
        exceptions = raw.get("exceptions", list(DEFAULT_EXCEPTIONS))
        if not isinstance(exceptions, list):
            exceptions = list(DEFAULT_EXCEPTIONS)
        return cls(
            float(threshold),
            words,
            tuple(p for p in exceptions if isinstance(p, str) and _PHRASE.fullmatch(p)),
        )

    def fingerprint(self) -> str:
        """Which rules screened a message: the engine's version and these settings."""
        blob = json.dumps([ENGINE, self.to_json()], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Finding:
    category: Category
    quote: str  # what matched, as written (whitespace folded), cut at QUOTE_MAX

    def __str__(self) -> str:
        return f"{self.category.label}: {self.quote}"


# -- the administrator's phrases ------------------------------------------------------------------
# Letters, digits, spaces and hyphens; a trailing * stands for any ending ("ryck*").
_PHRASE = _compile(r"[^\W_](?:[\w -]*[^\W_])?\*?")


def check_phrases(phrases: Iterable[str], what: str) -> tuple[str, ...]:
    """Words and phrases as the administrator typed them: trimmed, lower-cased, each once."""
    from bcc_tui.domain.errors import InvalidInput

    out: list[str] = []
    for raw in phrases:
        p = " ".join(raw.split()).lower()
        if not p:
            continue
        if len(p) > PHRASE_MAX:
            raise InvalidInput(f"{what}: '{p[:PHRASE_MAX]}…' är längre än {PHRASE_MAX} tecken")
        if len(p.rstrip("*")) < 3 or not _PHRASE.fullmatch(p) or "_" in p:
            raise InvalidInput(
                f"{what}: '{p}' ska vara minst tre tecken: bokstäver, siffror, mellanslag och bindestreck "
                "(en * sist står för valfri ändelse)"
            )
        # Folded, as the messages are read: "for" matches every "för" (a review).
        if all(_fold(w) in _TOO_COMMON for w in p.rstrip("*").replace("-", " ").split()):
            raise InvalidInput(f"{what}: '{p}' står i nästan varje meddelande och kan inte vara ett tecken")
        if p not in out:
            out.append(p)
    if len(out) > PHRASES_MAX:
        raise InvalidInput(f"{what}: högst {PHRASES_MAX} ord eller fraser")
    return tuple(out)


# Words in nearly every message (and the particles the screen reads past): never a sign alone.
_TOO_COMMON = _fold_words(
    {
        "och",
        "att",
        "det",
        "som",
        "en",
        "ett",
        "har",
        "hade",
        "är",
        "var",
        "i",
        "på",
        "med",
        "för",
        "inte",
        "om",
        "till",
        "av",
        "den",
        "jag",
        "vi",
        "hon",
        "han",
        "hen",
        "men",
        "så",
        "kan",
        "nu",
        "typ",
        "liksom",
        "asså",
        "alltså",
        "hej",
        "tack",
        "mvh",
        "ni",
        "er",
        "oss",
        "mig",
        "dig",
        "sig",
        "från",
        "eller",
        "när",
    }
)


def check_threshold(text: str) -> float:
    from bcc_tui.domain.errors import InvalidInput

    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise InvalidInput(f"febergränsen '{text}' är inget tal (t.ex. 38,0)") from None
    low, high = THRESHOLD_RANGE
    if not low <= value <= high:
        raise InvalidInput(f"febergränsen ska ligga mellan {low:.1f} och {high:.1f} °C".replace(".", ","))
    return round(value, 1)


def category_of(text: str) -> Category:
    """A category by its Swedish label or English code, as typed."""
    from bcc_tui.domain.errors import InvalidInput

    key = text.strip().lower()
    found = BY_LABEL.get(key) or BY_CODE.get(key.replace(" ", "_"))
    if found is None:
        names = ", ".join(c.label for c in CATEGORIES)
        raise InvalidInput(f"okänd kategori '{text}' (välj bland {names})")
    return found


# -- storage: the findings as one column ----------------------------------------------------------
def dump(findings: Iterable[Finding]) -> str | None:
    """The findings as stored in errands.acute: a JSON list of [code, quote], or NULL for none."""
    pairs = [[f.category.code, f.quote] for f in findings]
    return json.dumps(pairs, ensure_ascii=False) if pairs else None


def load(stored: str | None) -> tuple[Finding, ...]:
    """What `dump` wrote; also a flag stored by an older version ("feber, andas": words without a
    category), shown as "Akut ord" until the errand is screened again."""
    if not stored:
        return ()
    if stored.startswith("["):
        try:
            pairs = json.loads(stored)
        except ValueError:
            pairs = None
        if isinstance(pairs, list):
            out = []
            for pair in pairs:
                if isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair):
                    out.append(Finding(BY_CODE.get(pair[0], UNKNOWN), pair[1]))
            return tuple(out)
    return tuple(Finding(UNKNOWN, w) for w in stored.split(", ") if w)


def labels(findings: Iterable[Finding]) -> tuple[str, ...]:
    """The categories' labels, each once, in the order found."""
    out: list[str] = []
    for f in findings:
        if f.category.label not in out:
            out.append(f.category.label)
    return tuple(out)


def summary(findings: Iterable[Finding]) -> str:
    """One line for a banner or a list: "Feber: 39,1 · Andning: andas tungt"."""
    return " · ".join(str(f) for f in findings)


# -- reading a message ----------------------------------------------------------------------------
def _rx(*alternatives: str) -> re.Pattern[str]:
    """Alternatives as whole words: no letter before the first or after the last."""
    return _compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


_PAINKILLERS = (
    r"(?:smärtstillande|smärtlindring\w*|alvedon|panodil|paracetamol|ipren|ibuprofen|morfin\w*|oxynorm|oxycontin|"
    r"citodon|tradolan|ketogan|\w*pump\w*|medicinen|medicin|tabletterna|värktabletter\w*)"
)

# Each category's signs. Written over lower-cased text; `\w*` only where every ending is the sign.
_SIGNS: dict[Category, re.Pattern[str]] = {
    FEVER: _rx(
        r"feber(?:n|ns)?",
        r"hög\w* temp(?:eratur)?(?:en)?",
        r"febri(?:g|ga|gt|l|la|lt)",
        r"feberkänsla\w*",
        r"febertopp\w*",
        r"högfebril\w*",
        r"feberfrossa\w*",
        r"frossa\w*",
        r"frossbryt\w*",
        r"skakfrossa\w*",
        r"(?:fryser|frös|frusit) och skak\w+",
        r"skakar och fryser",
        r"skakar i hela kroppen",
        r"tänderna (?:klapprar|hackar)",
        r"tänderna skallrar",
        r"skallrar tänder",
        r"sepsis",
        r"septisk\w*",
        r"(?:känns|kändes|är|e|va|var|blev|verkar|känns som) (?:(?:jätte|väldigt|så|mycket|lite|ganska|helt|alldeles)\s*)?"
        r"(?:varm|het|glödhet|glödvarm|kokhet|brännhet|brännvarm)",
        r"(?:jätte|glöd|kok|bränn)(?:varm|het)",
        r"(?:hon|han|hen|barnet) (?:(?:jätte|väldigt|så|mycket) ?)?(?:varm|het)",
        r"(?:varm|het) i (?:pannan|kroppen|huvudet)",
        r"(?:som en|som ett) (?:kamin|element|värmeelement|ugn|bastu)",
        r"pannan (?:är|känns) (?:\w+ )?(?:varm|het)",
    ),
    BREATHING: _rx(
        r"andnöd\w*",
        r"andningsbesvär\w*",
        r"andningssvårighet\w*",
        r"andningsuppehåll\w*",
        r"andningspåverka\w*",
        r"andfådd\w*",
        r"andtäppa",
        r"(?:svårt|svårare|jobbigt|tungt) att andas",
        r"(?:kan|kunde|orkar|klarar) (?:inte|knappt) (?:att )?andas",
        r"andas (?:(?:hon|han|hen|barnet|det) )?(?:(?:fortfarande|nu|väldigt|jätte|mycket|så|lite|konstigt|extremt|hela tiden) ?){0,2}"
        r"(?:tungt|snabbt|fort|ansträngt|jobbigt|ytligt|konstigt|oroligt|tätt|hackigt|pipigt|med ljud|med magen|flämtande)",
        r"(?:får|fick) (?:inte|dåligt med|ingen|knappt) (?:någon )?(?:luft|andan)",
        r"(?:inte|knappt) (?:får|fick) (?:någon )?(?:luft|andan)",
        r"kippar efter (?:luft|andan)",
        r"(?:flämtar|flåsar|stånkar|väser)",
        r"(?:blå|blåa|blåaktig|blåaktiga|grå|gråblå) (?:om|runt|kring|i) (?:läpparna|munnen|ansiktet)",
        r"(?:blå|blåa|blåaktiga) läppar",
        r"indragningar\w*",
        r"(?:ont|sticker|hugger|smärta) i bröstet (?:\w+ )?(?:när|då) (?:hon|han|hen|jag) andas",
        r"bröstsmärt\w*",
        r"(?:väsande|pipande|rosslande|ansträngd|ansträngda|hackig|snabb) andning",
        r"(?:väser|visslar|piper|rosslar) (?:när|då) (?:hon|han|hen) andas",
        r"låter som (?:\w+ )?(?:visslar|visslande|det piper|en säl)",
        r"anstränger sig (?:\w+ )?(?:vid|när|för att) (?:\w+ )?(?:andas|andning|utandning|inandning)",
        r"(?:svårt|svårare) att få (?:\w+ )?luft",
        r"(?:läpparna|läppar|munnen|ansiktet|naglarna) (?:är|var|blev|blir|ser) (?:\w+ ){0,2}?(?:blå|blåa|blåaktig\w*|blålila)",
        r"(?:får|fick) inte luft",
        r"näsvingespel",
        r"pip(?:ig|iga|ande|er) (?:andning|i bröstet|när (?:hon|han|hen) andas)",
        r"andningen (?:är|låter|blev|har blivit) (?:\w+ )?(?:tung|ansträngd|konstig|snabb|jobbig|ytlig|pipig|rosslig)",
    ),
    BLEEDING: _rx(
        r"\w*blöd(?:er|de|it|a|ningar|ningen|ningarna|ning)",
        r"näsblod\w*",
        r"blod(?:et)? (?:rinner|forsar|sprutar|droppar|kommer)",
        r"(?:rinner|forsar|sprutar) blod",
        r"blod i (?:kisset|kisset|urinen|avföringen|bajset|bajsen|blöjan|spottet|slemmet|munnen|näsan|hostan|"
        r"tandborsten|tänderna|örat|öronen|ögat|trosorna|kalsongerna|pottan|toaletten)",
        r"blodig\w* (?:kiss|urin|avföring|bajs|diarré\w*|spott|slem|hosta|näsa|snor|blöja)\w*",
        r"(?:kissar|kissade|bajsar|bajsade|hostar|hostade|hostat|spottar|spottade) (?:upp )?blod",
        r"(?:kissar|kissade|kissat) (?:\w+ )?(?:rosa|rött|brunt|mörkrött|rödbrunt)",
        r"blod i (?:bajs|kiss|urin|avföring)",
        r"(?:kisset|urinen|kiss|urin) (?:(?:är|var|har varit|blev|blir|ser) )?(?:\w+ )?"
        r"(?:rött|röd|rosa|brunt|brun|rödbrunt|rödbrun|rödaktigt|colafärgat|blodigt|blodig|mörkrött|mörkröd|som cola)",
        r"(?:röd|rosa|brun|colafärgad) urin",
        r"svart (?:\w+ )?(?:bajs|avföring)",
        r"blödande (?:tandkött|näsa|sår|tänder|mun)",
        r"(?:bajset|bajsen|avföringen) (?:\w+ ){0,2}?(?:svart|svarta|tjärlik\w*|som tjära)",
        r"svart som tjära",
        r"tjärliknande",
        r"tjärfärgad\w*",
        r"blodstrimm\w*",
        r"blod när (?:hon|han|hen) (?:kissar|bajsar|hostar|borstar tänderna|snyter sig)",
        r"(?:blåa|blå|lila|röda) fläckar",
        r"prickar som inte (?:försvinner|bleknar|går bort)",
        r"glastest\w*",
        r"strimmor av blod",
        r"svarta (?:bajsar|avföringar)",
        r"petekier\w*",
        r"(?:små |massa |många |nya |)röda prickar",
        r"prickar på (?:huden|benen|kroppen|armarna|magen)",
        r"blåmärken\w*",
        r"blå märken",
    ),
    SEIZURES: _rx(
        r"kramp(?:er|erna|en|ade|at|ar|a)?",
        r"\w*krampanfall\w*",
        r"feberkramp\w*",
        r"krampade",
        r"ryckningar\w*",
        r"(?:rycker|ryckte|ryckt|ryckningar) (?:\w+ )?(?:i|med) (?:\w+ )?(?:arm|armar|armarna|armen|ben|benen|benet|kroppen|"
        r"ansiktet|hela|handen|foten|ena sidan)",
        r"stelnade (?:\w+ )?till",
        r"(?:arm|armen|hand|handen|ben|benet|fot|foten|ansikte|ansiktet|mungipan) (?:\w+ )?(?:rycker|ryckte|ryckt)",
        r"tuggade på tungan",
        r"bet sig i tungan",
        r"ögonen (?:var|gick|stod) (?:åt|uppåt|snett) (?:åt )?sidan",
        r"ögonen (?:var|gick) (?:uppåt|bakåt)",
        r"epileptisk\w* anfall\w*",
        r"(?:fick|fått|haft|hade) (?:ett )?(?:konstigt )?anfall",
        r"stelnade (?:till )?och",
        r"(?:himlade|himlar) med ögonen",
        r"(?:armen|armarna|benet|benen|kroppen|ansiktet|handen|huvudet|ögonen|munnen) (?:ryckte|rycker|ryckt|ryckte till och från)",
        r"(?:stirrade|stirrar) (?:\w+ )?(?:rakt ut|tomt|ut i luften|rakt fram)",
        r"frånvaroattack\w*",
        r"(?:blev|blir) stel (?:i hela kroppen|och)",
        r"skakade (?:\w+ )?okontrollerat",
        r"ögonen (?:rullade|rullar)",
    ),
    CONSCIOUSNESS: _rx(
        r"\w*svårväck\w*",
        r"(?:får|fick) (?:knappt|ingen|inte|dålig) kontakt med (?:henne|honom|hen|barnet)",
        r"svår att väcka",
        r"(?:går|gick) (?:knappt|inte|nästan inte|dåligt) att väcka",
        r"(?:kan|kunde) (?:inte|knappt) väcka",
        r"vaknar (?:knappt|inte ordentligt|inte riktigt)",
        r"(?:får|fick) inte liv i",
        r"medvetslös\w*",
        r"medvetandepåverka\w*",
        r"okontaktbar\w*",
        r"svarar inte (?:på tilltal|när (?:vi|man|jag|ni) (?:pratar|tilltalar|frågar|ropar|säger))",
        r"(?:hon|han|hen|barnet) (?:svarar|svarade|reagerar|reagerade) inte(?! i telefon)",
        r"(?:somnar|somnade) om (?:direkt|hela tiden|genast|med en gång)",
        r"(?:sover|somnar) hela tiden",
        r"(?:vet|visste) inte (?:var|vem) (?:hon|han|hen) (?:är|var)",
        r"känner (?:typ |knappt |inte )?(?:inte )?igen (?:mig|oss|sin|sina|henne|honom)",
        r"desorienterad\w*",
        r"(?:konstig|konstiga|frånvarande|glansig|tom) (?:blick|i blicken)",
        r"(?:ovanligt|onormalt|extremt|jätte)\s?sömnig\w*",
        r"dåsig\w*",
        r"(?:grå|gråblek|likblek) och (?:slapp|slö|borta)",
        r"(?:slapp|slö) och (?:grå|gråblek|borta)",
        r"(?:var|blev) borta (?:\w+ )?(?:några|ett par|kanske|i)? ?(?:\d+ )?(?:sekunder|sek|minuter|min|stund)",
        r"(?:får|fick) (?:inte|knappt) (?:riktigt )?kontakt",
        r"(?:går|gick) (?:inte|knappt) (?:att|å) få (?:någon )?kontakt med(?! ?(?:er|dig|mottagningen|avdelningen|sjukhuset|"
        r"någon|läkaren|doktorn|sjuksköterskan|kontaktsjuksköterskan|1177|vården|växeln)(?!\w))",
        r"(?:inte|ej) kontaktbar\w*",
        r"(?:får|fick) (?:inte|knappt|inget) liv i",
        r"orkar inte (?:ens )?(?:lyfta|hålla uppe) huvudet",
        r"grymtar",
        r"(?:helt |alldeles )?slapp som en trasdocka",
        r"(?:helt|alldeles) (?:slapp|slö|livlös)",
        r"tittar inte på (?:mig|oss|någon)",
        r"dåsi",
        r"(?:svår|svårt) (?:att|å) (?:få liv i|väcka|få kontakt med)",
        r"(?:somnar|somnade) om hela (?:tiden|tia)",
        r"förvirrad\w*",
        r"omtöcknad\w*",
        r"svim(?:made|mat|mar|ma|ning\w*)",
        r"tuppa(?:de|t|r) av",
        r"(?:slö|slöa|slött|slöare)",
        r"apatisk\w*",
        r"allmänpåverka\w*",
        r"(?:verkar|är|blivit|blev) (?:väldigt |mycket |helt |jätte)?påverkad",
        r"orkar inte (?:stå|gå|sitta|hålla (?:upp )?huvudet|öppna ögonen|vakna|svara)",
        r"(?:hänger|ligger) bara (?:och|i sängen|i soffan)",
        r"(?:är )?inte sig själv",
        r"(?:ovanligt|onormalt|extremt|konstigt) trött",
        r"(?:hon|han|hen|barnet) (?:är|var|verkar|känns) helt borta",
    ),
    FLUIDS: _rx(
        r"(?:dricker|drack|druckit|dricka) (?:\w+ )?(?:inte|ingenting|inget|nästan inget|nästan ingenting|knappt|"
        r"dåligt|väldigt lite|jättelite|för lite|nästan inte)",
        r"(?:vill|kan|orkar|har|hade|får) (?:inte|knappt) (?:\w+ )?(?:dricka|druckit)",
        r"(?:inte |knappt )(?:fått|får|behållit|kunnat behålla) i sig (?:någon |något |nån |nåt )?(?:vätska|dricka|vatten|mat)?",
        r"får inte i sig (?:\w+ )?(?:vätska|dricka|vatten|något|nåt)",
        r"(?:behåller|behöll|behållit) (?:inte|inget|ingenting|knappt)",
        r"håller (?:inte|inget|ingenting) (?:\w+ )?(?:nere|i sig)",
        r"(?:kan|kunde|får|fått) (?:inte|knappt) (?:\w+ )?behålla (?:något|nåt|någonting|vätska|mat|dricka)",
        r"kräks (?:upp )?(?:det )?direkt",
        r"inte (?:\w+ )?behålla (?:något|nåt|någonting|vätska|mat|dricka)",
        r"kan inte hålla (?:\w+ )?(?:nere|i sig)",
        r"(?:inte|knappt|inget) (?:\w+ )?(?:kissat|kissar|kissa)(?! på sig)",
        r"kissar (?:inte|knappt|nästan inget|nästan ingenting|väldigt lite|jättelite)",
        r"kissat (?:väldigt |jätte|så )?lite",
        r"(?:torra|inga blöta) blöjor",
        r"blöjan (?:är|har varit|var) torr",
        r"(?:mörk|mörkt) (?:urin|kiss)",
        r"(?:torr|torra) (?:i munnen|mun|tunga)",
        r"insjunkna ögon",
        r"(?:gråter|grät) utan tårar",
        r"(?:kräks|kräkts|kräktes|kräkas|spyr|spytt|spydde|kastar upp|kastat upp|kastade upp) (?:\w+ ){0,3}?"
        r"(?:allt|hela tiden|hela natten|hela dagen|oavbrutet|konstant|flera gånger|många gånger|massor|"
        r"(?:[3-9]|\d\d+) (?:gånger|ggr)|varje gång|efter allt|så fort|om och om)",
        r"(?:kräkts|kräktes|spytt|spydde) (?:\w+ ){0,2}?(?:två|tre|fyra|fem|sex|sju|åtta|nio|tio) gånger",
        r"(?:flera|många|upprepade|massor av|oavbrutna|[3-9]|\d\d+) kräkningar",
        r"kräkningar (?:hela|flera|många|sedan i går|hela natten)",
        r"(?:kräks|kräkts|kräktes|spyr|spydde|spytt|kastar upp|kastade upp) (?:\w+ )?blod\w*",
        r"blod i (?:kräkningen|kräkningarna|spyan|spyorna)",
        r"blodiga kräkningar",
        r"kaffesump\w*",
        r"(?:kraftig|kraftiga|vattnig|vattniga|massiv|massiva|mycket|blodig|blodiga|ihållande) diarré\w*",
        r"diarré\w* (?:hela|flera|många|(?:[3-9]|\d\d+) (?:gånger|ggr)|oavbrutet|sedan i går)",
        r"bajsar (?:vatten|hela tiden)",
        r"vägrar (?:all |att )?(?:dryck|dricka|flaskan|vatten|vätska)",
        r"sväljer inte",
        r"(?:kan|klarar) inte svälja",
        r"uttork\w*",
    ),
    PAIN: _rx(
        r"(?:jätte|väldigt |mycket |fruktansvärt |hemskt |extremt |så |så himla |otroligt |vansinnigt |sjukt )ont",
        r"(?:svår|svåra|kraftig|kraftiga|stark|starka|intensiv|intensiva|olidlig|olidliga|outhärdlig|outhärdliga|"
        r"fruktansvärd|fruktansvärda|hemsk|hemska|värsta|ökande|tilltagande) (?:\w+ )?\w*(?:smärt|värk)\w*",
        r"(?:skriker|skrek|skrikit|gråter|grät|gråtit|vrider sig|vred sig|jämrar sig) (?:\w+ )?(?:av|för|i) (?:smärta|smärtor|ont|värk)",
        r"(?:kan|kunde) (?:inte|knappt) (?:gå|stå|sova|röra sig|ligga|sitta|äta|svälja) (?:för|av) (?:smärtan|att det gör ont|ont|värken)",
        r"(?:ont|smärta|smärtor|smärtan|värk|värken) trots",
        _PAINKILLERS + r" (?:\w+ ){0,3}?"
        r"(?:hjälper|hjälpte|biter|bet|fungerar|fungerade|räcker|räckte|tar|tog|verkar|har effekt) (?:inte|inget|ingenting|knappt)",
        _PAINKILLERS
        + r" (?:[\w,.]+ ){0,6}?(?:hjälper|hjälpte|har hjälpt|biter|bet|fungerar|fungerade|räckte|verkade) (?:inte|inget|ingenting|knappt)",
        r"(?:smärt\w*|ont|värk\w*)[^.!?\n]{0,40}?(?<![\d,.])(?:[7-9]|10) av 10",
        r"(?<![\d,.])(?:[7-9]|10) av 10[^.!?\n]{0,30}?(?:smärt\w*|ont|värk\w*)",
        _PAINKILLERS + r" (?:\w+ ){0,2}?(?:har|hade|ger|gav) (?:ingen|inte någon|dålig|knappt någon) effekt",
        r"(?:(?:går|gick) inte|inte (?:går|gick)) över (?:\w+ ){0,2}?(?:med|av|trots) " + _PAINKILLERS,
        r"(?:ont|\w*smärt\w*|\w*värk\w*)(?!\w)[^.!?\n]{0,60}?(?<!\w)trots " + _PAINKILLERS,
        r"(?:ont|smärta|smärtor|värk) hela tiden",
        r"ont (?:\w+ ){0,3}?så (?:hon|han|hen) (?:skriker|gråter|inte kan)",
        r"(?:\w*värken|\w*smärtan|\w*smärtorna|ontet) (?:\w+ ){0,4}?(?:blivit|blir|har blivit) (?:mycket |allt |så |ännu |betydligt )?värre",
        r"(?:skrikit|gråtit) (?:i|av smärta i) (?:flera|många) timmar",
        r"\w*(?:värk|smärta|smärtor|ont) (?:\w+ ){0,3}?(?:blir|blivit|har blivit) (?:\w+ )?värre",
        r"(?:lika|ännu) (?:illa|ont) igen",
        r"vill inte att (?:man|vi|någon) (?:rör|tar på) (?:magen|henne|honom)",
        r"(?:kan|kunde) inte sova trots " + _PAINKILLERS,
        _PAINKILLERS
        + r"(?!\w)[^.!?\n]{0,80}?(?<!\w)(?:ingen|inte någon|ingen som helst) (?:skillnad|skilnad|effekt|förbättring|hjälp)",
        r"(?:hjälper|biter|fungerar|räcker|verkar) inte (?:\w+ ){0,2}?(?:mot|på) (?:smärtan|värken|ont|smärtorna)",
    ),
    NEUROLOGY: _rx(
        r"(?:kraftig|kraftiga|värsta|svår|svåra|extrem|plötslig|outhärdlig|ihållande|fruktansvärd)\w* huvudvärk\w*",
        r"huvudvärk\w* (?:\w+ )?(?:på|varje|när (?:hon|han|hen) vaknar) (?:morgon|morgnar|morgonen|morgnarna)",
        r"vaknar (?:\w+ )?(?:med|av) huvudvärk\w*",
        r"nackstel\w*",
        r"stel i nacken",
        r"stel nacke",
        r"(?:kan|kunde) inte böja (?:på )?(?:huvudet|nacken)",
        r"(?:plötsligt|plötslig) (?:\w+ )?(?:svag|svaghet|slapp|domnad|bortdomnad|förlamad|domningar)",
        r"svag i (?:ena|höger|vänster|armen|benet|handen|sidan|foten)",
        r"(?:kan|kunde) (?:(?:hon|han|hen) )?inte (?:röra|lyfta|använda|stödja på) (?:ena|höger|vänster|högra|vänstra|armen|benet|handen|foten)",
        r"drar (?:med|på) (?:ena|högra|vänstra|höger|vänster) (?:benet|foten)",
        r"(?:ena )?(?:ögonlock|ögonlocket|mungipan|mungipa) hänger",
        r"tappar saker",
        r"haltar plötsligt",
        r"snubblar (?:hela tiden|ofta|mycket|jämt)",
        r"(?:benen|benet) (?:bär|bar|orkar) inte",
        r"(?:benen|benet) inte (?:bär|bar|orkar)",
        r"(?:klarar|klarade|orkar|orkade) (?:(?:hon|han|hen) )?inte (?:gå i )?trappan",
        r"(?:benet|benen|armen|handen|foten|sidan) (?:känns|är|blivit|har blivit) (?:\w+ )?(?:svag|svagt|svagare|slapp|slappt|bortdomnad|domnad)",
        r"(?:kan|kunde) inte (?:gå|stå) (?:ordentligt|normalt|som vanligt|rakt)",
        r"(?:hänger|sned) (?:\w+ )?(?:i|med) (?:ena )?(?:mungipan|ögonlocket|ansiktet)",
        r"ena mungipan hänger",
        r"sned i ansiktet",
        r"sluddr\w*",
        r"(?:pratar|talar) (?:\w+ )?(?:konstigt|otydligt|sluddrigt|osammanhängande)",
        r"ser (?:allt )?dubbelt",
        r"ser två av (?:allt|allting|saker)",
        r"(?:ena )?ögat (?:ser|är|har blivit|står) (?:\w+ )?snett",
        r"skelar",
        r"(?:kan|kunde) (?:(?:hon|han|hen) )?inte (?:stå|gå) på (?:ena|högra|vänstra|höger|vänster)?\s?(?:\w*benet|\w*foten)",
        r"(?:\w*benet|\w*benen|knät) viker sig",
        r"tappar greppet",
        r"dubbelseende",
        r"skelar plötsligt",
        r"synen (?:har )?(?:försvunnit|försvann|blivit sämre|blev sämre|försämrats|är borta)",
        r"ser (?:inget|ingenting|suddigt) plötsligt",
        r"(?:ostadig|vinglig|vingligt|vinglar|vinglade)",
        r"tappar balansen",
        r"går som (?:om (?:hon|han|hen) (?:vore|var) |en )?(?:full|berusad|packad)",
        r"ramlar (?:\w+ ){0,2}?(?:hela tiden|jämt|flera gånger)",
        r"(?:kan|kunde) inte böja (?:ner |fram )?(?:på )?(?:huvudet|nacken|hakan)",
        r"ljuskänslig\w*",
        r"vill ha (?:det )?mörkt",
        r"tål inte (?:ljus|ljuset)",
    ),
    WORRY: _rx(
        r"snälla (?:ring|hör av er|kontakta)",
        r"ring (?:oss|mig|tillbaka) (?:\w+ )?(?:nu|direkt|så fort som möjligt|så fort ni kan|så fort|snarast|omgående|genast|asap)",
        r"(?:jätte|väldigt |mycket |så |extremt |otroligt )orolig\w*",
        r"panik\w*",
        r"(?:vet|vi vet) inte vad (?:vi|jag) ska göra",
        r"ambulans\w*",
        r"(?<![\d-])112(?![\d-])",
        r"(?:är det|är detta) (?:farligt|akut|allvarligt)",
    ),
    EXPOSURE: _rx(
        r"vattkopp\w*",
        r"bältros\w*",
        r"mässling\w*",
        r"varicella",
    ),
}

# A central line, and trouble at it: both in one sentence make a sign (CENTRAL_LINE).
_LINE = _rx(
    r"cvk\w*",
    r"(?:sub)?(?:venport|portacath|port-a-cath)\w*",
    r"port(?:en|nål\w*|hål\w*|ens)?",
    r"picc\w*",
    r"\w*infart(?:en|er|erna)?",
    r"central(?:a)? (?:venkateter|infart)\w*",
    r"slangen",
    r"katetern",
    r"hickman\w*",
    r"\w*instick\w*",
    r"förbandet",
)
_LINE_TROUBLE = _rx(
    r"rodna\w*",
    r"röd(?! dag)",
    r"röda(?! dagar)",
    r"rött",
    r"svull\w*",
    r"uppsvälld\w*",
    r"öm",
    r"ömt",
    r"ömmar",
    r"ömmande",
    r"ömhet",
    r"(?:gör|gjorde|gjort) (?:\w+ )?ont",
    r"ont",
    r"smärt\w*",
    r"varig\w*",
    r"varar",
    r"pus",
    r"sekret",
    r"vätska\w*",
    r"vätskar",
    r"läck\w*",
    r"kladd\w*",
    r"sipprar",
    r"blöder",
    r"blödde",
    r"blod",
    r"lossna\w*",
    r"trasig\w*",
    r"(?:gått|gick|går) sönder",
    r"(?:gått|gick|går) av",
    r"sprucki\w*",
    r"sprack",
    r"sprucken",
    r"(?:är|kommer|med|gult|grönt|lite|mycket) var",
    r"var (?:kommer|sipprar|rinner)",
    r"sönder",
    r"(?:dragit|dragits|drog|ramlat|åkt|åkte|glidit|gled) ut",
    r"hål i",
    r"stopp",
    r"(?:går|gick) inte att spola",
    r"svårt att spola",
    r"frossa\w*",
    r"fryser",
    r"frös",
    r"skakar",
    r"skakade",
    r"feber\w*",
    r"varm",
    r"het",
    r"hård",
    r"lukt\w*",
    r"klipp\w*",
    r"hack",
    r"skada\w*",
    r"gulaktig\w*",
    r"gul",
    r"gult",
    r"grönaktig\w*",
    r"knöl",
    r"bula",
    r"utslag",
    r"infekt\w*",
    r"irriterad",
    r"irriterat",
)

# Vomiting with a headache: both in one sentence are a sign of raised intracranial pressure.
_HEADACHE = _rx(r"huvudvärk\w*", r"ont i huvudet", r"huvudet värker")
_VOMIT = _rx(r"kräk\w*", r"spy\w*", r"spydde", r"kastar upp", r"kastade upp", r"illamå\w*")

# Blood in the vomit, told in other words: "kräktes precis o det var rött blod i".
_VOMIT_ONLY = _rx(r"kräk\w*", r"spy\w*", r"spydde", r"kastar upp", r"kastade upp")
_BLOOD = _rx(r"blod", r"blodet", r"blodig\w*", r"blodstrimm\w*")


# The standard library's own regular-expression parser (typeshed does not describe it): the
# gates below read which strings a pattern cannot match without.
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")


def _required(seq: list[Any]) -> frozenset[str] | None:
    """Strings one of which every match of a parsed pattern contains (None: no such set known):
    the most telling of what `_formula` finds the pattern requires."""
    formula = _formula(seq)
    return None if formula is None else _most_telling(formula)


def _most_telling(formula: _Formula) -> frozenset[str] | None:
    """One set of strings that a text holds wherever `formula` does: a sequence's most telling
    part's (a literal run, a group's own, a repeat that must occur once), the union of a branch's
    branches'. Sound by construction, as `_formula` is."""
    kind, parts = formula
    if kind == "any":
        return cast(frozenset[str], parts)
    subs = [_most_telling(part) for part in parts]
    if kind == "or":
        return frozenset().union(*subs) if all(subs) else None  # type: ignore[arg-type]
    found = [sub for sub in subs if sub]
    return max(found, key=_selective) if found else None


# Words in most messages: a required string made of these opens the gate on every message.
_EVERYWHERE = _fold_words(
    {
        "inte",
        "och",
        "att",
        "bara",
        "hela",
        "tiden",
        "med",
        "som",
        "det",
        "har",
        "för",
        "över",
        "sig",
    }
)


def _selective(strings: frozenset[str]) -> tuple[int, int]:
    """How well a set of required strings tells texts apart: long and uncommon first."""
    return min(0 if " ".join(x.split()) in _EVERYWHERE else len(x.strip()) for x in strings), -len(strings)


# A condition on the strings a text holds: ("any", strings) one of them; ("and", parts) or
# ("or", parts) of such conditions.
_Formula = tuple[str, Any]


def _formula(seq: list[Any]) -> _Formula | None:
    """What every match of a parsed pattern holds, as a whole: each part of a sequence that
    `_required` reads (its literal runs, groups, branches and repeats that must occur once) is
    required at once, not only the most telling one; a branch needs one of its branches'. Sound
    for the same reason: a match of a sequence holds a match of each such part (None: nothing
    known)."""
    found: list[_Formula] = []
    run = ""
    for op, av in [*seq, (None, None)]:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if len(run) >= 3:
            found.append(("any", frozenset([run])))
        run = ""
        sub: _Formula | None = None
        if op is _c.SUBPATTERN:
            sub = _formula(av[-1])
        elif op is _c.BRANCH:
            subs = [_formula(branch) for branch in av[1]]
            sub = ("or", subs) if all(subs) else None
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            sub = _formula(av[2])
        found += [sub] if sub else []
    if not found:
        return None
    return found[0] if len(found) == 1 else ("and", found)


_Test = Callable[[frozenset[str]], bool]


def _guard(formula: _Formula) -> frozenset[str]:
    """Strings one of which a text holds wherever `formula` does (the `any` sets of an `and`
    each are, the union of its branches' for an `or`): a cheap first test."""
    kind, parts = formula
    if kind == "any":
        return cast(frozenset[str], parts)
    if kind == "or":
        return frozenset().union(*(_guard(part) for part in parts))
    return min((_guard(part) for part in parts), key=len)


def _test(formula: _Formula) -> _Test:
    """`formula` as a function of the strings a text holds, each `or` trying only the branches
    whose guard the text passes."""
    kind, parts = formula
    if kind == "any":
        strings = cast(frozenset[str], parts)
        return lambda present: not strings.isdisjoint(present)
    if kind == "and":
        leaves = [cast(frozenset[str], p) for k, p in parts if k == "any"]
        subs = [_test(part) for part in parts if part[0] != "any"]
        return lambda present: (
            all(not leaf.isdisjoint(present) for leaf in leaves) and all(sub(present) for sub in subs)
        )
    union = _guard(formula)
    by_string: dict[str, list[_Test]] = {}
    for part in parts:
        sub = _test(part)
        for string in _guard(part):
            by_string.setdefault(string, []).append(sub)

    def test(present: frozenset[str]) -> bool:
        # Only the branches whose guard holds one of the text's strings are tried.
        return any(sub(present) for string in union.intersection(present) for sub in by_string[string])

    return test


def _strings(formula: _Formula | None) -> set[str]:
    if formula is None:
        return set()
    kind, parts = formula
    return set(parts) if kind == "any" else set().union(*(_strings(part) for part in parts))


class _Gate:
    """Whether a pattern can match a text at all, by the strings it cannot match without: on a
    long calm message most categories' patterns are then never run. `needs` is one set of them
    (`in` is a fast C search); `formula` all that the pattern requires together, read from the
    strings a text holds (`_Present`): "kontroll" holds "ont", but pain's "jätteont" needs
    "jätte" or the like too."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    @cached_property
    def _parsed(self) -> Any:
        return _parser.parse(self.pattern.pattern)

    @cached_property
    def needs(self) -> frozenset[str] | None:
        # Read at the first message screened, as the patterns are compiled (_Lazy).
        return _required(self._parsed)

    @cached_property
    def formula(self) -> _Formula | None:
        return _formula(self._parsed)

    @cached_property
    def test(self) -> _Test | None:
        return _test(self.formula) if self.formula is not None else None

    @cached_property
    def splits_at(self) -> frozenset[str]:
        """The characters ending a sentence that no part of the pattern (nor of what it looks
        around at) takes, if every match holds some string (none is empty). No match crosses a
        run of them, so a search of each stretch between such runs, from its start to its end in
        the whole text (what lies behind stays in view; what lies after is such a character,
        which nothing takes), finds what one search of the whole text finds, in the same order."""
        if self.needs is None:
            return frozenset()
        return frozenset(ch for ch in _STOPS if not _consumes(self._parsed, ch))

    def opens(self, strings: frozenset[str]) -> bool:
        """Whether a text with these strings (`_Present`) may hold a match."""
        if not _GATED or self.needs is None:
            return True
        if self.needs.isdisjoint(strings):
            return False
        if self.test is None:
            return True
        # The same few sets of strings come again and again (a sentence's): each judged once.
        known = self._judged.get(strings)
        if known is None:
            if len(self._judged) >= _JUDGED:
                self._judged.clear()
            known = self._judged[strings] = self.test(strings)
        return known

    @cached_property
    def _judged(self) -> dict[frozenset[str], bool]:
        return {}

    def finditer(self, low: str, present: _Present, bounds: list[tuple[int, int]]) -> Iterable[re.Match[str]]:
        """The pattern's matches in `low`, as its own finditer finds them; sentence by sentence,
        only in those whose strings open the gate, where that gives the same."""
        if not (_GATED and self.splits_at):
            return self.pattern.finditer(low)
        return (
            m
            for a, b, strings in _stretches(low, bounds, present.each, self.splits_at)
            if self.opens(strings)
            for m in self.pattern.finditer(low, a, b)
        )


def _stretches(
    low: str, bounds: list[tuple[int, int]], each: list[frozenset[str]], splits_at: frozenset[str]
) -> Iterable[tuple[int, int, frozenset[str]]]:
    """The sentences joined where what ends one has a character outside `splits_at`: each
    stretch's start, end and strings."""
    start, strings = bounds[0][0], frozenset[str]()
    last = len(bounds) - 1
    for k, ((_a, b), held) in enumerate(zip(bounds, each, strict=True)):
        strings |= held
        if k == last or splits_at.issuperset(low[b : bounds[k + 1][0]]):
            yield start, b, strings
            if k != last:
                start, strings = bounds[k + 1][0], frozenset()


_JUDGED = 4096  # sets of strings a gate keeps its answer for; it starts over when full
_STOPS = ".!?;\n"  # the characters that end a sentence (_SENTENCE), where they do
_CATEGORIES = {
    _c.CATEGORY_DIGIT: r"\d",
    _c.CATEGORY_NOT_DIGIT: r"\D",
    _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_NOT_SPACE: r"\S",
    _c.CATEGORY_WORD: r"\w",
    _c.CATEGORY_NOT_WORD: r"\W",
}


def _takes(items: list[Any], ch: str) -> bool:
    """Whether a parsed class ([...]) takes `ch`; anything not known here is taken to take it."""
    negate = hit = False
    for op, av in items:
        if op is _c.NEGATE:
            negate = True
        elif op is _c.LITERAL:
            hit = hit or chr(av) == ch
        elif op is _c.RANGE:
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif op is _c.CATEGORY and av in _CATEGORIES:
            hit = hit or re.fullmatch(_CATEGORIES[av], ch) is not None
        else:
            return True
    return hit != negate


def _consumes(seq: list[Any], ch: str) -> bool:
    """Whether any part of a parsed pattern, its lookarounds included, may take `ch`; anything
    not known here is taken to."""
    for op, av in seq:
        if op is _c.LITERAL:
            found = chr(av) == ch
        elif op is _c.IN:
            found = _takes(av, ch)
        elif op is _c.SUBPATTERN:
            found = _consumes(av[-1], ch)
        elif op is _c.BRANCH:
            found = any(_consumes(branch, ch) for branch in av[1])
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            found = _consumes(av[2], ch)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _consumes(av[1], ch)
        else:
            return True
        if found:
            return True
    return False


_GATED = True  # the tests compare the screen with and without the gates
_GATES = {cat: _Gate(pattern) for cat, pattern in _SIGNS.items()}
_LINE_GATE = _Gate(_LINE)
_HEADACHE_GATE = _Gate(_HEADACHE)
_VOMIT_GATE = _Gate(_VOMIT)


def prepare() -> None:
    """Read the gates and build their one-pass search now (a tenth of a second), as the first
    message screened would: a process about to fork a helper does it once, for both."""
    _scanner()


@lru_cache(maxsize=1)
def _scanner() -> tuple[re.Pattern[str], dict[str, frozenset[str]]]:
    """One pattern that finds, at each place of a text, the longest of the gates' strings that
    begins there (a trie of them, longer first), and for each string those of them that are its
    own beginnings: the strings a text holds in one pass, instead of a search for each."""
    strings: set[str] = set()
    for gate in [*_GATES.values(), _LINE_GATE, _HEADACHE_GATE, _VOMIT_GATE]:
        strings |= set(gate.needs or ()) | _strings(gate.formula)
    trie: dict[str, Any] = {}
    for s in strings:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict[str, Any]) -> str:
        kids = [re.escape(ch) + branch(sub) for ch, sub in sorted(node.items()) if ch]
        if not kids:
            return ""
        if len(kids) == 1 and "" not in node:
            return kids[0]  # a chain of single letters: no group (a smaller pattern to compile)
        return "(?:" + "|".join(kids) + ")" + ("?" if "" in node else "")

    # Each string's own beginnings looked up, not every string tried against it (750 strings:
    # 0.04 s of every process that screens, before its first message).
    prefixes = {s: frozenset(s[:i] for i in range(len(s) + 1) if s[:i] in strings) for s in strings}
    return re.compile("(?=(" + branch(trie) + "))"), prefixes


class _Present:
    """The gates' strings that a text holds, found in one pass (_scanner). None of them holds a
    character that ends a sentence, so a text holds those its sentences hold: given the
    sentences' bounds, each sentence is read once per process (the same greeting, the same
    subject line in many messages) and its strings kept (_PRESENT_CACHE); `each` has each
    sentence's."""

    def __init__(self, text: str, bounds: list[tuple[int, int]] | None = None) -> None:
        if bounds is None:
            self.strings: frozenset[str] = _strings_in(text)
            self.each = [self.strings]
            return
        cache = _PRESENT_CACHE
        self.each = []
        for a, b in bounds:
            sentence = text[a:b]
            strings = cache.get(sentence) if b - a <= _PRESENT_LONGEST else None
            if strings is None:
                strings = _strings_in(sentence)
                if b - a <= _PRESENT_LONGEST:
                    if len(cache) >= _PRESENT_CACHED:
                        cache.clear()
                    cache[sentence] = strings
            self.each.append(strings)
        self.strings = frozenset().union(*self.each)


_PRESENT_CACHE: dict[str, frozenset[str]] = {}
_PRESENT_CACHED = 4096  # sentences kept; the cache starts over when full
_PRESENT_LONGEST = 300  # characters of a sentence kept (the ones that repeat are short): 1.2 MB at most


def _strings_in(text: str) -> frozenset[str]:
    scan, prefixes = _scanner()
    longest = set(scan.findall(text))
    longest.discard("")
    return frozenset().union(*(prefixes[s] for s in longest))


# "\d|trettio|fyrtio", written to begin with a class of characters (the engine skips to the next).
_NUMBERISH = _compile(r"[\dtf](?:(?<=t)rettio|(?<=f)yrtio|(?<![tf]))")

# A vaccine in the sentence: "mässlingsvaccin" is no exposure.
_VACCINE = _compile(r"vaccin|mpr|spruta|sprutan")

_NEGATORS = {"ingen", "inget", "inga", "inte", "ej", "utan", "aldrig", "icke", "inge", "nej"}
# Words that may stand between a negation and the sign it reaches: "har inte haft någon hög feber".
_FILLER = _fold_words(
    {
        "har",
        "hade",
        "haft",
        "ha",
        "hon",
        "han",
        "hen",
        "barnet",
        "vi",
        "det",
        "någon",
        "något",
        "några",
        "nån",
        "nåt",
        "ngn",
        "mer",
        "längre",
        "fått",
        "fick",
        "få",
        "får",
        "är",
        "var",
        "varit",
        "märkt",
        "sett",
        "mätt",
        "uppmätt",
        "direkt",
        "alls",
        "heller",
        "tecken",
        "på",
        "så",
        "hög",
        "högre",
        "kraftig",
        "kraftiga",
        "svår",
        "svåra",
        "ens",
        "riktigt",
        "egentligen",
        "nu",
        "nya",
        "ny",
        "nytt",
        "mycket",
        "speciell",
        "speciellt",
        "större",
        "eller",
        "och",
        "över",
        "kommit",
        "upp",
        "i",
        "mätts",
        "känt",
        "av",
        "ngt",
        "sedan",
        "sen",
        "följd",
        "tendens",
        "någonting",
        "varken",
        "rodnad",
        "svullnad",
        "ömhet",
        "feber",
        "frossa",
        "kramper",
        "blödning",
        "blödningar",
        "hosta",
        "smärta",
        "smärtor",
        "utslag",
        "kräkningar",
        "diarré",
        "värk",
        "andnöd",
        "pus",
        "läckage",
        "temp",
        "tempen",
        "temperatur",
        "just",
        "idag",
        "igen",
        "kvar",
        "fler",
        "flera",
        "mera",
        "rött",
        "röd",
        "röda",
        "svullet",
        "svullen",
        "svullna",
        "ömt",
        "öm",
        "varigt",
        "varm",
        "ont",
        "vätska",
        "blod",
        "prickar",
        "blåmärken",
        "kramp",
        "andningsbesvär",
        "näsblod",
        "symtom",
        "besvär",
        "problem",
        "kräkning",
    }
)
# "kramper har hon inte haft", "feber har han inte": the negation after the sign ends the clause.
_NEGATED_AFTER = _compile(
    r"\s*(?:har|hade|är|var|blev)\s+(?:(?:hon|han|hen|barnet|vi|det|de)\s+)?(?:inte|ej|aldrig)"
    r"(?:\s+(?:haft|fått|varit|märkt|sett|mätt))?(?:\s+(?:längre|heller|alls|än|nu))*\s*(?:[^\w\s]|$)"
)
_DENIED_NEXT = _compile(r"[\s'\"”-]*nej(?!\w)")
# A resolution after the sign in its clause: "näsblodet slutade direkt", "febern gick över".
_RESOLVED = _compile(
    r"(?<!\w)(?:gick över|gått över|går över|försvann|försvunnit|släppte|släppt|slutade|slutat|upphörde|"
    r"upphört|lade sig|lagt sig|la sig|är borta(?!\s+(?!nu(?!\w))\w)|var borta|blev bättre|blivit bättre|är bättre|bättre nu|"
    r"avklingat|klingat av|klingade av|gick bort|gått bort|är över(?!\s+(?!nu(?!\w))\w)|stannade|stoppade|stoppat|stillades|"
    r"tog slut|är normal|normaliserades|normaliserats)(?!\w)"
)
_RESOLVING_CLAUSE = _compile(
    r"\s*(?:(?:det|den|nu|sen|sedan|\w+n)\s+)?(?:(?:är|har|hade)\s+)?(?:slutade|slutat|gick över|gått över|försvann|släppte|(?:över|borta)(?!\s+(?!nu(?!\w))\w))(?!\w)(?!\s+(?:inte|ej|aldrig)(?!\w))"
)
# "hade 38,6 i lördags …, nu feberfri": a fever the same sentence says is over.
_FEVER_GONE = _compile(
    r"(?<!\w)(?:feberfri\w*|febern (?:har )?(?:gått över|gick över|släppt|släppte|är borta))(?!\w)"
)
_RESOLVED_BEFORE = _compile(r"(?<!\w)(?:slutade|slutat|upphörde|upphört|slutar)(?: att)?\s*$")
# "förra veckan hade hon feber": long enough ago to be history, not a sign today.
_PAST = _compile(
    r"(?<!\w)(?:för (?:\w+ )?(?:veckor|vecka|månader|månad|år) sedan|förra (?:veckan|helgen|månaden|året|behandlingen|kuren)|"
    r"(?<!sedan )(?<!sen )i (?:somras|våras|höstas|vintras|fjol|januari|februari|mars|april|maj|juni|juli|augusti|"
    r"september|oktober|november|december)|tidigare (?:i )?(?:år|behandling\w*)|under förra|"
    r"(?<!kl )(?<!kl\. )(?<!klockan )(?:19|20)\d\d|"
    r"när (?:hon|han|hen) var (?:\d+|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|liten|bebis|baby|nyfödd)|långt innan|"
    r"innan (?:hon|han|hen) blev sjuk)(?!\w)"
)
# "förra veckan hade hon feber": the time right before the sign (not anywhere in its clause:
# "opererad i mars) har haft huvudvärk" is today's headache).
_PAST_BEFORE = _compile(_PAST.pattern + r"(?:\s+[\w]+){0,3}\s*$")
# ... and right after it: "feber förra veckan", not "feber igen precis som efter förra kuren".
_PAST_AFTER = _compile(r"\s*(?:[\w,()]+\s+){0,2}?" + _PAST.pattern)
# A hypothetical: "om hon får feber", "vid feber", "risk för blödning".
_HYPOTHETICAL = _compile(
    r"(?<!\w)(?:om(?! att)|ifall|i fall|vid|risk för|risken för|risk att|vid behov|hålla koll på|se upp för|"
    r"hålla utkik efter|vad gör (?:vi|man)|hur (?:gör|ska) (?:vi|man)|när (?:vi|man|ni) ska (?:ringa|höra av|söka|åka))(?!\w)"
)
# In a question, these make a supposition of everything after them, across commas too ("Får man ge
# Alvedon om hon får ont, eller döljer det feber?"); "vad gör vi" does not ("Vad gör vi nu, hon
# har feber 39,5?").
_CONDITIONAL = _compile(
    r"(?<!\w)(?:om(?! att)|ifall|i fall|vid|risk för|risken för|tecken på|när (?:vi|man|ni) ska (?:ringa|höra av|söka|åka))(?!\w)"
)
_HYPO_FILLER = _fold_words(
    {
        "hon",
        "han",
        "hen",
        "barnet",
        "vi",
        "man",
        "ni",
        "det",
        "får",
        "skulle",
        "blir",
        "börjar",
        "går",
        "stiger",
        "är",
        "har",
        "kommer",
        "att",
        "få",
        "hög",
        "högre",
        "över",
        "under",
        "upp",
        "till",
        "temp",
        "tempen",
        "temperaturen",
        "feber",
        "febern",
        "på",
        "mäter",
        "visar",
        "någon",
        "något",
        "plötsligt",
        "igen",
        "ska",
        "kraftig",
        "mer",
        "än",
        "eller",
        "lite",
        "sådan",
        "sån",
        "dess",
        "ev",
        "eventuell",
        "eventuellt",
        "mycket",
        "av",
        "sig",
        "sin",
        "sitt",
        "hennes",
        "hans",
    }
)

_WINDOW = 120  # characters before and after a match that the tests read
_PER_CATEGORY = 8  # matches per category that are read; more add nothing to the banner
_PAIR_REACH = 300  # characters between a headache and vomiting told in different sentences
_NEAR = 12  # characters between two signs of one category that are quoted as one
# What ends a sentence: "[!?;\n]+|\.(?!\d)|(?<!\d)\.", written to begin with a class of characters,
# which lets the regular-expression engine skip to the next one of them.
_SENTENCE = _compile(r"[.!?;\n](?:(?<=[!?;\n])[!?;\n]*|(?<=\.)(?:(?!\d)|(?<!\d\.)))")
_CLAUSE = _compile(r",(?!\d)|:\s|\s[-–]\s|(?<!\w)(?:men|fast|och|samt|plus)(?!\w)")
_TOKEN = _compile(r"[\w°%]+")

# -- temperatures --------------------------------------------------------------------------------
_NUMBER_WORDS = {
    "trettiofem": 35,
    "trettiosex": 36,
    "trettiosju": 37,
    "trettioåtta": 38,
    "trettionio": 39,
    "fyrtio": 40,
    "fyrtioett": 41,
    "fyrtiotvå": 42,
}
_NUMBER_WORDS = {_fold(word): n for word, n in _NUMBER_WORDS.items()}
_DIGIT_WORDS = {
    "noll": 0,
    "ett": 1,
    "en": 1,
    "två": 2,
    "tre": 3,
    "fyra": 4,
    "fem": 5,
    "sex": 6,
    "sju": 7,
    "åtta": 8,
    "nio": 9,
}
_DIGIT_WORDS = {_fold(word): n for word, n in _DIGIT_WORDS.items()}
_NUM = _compile(
    r"(?<![\w.,:/+])(?:(?P<int>\d{2})(?:\s?(?:[.,]|komma)\s?(?P<dec>\d{1,2}))?"
    r"|(?P<word>"
    + "|".join(_NUMBER_WORDS)
    + r")(?:\s?(?:komma|och|,)\s?(?P<wdec>"
    + "|".join(_DIGIT_WORDS)
    + r"))?)"
    r"(?![.,:/]?\d)"
)
_RANGE = _compile(r"\s*(?:-|–|till)\s*(?P<int>\d{2})(?:[.,](?P<dec>\d{1,2}))?(?![.,:/]?\d)")
_UNIT = _compile(
    r"\s*(?:°\s*c?(?!\w)|°|grader(?!\w)|grad(?!\w)|gr(?!\w)|c(?!\w)|celsius(?!\w)|i (?:feber|temp)(?!\w)|"
    r"(?:blankt|jämnt|prick)(?!\w)|\+)"
)
_NOT_UNIT = _compile(
    r"\s*(?:kg|kilo\w*|hg|g|gram|mg|µg|mcg|mikrogram|ml|l|liter|cl|dl|cm|mm|m|meter|km|kr|kronor|sek|%|procent|st|"
    r"stycken|år|åring\w*|dagar|dag|dygn|veckor|vecka|v|månader|mån|timmar|timme|tim|h|min|minuter|minuters|sekunder|"
    r"tabletter|tablett|tabl|tabletten|doser|dos|enheter|e|ie|mmol|mikromol|x|gånger|ggr|barn|personer|sidor|"
    r"kapitel|poäng|e:e|a|e|:e|:a|nummer|och en halv vecka|plus|milj\w*|procentenhet\w*|kcal|mmhg|slag|andetag|/min)(?!\w)"
)
_NOT_CUE_BEFORE = _compile(
    r"(?<!\w)(?:rum|rummet|sal|salen|säng|sängen|dag|dagen|dagar|vecka|veckan|v|nr|nummer|tel|telefon|tfn|mobil|"
    r"vikt|vikten|väger|vägde|vägt|längd|längden|lång|cykel|cykeln|kur|kuren|block|blocket|sida|sidan|buss|"
    r"bussen|linje|plats|hus|våning|våningen|dörr|avdelning|avdelningen|avd|kl|klockan|crp|sänka|sänkan|hb|"
    r"lpk|tpk|evf|anc|neutrofila|neutrofiler|trombocyter|dos|dosen|ålder|åldern|född|storlek|storleken|kod|ref|"
    r"ärende|lägenhet|lgh|gata|gatan|vägen|gränd|vecka|kapitel|pass|passet|runda|kurs|kursen|puls|pulsen|"
    r"saturation|saturationen|sat|andningsfrekvens|blodtryck|bmi|ålder|fyller|fyllde)\s*[:=]?\s*$"
)
_CUE_BEFORE = _compile(
    r"(?<!\w)(?:temp\w*|feber\w*|febril|febrig|mätt?e?|mätt|mätte|mäter|uppmätt|termometer\w*|visade|visar|"
    r"örontemp\w*|örat|pannan|rektalt|axillärt|armhålan|rumpan|stjärten|munnen|varm|het|febrig)(?!\w)"
)
# "39 när vi mätte nyss": the cue after the number.
_CUE_AFTER = _compile(r"\s*(?:när|då) (?:vi|jag|ni|hon|han|hen|pappa|mamma) (?:mätte|mätt|tog tempen)")
_WEAK_CUE = _compile(
    r"(?<!\w)(?:(?:har|hade|haft)(?: (?:hon|han|hen|barnet|vi))?|(?:hon|han|hen|barnet) är|på|till|uppe i|över|runt|ca|cirka|nästan|typ|drygt|strax över|strax under|under|"
    r"nu|ligger på|låg på|legat på|gått upp till|steg till|stigit till|uppåt|upp mot|upp i|kring)\s*$"
)
_AFTER_OK = _fold_words(
    {
        "och",
        "nu",
        "igen",
        "sedan",
        "sen",
        "men",
        "i",
        "på",
        "hela",
        "just",
        "idag",
        "ikväll",
        "inatt",
        "imorse",
        "direkt",
        "fortfarande",
        "trots",
        "efter",
        "även",
        "också",
        "så",
        "ungefär",
        "nästan",
        "hon",
        "han",
        "hen",
        "mätt",
        "uppmätt",
        "grader",
        "blankt",
        "jämnt",
        "precis",
        "prick",
    }
)


def _value(m: re.Match[str]) -> float:
    if m.group("word"):
        whole = _NUMBER_WORDS[m.group("word")]
        dec = _DIGIT_WORDS.get(m.group("wdec") or "", 0)
        return whole + dec / 10
    return float(f"{m.group('int')}.{m.group('dec') or '0'}")


def _temperatures(clause: str, threshold: float) -> Iterable[tuple[int, int]]:
    """Spans in `clause` of temperatures at or above `threshold`."""
    for start, end, value in _readings(clause):
        if value >= threshold:
            yield start, end


def _readings(clause: str) -> Iterable[tuple[int, int, float]]:
    """Each temperature written in `clause`: its span and its value."""
    for m in _NUM.finditer(clause):
        value = _value(m)
        end = m.end()
        r = _RANGE.match(clause, end) if m.group("int") else None
        if r:
            value = max(value, float(f"{r.group('int')}.{r.group('dec') or '0'}"))
            end = r.end()
        if not 34.0 <= value <= 44.0:
            continue
        before = clause[max(0, m.start() - _WINDOW) : m.start()]
        after = clause[end : end + _WINDOW]
        if re.search(r"\d[\s-]*$", before):
            continue  # one group of a longer number: a phone number, an id
        if _NOT_CUE_BEFORE.search(before) or _NOT_UNIT.match(after):
            continue
        unit = _UNIT.match(after)
        if not (unit or _told_as_temperature(m, before, after)):
            continue
        if _BELOW.search(before):
            value -= 0.05  # "under 38": below it
        elif _ABOVE.search(before):
            value += 0.05
        yield m.start(), end + (unit.end() if unit else 0), value


# Read on the folded text like every pattern (_compile folds them): written as plain re.search
# they held "ä" and "ö", and "mindre än 38" became a fever, "mer än 37,98" none (a review).
_BELOW = _compile(r"(?<!\w)(?:under|lägre än|mindre än|inte över)\s*$")
_ABOVE = _compile(r"(?<!\w)(?:över|mer än|högre än)\s*$")
_WENT = _compile(r"(?:gick|går|gått)\s*$")


def _told_as_temperature(m: re.Match[str], before: str, after: str) -> bool:
    """A number without a unit is a temperature when a cue says so (before or after it), when it
    has decimals or is written in words, or after a weak cue when nothing but a temperature's
    words follow it."""
    if _CUE_BEFORE.search(before[-40:]) is not None:
        return True
    if m.group("dec") or m.group("wdec") or m.group("word"):
        return True
    if _CUE_AFTER.match(after) is not None:
        return True
    if _WEAK_CUE.search(before) is None:
        return False
    next_word = _TOKEN.match(after.lstrip())
    return next_word is None or next_word.group(0) in _AFTER_OK or not after.strip()


# -- the screen ----------------------------------------------------------------------------------
def _words_before(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _negated(before: str, after: str) -> bool:
    """A negation that reaches the sign: only filler words between them ("har inte haft någon
    feber"), or one right after it ("kramper har hon inte haft")."""
    words = _words_before(before)
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if w in _NEGATORS:
            return True
        if w not in _FILLER:
            break
    return _NEGATED_AFTER.match(after) is not None


def _hypothetical(before: str) -> bool:
    """A sign that is only supposed: "om hon får feber", "vid feber över 38". (In a question any
    such word before it counts: "Vad gäller om någon i klassen får vattkoppor?", _Sentence.)"""
    last = None
    for m in _HYPOTHETICAL.finditer(before):
        last = m
    if last is None:
        return False
    between = _words_before(before[last.end() :])
    if last.group(0) in ("om", "ifall", "i fall") and not between:
        return False  # "en lapp om mässling": about, not if
    if last.group(0) == "vid":
        # "vid feber över 38", "ring vid 38"; but "sedan vid 6 har hon 39,2" is a time.
        return all(w in _AT_FEVER for w in between)
    return all(w in _HYPO_FILLER or w[0].isdigit() for w in between)


_AT_FEVER = _fold_words({"feber", "hög", "högre", "temp", "tempen", "temperatur", "över", "mer", "än", "en"})


def _resolved(before: str, after: str) -> bool:
    if _PAST_AFTER.match(after) or _PAST_BEFORE.search(before):
        return True
    if _RESOLVED_BEFORE.search(before):
        return not _negated(before[: _RESOLVED_BEFORE.search(before).start()], "")  # type: ignore[union-attr]
    for m in _RESOLVED.finditer(after):
        # "har inte slutat", "gick inte över": the negation of a resolution is no resolution.
        between = after[: m.start()]
        words = _words_before(between)
        if (words and words[-1] in _NEGATORS) or (len(words) > 1 and words[-2] in _NEGATORS):
            continue
        if re.search(r"(?<!\w)(?:inte|ej|aldrig)\s+\w+\s*$", between) and _WENT.search(between):
            continue
        return True
    return False


def _quote(text: str, places: _Places, start: int, end: int) -> str:
    q = " ".join(text[places.original(start) : places.original(end - 1) + 1].split())
    return q if len(q) <= QUOTE_MAX else q[: QUOTE_MAX - 1].rstrip() + "…"


@lru_cache(maxsize=16)
def _compiled(rules: Rules) -> tuple[dict[Category, re.Pattern[str] | None], re.Pattern[str] | None]:
    extra: dict[Category, re.Pattern[str] | None] = {}
    for cat in CATEGORIES:
        phrases = rules.words.get(cat.code, ())
        extra[cat] = _phrases(phrases)
    return extra, _phrases(rules.exceptions)


def _phrases(phrases: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for p in phrases:
        # Read the way the messages are read: "ont typ hela natten" as "ont hela natten".
        words = _normalise(p.rstrip("*"))[0].split()
        if not words:
            continue
        body = r"\s+".join(re.escape(w) for w in words)
        parts.append(body + (r"\w*" if p.endswith("*") else ""))
    return _rx(*parts) if parts else None


# Spoken particles that stand between the words of a sign ("får typ inte luft"), and chat
# spellings ("hon e varm o fryser"); runs of white space become one space, a line break stays one.
_NORMAL = _compile(
    r"(?P<space>[ \t\u00a0]{2,}|[\t\u00a0])|(?<!\w)(?P<filler>typ|liksom|asså|assa|alltså)(?!\w) ?|(?<!\w)(?P<short>o|e|int|ä)(?!\w)"
)
_SHORT = {
    _fold(short): _fold(word) for short, word in {"o": "och", "e": "är", "int": "inte", "ä": "är"}.items()
}


class _Places:
    """Where each character of the normalised text came from in the text as written. Only the
    few edits are kept (most messages have none); a quote asks for its two ends."""

    def __init__(self) -> None:
        self.edits: list[tuple[int, int, int, int]] = []  # normalised start, end; written start, end

    def original(self, at: int) -> int:
        k = bisect.bisect_right(self.edits, (at, _MAX)) - 1
        if k < 0:
            return at
        _start, end, o_start, o_end = self.edits[k]
        return o_start if at < end else o_end + (at - end)


_MAX = 1 << 62


def _normalise(text: str) -> tuple[str, _Places]:
    """The text as the patterns read it — lower case, particles out, spaces folded — and where
    its characters came from, so that quotes are cut from the text as written."""
    low = text.lower()
    if len(low) != len(text):  # a rare letter whose lower case is longer ("İ"): one at a time
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    low = _fold(low)
    places = _Places()
    if not _may_normalise(low):
        return low, places
    out: list[str] = []
    pos = size = 0
    for m in _NORMAL.finditer(low):
        kept = low[pos : m.start()]
        out.append(kept)
        size += len(kept)
        new = " " if m.group("space") else _SHORT[m.group("short")] if m.group("short") else ""
        out.append(new)
        places.edits.append((size, size + len(new), m.start(), m.end()))
        size += len(new)
        pos = m.end()
    out.append(low[pos:])
    return "".join(out), places


# What every match of _NORMAL holds: a tab, a no-break space or two spaces, a filler's letters, or
# one of the short words as a word. Most messages hold none, and this asks in a few fast searches
# (the class first lets the engine skip to the next o, e, ä or i).
_SHORT_WORD = _compile(r"[oeäi](?<!\w.)(?:(?<=[oeä])|(?<=i)nt)(?!\w)")
_FILLER_LETTERS = tuple(_fold_words(("\t", "\u00a0", "  ", "typ", "liksom", "ass", "alltså")))


def _may_normalise(low: str) -> bool:
    return any(s in low for s in _FILLER_LETTERS) or _SHORT_WORD.search(low) is not None


def _may_match(pattern: re.Pattern[str] | None, text: str) -> bool:
    """Whether an administrator's phrases (or exceptions) may match: one of the strings their
    pattern needs is in the text (a gate read once per pattern)."""
    if pattern is None:
        return False
    gate = _PHRASE_GATES.get(pattern.pattern)
    if gate is None:
        if len(_PHRASE_GATES) >= 64:
            _PHRASE_GATES.clear()
        gate = _PHRASE_GATES[pattern.pattern] = _Gate(pattern)
    return not _GATED or gate.needs is None or any(n in text for n in gate.needs)


_PHRASE_GATES: dict[str, _Gate] = {}


def _spans(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


class _Sentence:
    """One sentence of a message, with the tests that decide whether a match in it is a sign.
    Each test looks at a bounded window around the match, so a 20,000-character message of one
    repeated word costs linear time."""

    def __init__(self, text: str, question: bool) -> None:
        self.text = text
        self.bounds = [0, *(m.end() for m in _CLAUSE.finditer(text)), len(text) + 1]
        first = _CONDITIONAL.search(text) if question else None
        self.hypothetical_from = first.start() if first else None  # in a question: signs after it
        gone = [m.start() for m in _FEVER_GONE.finditer(text)]
        self.fever_gone_at = gone[-1] if gone else -1

    def clause(self, i: int) -> tuple[int, int]:
        k = bisect.bisect_right(self.bounds, i) - 1
        return self.bounds[k], self.bounds[min(k + 1, len(self.bounds) - 1)]

    def live(self, start: int, end: int) -> bool:
        a, b = self.clause(start)
        t = self.text
        before, after = t[max(a, start - _WINDOW) : start], t[end : min(b, end + _WINDOW)]
        # The next clause may resolve it when it begins so: "näsblod, men det slutade direkt".
        if _DENIED_NEXT.match(t, b):
            return False  # "'tidigare krampanfall' - nej aldrig": the next clause says no
        if _RESOLVING_CLAUSE.match(t, b):
            after = after + " " + t[b : b + 60]
        if self.hypothetical_from is not None and self.hypothetical_from < start:
            return False
        return not (_negated(before, after) or _hypothetical(before) or _resolved(before, after))

    def fever_gone_after(self, end: int) -> bool:
        return self.fever_gone_at >= end


# An exception that names one part of the body stops at it: "kramper i benen" (a calf's cramp after
# vincristine) is no seizure, "kramper i benen och armarna" is (a nurse's trial found it cancelled).
_MORE_OF_THE_BODY = _compile(
    r"\s*(?:,|och|samt)\s*(?:i\s+)?(?:armarna|armen|armar|benen|kroppen|hela kroppen|ansiktet|huvudet|nacken|käken)(?!\w)"
)


def _excepted(spans: list[tuple[int, int]], low: str) -> list[tuple[int, int]]:
    """The exception phrases' spans that stand alone, not the first of several parts of the body."""
    return [(a, b) for a, b in spans if not _MORE_OF_THE_BODY.match(low, b)]


def screen(text: str, rules: Rules = DEFAULT_RULES) -> tuple[Finding, ...]:
    """The acute signs in a message, each with the category and the words that show it."""
    low, places = _normalise(text)
    extra, exceptions = _compiled(rules)
    found = _Screening(low, _excepted(_spans(exceptions, low), low) if _may_match(exceptions, low) else [])
    found.words(extra)
    vomits = found.two_part(rules.threshold)
    found.headache_then_vomiting(vomits)
    spans = found.spans
    if any(cat is FEVER for *_, cat in spans):
        spans = _fever_overruled(low, spans, rules.threshold)
    return _findings(text, low, places, spans)


class _Screening:
    """One message being screened: its sentences (each read once, when first needed), the spans
    found so far and how many per category (at most _PER_CATEGORY each)."""

    def __init__(self, low: str, excepted: list[tuple[int, int]]) -> None:
        self.low = low
        self.excepted = excepted
        self.spans: list[tuple[int, int, Category]] = []
        self.per_category: dict[Category, int] = {}
        stops = [m.span() for m in _SENTENCE.finditer(low)]
        self.bounds = list(zip([0, *(b for _, b in stops)], [*(a for a, _ in stops), len(low)], strict=True))
        self.firsts = [a for a, _ in self.bounds]
        self.readers: dict[int, _Sentence] = {}
        self.present = _Present(low, self.bounds)
        self.headache = _HEADACHE_GATE.opens(self.present.strings) and _HEADACHE.search(low) is not None

    def add(self, cat: Category, start: int, end: int, offset: int) -> None:
        s, e_ = offset + start, offset + end
        if not any(a < e_ and s < b for a, b in self.excepted):
            self.spans.append((s, e_, cat))
            self.per_category[cat] = self.per_category.get(cat, 0) + 1

    def full(self, cat: Category) -> bool:
        return self.per_category.get(cat, 0) >= _PER_CATEGORY

    def reader(self, k: int) -> _Sentence:
        if k not in self.readers:
            a, b = self.bounds[k]
            self.readers[k] = _Sentence(self.low[a:b], question=self.low.startswith("?", b))
        return self.readers[k]

    def words(self, extra: dict[Category, re.Pattern[str] | None]) -> None:
        """Each category's words in one pass over the whole text (a pass per sentence cost a third
        of the time in calls) or, where its pattern allows, over the stretches whose strings open
        its gate (_Gate.finditer); each match then judged in its own sentence."""
        low = self.low
        present = self.present
        for cat, gate in _GATES.items():  # _SIGNS's order
            added = extra[cat]
            for matches in (
                gate.finditer(low, present, self.bounds) if gate.opens(present.strings) else (),
                added.finditer(low) if added is not None and _may_match(added, low) else (),
            ):
                for m in matches:
                    if self.full(cat):
                        break
                    k = bisect.bisect_right(self.firsts, m.start()) - 1
                    offset, end_of = self.bounds[k]
                    if m.end() > end_of:
                        continue  # an added phrase across a line break
                    here = self.reader(k)
                    if cat is EXPOSURE and _VACCINE.search(here.text):
                        continue
                    if here.live(m.start() - offset, m.end() - offset):
                        self.add(cat, m.start(), m.end(), 0)

    def two_part(self, threshold: float) -> list[tuple[int, int]]:
        """The signs made of two parts, and numbers: only where the text has the parts at all.
        Returns where each sentence's vomiting is, for a headache in another sentence."""
        low = self.low
        numbers = [m.start() for m in _NUMBERISH.finditer(low)]
        line_named = _LINE_GATE.opens(self.present.strings) and _LINE.search(low) is not None
        vomiting = _VOMIT_GATE.opens(self.present.strings) and _VOMIT.search(low) is not None
        vomits: list[tuple[int, int]] = []
        for k, (offset, end_of) in enumerate(self.bounds):
            # A temperature is read within its sentence, so one without a number has none: a
            # signature's digits ("Mvh familjen 12") no longer make every sentence's reader.
            # (No number crosses the end of a sentence: the text's numbers are its sentences'.)
            first = bisect.bisect_left(numbers, offset)
            counted = first < len(numbers) and numbers[first] < end_of
            if not (counted or line_named or vomiting):
                continue
            sentence = low[offset:end_of]
            if not sentence.strip():
                continue
            here = self.reader(k)
            if counted:
                self._fever(sentence, here, offset, threshold)
            if line_named:
                self._line_trouble(sentence, here, offset)
            if vomiting:
                vomited = self._vomiting(sentence, here, offset)
                if vomited:
                    vomits.append((offset + vomited[0], offset + vomited[1]))
        return vomits

    def _fever(self, sentence: str, here: _Sentence, offset: int, threshold: float) -> None:
        for s, e_ in _temperatures(sentence, threshold):
            if self.full(FEVER):
                break
            if here.live(s, e_) and not here.fever_gone_after(e_):
                self.add(FEVER, s, e_, offset)

    def _line_trouble(self, sentence: str, here: _Sentence, offset: int) -> None:
        lines = [m.span() for m in _LINE.finditer(sentence)]
        if not lines or self.full(CENTRAL_LINE):
            return
        line_starts = [a for a, _ in lines]
        for m in _LINE_TROUBLE.finditer(sentence):
            k = bisect.bisect_right(line_starts, m.start()) - 1
            if (k >= 0 and m.start() < lines[k][1]) or not here.live(*m.span()):
                continue  # part of the line's own name ("CVK-infart"), or cancelled
            at = m.start()
            near = min(lines[max(0, k) : k + 2], key=lambda span: abs(span[0] - at))
            self.add(CENTRAL_LINE, min(near[0], m.start()), max(near[1], m.end()), offset)
            break

    def _vomiting(self, sentence: str, here: _Sentence, offset: int) -> tuple[int, int] | None:
        """Vomiting blood (Vätska) and headache with vomiting (Neurologi) in one sentence; where
        this sentence's vomiting is, if anywhere."""
        vomited = next((m.span() for m in _VOMIT_ONLY.finditer(sentence) if here.live(*m.span())), None)
        if vomited and not self.full(FLUIDS):
            blood = next((m.span() for m in _BLOOD.finditer(sentence) if here.live(*m.span())), None)
            if blood:
                self.add(FLUIDS, min(vomited[0], blood[0]), max(vomited[1], blood[1]), offset)
        if self.headache and not self.full(NEUROLOGY):
            head = next((m.span() for m in _HEADACHE.finditer(sentence) if here.live(*m.span())), None)
            vomit = (
                next((m.span() for m in _VOMIT.finditer(sentence) if here.live(*m.span())), None)
                if head
                else None
            )
            if head and vomit:
                self.add(NEUROLOGY, min(head[0], vomit[0]), max(head[1], vomit[1]), offset)
        return vomited

    def headache_then_vomiting(self, vomits: list[tuple[int, int]]) -> None:
        """A headache in one sentence and vomiting in the next ("huvudvärk i tre dagar. I dag
        kräktes han")."""
        if not (self.headache and vomits):
            return
        heads: list[tuple[int, int]] = []
        for k, (offset, _end) in enumerate(self.bounds):
            here = self.reader(k)
            head = next((m.span() for m in _HEADACHE.finditer(here.text) if here.live(*m.span())), None)
            if head:
                heads.append((offset + head[0], offset + head[1]))
        if heads and not any(cat is NEUROLOGY for *_, cat in self.spans):
            (a, b), (c, d) = heads[0], min(vomits, key=lambda v: abs(v[0] - heads[0][0]))
            if abs(c - a) <= _PAIR_REACH:
                self.add(NEUROLOGY, min(a, c), max(b, d), 0)


# "feberfri sedan i torsdags", "feberfri i två dygn": a fever told as over for days.
_FEVER_FREE_FOR_DAYS = _compile(
    r"(?<!\w)feberfri\w* (?:\w+ ){0,2}?(?:sen|sedan|i) (?:\w+ ){0,2}?"
    r"(?:dagar|dygn|veckor|vecka|måndags|tisdags|onsdags|torsdags|fredags|lördags|söndags)(?!\w)"
)
# A fever felt rather than measured: a thermometer in the same sentence says more.
_FELT = _compile(r"varm|het|kamin|element|ugn|bastu")


def _fever_overruled(
    low: str, spans: list[tuple[int, int, Category]], threshold: float
) -> list[tuple[int, int, Category]]:
    """Fever findings the message itself overrules: any before "feberfri sedan i torsdags", and a
    "känns varm" beside a measured temperature under the threshold ("känns varm men 37,6")."""
    free = _FEVER_FREE_FOR_DAYS.search(low)
    out = []
    for start, end, cat in spans:
        if cat is FEVER:
            if free is not None and start < free.start():
                continue
            if _FELT.search(low, start, end) and not re.search(r"feber|fross", low[start:end]):
                stop = _SENTENCE.search(low, end)
                begin = max((m.end() for m in _SENTENCE.finditer(low, 0, start)), default=0)
                readings = [v for *_, v in _readings(low[begin : stop.start() if stop else len(low)])]
                if readings and max(readings) < threshold:
                    continue
        out.append((start, end, cat))
    return out


def _findings(
    text: str, low: str, places: _Places, spans: list[tuple[int, int, Category]]
) -> tuple[Finding, ...]:
    """One finding per run of one category's signs that stand close together in one sentence
    ("feber 38,4", not "feber" and "38,4"), in the order of the text, each quote once."""
    merged: list[list[Any]] = []  # [start, end, category], the end moved as a run grows
    last: dict[Category, list[Any]] = {}
    for s, e_, cat in sorted(spans, key=lambda x: (x[0], -x[1])):
        run = last.get(cat)
        if run is not None and s - run[1] <= _NEAR and not _SENTENCE.search(low, run[1], max(run[1], s)):
            run[1] = max(run[1], e_)
            continue
        last[cat] = [s, e_, cat]
        merged.append(last[cat])
    found = [Finding(cat, _quote(text, places, s, e_)) for s, e_, cat in merged]
    # Each quote once, and none that a longer one of its category holds (the subject's "Feber"
    # beside "38,4 i feber" in the message). At most 8 a category, so this stays small.
    out: list[Finding] = []
    for i, f in enumerate(found):
        q = f.quote.lower()
        if not any(
            g.category is f.category
            and q in g.quote.lower()
            and (len(g.quote) > len(f.quote) or (g.quote.lower() == q and j < i))
            for j, g in enumerate(found)
            if j != i
        ):
            out.append(f)
    return tuple(out)
