"""Help (`?`): the keys, and the routine itself in brief, so a new member of staff learns it here."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from bcc_tui.domain.routine import VALIDITY
from bcc_tui.ui import actions
from bcc_tui.ui.typed import BccModal
from bcc_tui.ui.widgets.footer import KeyFooter
from bcc_tui.ui.widgets.lines import LineScroll

MARKS = [
    (
        "✚",
        "akuta tecken i texten: kategorin står i rött där typen brukar stå; ring familjen — står överst "
        "tills det markerats hanterat (K)",
    ),
    ("frånv.", "handläggaren är frånvarande idag (där kolumnen är smal står initialerna)"),
    ("inaktiv", "handläggaren är avaktiverad och kommer inte tillbaka: fördela om ärendet"),
    (
        "PAL frånv.",
        "i Ofördelade: patientens PAL är frånvarande idag, med sista frånvarodagen där det får plats",
    ),
    ("vd", "vardag(ar): måndag–fredag utom röda dagar, midsommar-, jul- och nyårsafton"),
    ("ds", 'delsvar, där kolumnen är smal ("ds 18 min" = delsvar för 18 minuter sedan)'),
    ("uppf.", 'uppföljningsdatum efter delsvar; "uppf. sen" = passerat'),
    ("!", "brådskande"),
    ("⚑", "påmind: ärendemottagaren har påmint handläggaren"),
    ("Ö", "ombud för en patient som är 13 år eller äldre: kontrollera behörigheten"),
    ("✉", "delsvar skickat"),
    ("¶", "anmärkning till nästa pass (sätts med c i överlämningen)"),
]

# One line per paragraph or bullet: the screen wraps them to its width, a bullet with a hanging
# indent (routine()).
ROUTINE = f"""\
Rutinen i korthet (1177 Vårdguidens e-tjänster, Barncancercentrum)

Roller
• Ärendemottagaren tar emot och fördelar alla inkomna ärenden och kontrollerar att fördelade ärenden blir besvarade. Fem ärendemottagare turas om enligt schema; dagens står överst.
• Vårdgivaren (sektionsledare, mottagningssjuksköterska eller läkare) öppnar och besvarar de ärenden som fördelats till hen.
• Administratören bygger ärendetyper och mallar, ger behörigheter och tar ut statistik.

Två vardagar
• Varje ärende ska besvaras inom två vardagar. Ankomstdagen räknas inte; helger, röda dagar, midsommarafton, julafton och nyårsafton är inte vardagar.
• Går det inte, ska patienten få ett delsvar om att handläggning pågår. Ett delsvar i tid uppfyller regeln, men ärendet väntar fortfarande på sitt svar.
• Färg och text i kolumnen Tid kvar: grönt = gott om tid, orange = idag eller nästa vardag, rött = försenat.

Frånvarande vårdgivare
• Är berörd läkare inte i tjänst och ärendet kan vänta, får ärendemottagaren ge ett delsvar efter att ha stämt av med läkaren som står överst på dagens schema för öppenvården.
• I Ofördelade står "PAL frånv." i stället för förslaget när patientansvarig läkare är borta idag, med sista frånvarodagen där det får plats ("PAL frånv.→9 dec").

Besvaras av mottagare
• Administratören kan låta ärendemottagare själva besvara en ärendetyp (föreslås för Av/omboka tid och Beställa journalkopia). Då kan du svara med r direkt i Ofördelade: ärendet fördelas till dig och besvaras i samma steg. Ett delsvar på en sådan typ behöver ingen avstämd läkare.

Synpunkter och klagomål
• Får automatiskt ett delsvar direkt vid ankomst: "Vi har mottagit dina synpunkter och kommer att återkoppla till dig, på det sätt du angett att du önskar."
• Brådskande fördelas till sektionsledare, övriga till den sjuksköterska som är ansvarig för MedControl PRO. Förslaget är förvalt när du trycker a.

Akuta tecken
• 1177 är inte till för akuta ärenden, men de kommer ändå. Ett ärende vars text tyder på ett akut tillstånd står överst med ✚ och en röd rad som säger varför: kategorin och orden som familjen skrev, t.ex. "Feber: 39,1".
• Ring familjen och bedöm. Markera sedan hanterat med K och en kort anteckning; då står ärendet inte längre överst.
• Kategorierna: Feber (38,0 °C eller mer, hur det än skrivs), Andning, Blödning, Kramper, Medvetande, Central infart, Vätska, Smärta, Neurologi och Smitta (vattkoppor, bältros, mässling).
• Markeringen är ett stöd, inget beslut: den hellre varnar en gång för mycket, och den hittar inte allt. Läs alltid meddelandet; ett ärende utan markering kan ändå vara akut.

Besvara
• Besvara (förval) skickar svaret med ditt namn och din titel och avslutar ärendet.
• Avsluta utan svar används t.ex. när ärendet besvarats per telefon; orsak måste anges.
• Avvikelser från rutinen rapporteras i MedControl PRO. Avvikelseregistret (bcc-tui deviations, för administratören fliken Avvikelser) hittar dem och ger ett utkast till rapporten.

Rutinen
• {VALIDITY}

Patientens text visas alltid exakt som den skrevs."""


def routine() -> Group:
    """ROUTINE for the screen: headings in bold, each bullet wrapped under its own first word."""
    parts: list[RenderableType] = []
    for block in ROUTINE.split("\n\n"):
        bullets = Table.grid(padding=(0, 1))
        bullets.add_column(no_wrap=True)
        bullets.add_column()
        for line in block.splitlines():
            if line.startswith("• "):
                bullets.add_row("•", line.removeprefix("• "))
            else:
                parts.append(Text(line, style="bold" if "\n" in block else ""))
        if bullets.row_count:
            parts.append(bullets)
        parts.append(Text(""))
    return Group(*parts[:-1])


class DrawnOnce:
    """A Rich renderable drawn once per width. Textual measures and draws a Static's Rich tables
    again on every layout and frame: a fifth of opening help went to the same tables."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable
        self._lines: dict[tuple[object, ...], list[list[Segment]]] = {}
        self._measured: dict[tuple[int, int], Measurement] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = (options.max_width, options.min_width, options.justify, options.overflow, options.no_wrap)
        lines = self._lines.get(key)
        if lines is None:
            lines = self._lines[key] = console.render_lines(self.renderable, options, pad=False)
        for line in lines:
            yield from line
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        key = (options.max_width, options.min_width)
        measured = self._measured.get(key)
        if measured is None:
            measured = self._measured[key] = Measurement.get(console, options, self.renderable)
        return measured


class HelpScreen(BccModal[None]):
    # esc and ? close the help; q quits, as on every screen (a modal screen does not see the
    # app's own keys, so it is bound here too).
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Tillbaka", id="close_help"),
        Binding("question_mark", "close", "Stäng hjälpen", id="help_again"),
        Binding("q", "app.quit", "Avsluta", id="help_quit"),
    ]
    # The app's other keys (h, s, …) do nothing while a modal screen is open: not offered here.
    FOOTER_KEYS = ("escape", "question_mark", "q")

    def compose(self) -> ComposeResult:
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold cyan", no_wrap=True)
        keys.add_column()
        # The keys this person may use, from the dashboard's one action table.
        for key, what in actions.help_keys(self.app.ctx.actor):
            keys.add_row(key, what)
        marks = Table.grid(padding=(0, 2))
        marks.add_column(style="bold yellow", no_wrap=True, min_width=len("tab / shift+tab"))
        marks.add_column()
        for mark, what in MARKS:
            marks.add_row(mark, what)
        with LineScroll(classes="form help", id="help"):
            yield Static(Text("Hjälp · tangenter och rutinen", style="bold"), classes="form-title")
            yield Static(DrawnOnce(keys))
            yield Static(Text("\nMarkeringar", style="bold underline"))
            yield Static(DrawnOnce(marks))
            yield Static(Text(""))
            yield Static(DrawnOnce(routine()))
        yield KeyFooter(only=self.FOOTER_KEYS)

    def on_mount(self) -> None:
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
