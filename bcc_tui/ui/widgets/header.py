"""The top bar: who is on duty today, who is absent, the time — from the roster, not the panes."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.widgets import Static

from bcc_tui.domain import business_days as bd
from bcc_tui.domain.errors import BccError
from bcc_tui.domain.roles import SHORT_ROLE_NAMES, Actor
from bcc_tui.domain.validation import NAME_MAX
from bcc_tui.services import people
from bcc_tui.services.clinic import NOTICE_MAX
from bcc_tui.services.context import Ctx
from bcc_tui.services.people import Today
from bcc_tui.ui import render


def roster(ctx: Ctx, last: tuple[Today, dict[str, str]] | None) -> tuple[Today | None, dict[str, str]]:
    """Today's roster and the staff's names: from the dashboard's last load when there is one (a
    receiver's or caregiver's), else read (an administrator's or auditor's screens)."""
    if last is not None:
        return last
    try:
        names = {s.username: s.name for s in people.staff_list(ctx)}
        return people.roster_days(ctx, ctx.today(), 1)[0], names
    except BccError:
        return None, {}  # the screen's own data matters more; it says so if it cannot be read


_SHORT_AWAY = {"avaktiverad": "avakt.", "frånvarande": "frånv."}


class HeaderBar(Static):
    DEFAULT_CSS = """
    HeaderBar { height: auto; background: $primary-background; color: $text; padding: 0 1; }
    """

    def __init__(self, actor: Actor, **kwargs) -> None:
        super().__init__(**kwargs)
        self.actor = actor
        self.today: Today | None = None
        self.names: dict[str, str] = {}
        self.now: dt.datetime | None = None
        self.notice = None
        self.waiting = None  # R28: a handover given and not yet taken
        self._shown: Text | None = None

    def set_roster(self, today: Today | None, names: dict[str, str]) -> None:
        self.today, self.names = today, names
        self._draw()

    def set_notice(self, notice) -> None:
        """R17: the administrator's information, shown until it expires."""
        if notice != self.notice:
            self.notice = notice
            self._draw()

    def set_waiting(self, waiting) -> None:
        """R28: "Överlämning från Maria Berg väntar" until someone takes over."""
        if waiting != self.waiting:
            self.waiting = waiting
            self._draw()

    def set_time(self, now: dt.datetime) -> None:
        # The header shows minutes: a tick within the same minute changes nothing on screen.
        same_minute = self.now is not None and render.local(self.now).replace(
            second=0, microsecond=0
        ) == render.local(now).replace(second=0, microsecond=0)
        self.now = now
        if not same_minute:
            self._draw()

    def _person(self, username: str | None) -> str:
        if not username:
            return "–"
        return self.names.get(username, username)

    def on_resize(self) -> None:
        self._draw()

    def _line1(self, *, short: bool, with_roles: bool) -> Text:
        line1 = Text()
        line1.append("1177" if short else "1177 · Barncancercentrum", style="bold")
        if self.now:
            local = render.local(self.now)
            line1.append(f"  {bd.short_date(local.date())} {local:%H:%M}")
        line1.append("  │  ")
        line1.append(render.line(self.actor.name, NAME_MAX), style="bold")
        if with_roles:
            line1.append(
                f" ({', '.join(SHORT_ROLE_NAMES.get(r, r) for r in sorted(self.actor.roles))})", style="dim"
            )
        return line1

    def _roster_line(self, narrow: bool) -> Text:
        """The day's receiver (and why she is not there), the top doctor and who is away."""
        line = Text()
        today = self.today
        if today is None:
            return line
        # At 80 columns the names are shortened so that the absent still fit on the line.
        wide = self.size.width >= 110
        name = self._person if wide else (lambda u: render.person_short(u, self.names))
        line.append("Mottagare idag: " if wide else "Mottagare: ", style="dim")
        line.append(render.line(name(today.receiver), NAME_MAX), style="bold")
        away = today.receiver_away
        if away is not None:
            line.append(f" ({away if wide else _SHORT_AWAY[away]})", style="bold yellow")
        line.append(" · Överst på schemat: " if wide else " · Överst: ", style="dim")
        line.append(render.line(name(today.top_doctor), NAME_MAX), style="bold")
        if today.on_leave:
            # Narrow: the absent on a line of their own rather than a name broken in two.
            line.append(
                " · Frånvarande: " if wide else "\nFrånv.: " if narrow else " · Frånv.: ", style="dim"
            )
            line.append(
                ", ".join(
                    render.line(render.person_short(u, self.names), NAME_MAX) for u in sorted(today.on_leave)
                ),
                style="yellow",
            )
        return line

    def _draw(self) -> None:
        # Below 80 columns the clinic's name gives way, so that the person's name stays whole; where
        # even that is too long (a person with several roles), the roles go before the name breaks.
        narrow = 0 < self.outer_size.width < 80
        line1 = self._line1(short=narrow, with_roles=True)
        width = self.size.width
        if width and line1.cell_len > width:
            line1 = self._line1(short=True, with_roles=True)
            if line1.cell_len > width:
                line1 = self._line1(short=True, with_roles=False)
            line1.truncate(width, overflow="ellipsis")  # a name longer than the line: its end goes
        line2 = self._roster_line(narrow)
        lines = [line1, line2]
        if self.waiting is not None:
            at = render.local(render.parse_utc(self.waiting.at))
            waiting = Text(" ⇄ Överlämning från ", style="bold black on cyan")
            waiting.append(render.line(self.waiting.name, NAME_MAX))
            waiting.append(f" ({at:%H:%M}) väntar · h ", style="bold black on cyan")
            waiting.stylize("bold black on cyan")
            if width and waiting.cell_len > width:
                waiting.truncate(width, overflow="ellipsis")
            lines.append(waiting)
        if self.notice is not None:
            until = f" (t.o.m. {self.notice.until:%Y-%m-%d}) "
            said = render.line(self.notice.text, NOTICE_MAX)
            if width and 0 < self.app.size.height < 30:
                # A short terminal gives the notice two lines at most: at 60×20 one of four lines
                # had pushed the acute errands below Ofördelade's first row out of sight. The
                # whole notice is on a taller screen and on the administrator's tab.
                room = 2 * width - len(until) - 4
                if len(said) > room:
                    said = said[: max(0, room - 1)].rstrip() + "…"
            lines.append(Text(f" ℹ {said}{until}", style="bold black on yellow"))
        text = Text("\n").join(lines)
        # An idle terminal over SSH stays quiet: nothing is repainted that did not change.
        if text != self._shown:
            self._shown = text
            self.update(text)
