"""Issue 16, Swedish throughout: every screen a receiver, a doctor or an auditor reads, swept for
English words, role codes, requirement codes and user names where a person's name belongs."""

from __future__ import annotations

import re

import pytest

from bcc_tui.ui.screens.audit import AuditScreen
from tests.ui.conftest import drive, settle
from tests.ui.test_layout import screen_text
from tests.ui.test_snapshots import app_on

ENGLISH = re.compile(
    r"\b(the|and|of|to|is|not|search|commands?|matches|refused|quit|back|help|close|save|cancel|"
    r"assign|reply|receiver|caregiver|admin|auditor|doctor|nurse|title|username|roles?|name|"
    r"overdue|due|urgent|note|theme|keys|screenshot|press)\b",
    re.IGNORECASE,
)
REQUIREMENT = re.compile(r"\bR\d{1,2}\b")


def _users(store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT username FROM staff")}


# Each person's screens, read in one dashboard: (keys from the first screen, the screen they open),
# each left with esc; the first screen read first and, with the second pane focused, last.
SCREENS = {
    "annlin": [
        ((), "DashboardScreen"),
        (("enter",), "ErrandScreen"),
        (("h",), "HandoverScreen"),
        (("s",), "StatsScreen"),
        (("question_mark",), "HelpScreen"),
        (("tab", "enter"), "ErrandScreen"),
        ((), "DashboardScreen"),
    ],
    "erilin": [((), "DashboardScreen"), (("enter",), "ErrandScreen"), (("question_mark",), "HelpScreen")],
    "gunbjo": [((), "AuditScreen"), (("question_mark",), "HelpScreen")],
}


@pytest.mark.parametrize("who", list(SCREENS))
def test_every_screen_reads_swedish(demo_db, who):
    app = app_on(demo_db, who)

    async def scenario(pilot):
        await settle(pilot)
        first = len(app.screen_stack)
        read = []
        for keys, _ in SCREENS[who]:
            await pilot.press(*keys)
            await settle(pilot)
            texts = [screen_text(app)]
            # Help is long: read it all, page by page, until a page shows nothing new.
            for _ in range(12):
                await pilot.press("pagedown")
                await pilot.pause()
                texts.append(screen_text(app))
                if texts[-1] == texts[-2]:
                    break
                if isinstance(app.screen, AuditScreen):
                    break  # the log reads older rows as it is paged through: its words repeat
            else:
                raise AssertionError(f"{type(app.screen).__name__}: still more after 12 pages")
            read.append((keys, type(app.screen).__name__, "\n".join(texts)))
            while len(app.screen_stack) > first:
                await pilot.press("escape")
                await settle(pilot)
        return read

    read = drive(app, scenario, size=(200, 50))
    assert [name for _, name, _ in read] == [name for _, name in SCREENS[who]]
    for keys, name, text in read:
        assert not ENGLISH.findall(text), (keys, name, sorted(set(ENGLISH.findall(text))))
        assert not REQUIREMENT.findall(text), (keys, name)
        if name != "AuditScreen":  # the log's details quote user names next to names, as a log should
            shown = {u for u in _users(demo_db) if re.search(rf"\b{u}\b", text)}
            assert not shown, (keys, name, shown)
