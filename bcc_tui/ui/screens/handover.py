"""The shift handover (h, R28) in two acts. The outgoing receiver walks the list, most pressing
first (`space` marks an item gone through, `enter` opens it in place, `c` pins a remark on the
errand, `w` writes a note to the next receiver) and gives it over with `ctrl+s` ("Lämna över"),
asked to confirm when items were not gone through. The incoming receiver sees what was given —
the note, the remarks, which items were not gone through, what changed since — and takes over with
`t` ("Ta över"): the receipt then holds both sides. The screen follows changes made elsewhere."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import STOCKHOLM, short_date
from bcc_tui.domain.errors import BccError
from bcc_tui.domain.text import count
from bcc_tui.services import handover
from bcc_tui.ui import actions, render
from bcc_tui.ui.screens.forms import ConfirmDialog, NoteForm
from bcc_tui.ui.typed import BccScreen, FollowsChanges
from bcc_tui.ui.widgets.errand_table import categories_in
from bcc_tui.ui.widgets.footer import KeyFooter
from bcc_tui.ui.widgets.header import HeaderBar
from bcc_tui.ui.widgets.lines import LineOptions

HOLDER = 12  # the holder's room that a narrow list keeps before the day and the type


class HandoverScreen(BccScreen[None], FollowsChanges):
    BINDINGS = [
        # The footer's order: finishing the handover is cut last at 80 columns.
        Binding("escape", "app.pop_screen", "Tillbaka", id="handover_back"),
        Binding("ctrl+s", "give", "Lämna över", id="handover_give", priority=True),
        Binding("t", "take", "Ta över", id="handover_take"),
        Binding("space", "toggle_done", "Genomgången", id="handover_done", key_display="mellanslag"),
        # Named in the action table, as the forms they open are titled.
        Binding("c", "remark", actions.name("handover_remark"), id="handover_remark"),
        Binding("w", "write_note", actions.name("handover_note"), id="handover_note"),
        # The walk meets the acute signs first: K marks them handled where they are listed (it
        # did nothing here, and said nothing: a nurse's trial).
        Binding("K", "acute_handled", actions.name("acute_handled"), id="handover_acute", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._h: handover.Handover | None = None
        self._done: set[str] = set()  # the app's, from on_mount: kept when the screen closes

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.app.ctx.actor, id="header")
        yield Static(id="handover-summary", classes="handover-summary")
        yield LineOptions(id="handover-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._done = self.app.handover_ticks  # the same set: a tick stays after esc
        self.load()
        self.query_one(OptionList).focus()

    def follow(self) -> None:
        """Another process changed something (an import, a remark, a give): read it again,
        unaudited (R15: nobody asked), the marks and the cursor kept."""
        self.load(audited=False)

    def tick(self, now) -> None:
        self.query_one(HeaderBar).set_time(now)

    # -- data ---------------------------------------------------------------------------------

    def load(self, audited: bool = True) -> None:
        try:
            h = handover.handover(self.app.ctx, audited=audited)
        except BccError as err:
            self.app.notify(str(err), severity="error", markup=False)
            if audited:
                self.app.pop_screen()
            return
        first_given = h.given is not None and (self._h is None or self._h.given != h.given)
        self._h = h
        listed = {i.ref for i in h.items}
        if first_given and h.given is not None and h.given.author != self.app.ctx.actor.username:
            # The incoming receiver sees the giver's walk: what was not gone through stands out.
            self._done |= set(h.given.done)
        self._done &= listed
        header = self.query_one(HeaderBar)
        header.set_roster(h.today, h.names)
        header.set_time(self.app.ctx.now())
        self._summary()
        ol = self.query_one(OptionList)
        keep = ol.highlighted
        ol.clear_options()
        options: list[Option] = []
        for category, items in h.by_category():
            count = h.count(category)
            options.append(
                Option(Text(f"{h.title(category)} ({count})", style="bold reverse"), disabled=True)
            )
            options += [Option(self._row(i), id=f"item:{i.ref}") for i in items]
            if count > len(items):
                options.append(
                    Option(
                        Text(f"    … och {count - len(items)} till (de mest brådskande visas)", style="dim"),
                        disabled=True,
                    )
                )
            if not items:
                options.append(Option(Text("    Inga.", style="dim"), disabled=True))
        ol.add_options(options)
        if keep is not None and keep < len(options):
            ol.highlighted = keep
        else:
            ol.action_first()

    def _summary(self) -> None:
        h = self._h
        if h is None:
            return
        t = Text()
        t.append("Överlämning", style="bold underline")
        t.append(f"  {len(self._done)} av {len(h.items)} genomgångna", style="bold")
        if h.total > len(h.items):
            t.append(
                f" (de {len(h.items)} mest brådskande av {count(h.total, 'öppen punkt', 'öppna punkter')})",
                style="dim",
            )
        g = h.given
        if g is not None:
            at = render.local(g.at)
            mine = g.author == self.app.ctx.actor.username
            t.append("\nDu lämnade över" if mine else "\nLämnad över av ", style="bold yellow")
            if not mine:
                t.append_text(render.safe(g.author_name, "bold yellow", one_line=True))
            t.append(f" {short_date(at.date())} {at:%H:%M}: {len(g.done)} av {len(g.listed)} genomgångna")
            t.append(" · väntar på att nästa mottagare tar över" if mine else " · t: ta över", style="dim")
            if g.note:
                t.append("\nAnteckning: ", style="bold yellow")
                t.append_text(render.safe(g.note, one_line=True))
        c = h.changes
        t.append("\nSedan förra överlämningen", style="bold")
        if c.since:
            local = c.since.astimezone(STOCKHOLM)
            t.append(f" ({short_date(local.date())} {local:%H:%M}): ")
            t.append(
                f"{count(c.arrived[0], 'nytt', 'nya')} · {count(c.closed[0], 'avslutat', 'avslutade')}"
                f" · {count(c.overdue[0], 'blev försenat', 'blev försenade')}"
                f" · {count(len(c.remarks), 'anmärkning', 'anmärkningar')}"
            )
        else:
            t.append(": ingen har tagit över än", style="dim")
            if c.remarks:
                t.append(f" · {count(len(c.remarks), 'anmärkning', 'anmärkningar')}")
        # The note given with the handover is shown above as its note, not a second time; one
        # written this shift by the person reading is theirs to the next, not "from" anyone.
        if h.note and not (g is not None and g.note == h.note.text):
            at = render.local(render.parse_utc(h.note.at))
            mine = h.note.author == self.app.ctx.actor.username
            t.append(
                "\nDin anteckning till nästa pass: " if mine else "\nFrån förra passet: ", style="bold yellow"
            )
            t.append_text(render.safe(h.note.text, one_line=True))
            t.append(" — ", style="dim")
            t.append_text(render.safe(h.note.author_name or h.note.author, "dim", one_line=True))
            t.append(f", {short_date(at.date())} {at:%H:%M}", style="dim")
        self.query_one("#handover-summary", Static).update(t)

    def _row(self, item: handover.Item) -> Text:
        s = item.summary
        names = self._h.names if self._h else {}
        t = Text("  ")
        t.append(
            "✓ " if item.ref in self._done else "· ", style="bold green" if item.ref in self._done else "dim"
        )
        marks = render.marks(s)
        marks.pad_right(max(0, 3 - marks.cell_len))  # the marks vary in number; the columns must not
        t.append_text(marks)
        t.append(" ")
        t.append_text(render.safe(s.ref, "bold", one_line=True))
        t.append("  ")
        # R11: an acute errand by its signs ("Feber"), as the dashboard's rows: its type said
        # only "Meddelande".
        kind = (
            Text(f"{categories_in(s.acute_categories, 14):<15}", style="bold red")
            if s.acute_pinned
            else Text(f"{e.type_short(s.type):<15}")
        )
        sla = render.sla_cell(s, self.app.ctx.now())
        sla.pad_right(max(0, 15 - sla.cell_len))
        received = s.received_at.astimezone(STOCKHOLM)
        arrived = Text(f" {short_date(received.date()):<12}", style="dim")
        # One line per errand: a long name is cut at the edge rather than wrapped under the ref.
        # A remark is the next shift's message: it is shown whole, on a second line if need be.
        width = self.query_one(OptionList).scrollable_content_region.width - 2  # the option's padding
        # Narrow: who holds it matters more than the day it came, then than its type (R28, R32).
        parts = [kind, sla, arrived]
        # The same for every row, so the columns line up: room for a holder of HOLDER cells.
        for optional in (arrived, kind):
            if width <= 0 or t.cell_len + sum(p.cell_len for p in parts) + HOLDER <= width:
                break
            parts.remove(optional)
        if kind not in parts and s.acute_pinned:
            # Acute signs are named where the time left stood (as wide): at 60×20 the row said
            # "✚ 1177-260764 1 vd kvar", and not what to call the family about (a nurse's trial).
            parts[parts.index(sla)] = kind
        for part in parts:
            t.append_text(part)
        if arrived not in parts:
            t.append(" ")
        if s.assignee:
            t.append_text(render.holder(s, names, width - t.cell_len if width > 0 else None))
        if width > 0:
            t.truncate(width, overflow="ellipsis")
        if item.remark:
            t.append("  ¶ ", style="bold cyan")
            t.append_text(render.safe(item.remark.text, "cyan", one_line=True))
        return t

    def on_resize(self) -> None:
        # The rows were cut to the old width; the errands are the same, so no new query.
        if self._h is None:
            return
        ol = self.query_one(OptionList)
        for item in self._h.items:
            ol.replace_option_prompt(f"item:{item.ref}", self._row(item))

    def _highlighted_item(self) -> handover.Item | None:
        ol = self.query_one(OptionList)
        if ol.highlighted is None or self._h is None:
            return None
        option = ol.get_option_at_index(ol.highlighted)
        if not option.id or not option.id.startswith("item:"):
            return None
        ref = option.id.split(":", 1)[1]
        return next((i for i in self._h.items if i.ref == ref), None)

    # -- actions --------------------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id.startswith("item:"):
            self.app.open_errand(event.option.id.split(":", 1)[1])

    def on_screen_resume(self) -> None:
        self.load()

    def action_toggle_done(self) -> None:
        item = self._highlighted_item()
        if item is None:
            return
        self._done ^= {item.ref}
        ol = self.query_one(OptionList)
        ol.replace_option_prompt(f"item:{item.ref}", self._row(item))
        self._summary()
        if item.ref in self._done:
            ol.action_cursor_down()  # on to the next item, as a checklist goes

    def action_acute_handled(self) -> None:
        item = self._highlighted_item()
        if item is None:
            self.app.notify("Välj ett ärende i listan först", markup=False)
            return
        self.app.runner.acute_handled(item.summary)

    def action_remark(self) -> None:
        item = self._highlighted_item()
        if item is None:
            self.app.notify("Välj ett ärende i listan först", markup=False)
            return

        def done(result) -> None:
            if result is None:
                return
            try:
                handover.pin_remark(self.app.ctx, item.ref, result.text)
            except BccError as err:
                self.app.notify(str(err), severity="error", markup=False)
                return
            self.app.notify(f"Anmärkningen fäst på {item.ref} till nästa pass", markup=False)
            self.load()

        self.app.push_screen(
            NoteForm(
                item.ref,
                title=actions.name("handover_remark"),
                subtitle_text="Anmärkning till nästa pass (visas på ärendet "
                "tills nästa mottagare har tagit över)",
            ),
            done,
        )

    def action_write_note(self) -> None:
        def done(result) -> None:
            if result is not None:
                try:
                    handover.add_note(self.app.ctx, result.text)
                except BccError as err:
                    self.app.notify(str(err), severity="error", markup=False)
                    return
                self.app.notify("Anteckningen sparad till nästa pass", markup=False)
                self.load()

        self.app.push_screen(
            NoteForm(
                "överlämning",
                title=actions.name("handover_note"),
                subtitle_text="Till nästa ärendemottagare: vad behöver hen veta?",
            ),
            done,
        )

    def action_give(self) -> None:
        h = self._h
        if h is None:
            return
        listed = [(i.ref, i.category) for i in h.items]
        done = sorted(self._done)

        def give(confirmed: bool | None = True) -> None:
            if not confirmed:
                return
            try:
                given = handover.give(self.app.ctx, listed=listed, done=done)
            except BccError as err:
                self.app.notify(str(err), severity="error", markup=False)
                return
            self.app.notify(
                f"Överlämningen lämnad: {len(given.done)} av {len(given.listed)} genomgångna; "
                "den väntar tills nästa mottagare tar över",
                markup=False,
            )
            self._done.clear()
            self.app.pop_screen()

        if len(done) < len(listed):
            # R11: the acute signs nobody has handled are named apart, not lost in the count.
            acute = sum(1 for i in h.items if i.summary.acute_pinned and i.ref not in self._done)
            self.app.push_screen(
                ConfirmDialog(
                    f"{len(done)} av {len(listed)} genomgångna — lämna över ändå?",
                    (
                        f"{count(acute, 'ärende', 'ärenden')} med akuta tecken som inte hanterats är inte "
                        f"{'genomgånget' if acute == 1 else 'genomgångna'}. "
                        if acute
                        else ""
                    )
                    + "De som inte gåtts igenom visas för nästa mottagare.",
                    yes="Lämna över",
                ),
                give,
            )
        else:
            give()

    def action_take(self) -> None:
        h = self._h
        if h is None:
            return
        try:
            receipt = handover.take(
                self.app.ctx, listed=[(i.ref, i.category) for i in h.items], done=sorted(self._done)
            )
        except BccError as err:
            self.app.notify(str(err), severity="error", markup=False)
            return
        self._done.clear()
        self.app.notify(receipt.said(h.names), markup=False)
        self.app.pop_screen()
