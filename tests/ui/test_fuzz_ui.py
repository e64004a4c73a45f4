"""Fuzzing the dashboard with hostile text (issue 11): in every field read back from the database
(even text that bypassed intake's cleaning), the filter, the forms, the notice and templates.
The app keeps running, no error is reported, and no control character is on the screen."""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual import events

from bcc_tui.domain.roles import SYSTEM_ACTOR
from bcc_tui.services import clinic, errands, intake, people
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import schema
from bcc_tui.store import staff as staff_q
from bcc_tui.store.db import Store
from bcc_tui.ui.app import make_app
from tests.conftest import NOW, STAFF, errand_line, jsonl
from tests.hostile import BIDI, CONTROL, ESCAPES, MARKUP, ODD, hostile
from tests.ui.conftest import ctx_for, settle

# Hostile text must draw: every frame is composed, as on a terminal (tests/ui/conftest.py).
pytestmark = pytest.mark.frames

_SURROGATES = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """What SQLite can hold: everything but a lone surrogate (it cannot be encoded)."""
    return _SURROGATES.sub("?", text)


def hostile_clinic(folder: Path, texts: list[str]) -> Store:
    store = Store(folder / "f.db")
    schema.migrate(store)
    clock = FixedClock(NOW)
    system = Ctx(store, SYSTEM_ACTOR, clock)
    people.import_staff(system, jsonl(*STAFF))
    a, b, c = (texts + ["", "", ""])[:3]
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001"),
            errand_line("1177-000002", type="synpunkter_klagomal"),
            errand_line("1177-000003", received_at="2026-11-20T09:00:00+01:00"),
        ),
    )
    errands.assign(ctx_for(store, "rec1", clock), "1177-000003", "doc1")
    admin = ctx_for(store, "adm", clock)
    for name, body in ((a, b), (c, a)):
        try:
            clinic.save_template(admin, name, body)
        except Exception:
            pass
    # Text that bypassed intake (an older version, another tool): display cleans it again.
    with store.write() as conn:
        conn.execute(
            "UPDATE errands SET patient_name = ?, subject = ?, proxy_name = ?, message = ? WHERE ref = ?",
            (storable(a) or "x", storable(b), storable(c), storable(a + b) or "x", "1177-000001"),
        )
        conn.execute(
            "UPDATE errands SET patient_name = ?, subject = ? WHERE ref = ?",
            (storable(c) or "y", storable(a), "1177-000003"),
        )
        conn.execute("UPDATE staff SET name = ? WHERE username = 'doc1'", (storable(b) or "z",))
        staff_q.set_setting(
            conn, clinic.NOTICE_KEY, {"text": storable(c), "until": "2026-11-30", "author": storable(a)}
        )
    return store


def screen_text(app) -> str:
    return app.export_screenshot()


# Every fragment the strategy draws from in one text, the empty text, and a long one of
# escapes and a markup action: each run tries all of them, whatever its draw. The drawn
# examples (three, each a full dashboard session with several screenshots, which is what the
# time goes to) add mixtures, arbitrary characters and sizes up to the strategy's huge texts.
EVERY_PIECE = [
    "".join(ESCAPES + MARKUP + BIDI + ODD),
    "",
    (ESCAPES[0] + MARKUP[3] + BIDI[4]) * 2000,
]

FUZZ = settings(
    max_examples=3,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(texts=st.lists(hostile(6), min_size=3, max_size=3))
@example(texts=EVERY_PIECE)
def test_receiver_dashboard_filter_and_forms(texts):
    with tempfile.TemporaryDirectory() as tmp:
        store = hostile_clinic(Path(tmp), texts)
        app = make_app(ctx_for(store, "rec1", FixedClock(NOW)))
        seen: list[str] = []

        async def main():
            async with app.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                seen.append(screen_text(app))
                for text in texts:  # the filter
                    await pilot.press("slash")
                    app.screen.query_one("#filter").value = ""
                    app.post_message(events.Paste(text))  # as a terminal delivers a paste
                    await pilot.pause()
                    await pilot.press("enter")
                    await settle(pilot)
                    seen.append(screen_text(app))
                await pilot.press("escape")
                await settle(pilot)
                await pilot.press("enter")  # the errand, then a note with hostile text
                await settle(pilot)
                seen.append(screen_text(app))
                await pilot.press("escape")
                await settle(pilot)
                await pilot.press("n")
                await settle(pilot)
                if app.screen.query("#form-text"):
                    app.post_message(events.Paste(texts[0] or "x"))
                    await pilot.pause()
                    await pilot.press("ctrl+s")
                    await settle(pilot)
                seen.append(screen_text(app))
                await pilot.press("h")  # the handover
                await settle(pilot)
                seen.append(screen_text(app))
                return app.is_running

        running = asyncio.run(main())
        store.close()
    assert running and app.crash_line is None
    for svg in seen:
        assert not CONTROL.search(svg)


@FUZZ
@given(texts=st.lists(hostile(6), min_size=3, max_size=3))
@example(texts=EVERY_PIECE)
def test_caregiver_reply_form_with_templates_and_admin_screens(texts):
    with tempfile.TemporaryDirectory() as tmp:
        store = hostile_clinic(Path(tmp), texts)
        doc = make_app(ctx_for(store, "doc1", FixedClock(NOW)))
        adm = make_app(ctx_for(store, "adm", FixedClock(NOW)))
        seen: list[str] = []

        async def as_doc():
            async with doc.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                await pilot.press("r")  # the reply form
                await settle(pilot)
                seen.append(screen_text(doc))
                if getattr(doc.screen, "templates", None):
                    await pilot.press("ctrl+t")  # the templates' list, the first shown whole
                    await settle(pilot)
                    assert type(doc.screen).__name__ == "TemplatePicker"
                    seen.append(screen_text(doc))
                return doc.is_running

        async def as_admin():
            async with adm.run_test(size=(140, 40)) as pilot:
                await settle(pilot)
                for _ in range(5):  # every tab of the administration
                    seen.append(screen_text(adm))
                    await pilot.press("right")
                    await settle(pilot)
                return adm.is_running

        running = asyncio.run(as_doc()) and asyncio.run(as_admin())
        store.close()
    assert running and doc.crash_line is None and adm.crash_line is None
    for svg in seen:
        assert not CONTROL.search(svg)
