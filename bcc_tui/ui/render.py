"""Turning service data into Rich Text for the screen.

Everything a patient or proxy wrote goes through `safe`: cleaned again at display (docs/routine.md 6) and
wrapped in Text, so Textual never parses it as markup ("[@click=…]" stays literal) and no
control character reaches the terminal.
"""

from __future__ import annotations

import datetime as dt
import re

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.content import Content
from textual.filter import LineFilter, monochrome_style

from bcc_tui.domain import business_days as bd
from bcc_tui.domain import validation
from bcc_tui.domain.business_days import STOCKHOLM, countdown
from bcc_tui.domain.text import clean, clean_line
from bcc_tui.services.views import Concerned, ErrandSummary

LEVEL_STYLE = {
    bd.OK: "green",
    bd.DUE_SOON: "bold yellow",
    bd.OVERDUE: "bold white on red",
    bd.MET: "green",
    bd.BREACHED: "red",
}


# No terminal line is wider than this. Intake keeps names and subjects far shorter, but the
# display does not trust the database for it: a line of 100,000 characters (an older version, a
# tool writing the file directly) would be measured and wrapped on every frame of every table.
ONE_LINE_MAX = 1000


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut_words(text: str, limit: int) -> str:
    """`text` in at most `limit` cells, cut between two words with " …" after the last whole one
    (R32: on screen a word is whole or absent; the whole text is a key away). Only a first word
    longer than the limit is cut inside, with "…"."""
    if cell_len(text) <= limit:
        return text
    kept = ""
    for word in re.finditer(r"\S+", text):
        if cell_len(text[: word.end()]) + 2 > limit:
            break
        kept = text[: word.end()]
    if kept:
        return kept + " …"
    return set_cell_size(text, max(0, limit - 1)) + "…"


def line(text: str, limit: int = ONE_LINE_MAX) -> str:
    """Untrusted text as one clean line of at most `limit` characters ("…" where it was cut)."""
    return cut(clean_line(text), limit)


def safe(text: str | None, style: str = "", *, one_line: bool = False) -> Text:
    """Untrusted text as inert Text, whole: `one_line` makes newlines and tabs spaces (a note in
    a paragraph still wraps). For what never wraps — a table cell, a title — use `line_text`."""
    value = text or ""
    return Text(clean_line(value) if one_line else clean(value), style=style)


def line_text(text: str | None, style: str = "") -> Text:
    """Untrusted text for a place that is one line and never wraps (a table cell): cut at
    ONE_LINE_MAX."""
    return Text(line(text or ""), style=style)


def plain(text: str | None) -> Content:
    """One line of untrusted text for a border title, subtitle or toast: never markup."""
    return Content(line(text or ""))


def cell(value: object, style: str = "") -> Text:
    """A table cell. A str given to a DataTable is parsed as markup ("[/]" would crash it), so
    every cell is Text; Text built here from constants passes as it is."""
    if isinstance(value, Text):
        return value
    return line_text("" if value is None else str(value), style)


def row(*values: object) -> list[Text]:
    """The cells of a table row, each through `cell`."""
    return [cell(v) for v in values]


def parse_utc(text: str) -> dt.datetime:
    """A stored RFC 3339 moment ('…Z') as an aware datetime."""
    return validation.parse_utc(text)


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(STOCKHOLM)


def short_moment(moment: dt.datetime) -> str:
    """'24 nov 09:14'."""
    m = local(moment)
    return f"{m.day} {bd.MONTHS[m.month - 1]} {m:%H:%M}"


def long_moment(moment: dt.datetime) -> str:
    """'tis 24 nov 2026 09:14'."""
    m = local(moment)
    return f"{bd.short_date(m.date())} {m.year} {m:%H:%M}"


def age(since: dt.datetime, now: dt.datetime) -> str:
    """How long ago, in the largest sensible unit: '12 min', '5 h', '3 d'. Counted in whole
    minutes of the clock (an errand in at 08:03 is '13 min' old from 08:16:00), so that every age
    turns with the header's clock, at the minute, and an idle dashboard writes nothing between two
    minutes (issue 31)."""
    whole = now.replace(second=0, microsecond=0) - since.replace(second=0, microsecond=0)
    seconds = max(0, int(whole.total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def marks(s: ErrandSummary) -> Text:
    """Two characters of flags: ✚ acute signs (R11) or ! urgent; ⚑ reminded (R16) or Ö a proxy
    writing for a patient aged 13 or more (R12); a third, ¶, for a handover remark (R28).
    Explained in the help."""
    t = Text()
    if s.acute_pinned:
        t.append("✚", style="bold red")
    elif s.urgent:
        t.append("!", style="bold red")
    elif s.acute:
        t.append("✚", style="dim")  # R25: acute signs marked handled
    else:
        t.append(" ")
    if s.last_reminded_at and s.status != "closed":
        t.append("⚑", style="bold yellow")
    elif s.proxy_for_older_child:
        t.append("Ö", style="yellow")
    if s.remark and s.status != "closed":
        t.append("¶", style="bold cyan")  # a remark pinned for the next shift (R28)
    return t


def sla_cell(s: ErrandSummary, now: dt.datetime, width: int | None = None) -> Text:
    """The countdown in colour *and* words; an open errand with a partial reply shows its age,
    and its follow-up date once that has passed (R19). `width`: the column's room — the text is
    then the first of its forms that fits, never cut in a word ("✓ delsvar 18 min", "delsvar
    18 min", "✓ ds 18 min": ds is delsvar, as the help says)."""
    full = _sla(s, now)
    if width is None or full.cell_len <= width:
        return full
    plain, style = full.plain, full.style
    forms = [plain.removeprefix("✓ ").removeprefix("✗ ")]
    if "delsvar" in plain:
        forms += [plain.replace("delsvar", "ds"), forms[0].replace("delsvar", "ds")]
    return Text(next((f for f in forms if len(f) <= width), forms[-1]), style=style)


def _sla(s: ErrandSummary, now: dt.datetime) -> Text:
    today = bd.local_date(now)
    c = countdown(s.due_date, today, s.first_response_on)
    if s.status != "closed" and c.level == bd.MET and s.partial_reply_at:
        if s.followup_on is not None and today > s.followup_on:
            late = max(1, bd.business_days_between(s.followup_on, today))
            return Text(f"uppf. sen {late} vd", style=LEVEL_STYLE[bd.OVERDUE])
        return Text(f"✓ delsvar {age(s.partial_reply_at, now)}", style=LEVEL_STYLE[bd.MET])
    if c.level == bd.MET:
        return Text("✓ i tid", style=LEVEL_STYLE[bd.MET])
    if c.level == bd.BREACHED:
        return Text(f"✗ {c.text}", style=LEVEL_STYLE[bd.BREACHED])
    if c.level == bd.OVERDUE:
        return Text(c.text, style=LEVEL_STYLE[bd.OVERDUE])
    return Text(c.text, style=LEVEL_STYLE[c.level])


def person_short(username: str | None, names: dict[str, str]) -> str:
    """'E. Lindgren' for a table column; the user name when the person is unknown. Plain str: the
    caller shows it through `safe` or `cell`."""
    if not username:
        return "–"
    name = names.get(username)
    if not name:
        return username
    parts = name.split()
    return f"{parts[0][0]}. {' '.join(parts[1:])}" if len(parts) > 1 else name


# R4/R29: how a row names the caregiver concerned who is absent, in the room its column has.
_CONCERNED_SHORT = {"PAL": "PAL", "handläggaren": "Handl.", "senast svarande": "Senast sv."}


def concerned(c: Concerned, width: int | None = None) -> Text:
    """The caregiver concerned is absent today (R4), in the first form that fits `width`: "PAL
    frånv. t.o.m. 9 dec", "PAL frånv.→9 dec", "PAL frånv.→9/12", "PAL frånv.", and "frånv." where
    not even the role fits ("Senast sv. frånv." in a column of 13 was cut to "Senast sv. fr": R32,
    nothing cut in a word). The errand view and the preview always give the whole of it."""
    role = _CONCERNED_SHORT.get(c.role, c.role)
    forms = [f"{role} frånv.", "frånv."]
    if c.back_on is not None:
        last = c.back_on - dt.timedelta(days=1)
        month = bd.MONTHS[last.month - 1]
        forms[:0] = [
            f"{role} frånv. t.o.m. {last.day} {month}",
            f"{role} frånv.→{last.day} {month}",
            f"{role} frånv.→{last.day}/{last.month}",
        ]
    text = next((f for f in forms if width is None or len(f) <= width), forms[-1])
    return Text(text, style="bold yellow")


def holder(s: ErrandSummary, names: dict[str, str], width: int | None = None) -> Text:
    """Who holds an errand: "E. Ström (frånv.)" when they are absent today (R22); in a column
    too narrow for that, "frånv. Ström", so the flag and the surname both still read."""
    short = person_short(s.assignee, names)
    t = Text()
    if not s.holder_absent:
        t.append_text(line_text(short))
        return t
    # Deactivated: not back at all ("frånv." reads as absent today, and back tomorrow).
    flag = "inaktiv" if s.holder_gone else "frånv."
    if width is None or len(short) + len(f" ({flag})") <= width:
        t.append_text(line_text(short))
        t.append(f" ({flag})", style="bold yellow")
        return t
    surname = short.split(". ", 1)[1] if ". " in short else short
    if len(f"{flag} ") + len(surname) <= width:
        t.append(f"{flag} ", style="bold yellow")
        t.append_text(line_text(surname))
        return t
    # Narrower still: the absence says itself whole, with the initials where they fit (R32:
    # nothing cut in a word); the errand view names the person.
    initials = "".join(f"{part[0]}." for part in short.replace(".", " ").split() if part)
    t.append(flag, style="bold yellow")
    if len(f"{flag} ") + len(initials) <= width:
        t.append(" ")
        t.append_text(line_text(initials))
    return t


MIN_CONTRAST = 0.3  # brightness between a text and its background, below which NO_COLOR lifts it
_LIFT = {
    True: Style(color=Color(255, 255, 255).rich_color, bold=True),
    False: Style(color=Color(0, 0, 0).rich_color, bold=True),
}


def _words(text: str) -> bool:
    """Whether a segment holds something to read: borders and scrollbars (box drawing and block
    elements) keep their greys, which tell the focused pane from the others."""
    return any(not ch.isspace() and not "\u2500" <= ch <= "\u259f" for ch in text)


class KeepContrast(LineFilter):
    """NO_COLOR, for Textual's Monochrome: each colour becomes its grey, so an urgent '!' in red
    on a dark row became dark grey on dark grey, and an overdue pane's red title nearly vanished.
    The same greys, but a text too close to its background is drawn white (or black) and bold."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        out = []
        for text, style, control in segments:
            if style is None or control:
                out.append(Segment(text, style, control))
                continue
            mono = monochrome_style(style)
            if mono.color is not None and _words(text):
                fg = Color.from_rich_color(mono.color)
                bg = Color.from_rich_color(mono.bgcolor) if mono.bgcolor else background.monochrome
                if mono.reverse:
                    fg, bg = bg, fg
                if abs(fg.brightness - bg.brightness) < MIN_CONTRAST:
                    lift = _LIFT[bg.brightness < 0.5]
                    mono = mono + (Style(bgcolor=lift.color, bold=True) if mono.reverse else lift)
            out.append(Segment(text, mono, control))
        return out
