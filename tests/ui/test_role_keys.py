"""Issue 14/16: each person is offered only the actions they may take — in the footer, by key,
in the command palette and in help — all from the one action table (bcc_tui/ui/actions.py)."""

from __future__ import annotations

import pytest

from bcc_tui.domain import roles
from bcc_tui.ui import actions
from bcc_tui.ui.textual_compat import notifications
from tests.ui.conftest import drive, settle, visible_keys

RECEIVER_ONLY = ("assign", "urgent", "remind", "handover", "move_all")


def _palette(app) -> list[str]:
    return [c.title for c in app.get_system_commands(app.screen)]


def _footer_ids(app) -> set[str]:
    """The binding ids the app would show in its footer now."""
    shown = set()
    for active in app.screen.active_bindings.values():
        binding = active.binding
        if binding.show and active.enabled and app.check_action(binding.action, ()) is not False:
            shown.add(binding.id)
    return shown


def test_caregiver_keys_for_receivers_do_nothing(clinic, app_for):
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        await settle(pilot)
        screen = app.screen
        for key in ("a", "u", "m", "h", "f2", "f3"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen, key  # no form, no screen
        return list(notifications(app)), _palette(app), _footer_ids(app)

    notes, palette, footer = drive(app, scenario)
    assert notes == []  # not even a refusal: the keys are not hers
    forbidden = [a for a in actions.ACTIONS if a.title and not actions.may(app.ctx.actor, a)]
    assert {a.id for a in forbidden} >= set(RECEIVER_ONLY) | {"admin", "audit"}
    for a in forbidden:
        assert a.title not in palette
    assert "Besvara" in palette and "Delsvar" in palette
    assert not footer & {"assign", "urgent", "remind", "handover"}
    assert {"reply", "help", "quit"} <= footer


def test_receiver_keeps_every_receiver_key(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        return type(app.screen).__name__, _palette(app)

    screen, palette = drive(app, scenario)
    assert screen == "AssignForm"
    assert "Fördela / omfördela" in palette and "Överlämning" in palette
    assert "Administration" not in palette  # rec1 is no administrator


@pytest.mark.parametrize("username", ["annlin", "erilin", "lenwal", "gunbjo", "evasan"])
def test_palette_lists_no_forbidden_action(demo_db, app_for, username):
    app = app_for(demo_db, username, poll_interval=3600)

    async def scenario(pilot):
        await settle(pilot)
        return _palette(app)

    palette = drive(app, scenario)
    actor = app.ctx.actor
    for a in actions.ACTIONS:
        if a.title:
            assert (a.title in palette) == actions.may(actor, a), (username, a.id)
    if actor.has(roles.AUDITOR) and not actor.has(roles.ADMIN):
        assert list(actions.palette(actor)) and all(
            a.permission in (None, "audit", "own_settings") for a in actions.palette(actor)
        )


def test_help_lists_only_the_persons_keys(clinic, app_for):
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        return type(app.screen).__name__

    assert drive(app, scenario) == "HelpScreen"
    keys = [k for k, _ in actions.help_keys(app.ctx.actor)]
    assert "r" in keys and "?" in keys
    assert not {"a", "u", "m", "h", "F2", "F3", "ctrl+a"} & set(keys)


def test_every_permission_named_by_the_table_exists():
    for a in actions.ACTIONS:
        assert a.permission is None or a.permission in roles.PERMISSIONS, a.id


def _footer_keys(app) -> list[str]:
    from bcc_tui.ui.widgets.footer import KeyFooter

    return [e.key for e in app.screen.query_one(KeyFooter).entries]


def test_the_footer_offers_what_the_errands_state_allows(clinic, app_for):
    """Finding 14: a closed errand offers neither assign nor reply nor close; an unassigned one no
    reply or reminder; pressing such a key anyway says why, with the whole reference."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        unassigned = _footer_keys(app)
        await pilot.press("tab", "tab")  # Avslutade
        await settle(pilot)
        closed = _footer_keys(app)
        await pilot.press("enter")
        await settle(pilot)
        detail = _footer_keys(app)
        await pilot.press("a")
        await settle(pilot)
        return unassigned, closed, detail, [n.message for n in notifications(app)]

    unassigned, closed, detail, said = drive(app, scenario, size=(200, 50))
    assert {"a", "p", "x", "n", "u"} <= set(unassigned) and not {"r", "m"} & set(unassigned)
    for keys in (closed, detail):
        assert "n" in keys and not {"a", "r", "p", "x", "u", "m"} & set(keys), keys
        assert {"question_mark", "q"} <= set(keys)
    assert any(m.startswith("1177-000006 ") and "avslutat" in m for m in said), said


def test_help_names_each_persons_panes_and_keys():
    """Finding 13: a caregiver's help names her panes; an auditor's lists the log's own `/`."""
    from bcc_tui.domain.roles import AUDITOR, CAREGIVER, RECEIVER, Actor

    def lines(*held: str) -> dict[str, str]:
        actor = Actor("x", "X", "", frozenset(held))
        return {text: key for key, text in actions.help_keys(actor)}

    assert "byt ruta: Mina ärenden, Avslutade" in lines(CAREGIVER)
    assert "byt ruta: Ofördelade, Fördelade, Avslutade" in lines(RECEIVER)
    assert "/" in lines(AUDITOR).values()


def test_help_routine_wraps_to_the_width():
    """Finding 13: no hard line breaks inside a paragraph (at 80×24 they broke lines twice); a
    bullet's second line hangs under its text."""
    from rich.console import Console

    from bcc_tui.ui.screens.help import ROUTINE, routine

    assert not [line for line in ROUTINE.splitlines() if line.startswith(" ")]
    console = Console(width=60, record=True)
    console.print(routine())
    out = console.export_text().splitlines()
    assert all(len(line.rstrip()) <= 60 for line in out)
    assert any(line.startswith(("  kontrollerar", "  ärenden")) for line in out), out


def test_moving_within_a_pane_does_not_redraw_the_footer(demo_db):
    """The footer follows the errand's state, not every cursor move (a rebuilt footer costs a
    keypress tens of milliseconds): rows of one state leave it as it was."""
    from tests.ui.conftest import drive, settle
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db)

    async def scenario(pilot):
        await settle(pilot)
        screen = pilot.app.screen
        calls = []
        original = screen.refresh_bindings
        screen.refresh_bindings = lambda: (calls.append(1), original())[1]
        for _ in range(5):
            await pilot.press("j")
        await pilot.pause()
        return len(calls)

    assert drive(app, scenario) == 0


def test_the_footer_follows_what_the_app_offers():
    """The footer reads the app's word on each action (BccApp.offers) whenever the screen's
    bindings change, and draws again only when its keys differ."""
    import asyncio

    from textual.app import App
    from textual.binding import Binding

    from bcc_tui.ui.widgets.footer import KeyFooter

    class Offers(App):
        BINDINGS = [Binding("q", "quit", "Avsluta"), Binding("x", "assign", "Fördela")]
        assign_offered = True

        def offers(self, action: str) -> bool:
            return action != "assign" or self.assign_offered

        def compose(self):
            yield KeyFooter()

        def action_assign(self) -> None:
            pass

    async def main():
        app = Offers()
        async with app.run_test(size=(80, 24)) as pilot:
            footer = app.screen.query_one(KeyFooter)
            while not footer.entries:  # the keys drawn once, as a person first sees them
                await pilot.pause()
            seen = [[e.key for e in footer.entries]]
            for offered in (False, True):
                app.assign_offered = offered
                app.refresh_bindings()
                await pilot.pause()
                seen.append([e.key for e in footer.entries])
            return seen

    assert asyncio.run(main()) == [["q", "x"], ["q"], ["q", "x"]]


def test_a_screen_under_another_keeps_its_footer_until_it_is_back_on_top(demo_db):
    """Statistics over the dashboard: the dashboard's footer was told its bindings changed and
    recomposed to the keys of a screen nobody could press, then back when it came to the top (and
    statistics' own recomposed while it was being dismissed): a third of opening a screen. It is
    brought up to date when it is back on top, where Textual refreshes its bindings."""
    from bcc_tui.ui.widgets.footer import KeyFooter
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db)

    async def scenario(pilot):
        footer = app.dashboard.query_one(KeyFooter)
        keys, before = visible_keys(app), footer.entries
        await pilot.press("s")
        await settle(pilot)
        on_stats, under = visible_keys(app), footer.entries
        await pilot.press("escape")
        await settle(pilot)
        return keys, before, on_stats, under, footer.entries, visible_keys(app)

    keys, before, on_stats, under, after, keys_after = drive(app, scenario)
    # The very same keys all along (each change is a new tuple): not read again for statistics'
    # bindings while under it, nor changed back when on top again.
    assert under is before and after is before and keys_after == keys
    assert "escape" not in keys and "escape" in on_stats  # the screens offer different keys


def test_the_dashboards_footer_draws_its_keys_once_as_it_starts(demo_db, monkeypatch):
    """The pane has the focus and the rows are in when the footer first has keys: they were drawn
    for no focus first, then again for the pane (a twelfth of a start)."""
    from bcc_tui.ui.widgets.footer import KeyFooter
    from tests.ui.test_snapshots import app_on

    drawn: list[tuple[str, ...]] = []
    look = KeyFooter.look

    def counting(self):
        before = self.entries
        look(self)
        if self.entries is not before:
            drawn.append(tuple(e.key for e in self.entries))

    monkeypatch.setattr(KeyFooter, "look", counting)
    app = app_on(demo_db)

    async def scenario(pilot):
        return visible_keys(app)

    keys = drive(app, scenario)
    assert len(drawn) == 1 and "a" in drawn[0] and "a" in keys, drawn


def test_the_footer_follows_the_pane_after_a_reload_under_another_screen(clinic, app_for, as_):
    """A live reload while statistics was open recorded statistics' state (no errand) as the one
    the footer was drawn for; back on the dashboard, the pane emptied live and the footer still
    offered the errand keys. A reviewer's finding."""
    from bcc_tui.services import errands
    from tests.ui.conftest import visible_keys

    app = app_for(clinic, "rec1", poll_interval=0.05)

    async def scenario(pilot):
        await pilot.press("s")
        errands.assign(as_("rec2"), "1177-000001", "doc1")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await settle(pilot)
        for ref in ("1177-000002", "1177-000003", "1177-000004"):
            errands.assign(as_("rec2"), ref, "doc1")
        await pilot.pause(0.3)
        await settle(pilot)
        return visible_keys(app), app.dashboard.table("unassigned").row_count

    keys, rows = drive(app, scenario)
    assert rows == 0 and "a" not in keys
