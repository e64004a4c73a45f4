"""A small modal form of labelled fields whose submit runs a service: the service is the
validator, so a refusal is shown in the form and the person can correct it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, TextArea
from textual.widgets.option_list import OptionDoesNotExist

from bcc_tui.domain.errors import BccError
from bcc_tui.ui.render import safe
from bcc_tui.ui.screens.forms import Form, SpaceCheckbox


@dataclass
class Field:
    key: str
    label: str
    value: object = ""
    # text, area, check, select (one of options), multi (any of options), ordered (any of
    # options, in an order the person sets: the ticked ones first, moved with ctrl+↑↓)
    kind: str = "text"
    options: list[tuple[str, str]] = field(default_factory=list)  # (label shown, value stored)
    placeholder: str = ""


class TickList(SelectionList[str]):
    """A SelectionList whose unticked boxes are empty: Textual tells ticked from unticked by
    colour alone, which NO_COLOR and a dim terminal take away."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if option.value in self.selected or len(segments) < 2 or segments[1].text != Checkbox.BUTTON_INNER:
            return strip
        segments[1] = Segment(" " * len(Checkbox.BUTTON_INNER), segments[1].style)
        return Strip(segments, strip.cell_length)


class OrderedSelectionList(TickList):
    """A list whose ticked options are kept first, in an order the person sets with ctrl+↑↓
    (the roster's doctors: the first is the one at the top of the day's schedule)."""

    BINDINGS = [
        Binding("ctrl+up", "move(-1)", "Flytta upp", show=False),
        Binding("ctrl+down", "move(1)", "Flytta ned", show=False),
    ]

    def __init__(self, options: list[tuple[str, str]], chosen: list[str], **kwargs: Any) -> None:
        labels = {value: label for label, value in options}
        order = [v for v in chosen if v in labels] + [v for _, v in options if v not in chosen]
        super().__init__(*((safe(labels[v], one_line=True), v, v in chosen) for v in order), **kwargs)
        self.labels = labels
        self.order = order

    def chosen(self) -> list[str]:
        picked = set(self.selected)
        return [v for v in self.order if v in picked]

    def action_move(self, step: int) -> None:
        at = self.highlighted
        if at is None or not 0 <= at + step < len(self.order):
            return
        picked = set(self.selected)
        self.order[at], self.order[at + step] = self.order[at + step], self.order[at]
        self.clear_options()
        self.add_options([(safe(self.labels[v], one_line=True), v, v in picked) for v in self.order])
        self.highlighted = at + step


class FieldsScroll(VerticalScroll, can_focus=False):
    """The fields' scrolling room. Not a stop of its own: tab went from the last field to it, and
    nothing on screen showed where the focus was (enter there saved the form). The focused field
    is kept in sight instead, and the wheel still scrolls it."""


class FieldsForm(Form[str]):
    """ctrl+s saves from any field. A form whose text is all one line saves on enter too; one with
    a text of several lines (a template, a list of words) takes enter in a one-line field as a
    step to the next field, so that it is never saved half written."""

    HINT = "ctrl+s: spara · tab: nästa fält · esc: avbryt"
    ONE_LINE_HINT = "ctrl+s eller enter: spara · tab: nästa fält · esc: avbryt"
    # The first field is focused once the form is laid out (on_mount): Textual's own focus, given
    # as the form is composed, scrolled the first field's label out of sight.
    AUTO_FOCUS = ""
    BINDINGS = [
        Binding("ctrl+s", "submit", "Spara", id="submit", priority=True),
        # Reached where the focused field does not take enter itself (a box to tick).
        Binding("enter", "submit_enter", "Spara", id="submit_enter", show=False),
    ]

    def __init__(
        self,
        title: str,
        subject: str,
        fields: list[Field],
        submit: Callable[[dict], str | None],
        **kwargs: Any,
    ) -> None:
        self.TITLE_TEXT = title
        self.fields = fields
        self.submit = submit
        self.one_line = not any(f.kind == "area" for f in fields)
        # A list to pick from takes enter itself (it opens): where there is one, the foot does not
        # promise that enter saves (the care team's form, two lists, said so, and enter opened the
        # first). Enter in a line of text still saves.
        if self.one_line and not any(f.kind == "select" for f in fields):
            self.HINT = self.ONE_LINE_HINT
        super().__init__(subject, **kwargs)

    def compose(self) -> ComposeResult:
        # A staff member's form is taller than an 80×24 terminal: the fields scroll between the
        # title and the foot, so the hint and a refused save's reason are always in sight.
        with FieldsScroll(classes="form -fields"):
            yield from self.head()
            yield from self.body()
            with Vertical(classes="form-foot"):
                yield from self.foot()

    def fail(self, message: str) -> None:
        super().fail(message)
        focused = self.focused
        if focused is not None:  # the reason took rows from the fields: keep the field in sight
            self.call_after_refresh(focused.scroll_visible, animate=False)

    def body(self) -> ComposeResult:
        for f in self.fields:
            if f.kind == "check":
                yield SpaceCheckbox(f.label, bool(f.value), id=f"f-{f.key}")
                continue
            yield Label(Text(f.label, style="dim"))
            if f.kind == "multi":
                chosen = set(f.value) if isinstance(f.value, (list, tuple, set, frozenset)) else set()
                yield TickList(
                    *((safe(label, one_line=True), v, v in chosen) for label, v in f.options),
                    id=f"f-{f.key}",
                    compact=True,
                )
            elif f.kind == "ordered":
                chosen_order = [str(v) for v in f.value] if isinstance(f.value, (list, tuple)) else []
                yield OrderedSelectionList(f.options, chosen_order, id=f"f-{f.key}", compact=True)
            elif f.kind == "area":
                yield TextArea(str(f.value or ""), id=f"f-{f.key}", soft_wrap=True)
            elif f.kind == "select":
                yield Select(
                    [(safe(label, one_line=True), v) for label, v in f.options],
                    value=f.value if f.value in {v for _, v in f.options} else Select.NULL,
                    id=f"f-{f.key}",
                    allow_blank=True,
                    prompt="(inget)",
                )
            else:
                yield Input(str(f.value or ""), placeholder=f.placeholder, id=f"f-{f.key}", compact=True)

    def on_mount(self) -> None:
        first = self.query(f"#f-{self.fields[0].key}").first()
        first.focus()
        # The fields as opened: esc after a change asks before it throws the change away (R21;
        # an administrator's new template, typed whole, was gone at esc without a word). Taken
        # here, before any key is read, so that a key typed ahead counts as typed.
        self.start_drafts()

    def draft_fields(self) -> dict:
        return self.values()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.call_after_refresh(self._in_sight, event.widget)

    def _in_sight(self, widget: Widget) -> None:
        """The focused field in sight between the title and the foot, which are docked over the
        fields' room: Textual scrolls a field into the room, under them. At 60×20 tab reached the
        e-mail field and the box "Aktiv" under the foot, out of sight (space there would have
        deactivated a person unseen)."""
        if not widget.is_attached or self.app.focused is not widget:
            return
        room = self.query_one(FieldsScroll)
        top = self.query_one(".form-title").region.bottom
        bottom = self.query_one(".form-foot").region.y
        if widget.region.bottom > bottom:
            room.scroll_relative(y=widget.region.bottom - bottom, animate=False, immediate=True)
        elif widget.region.y < top:
            room.scroll_relative(y=widget.region.y - top, animate=False, immediate=True)

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in self.fields:
            at = f"#f-{f.key}"
            if f.kind == "check":
                out[f.key] = self.query_one(at, SpaceCheckbox).value
            elif f.kind == "area":
                out[f.key] = self.query_one(at, TextArea).text
            elif f.kind == "multi":
                chosen = set(self.query_one(at, TickList).selected)
                out[f.key] = [v for _, v in f.options if v in chosen]  # in the options' order
            elif f.kind == "ordered":
                out[f.key] = self.query_one(at, OrderedSelectionList).chosen()
            elif f.kind == "select":
                value = self.query_one(at, Select).value
                out[f.key] = value if isinstance(value, str) else None
            else:
                out[f.key] = self.query_one(at, Input).value
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.one_line:
            self.action_submit()
        else:
            self.focus_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "submit_enter" or self.one_line

    def action_submit_enter(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        try:
            done = self.submit(self.values())
        except BccError as err:
            self.fail(str(err))
            return
        self.dismiss(done or "Sparat")
