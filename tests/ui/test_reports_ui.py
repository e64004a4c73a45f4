"""The handover (h) and statistics (s) screens."""

import json

from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.screens.handover import HandoverScreen
from bcc_tui.ui.screens.stats import StatsScreen
from bcc_tui.ui.textual_compat import notifications
from tests.ui.conftest import acute_errand, drive, prompts, settle


async def open_handover(pilot):
    """h: the handover, read; its list."""
    await pilot.press("h")
    await settle(pilot)
    return pilot.app.screen.query_one("#handover-list")


def test_handover_walkthrough_gives_and_the_next_receiver_takes(clinic, app_for):
    app = app_for(clinic, "rec1")
    seen = {}

    async def scenario(pilot):
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen)
        ol = app.screen.query_one("#handover-list")
        seen["first"] = ol.get_option_at_index(ol.highlighted).id
        await pilot.press("space")  # gone through; the cursor moves on
        await settle(pilot)
        seen["second"] = ol.get_option_at_index(ol.highlighted).id
        await pilot.press("enter")  # opens in place …
        await settle(pilot)
        seen["opened"] = app.screen.detail.summary.ref if isinstance(app.screen, ErrandScreen) else None
        await pilot.press("escape")  # … and comes back to the same spot
        await settle(pilot)
        ol = app.screen.query_one("#handover-list")
        seen["back"] = ol.get_option_at_index(ol.highlighted).id
        await pilot.press("c", *"Ring mamma efter 14", "ctrl+s")
        await settle(pilot)
        seen["row"] = str(ol.get_option_at_index(ol.highlighted).prompt)
        await pilot.press("space")
        await pilot.press("w", *"Ring familjen", "ctrl+s")
        await settle(pilot)
        seen["summary"] = str(app.screen.query_one("#handover-summary").render())
        await pilot.press("ctrl+s")  # 2 of 5: asked first
        await settle(pilot)
        seen["question"] = str(app.screen.query_one(".form-title").render())
        await pilot.press("enter")
        await settle(pilot)
        seen["after"] = type(app.screen).__name__

    drive(app, scenario)
    assert seen["first"] == "item:1177-000003" and seen["second"] == "item:1177-000002"
    assert seen["opened"] == "1177-000002" and seen["back"] == "item:1177-000002"
    assert seen["row"].startswith("  · ") and seen["row"].endswith("¶ Ring mamma efter 14")
    assert "2 av 5 genomgångna" in seen["summary"]
    # Her own note, not yet given, is hers to the next shift: not "from the last shift".
    assert "Din anteckning till nästa pass: Ring familjen — Rita Receiver" in seen["summary"]
    assert seen["question"] == "2 av 5 genomgångna — lämna över ändå?"
    assert seen["after"] != "HandoverScreen"
    # Given, not taken: nothing is consumed yet.
    row = clinic.conn.execute("SELECT author, items, done, handover_id FROM handover_gives").fetchone()
    assert row["author"] == "rec1" and len(json.loads(row["items"])) == 5 and row["handover_id"] is None
    assert json.loads(row["done"]) == ["1177-000002", "1177-000003"]
    assert clinic.conn.execute("SELECT count(*) FROM handovers").fetchone()[0] == 0
    assert clinic.conn.execute("SELECT author, text FROM handover_notes").fetchone()[:] == (
        "rec1",
        "Ring familjen",
    )
    assert (
        clinic.conn.execute(
            "SELECT count(*) FROM audit WHERE action = 'remark' AND ref = '1177-000002'"
        ).fetchone()[0]
        == 1
    )

    # The next receiver: the header says a handover waits; h shows what was given; t takes over.
    app = app_for(clinic, "rec2")

    async def take(pilot):
        header = str(app.screen.query_one("#header").render())
        await pilot.press("h")
        await settle(pilot)
        summary = str(app.screen.query_one("#handover-summary").render())
        ol = app.screen.query_one("#handover-list")
        rows = prompts(ol)
        await pilot.press("t")
        await settle(pilot)
        return header, summary, rows, [str(n.message) for n in notifications(app)]

    header, summary, rows, toasts = drive(app, take)
    assert "Överlämning från Rita Receiver" in header and "väntar" in header
    assert "Lämnad över av Rita Receiver" in summary and "2 av 5 genomgångna" in summary
    # The note given with the handover is shown once, as its note (it was also "from the last shift").
    assert "Anteckning: Ring familjen" in summary and "Från förra passet" not in summary
    assert "1 anmärkning" in summary
    assert sum(r.startswith("  ✓ ") for r in rows) == 2 and sum(r.startswith("  · ") for r in rows) == 3
    assert any(t.startswith("Du tog över från Rita Receiver: 2 av 5 genomgångna") for t in toasts)
    receipt = clinic.conn.execute("SELECT from_user, to_user, done FROM handovers").fetchone()
    assert (receipt["from_user"], receipt["to_user"], len(json.loads(receipt["done"]))) == ("rec1", "rec2", 2)


def test_giving_the_handover_names_the_acute_signs_not_gone_through(clinic, app_for, system):
    """R11, R28: "0 av 6 genomgångna" said nothing of the child's fever among them."""
    acute_errand(system)
    app = app_for(clinic, "rec1")
    said = {}

    async def scenario(pilot):
        await open_handover(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        said["text"] = " ".join(str(w.render()) for w in app.screen.query("Label, Static"))

    drive(app, scenario)
    assert "1 ärende med akuta tecken som inte hanterats är inte genomgånget." in said["text"]


def test_k_in_the_handover_marks_the_acute_signs_handled_where_they_are_listed(clinic, app_for, system):
    """A nurse's trial: K on the handover's list, where the acute signs come first, did nothing
    and said nothing."""
    acute_errand(system)
    app = app_for(clinic, "rec1")
    seen = {}

    async def scenario(pilot):
        ol = await open_handover(pilot)
        seen["first"] = ol.get_option_at_index(ol.highlighted).id
        await pilot.press("K")
        await settle(pilot)
        seen["form"] = type(app.screen).__name__
        await pilot.press(*"Mamma ringd", "ctrl+s")
        await settle(pilot)
        seen["after"] = type(app.screen).__name__

    drive(app, scenario)
    assert seen["first"] == "item:1177-000077" and seen["form"] == "AcuteHandledForm"
    assert seen["after"] == "HandoverScreen"
    row = clinic.conn.execute("SELECT acute_handled_at FROM errands WHERE ref = '1177-000077'").fetchone()
    assert row[0] is not None


def test_a_narrow_handover_still_names_the_acute_signs(clinic, app_for, system):
    """A nurse's trial: at 60×20 the handover dropped the category column, and an acute row read
    "✚ 1177-… 1 vd kvar", without the sign to call the family about."""
    acute_errand(system)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        return prompts(await open_handover(pilot))

    rows = drive(app, scenario, size=(60, 20))
    acute = next(r for r in rows if "1177-000077" in r)
    assert "Feber" in acute, rows
    other = next(r for r in rows if "1177-000001" in r)
    assert "vd" in other or "försenad" in other or "idag" in other, other  # the others keep their time


def test_the_handovers_remark_and_note_are_not_thrown_away_by_esc(clinic, app_for):
    """The trial's report: c and w in the handover closed on esc with what was typed gone, and
    keep no draft. Now esc asks first: enter or esc goes on writing (enter keeps the text in the
    draft question too), s throws it away."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        seen = []
        await pilot.press("h")
        await settle(pilot)
        for key in ("c", "w"):
            await pilot.press(key, *"Ring mamma", "escape")
            await settle(pilot)
            seen.append(str(app.screen.query_one(".form-title").render()))
            await pilot.press("enter")  # back to the text (enter keeps it, as in the draft question)
            await settle(pilot)
            seen.append(app.screen.query_one("#form-text").text)
            await pilot.press("escape", "escape")  # esc: back to it too
            await settle(pilot)
            seen.append(app.screen.query_one("#form-text").text)
            await pilot.press("escape", "s")  # s: thrown away
            await settle(pilot)
            seen.append(type(app.screen).__name__)
        await pilot.press("c", "escape")  # nothing typed: closes at once
        await settle(pilot)
        seen.append(type(app.screen).__name__)
        return seen

    seen = drive(app, scenario)
    assert seen == ["Släng det du skrivit?", "Ring mamma", "Ring mamma", "HandoverScreen"] * 2 + [
        "HandoverScreen"
    ]
    assert clinic.conn.execute("SELECT count(*) FROM handover_notes").fetchone()[0] == 0


def test_the_handovers_ticks_stay_when_it_is_closed_and_opened_again(clinic, app_for):
    """A keyboard trial: two rows gone through with space, esc, h again: "0 av 5", every row
    back to "·" (opening an errand from it and coming back kept them)."""
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("h", "space", "space", "escape")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        return str(app.screen.query_one("#handover-summary").render())

    assert "2 av 5 genomgångna" in drive(app, scenario)


def test_stats_screen_moves_by_month(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        table = app.screen.query_one("#stats-types")
        total_now = str(table.get_row_at(table.row_count - 1)[1])
        await pilot.press("left_square_bracket")
        await settle(pilot)
        title = str(app.screen.query_one("#stats-title").render())
        total_before = str(table.get_row_at(table.row_count - 1)[1])
        return total_now, title, total_before

    now, title, before = drive(app, scenario)
    assert now == "6" and "2026-10-01 – 2026-10-31" in title and before == "0"
    assert clinic.conn.execute("SELECT count(*) FROM audit WHERE action = 'stats'").fetchone()[0] == 2
