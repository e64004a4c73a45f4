"""Dashboard tests: a real database file, a frozen clock, the app from make_app, Pilot for keys."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
from contextlib import asynccontextmanager

import pytest
from textual.app import App

from bcc_tui.services import demo, errands, intake
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from bcc_tui.services.people import actor_from_row
from bcc_tui.store import staff as staff_q
from bcc_tui.store.db import Store
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.app import make_app
from bcc_tui.ui.widgets import announcement
from tests.conftest import NOW, errand_line, jsonl

# Pilot waits for "idle" by sleeping in 20 ms slices until one passes with (almost) no CPU used:
# two per key press and one per pause. Those sleeps were half of a dashboard test's time, so
# the suite's workers sat idle while the machine had cores free. The same test in 5 ms slices
# (idle: under 0.25 ms of CPU in one). What a test waits for explicitly (workers, conditions)
# is unchanged; `settle` below still waits for every worker.
# Both this and the style cache below lean on Textual's internals (ui/textual_compat.py, pinned by
# test_textual_compat.py): a release without them costs the suite speed, never the run.
compat.fast_pilot(1 / 200)
# Each CSS source parsed once per worker, not again by every app (and by every app's first showing
# of each screen class): about a tenth of starting a dashboard.
compat.share_css_parses()
# A headless dashboard composes the frames a test reads (a screenshot, watched frames, the screen
# read by tests/ui/cut.py), not each one on its way to no terminal: a fifth of the dashboard tests'
# CPU. Every test's last screen is still drawn whole once, as it ends (run_test below), so a line
# that cannot be drawn fails the test that left it there; `@pytest.mark.frames` draws every frame,
# for tests of what reaches a terminal frame by frame or of text that must draw (untrusted text).
compat.frames_when_read()
_run_test = App.run_test


@asynccontextmanager
async def _run_test_drawn(self, *args, **kwargs):
    async with _run_test(self, *args, **kwargs) as pilot:
        yield pilot
        if compat.open_and_running(self) and self.screen_stack:
            compat.draw(self)


App.run_test = _run_test_drawn


@pytest.fixture(autouse=True)
def _frames_as_marked(request):
    compat.every_frame(request.node.get_closest_marker("frames") is not None)
    yield
    compat.every_frame(False)


@pytest.fixture(autouse=True)
def _no_dead_widgets_kept():
    """Textual's `StylesCache.get_inner_outer` is an lru_cache on a method: it keeps the last
    1024 widgets' style caches, with every line they drew, alive after their app has ended (a
    Textual bug: docs/upstream.md). Across
    a worker's tests that was most of the heap, which every collection of the older generations
    walked again (a tenth of the UI tests' time). Emptied after each test."""
    yield
    compat.forget_styles()


@pytest.fixture(autouse=True)
def _toasts_outlast_a_busy_machine(monkeypatch):
    """A toast (and an announcement) lasts its seconds by the wall clock: on a machine kept busy a scenario outlasted
    it, and a test reading the toasts at its end found none. In tests they stay for the run."""
    from textual.app import App

    notify = App.notify

    def lasting(self, message, *, title="", severity="information", timeout=None, markup=True):
        return notify(self, message, title=title, severity=severity, timeout=3600, markup=markup)

    monkeypatch.setattr(App, "notify", lasting)
    monkeypatch.setattr(announcement, "SHOWN_FOR", 3600.0)  # R23's announcements likewise


def announced(screen) -> list[str]:
    """What the screen's announcement box says now (R23)."""
    racks = screen.query_children(announcement.AnnouncementRack)
    return [text for text, _, _ in racks.first().box.lines] if racks else []


async def partial_reply_form(pilot, keys=("tab",)) -> tuple[str, str]:
    """`p` after `keys` (the assigned pane by default): the partial reply form's text and its
    subtitle (its cautions)."""
    from bcc_tui.ui.screens.forms import PartialReplyForm

    await pilot.press(*keys, "p")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, PartialReplyForm)
    return form.query_one("#form-text").text, str(form.query_one(".form-subtitle").render())


def acute_errand_of_doc1(system: Ctx, as_) -> None:
    """An errand with acute signs, not yet handled, that a receiver gave doc1."""
    acute_errand(system, "Hon har feber 39,2.")
    errands.assign(as_("rec1"), "1177-000077", "doc1")


def acute_errand(system: Ctx, message: str = "Hon har feber 39,2.", ref: str = "1177-000077") -> None:
    """One errand with acute signs (R11), arrived the frozen morning: pinned at Ofördelade's top."""
    intake.import_errands(
        system, jsonl(errand_line(ref, message=message, received_at="2026-11-25T09:00:00+01:00"))
    )


def ctx_for(store: Store, username: str, clock) -> Ctx:
    with store.read() as conn:
        return Ctx(store, actor_from_row(staff_q.by_username(conn, username)), clock)


async def settle(pilot) -> None:
    """Wait until the worker has loaded and the screen has caught up."""
    app = pilot.app
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def prompts(option_list) -> list[str]:
    """What an OptionList shows, option by option, as plain text."""
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


def still(app) -> None:
    """No blinking cursors in screenshots."""
    for w in app.screen.query("Input, TextArea"):
        w.cursor_blink = False


def visible_keys(app) -> list[str]:
    """The keys the screen's one footer, on the bottom row, shows inside the terminal's width,
    left to right."""
    from bcc_tui.ui.widgets.footer import KeyFooter

    footers = list(app.screen.query(KeyFooter))
    assert len(footers) == 1, type(app.screen).__name__
    width, height = app.size
    footer = footers[0]
    assert footer.region.height >= 1 and footer.region.bottom == height and footer.region.right <= width
    shown = footer.shown()
    assert sum(e.width for e in shown) + len(shown) - 1 <= footer.region.width  # each key whole
    return [e.key for e in shown]


def drive(app, scenario, size=(80, 24)):
    """Run `scenario(pilot)` against the app headless and return what it returns."""

    async def main():
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            return await scenario(pilot)

    return asyncio.run(main())


@pytest.fixture
def clinic(system, as_, store):
    """A small clinic: an urgent complaint, a normal one, two prescriptions (one overdue),
    one assigned errand and one closed."""
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", received_at="2026-11-25T08:00:00+01:00"),
            errand_line(
                "1177-000002",
                received_at="2026-11-20T09:00:00+01:00",
                patient={"name": "Hugo Karlsson", "personnummer": "20180101-0016"},
            ),
            errand_line(
                "1177-000003",
                type="synpunkter_klagomal",
                urgent=True,
                received_at="2026-11-25T07:00:00+01:00",
                contact_preference="telefon",
                phone="070-111 22 33",
            ),
            errand_line("1177-000004", type="synpunkter_klagomal", received_at="2026-11-24T07:00:00+01:00"),
            errand_line("1177-000005", type="kontakta_mig", received_at="2026-11-24T12:00:00+01:00"),
            errand_line("1177-000006", type="begar_intyg", received_at="2026-11-23T12:00:00+01:00"),
        ),
    )
    errands.assign(as_("rec1"), "1177-000005", "doc1")
    errands.assign(as_("rec1"), "1177-000006", "doc2")
    errands.reply(as_("doc2"), "1177-000006", "Intyget skickas i dag.")
    return store


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    """The demo clinic built once per test session (it takes a second); each test gets a copy."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"
    store = Store(path)
    demo.build(store, FixedClock(NOW))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def demo_db(tmp_path, _demo_template):
    """The demo clinic on the frozen clock: the same screen every run, a private copy per test."""
    path = tmp_path / "demo.db"
    shutil.copyfile(_demo_template, path)
    os.chmod(path, 0o600)
    store = Store(path)
    yield store
    store.close()


@pytest.fixture
def app_for():
    made = []

    def make(store: Store, username: str, clock=None, **kw):
        app = make_app(ctx_for(store, username, clock or FixedClock(NOW)), **kw)
        made.append(app)
        return app

    return make


def demo_receiver(store: Store) -> str:
    return demo.today_receiver(store, FixedClock(NOW))


__all__ = ["NOW", "ctx_for", "drive", "dt", "settle", "still"]
