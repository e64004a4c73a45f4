"""Type-ahead (issue 27): keys apply in order, as if typed slowly, whatever screen is opening or
closing.

Textual picks a key's target when the app takes the key from its queue: the focused widget of
the screen on top at that moment. What the key before it set going may not have happened yet: a
receiver triaging with `a` `enter` `a` `enter` … is faster than the screens. An `enter` that came
while the assign form was being mounted went to a screen with nothing focused and was dropped; an
`a` that came while the form was still sending went into the form's filter box and vanished with
the form, and the `enter` after it reached the dashboard and opened an errand.

So a key, or a paste (`/` and a pasted personnummer: the text went to the pane, not the box), is
routed only once the app has finished with everything before it: no screen or widget still being
mounted, no message waiting in any queue of the app or of a screen on the stack, no callback
pending. One that comes sooner is kept, in order, and replayed through the app's own queue when
that moment comes; the decision is taken again when it arrives there. Nothing is held for ever:
after HOLD_LIMIT seconds in which the app ran without settling, the oldest goes on as Textual
would have sent it.

What "finished" means is read from Textual's message pumps (`_message_queue`, `_next_callbacks`,
`_closing`, through ui/textual_compat.py): tests/ui/test_textual_compat.py fails if a Textual
release no longer has them, rather than the dashboard quietly going back to routing keys early.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events
from textual.widget import Widget

from bcc_tui.ui import textual_compat as compat

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.timer import Timer

Typed = events.Key | events.Paste

CHECK_EVERY = 0.002  # seconds between looks while keys are kept
HOLD_LIMIT = 2.0  # seconds of the app running without settling before a kept key goes on anyway


def busy(pump: MessagePump) -> bool:
    """Whether a message pump still has work that may change where a key goes."""
    if compat.closing(pump):
        return False  # going away: nothing of it decides a key's route any more
    if isinstance(pump, Widget) and not pump.is_mounted:
        # A widget or screen composing or mounting (Textual does both outside the queue); the
        # app's own `is_mounted` is another thing, a method asking about a widget.
        return True
    return compat.pending(pump)


class TypeAhead:
    """The app's keys, one at a time: `admit` says whether a key may be routed now."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.held: deque[Typed] = deque()
        self._replaying: Typed | None = None  # posted back to the app, not yet arrived
        self._timer: Timer | None = None
        self._unsettled = 0  # looks in a row that found the app busy
        self.kept = 0  # keys kept at least once (for tests and the benchmark)
        self.forced = 0  # keys sent on by HOLD_LIMIT
        # Whether a key must wait for a write in flight (the app's runner says): see _waits.
        self.holds: Callable[[Typed], bool] | None = None

    def settled(self) -> bool:
        """Nothing pending anywhere a key could be routed to (the app and every screen on the
        stack, with everything on them)."""
        app = self.app
        try:
            return not busy(app) and not any(
                busy(node) for screen in app.screen_stack for node in screen.walk_children(with_self=True)
            )
        except Exception:  # never a reason to end the dashboard: keys then go as Textual sends them
            return True

    def admit(self, event: Typed) -> bool:
        """Called on the app's own queue for every key and paste from the terminal: True to route
        it now, False when it is kept (it comes back through the app's queue in its turn)."""
        if event is self._replaying:
            self._replaying = None
            if self._waits(event):
                self.held.appendleft(event)  # a write still in flight: it waits again, first
                self._watch()
                return False
            if self.settled() or self._overdue():
                self._routed()
                return True
            self.held.appendleft(event)  # something came up meanwhile: it waits again, first
        elif not self.held and self._replaying is None and not self._waits(event) and self.settled():
            return True
        else:
            self.held.append(event)
            self.kept += 1
        self._watch()
        return False

    def _waits(self, event: Typed) -> bool:
        """A key that must wait for a write in flight (ui/runner.py, `holds`): not counted towards
        HOLD_LIMIT, since the write ends by itself (the database's busy timeout at most)."""
        holds = self.holds
        return holds is not None and holds(event)

    def _overdue(self) -> bool:
        if self._unsettled * CHECK_EVERY < HOLD_LIMIT:
            return False
        self.forced += 1
        return True

    def _routed(self) -> None:
        self._unsettled = 0
        if not self.held and self._timer is not None:
            self._timer.pause()

    def _watch(self) -> None:
        if self._timer is None:
            self._timer = self.app.set_interval(CHECK_EVERY, self._look, name="typeahead")
        else:
            self._timer.resume()

    def _look(self) -> None:
        """Every CHECK_EVERY while keys are kept: send the oldest back once the app has settled.
        The loop's own stalls (a long service call) do not count towards HOLD_LIMIT: only looks do."""
        if self._replaying is not None:
            return
        if not self.held:
            if self._timer is not None:
                self._timer.pause()
            return
        if self._waits(self.held[0]):
            return
        if self.settled():
            self._unsettled = 0
        else:
            self._unsettled += 1
            if self._unsettled * CHECK_EVERY < HOLD_LIMIT:
                return
        kept = self.held.popleft()
        # A fresh event: the kept one has been through the app's dispatch once already.
        again: Typed = (
            events.Key(kept.key, kept.character) if isinstance(kept, events.Key) else events.Paste(kept.text)
        )
        again.set_sender(self.app)
        self._replaying = again
        if not self.app.post_message(again):
            self._replaying = None  # the app is closing: the keys go with it
            self.held.clear()
