"""The dashboard's data feed: every read of the panes goes through its one fetch."""

import threading

from bcc_tui.services import errands
from bcc_tui.ui import feed
from bcc_tui.ui import textual_compat as compat
from bcc_tui.ui.textual_compat import notifications
from tests.ui.conftest import drive, settle


def test_first_load_filter_and_own_change_all_read_through_feed_fetch(clinic, app_for, monkeypatch):
    fetched: list[bool] = []  # per fetch: whether it ran on the UI thread
    panes: list[int] = []
    fetch, read = feed.Feed.fetch, errands.panes

    def counting_fetch(self, *args, **kwargs):
        fetched.append(threading.current_thread() is threading.main_thread())
        return fetch(self, *args, **kwargs)

    def counting_panes(*args, **kwargs):
        panes.append(1)
        return read(*args, **kwargs)

    monkeypatch.setattr(feed.Feed, "fetch", counting_fetch)
    monkeypatch.setattr(feed.errands, "panes", counting_panes)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        first = (list(fetched), app.loads)
        app.set_filter("Hugo")  # a worker
        await settle(pilot)
        await pilot.press("u")  # the person's own change: shown at once, on the UI thread
        await settle(pilot)
        return first, app.search

    (first, first_loads), search = drive(app, scenario)
    assert first and not any(first) and first_loads >= 1  # in threads: the prefetch, then workers
    assert search == "Hugo"
    assert True in fetched[len(first) + 1 :]
    assert len(panes) == len(fetched)  # no read of the panes outside the one fetch


def test_a_read_begun_before_the_persons_change_never_replaces_it(clinic, app_for, as_):
    """A poll's worker read, overtaken by the person's own change, arrives late: it must not put
    the old rows back (the version check would then keep them there)."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        old = app.feed.fetch()  # begun first …
        errands.set_urgent(as_("rec1"), "1177-000001", True)
        app.feed.reload_now()  # … the person's change drawn at once
        app.post_message(feed.PanesFetched(old))  # … and the old read arrives after it
        await settle(pilot)
        shown = app.feed.last_data
        return next(s for s in shown.open if s.ref == "1177-000001").urgent

    assert drive(app, scenario) is True


def test_a_busy_database_when_assigning_keeps_the_dashboard(clinic, app_for, monkeypatch):
    from bcc_tui.domain.errors import Busy
    from bcc_tui.ui import runner

    def busy(*_args, **_kwargs):
        raise Busy()

    monkeypatch.setattr(runner.errands, "assign_choices", busy)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        return pilot.app.is_running, app.crash_line, [n.message for n in notifications(pilot.app)]

    running, crash, notes = drive(app, scenario)
    assert running and crash is None
    assert any("upptagen" in n.lower() for n in notes), notes


def test_the_first_frame_of_the_dashboard_already_has_its_rows(clinic, app_for):
    """The prefetch is taken when the screen mounts, before its first layout: the first frame is
    painted with the rows (an empty first frame was laid out and painted again, a start's worth
    of work, and showed empty panes for a moment)."""
    app = app_for(clinic, "rec1")
    frames: list[tuple[int, ...]] = []

    def counting_display(screen, renderable):
        if renderable is not None and screen is app.dashboard:
            frames.append(tuple(t.row_count for _, t in screen.tables()))

    compat.watch_frames(app, counting_display)

    async def scenario(pilot):
        return tuple(t.row_count for _, t in app.dashboard.tables())

    rows = drive(app, scenario)
    assert all(rows) and frames and frames[0] == rows


def test_the_schema_is_asked_again_only_after_a_commit(clinic, app_for):
    """An idle dashboard's poll costs one question (data_version): the schema changes only by a
    commit, so it is asked only when something was committed (issue 31: idle costs nothing)."""
    from tests.ui.conftest import ctx_for

    app = app_for(clinic, "rec1")
    asked: list[int] = []

    async def scenario(pilot):
        reader = app.feed.reader
        outdated = reader.outdated

        def counting(**kwargs):
            asked.append(1)
            return outdated(**kwargs)

        app.feed.poll()  # up to date with what the dashboard itself wrote (its list's audit row)
        reader.outdated = counting
        for _ in range(3):
            app.feed.poll()
        idle = len(asked)
        errands.note(ctx_for(clinic, "rec2", app.ctx.clock), "1177-000001", "Ringde.")
        app.feed.poll()
        return idle, len(asked)

    assert drive(app, scenario) == (0, 1)
