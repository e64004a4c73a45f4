"""The modal forms: keyboard only, validated, escape cancels. A form returns what the person
chose; the app then calls the service (so the form never holds a transaction open)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from bcc_tui.domain.business_days import short_date
from bcc_tui.domain.text import clean, clean_line, count
from bcc_tui.services.errands import Choice
from bcc_tui.ui import actions
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.render import safe
from bcc_tui.ui.typed import BccModal
from bcc_tui.ui.widgets.lines import LineOptions

DRAFT_DELAY = 1.0  # seconds of quiet typing before the draft is written (R21); each write
# wakes every open dashboard (PRAGMA data_version), so not after every key

R = TypeVar("R")


@dataclass
class DraftHooks:
    """How a form keeps its draft (R21); the app supplies the service calls.

    `save` returns None when stored, else the reason; `restored` is the draft found on opening
    (its fields and when it was saved, already formatted)."""

    save: Callable[[dict], str | None]
    discard: Callable[[], None]
    restored: dict | None = None
    restored_at: str | None = None


class KeepDraftDialog(BccModal[str | None]):
    """Escape on a form with text: keep it as a draft, throw it away, or go on writing."""

    BINDINGS = [
        Binding("enter", "choose('keep')", "Spara utkast"),
        Binding("j", "choose('keep')", show=False),
        Binding("s", "choose('discard')", "Släng"),
        Binding("escape", "choose(None)", "Skriv vidare"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(Text("Spara texten som utkast?", style="bold"), classes="form-title")
            yield Static(
                Text(
                    "Utkastet finns kvar nästa gång du öppnar formuläret för ärendet, "
                    "också efter att terminalen stängts.",
                    style="dim",
                )
            )
            yield Static(
                Text("enter: spara utkast och stäng · s: släng texten · esc: skriv vidare", style="dim"),
                classes="form-hint",
            )

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)


class DiscardDialog(BccModal[bool]):
    """Escape on text that cannot be kept as a draft: throw it away with s, as in the draft
    question; enter and esc go back to it (in the draft question enter keeps the text, so the
    same habit must never throw it away here)."""

    BINDINGS = [
        Binding("s", "choose(True)", "Släng"),
        Binding("enter", "choose(False)", "Skriv vidare"),
        Binding("escape", "choose(False)", "Skriv vidare", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(Text("Släng det du skrivit?", style="bold"), classes="form-title")
            yield Static(Text("Texten sparas inte som utkast här.", style="dim"))
            yield Static(
                Text("s: släng texten · enter eller esc: skriv vidare", style="dim"), classes="form-hint"
            )

    def action_choose(self, discard: bool) -> None:
        self.dismiss(discard)


class ConfirmDialog(BccModal[bool]):
    """A question before an act that cannot be undone: enter or j does it, esc does not."""

    BINDINGS = [
        Binding("enter", "choose(True)", "Ja"),
        Binding("j", "choose(True)", show=False),
        Binding("escape", "choose(False)", "Avbryt"),
        Binding("n", "choose(False)", show=False),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Ja") -> None:
        super().__init__()
        self.question, self.detail, self.yes = question, detail, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(Text(self.question, style="bold"), classes="form-title")
            if self.detail:
                yield Static(Text(self.detail, style="dim"))
            yield Static(Text(f"enter: {self.yes.lower()} · esc: avbryt", style="dim"), classes="form-hint")

    def action_choose(self, choice: bool) -> None:
        self.dismiss(choice)


class Form(BccModal[R]):
    """A titled modal box; subclasses fill the body and call `self.send(result)`.

    When the app gives it a `submit_hook`, sending runs the service while the form is still open:
    a refusal is shown in the form and nothing typed is lost (R21). With `drafts`, what is typed
    is kept as a draft as it is typed (debounced) and offered again on reopening."""

    BINDINGS = [Binding("escape", "cancel", "Avbryt", id="cancel")]
    TITLE_TEXT = ""
    DRAFT_FORM: str | None = None  # the drafts service's name for this form

    def __init__(
        self, ref: str, subtitle: Text | str = "", context: Text | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.ref = ref
        self.subtitle = subtitle
        self.context = context
        # Starts the service call (in a worker: ui/runner.py) and calls back with the refusal, or
        # None once it went through.
        self.submit_hook: Callable[[R, Callable[[str | None], None]], None] | None = None
        self.sending = False  # sent, the answer not in yet: the form stays, and waits
        self.drafts: DraftHooks | None = None
        self._draft_timer: Timer | None = None
        self._form_done = False
        self._baseline: dict | None = None
        self._saved: dict | None = None
        self._has_draft = False
        # One draft write at a time, the newest winning: a write in the background (while the
        # person types) and one made now (a send, a quit, a dropped connection) never cross, and
        # the background one gives up when a newer text was asked to be kept meanwhile.
        self._draft_lock = threading.Lock()
        self._draft_asked = 0
        # The errand as it was when the form opened (ref, version, assignee, status): the feed
        # looks at it while the form is open and says so when someone else changed it (R31).
        self.watched: tuple[str, int, str | None, str] | None = None

    def stale(self, message: str) -> None:
        """Someone else changed the errand: said at once, in the form; the text stays a draft."""
        kept = " — det du skrivit finns kvar som utkast" if self.DRAFT_FORM else ""
        self.fail(message + kept)

    # -- drafts (R21) ------------------------------------------------------------------------
    def draft_fields(self) -> dict:
        """What the person has typed, as the draft keeps it."""
        return {}

    def load_draft(self, fields: dict) -> None:
        """Put a kept draft back into the form's fields."""

    def start_drafts(self) -> None:
        """Called once the fields exist: remember the untouched state, restore a kept draft."""
        self._baseline = self.draft_fields()
        self._saved = self._baseline
        if self.drafts is not None and self.drafts.restored is not None:
            self.load_draft(self.drafts.restored)
            self._saved = self.draft_fields()
            if self._saved == self._baseline:
                # A draft that holds nothing the untouched form does not (text typed and deleted
                # again, say): nothing was restored, so nothing is said to be.
                return
            self._has_draft = True
            when = f" från {self.drafts.restored_at}" if self.drafts.restored_at else ""
            self.say(f"Ditt utkast{when} är återställt.")

    def _touched(self) -> None:
        if self.drafts is None or self._form_done or self._baseline is None:
            return
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._flush_from_timer)

    def _flush_from_timer(self) -> None:
        """A pause in the typing: the draft is written in a worker (issue 30: a database held by
        another writer must not freeze the keys for up to the busy timeout)."""
        self._draft_timer = None
        if self._form_done or self.drafts is None or self._baseline is None:
            return
        fields = self.draft_fields()
        if fields == self._saved:
            return
        self._draft_asked += 1
        asked = self._draft_asked
        save = self.drafts.save

        def write() -> None:
            with self._draft_lock:
                if asked != self._draft_asked:
                    return  # a newer text was asked to be kept meanwhile: it is the one to write
                why = save(fields)
            self.app.call_from_thread(self._draft_written, fields, why)

        self.run_worker(write, thread=True, group="draft", exit_on_error=False)

    def _draft_written(self, fields: dict, why: str | None) -> None:
        if why:
            if self.is_attached and not self._form_done:
                self.fail(f"Utkastet kunde inte sparas: {why}")
            return
        self._saved = fields
        self._has_draft = True

    def flush_draft(self, *, quiet: bool = False) -> bool:
        """Write the draft now if it changed (a send, a quit, a dropped connection: before the
        next step, so in this thread); False when it could not be kept."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.drafts is None or self._baseline is None:
            return True
        fields = self.draft_fields()
        if fields == self._saved:
            return True
        self._draft_asked += 1  # a write still waiting in the background gives way to this one
        with self._draft_lock:
            why = self.drafts.save(fields)
        if why:
            if not quiet:
                self.fail(f"Utkastet kunde inte sparas: {why}")
            return False
        self._saved = fields
        self._has_draft = True
        return True

    _refused = False  # the error line holds a refusal of the text, until the text changes

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        self._touched()
        if self._refused:
            # "Skriv kort vad som gjordes" stood under a text already written.
            self._refused = False
            self.query_one("#form-error", Static).update("")

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._touched()

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        self._touched()

    def on_select_changed(self, _event: Select.Changed) -> None:
        self._touched()

    # -- ending ------------------------------------------------------------------------------
    def _finish(self, result: R | None) -> None:
        self._form_done = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self.dismiss(result)

    def send(self, result: R) -> None:
        """Submit: the form closes only when the service took it; a refusal stays on screen."""
        if self.submit_hook is None:
            self._finish(result)
            return
        if self.sending:
            return  # sent already: one write, whatever the keys say
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self.sending = True

        def answer(why: str | None) -> None:
            self.sending = False
            if not self.is_attached:
                return  # the app is closing: the write was done or refused, nothing to show
            if why:
                self.flush_draft(quiet=True)
                self.fail(why)
                return
            self._finish(result)

        self.submit_hook(result, answer)

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield from self.head()
            yield from self.body()
            yield from self.foot()

    def head(self) -> ComposeResult:
        yield Label(Text(clean_line(f"{self.TITLE_TEXT} · {self.ref}"), style="bold"), classes="form-title")
        if self.context is not None:
            yield Static(self.context, classes="form-context")
        if self.subtitle:
            yield Static(
                self.subtitle if isinstance(self.subtitle, Text) else Text(clean(self.subtitle)),
                classes="form-subtitle",
            )

    def foot(self) -> ComposeResult:
        yield Static(Text(self.HINT, style="dim"), classes="form-hint")
        yield Static("", classes="form-error", id="form-error")

    HINT = "enter: spara · esc: avbryt"

    def body(self) -> ComposeResult:
        yield from ()

    def fail(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(clean(message), style="bold red"))
        self._refused = True

    def say(self, message: str) -> None:
        """A word about the form itself (a draft restored, a template put in), where a refusal
        would stand: each replaces the one before, so what is said is about the text now."""
        self.query_one("#form-error", Static).update(Text(clean(message), style="bold yellow"))
        self._refused = False

    def action_cancel(self) -> None:
        if self.sending:
            return  # the write may yet go through: the form closes when it has answered
        typed = self._baseline is not None and self.draft_fields() != self._baseline
        if self.drafts is None and typed:
            # No draft is kept here (the handover's remark and note, or drafts not readable just
            # now): what was typed is never thrown away without a word (esc had closed it).
            self.app.push_screen(DiscardDialog(), self._after_discard_question)
            return
        if self.drafts is None or not (typed or self._has_draft):
            self._finish(None)
            return
        self.app.push_screen(KeepDraftDialog(), self._after_keep_question)

    def _after_discard_question(self, discard: bool | None) -> None:
        if discard:
            self._finish(None)

    def _after_keep_question(self, choice: str | None) -> None:
        if choice == "keep":
            if self.flush_draft():
                self._finish(None)
                self.app.notify(f"Utkastet för {self.ref} är sparat.", markup=False)
        elif choice == "discard" and self.drafts is not None:
            self.drafts.discard()
            self._finish(None)


@dataclass(frozen=True)
class AssignResult:
    username: str
    move_all: bool = False  # R22: every open errand of the current holder, not just this one


class AssignForm(Form[AssignResult]):
    """Staff with title, on duty or absent; filter as you type; the suggestion preselected."""

    TITLE_TEXT = actions.name("assign")
    # The filter box's placeholder says that typing filters.
    HINT = "ctrl+s eller enter: fördela · ↑↓ välj · esc: avbryt"

    BINDINGS = [
        Binding("ctrl+s", "submit", "Fördela", id="submit", priority=True),
        Binding("ctrl+a", "move_all", actions.name("move_all"), id="move_all", show=False, priority=True),
    ]

    def __init__(
        self,
        ref: str,
        choices: list[Choice],
        reassign: bool = False,
        current: str | None = None,
        current_name: str | None = None,
        top_doctor: str | None = None,
        notice: Text | None = None,
        move_all: bool = False,
        second_look: Callable[[Choice], str | None] | None = None,
        current_open: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.choices = choices
        self.current_open = current_open  # the holder's open errands, when not among the choices
        # What giving the errands to one person asks first, once (a rule it departs from).
        self.second_look = second_look
        self.top_doctor = top_doctor
        self.reassign = reassign
        self.current = current
        self.current_name = current_name or current
        self.move_all = move_all
        # The palette names the action "Fördela / omfördela": the form says which it is.
        self.TITLE_TEXT = (
            actions.name("move_all") if move_all else ("Omfördela" if reassign else self.TITLE_TEXT)
        )
        if reassign:
            self.HINT = (
                "ctrl+s eller enter: "
                + ("flytta alla" if move_all else "omfördela")
                + " · ↑↓ välj · ctrl+a: flytta alla hens öppna ärenden · esc: avbryt"
            )
        sub = Text()
        if current:
            sub.append(clean_line(f"Nu hos: {current_name or current}"), style="dim")
        if notice is not None:
            sub = Text("\n").join([notice, sub]) if current else notice
        super().__init__(ref, sub, **kwargs)

    def body(self) -> ComposeResult:
        yield Input(placeholder="Filtrera på namn, titel eller användarnamn", id="assign-filter")
        yield OptionList(id="assign-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#assign-filter", Input).focus()

    def _label(self, c: Choice) -> Text:
        t = Text()
        t.append("★ " if c.suggested else "  ", style="bold yellow")
        t.append(clean_line(c.name), style="bold" if not c.absent else "dim")
        t.append(clean_line(f"  {c.title}"), style="dim")
        if c.team_role:
            t.append(f"  {c.team_role}", style="bold cyan")  # R29: the patient's own team
        if c.absent:
            # As every other date on screen ("tis 8 dec"), not "08/12".
            back = f", t.o.m. {short_date(c.back_on - dt.timedelta(days=1))}" if c.back_on else ""
            t.append(
                clean_line(f"  FRÅNVARANDE{' (' + c.absence_reason + ')' if c.absence_reason else ''}{back}"),
                style="yellow",
            )
        else:
            t.append("  i tjänst", style="green")
        # R24: each person's current load, so a receiver sees who is already full.
        t.append(f"  {count(c.open, 'öppet', 'öppna')}", style="dim" if not c.open else "")
        if c.overdue:
            t.append(f", {c.overdue} {'försenat' if c.overdue == 1 else 'försenade'}", style="bold red")
        if c.suggested and c.reason:
            t.append(clean_line(f"  förslag: {c.reason}"), style="italic")
        if c.username == self.current:
            t.append("  (nuvarande)", style="dim")
        return t

    def _fill(self, text: str) -> None:
        needle = text.strip().lower()
        shown = [
            c
            for c in self.choices
            if not needle or needle in c.name.lower() or needle in c.title.lower() or needle in c.username
        ]
        ol = self.query_one("#assign-list", OptionList)
        ol.clear_options()
        ol.add_options([Option(self._label(c), id=c.username) for c in shown])
        self.shown = shown
        preselect = next((i for i, c in enumerate(shown) if c.suggested), None)
        # What is typed picks someone only when it leaves one person. Typed ahead, `a` `enter` `a`
        # `enter` on an errand the form would not give away at the first enter (a reassignment,
        # nobody preselected) put the second `a` in the filter, and its enter gave the colleague's
        # errand to the first name with an "a"; "ka" (k and a typed ahead) matched two titles.
        if needle and len(shown) == 1:
            preselect = 0
        ol.highlighted = preselect

    @on(OptionList.OptionHighlighted, "#assign-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """R4: choosing someone who is absent today is allowed, but never without a word."""
        choice = next((c for c in self.shown if c.username == event.option.id), None)
        if choice is None or choice.username != self._confirmed:
            self._confirmed = None
        if choice is None or choice.username != self._confirmed_all:
            self._confirmed_all = None  # the question is asked again for whoever is chosen next
        if choice is None or choice.username != self._confirmed_look:
            self._confirmed_look = None
        if choice is not None and choice.absent:
            text = Text(
                f"{choice.name} är frånvarande idag"
                f"{' (' + choice.absence_reason + ')' if choice.absence_reason else ''}.",
                style="bold yellow",
            )
            if self.top_doctor:
                text.append(f" Överst på schemat: {self.top_doctor}.", style="yellow")
            self.query_one("#form-error", Static).update(text)
        else:
            self.query_one("#form-error", Static).update("")

    @on(Input.Changed, "#assign-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_key(self, event: events.Key) -> None:
        if event.key in ("up", "down", "pageup", "pagedown"):
            ol = self.query_one("#assign-list", OptionList)
            {
                "up": ol.action_cursor_up,
                "down": ol.action_cursor_down,
                "pageup": ol.action_page_up,
                "pagedown": ol.action_page_down,
            }[event.key]()
            event.stop()
            event.prevent_default()

    @on(Input.Submitted, "#assign-filter")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    @on(OptionList.OptionSelected, "#assign-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose()

    _confirmed: str | None = None
    _confirmed_all: str | None = None
    _confirmed_look: str | None = None

    def action_submit(self) -> None:
        self._choose()

    def action_move_all(self) -> None:
        if self.reassign:
            if not self.move_all:
                self.move_all = True
                # enter moves them all from here on: the foot says so (esc: none of them).
                self.query_one(".form-hint", Static).update(
                    Text("ctrl+s, enter eller ctrl+a: flytta alla · ↑↓ välj · esc: avbryt", style="dim")
                )
            self._choose()

    def _choose(self) -> None:
        ol = self.query_one("#assign-list", OptionList)
        if ol.highlighted is None or not self.shown:
            self.fail("Välj en person i listan (↑↓) först.")
            return
        choice = self.shown[ol.highlighted]
        if choice.username == self.current:
            self.fail(f"Ärendet är redan hos {choice.name}.")
            return
        if choice.absent and self._confirmed != choice.username:
            # R22: giving an errand to someone who is away needs a second, deliberate enter.
            self._confirmed = choice.username
            why = f" ({choice.absence_reason})" if choice.absence_reason else ""
            self.fail(
                f"{choice.name} är frånvarande idag{why}. Tryck enter igen för att ändå "
                f"{'omfördela' if self.reassign else 'fördela'}, eller välj någon annan."
            )
            return
        question = self.second_look(choice) if self.second_look is not None else None
        if question is not None and self._confirmed_look != choice.username:
            self._confirmed_look = choice.username
            self.fail(question)
            return
        if self.move_all and self._confirmed_all != choice.username:
            # R22: all of a person's open errands at once, said in numbers before it is done: the
            # first ctrl+a moved them at once, to whoever the list had preselected.
            self._confirmed_all = choice.username
            holder = next((c for c in self.choices if c.username == self.current), None)
            held = holder.open if holder is not None else self.current_open
            what = count(held, "öppet ärende", "öppna ärenden") if held is not None else "alla öppna ärenden"
            self.fail(f"Flytta {what} från {self.current_name} till {choice.name}? enter: flytta")
            return
        self.send(AssignResult(choice.username, self.move_all))


@dataclass(frozen=True)
class TextResult:
    text: str
    consulted: str | None = None


class _TextForm(Form[TextResult]):
    HINT = "ctrl+s: skicka · esc: avbryt"
    BINDINGS = [Binding("ctrl+s", "submit", "Skicka", id="submit", priority=True)]
    EMPTY = "Texten får inte vara tom."
    initial = ""

    def body(self) -> ComposeResult:
        yield from self.extra_top()
        yield TextArea(self.initial, id="form-text", soft_wrap=True)
        yield from self.extra_bottom()

    def extra_top(self) -> ComposeResult:
        yield from ()

    def extra_bottom(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        area = self.query_one("#form-text", TextArea)
        self.start_drafts()
        area.focus()
        area.move_cursor(area.document.end)

    def draft_fields(self) -> dict:
        return {"text": self.query_one("#form-text", TextArea).text}

    def load_draft(self, fields: dict) -> None:
        if isinstance(fields.get("text"), str):
            self.query_one("#form-text", TextArea).text = fields["text"]

    def action_submit(self) -> None:
        text = self.query_one("#form-text", TextArea).text.strip()
        if not text:
            self.fail(self.EMPTY)
            return
        self.send(self.result(text))

    def result(self, text: str) -> TextResult:
        return TextResult(text)


class ReplyForm(_TextForm):
    """The final reply; the caregiver's signature is appended by the service (R13). ctrl+t opens
    the templates from inside the text: a template goes in at the cursor, and replaces what was
    typed only when asked to (and asked again); either way ctrl+z takes it back."""

    TITLE_TEXT = actions.name("reply")
    DRAFT_FORM = "reply"
    HINT = "ctrl+s: skicka svaret · esc: avbryt"
    BINDINGS = [Binding("ctrl+t", "templates", "Mall", id="templates", priority=True)]

    def __init__(
        self,
        ref: str,
        signature: str,
        templates: list[tuple[str, str]] | None = None,
        warning: Text | None = None,
        **kwargs: Any,
    ) -> None:
        self.signature = signature
        self.templates = templates or []
        if self.templates:
            self.HINT = "ctrl+s: skicka svaret · ctrl+t: mall · esc: avbryt"
        sub = Text("Svaret skickas till patienten via 1177 och ärendet avslutas.", style="dim")
        if warning is not None:
            sub = Text("\n").join([warning, sub])
        super().__init__(ref, sub, **kwargs)
        self.set_class(warning is not None, "-cautioned")  # app.tcss: its text box gives way at 60×20

    def extra_top(self) -> ComposeResult:
        if self.templates:
            yield Static(
                Text(
                    f"{count(len(self.templates), 'mall', 'mallar')} · ctrl+t: välj, den läggs in där markören står",
                    style="dim",
                ),
                id="form-templates",
            )

    def extra_bottom(self) -> ComposeResult:
        yield Static(Text(clean(f"Signatur: {self.signature}"), style="dim italic"), classes="form-signature")

    def action_templates(self) -> None:
        if not self.templates:
            self.say("Det finns inga mallar för den här ärendetypen.")
            return
        typed = bool(self.query_one("#form-text", TextArea).text.strip())
        self.app.push_screen(TemplatePicker(self.templates, typed=typed), self._template_chosen)

    def _template_chosen(self, choice: TemplateChoice | None) -> None:
        self.query_one("#form-text", TextArea).focus()
        if choice is None:
            return
        if choice.replace:
            self.app.push_screen(
                ConfirmDialog(
                    clean_line(f"Ersätta texten med mallen ”{choice.name}”?"),
                    "Det du har skrivit tas bort ur svaret; ctrl+z i texten tar tillbaka det.",
                    yes="Ersätt",
                ),
                lambda yes: self._put(choice if yes else None),
            )
            return
        self._put(choice)

    def _put(self, choice: TemplateChoice | None) -> None:
        """The template into the text as one edit of the text area's own, so that ctrl+z takes it
        back (setting the text anew would have emptied the undo history with it)."""
        area = self.query_one("#form-text", TextArea)
        area.focus()
        if choice is None:
            return
        body = clean(choice.body)
        name = clean_line(choice.name)
        if choice.replace or not area.text.strip():
            said = "ersatte texten" if area.text.strip() else "är inlagd"
            area.replace(body, (0, 0), area.document.end, maintain_selection_offset=False)
        else:
            row, column = area.cursor_location
            line = area.document.get_line(row)
            # A paragraph of its own when the cursor stands inside a line of text.
            before = "\n" if line[:column].strip() else ""
            after = "\n" if line[column:].strip() else ""
            area.insert(before + body + after, maintain_selection_offset=False)
            said = "är inlagd där markören stod"
        self.say(f"Mallen ”{name}” {said} · ctrl+z ångrar.")
        self._said_for = area.text

    _said_for: str | None = None  # the text a template left, while the form says what it did

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        super().on_text_area_changed(event)
        if self._said_for is not None and event.text_area.text != self._said_for:
            # Typed on, or undone: "ctrl+z ångrar" is no longer about the text on screen.
            self._said_for = None
            self.query_one("#form-error", Static).update("")


@dataclass(frozen=True)
class TemplateChoice:
    name: str
    body: str
    replace: bool = False  # the whole text, not at the cursor (asked again before it is done)


class TemplatePicker(BccModal[TemplateChoice | None]):
    """The reply's templates in a list, the highlighted one shown whole below it: enter puts it in
    at the cursor (into an empty reply: as the reply), `e` replaces what was typed."""

    BINDINGS = [
        Binding("escape", "back", "Tillbaka"),
        Binding("e", "choose(True)", "Ersätt texten", show=False),
    ]

    def __init__(self, templates: list[tuple[str, str]], *, typed: bool) -> None:
        super().__init__()
        self.templates = templates
        self.typed = typed

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label(Text("Mall", style="bold"), classes="form-title")
            # A str prompt would be read as markup: a template named "[/]" must not crash the list.
            yield LineOptions(
                *(Option(safe(name, one_line=True)) for name, _ in self.templates), id="template-list"
            )
            yield Static(id="template-preview", classes="form-context")
            hint = (
                "enter: lägg in där markören står · e: ersätt texten · esc: tillbaka"
                if self.typed
                else "enter: lägg in mallen · esc: tillbaka"
            )
            yield Static(Text(hint, style="dim"), classes="form-hint")

    def on_mount(self) -> None:
        options = self.query_one("#template-list", LineOptions)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionHighlighted, "#template-list")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        body = self.templates[event.option_index][1]
        self.query_one("#template-preview", Static).update(safe(body, "italic"))

    @on(OptionList.OptionSelected, "#template-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(False)

    def action_choose(self, replace: bool) -> None:
        at = self.query_one("#template-list", LineOptions).highlighted
        if at is None:
            return
        name, body = self.templates[at]
        # With nothing typed there is nothing to replace: e does what enter does.
        self.dismiss(TemplateChoice(name, body, replace=replace and self.typed))

    def action_back(self) -> None:
        self.dismiss(None)


DEFAULT_PARTIAL = (
    "Hej! Vi har tagit emot ditt ärende och arbetar med det. Du får ett svar så snart som möjligt."
)


ABSENT_PARTIAL = (
    "Hej! Den läkare som har hand om ditt ärende är inte i tjänst just nu. Vi har stämt av "
    "med ansvarig läkare på mottagningen och ditt ärende kan vänta tills hen är tillbaka. "
    "Du får ett svar så snart som möjligt. Hör av dig till mottagningen om något förändras."
)


# R11: a partial reply on an errand whose acute signs nobody has handled yet must not tell the
# family to wait. What Swedish paediatric oncology tells families (call the ward at once, at any
# hour; 112 when life is in danger), unless the clinic wrote its own advice (its settings).
ACUTE_PARTIAL = (
    "Hej! Vi har tagit emot ditt meddelande. Det du beskriver kan behöva bedömas snabbt: har ni "
    "inte redan pratat med oss, ring avdelningen direkt, dygnet runt. Vid livshotande tillstånd, "
    "ring 112. Du får ett svar så snart som möjligt."
)


class PartialReplyForm(_TextForm):
    """Tells the family that handling is under way; the errand stays open (R3, R4)."""

    TITLE_TEXT = actions.name("partial_reply")
    DRAFT_FORM = "partial_reply"
    HINT = "ctrl+s: skicka delsvaret · esc: avbryt"
    initial = DEFAULT_PARTIAL

    def __init__(
        self,
        ref: str,
        doctors: list[tuple[str, str]],
        top_doctor: str | None = None,
        warning: Text | None = None,
        deadline: Text | None = None,
        *,
        consult: bool = False,
        back_text: str | None = None,
        caution: Text | None = None,
        waits: bool = True,
        acute_advice: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.doctors = doctors
        self.top_doctor = top_doctor
        # Acute signs not yet handled (the advice to prefill): no doctor is preselected as consulted
        # (a ctrl+s at once recorded a consultation that never happened), and nothing says "wait".
        self.acute = acute_advice is not None
        # R4: a receiver's partial reply on someone else's errand names the doctor consulted;
        # the top of today's schedule is preselected, another asks once more.
        self.absent_case = warning is not None or consult
        self._confirmed_other: str | None = None
        # What the partial reply does for the two-day rule, told as it is for this errand.
        sub = deadline or Text("Ärendet förblir öppet.", style="dim")
        if warning is not None:
            # R4: the caregiver is away and the errand can wait: say so, after checking with the
            # doctor at the top of today's schedule. Not for one who has left (`waits` False):
            # there is nobody to wait for.
            if waits:
                self.initial = ABSENT_PARTIAL + (f" Hen är tillbaka {back_text}." if back_text else "")
            sub = Text("\n").join([warning, sub])
        if caution is not None:
            sub = Text("\n").join([caution, sub])  # R12: a proxy for a patient of 13 or more
        if acute_advice is not None:
            self.initial = acute_advice
        super().__init__(ref, sub, **kwargs)
        self.set_class(warning is not None or caution is not None, "-cautioned")  # app.tcss

    def extra_bottom(self) -> ComposeResult:
        if self.doctors:
            with Horizontal(classes="form-row"):
                yield Label("Avstämt med läkare:", classes="form-label")
                preset = (
                    self.top_doctor
                    if self.absent_case and not self.acute and self.top_doctor in {v for _, v in self.doctors}
                    else Select.NULL
                )
                yield Select(
                    [(safe(label, one_line=True), value) for label, value in self.doctors],
                    prompt="(ingen)",
                    id="form-consulted",
                    value=preset,
                )

    def draft_fields(self) -> dict:
        fields = super().draft_fields()
        if self.doctors:
            value = self.query_one("#form-consulted", Select).value
            fields["consulted"] = value if isinstance(value, str) else None
        return fields

    def load_draft(self, fields: dict) -> None:
        super().load_draft(fields)
        if self.doctors and fields.get("consulted") in {v for _, v in self.doctors}:
            self.query_one("#form-consulted", Select).value = fields["consulted"]

    def action_submit(self) -> None:
        consulted = self._consulted()
        asked = {self.top_doctor, self._confirmed_other}
        if consulted and self.top_doctor and consulted not in asked:
            self._confirmed_other = consulted
            name = next((label for label, v in self.doctors if v == consulted), consulted)
            self.fail(f"{name} står inte överst på dagens schema. ctrl+s igen skickar ändå.")
            return
        super().action_submit()

    def _consulted(self) -> str | None:
        if not self.doctors:
            return None
        value = self.query_one("#form-consulted", Select).value
        return value if isinstance(value, str) else None

    def result(self, text: str) -> TextResult:
        return TextResult(text, self._consulted())


class NoteForm(_TextForm):
    """An internal note (n); the handover's remark (c) and note to the next shift (w) are written
    in it too, each titled with its own key's name."""

    TITLE_TEXT = actions.name("note")
    DRAFT_FORM = "note"
    HINT = "ctrl+s: spara · esc: avbryt"

    def __init__(
        self, ref: str, subtitle_text: str | None = None, *, title: str | None = None, **kwargs: Any
    ) -> None:
        if title is not None:
            self.TITLE_TEXT = title
        super().__init__(
            ref,
            Text(subtitle_text or "Syns bara för personalen; skickas aldrig till patienten.", style="dim"),
            **kwargs,
        )


@dataclass(frozen=True)
class CloseResult:
    reason: str
    documented: bool


class SpaceCheckbox(compat.TickBox, inherit_bindings=False):
    """Space ticks; enter is left to the form, so enter anywhere in it submits."""

    BINDINGS = [Binding("space", "toggle_button", "Kryssa", show=False)]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # Textual's checkbox is always one row; where a form wraps the text (app.tcss) it takes
        # the rows its lines need, or the end of the text ("… svarar själva") is hidden.
        return Widget.get_content_height(self, container, viewport, width)  # not ToggleButton's 1


class CloseForm(Form[CloseResult]):
    """Close without reply (R6): a reason is mandatory; R13 asks about the record."""

    TITLE_TEXT = actions.name("close")
    DRAFT_FORM = "close"
    # The reason is one line: enter sends as well as ctrl+s.
    HINT = "ctrl+s eller enter: avsluta · mellanslag: kryssa · esc: avbryt"
    BINDINGS = [
        Binding("ctrl+s", "submit", "Avsluta", id="submit", priority=True),
        Binding("enter", "submit", "Avsluta", id="submit_enter", show=False),
    ]

    def body(self) -> ComposeResult:
        yield Label("Orsak (krävs), t.ex. besvarat per telefon:")
        yield Input("", placeholder="Orsak", id="close-reason")
        yield SpaceCheckbox("Det viktiga är dokumenterat i journalen", False, id="close-documented")

    def on_mount(self) -> None:
        self.start_drafts()
        self.query_one("#close-reason", Input).focus()

    def draft_fields(self) -> dict:
        return {
            "reason": self.query_one("#close-reason", Input).value,
            "documented": self.query_one("#close-documented", Checkbox).value,
        }

    def load_draft(self, fields: dict) -> None:
        if isinstance(fields.get("reason"), str):
            self.query_one("#close-reason", Input).value = fields["reason"]
        if isinstance(fields.get("documented"), bool):
            self.query_one("#close-documented", Checkbox).value = fields["documented"]

    @on(Input.Submitted, "#close-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        reason = self.query_one("#close-reason", Input).value.strip()
        if not reason:
            self.fail("Ange en orsak: ett ärende avslutas aldrig utan förklaring.")
            self.query_one("#close-reason", Input).focus()
            return
        self.send(CloseResult(reason, self.query_one("#close-documented", Checkbox).value))


class AcuteHandledForm(_TextForm):
    """R25: the acute signs were dealt with (e.g. the family was called): a short note."""

    TITLE_TEXT = actions.name("acute_handled")
    DRAFT_FORM = "acute"
    HINT = "ctrl+s: spara · esc: avbryt"
    EMPTY = "Skriv kort vad som gjordes, t.ex. familjen kontaktad."

    def __init__(self, ref: str, signs: str, **kwargs: Any) -> None:
        super().__init__(
            ref,
            Text(
                f"Akuta tecken: {clean_line(signs)}. Skriv kort vad som gjordes; ärendet "
                "ligger sedan inte längre överst.",
                style="dim",
            ),
            **kwargs,
        )
