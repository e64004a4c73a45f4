"""The dashboard's data feed: every read of the panes goes through its one fetch."""

import threading

from bcc_tui.services import errands
from bcc_tui.ui import feed
from tests.ui.conftest import drive, settle


def test_first_load_filter_and_own_change_all_read_through_feed_fetch(clinic, app_for, monkeypatch):
    fetched: list[bool] = []  # per fetch: whether it ran on the UI thread
    panes: list[int] = []
    fetch, read = feed.Feed.fetch, errands.panes

    def counting_fetch(self):
        fetched.append(threading.current_thread() is threading.main_thread())
        return fetch(self)

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
