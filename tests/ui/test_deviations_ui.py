"""The administrator's tab Avvikelser (issue 26): the register's rows, and the form that shows the
draft for MedControl PRO whole and marks a deviation reported or dismissed, audited."""

from __future__ import annotations

import pytest

from bcc_tui.services import deviations, errands
from bcc_tui.ui.textual_compat import notifications
from tests.ui.conftest import ctx_for, drive, settle
from tests.ui.test_snapshots import app_on

TAB = "tab-deviations"


@pytest.fixture
def register(clinic, as_):
    """The small clinic (tests/ui/conftest.py) at NOW: 1177-000002 is past its due date (a breach),
    and a receiver's partial reply on 1177-000001 names no consulted doctor."""
    errands.partial_reply(as_("rec1"), "1177-000001", "Vi återkommer.")
    return clinic


def _rows(table) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def _audit(store, action):
    with store.read() as conn:
        return conn.execute(
            "SELECT actor, ref, outcome, detail FROM audit WHERE action = ? ORDER BY id", (action,)
        ).fetchall()


def test_the_tab_lists_the_register_and_the_form_reports_and_dismisses(register, app_for):
    app = app_for(register, "adm")
    results: dict = {}

    async def scenario(pilot):
        await pilot.press("9")
        await settle(pilot)
        screen = pilot.app.screen
        assert screen.query_one("#admin-tabs").active == TAB
        table = screen.query_one("#t-deviations")
        assert pilot.app.focused is table
        results["rows"] = _rows(table)
        # The partial reply's row: enter opens the form with the draft in full.
        table.move_cursor(row=[r[2] for r in results["rows"]].index("1177-000001"))
        await pilot.press("enter")
        await settle(pilot)
        form = pilot.app.screen
        results["draft"] = str(form.query_one(".form-context").render())
        # Both filled: refused in the form, which stays open.
        await pilot.press(*"MC-2026-9", "tab", *"Ingen avvikelse")
        await pilot.press("ctrl+s")
        await settle(pilot)
        results["both"] = (form is pilot.app.screen, str(form.query_one("#form-error").render()))
        form.query_one("#f-reason").value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        results["closed"] = form is not pilot.app.screen
        results["after_report"] = _rows(screen.query_one("#t-deviations"))
        # The breach: dismissed with a reason that looks like markup; it stays text.
        table = screen.query_one("#t-deviations")
        table.move_cursor(row=[r[2] for r in _rows(table)].index("1177-000002"))
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab", *"[b]Besvarat[/b] per telefon", "enter")
        await settle(pilot)
        # e on a decided row says what was decided (no form).
        table.move_cursor(row=[r[2] for r in _rows(table)].index("1177-000002"))
        await pilot.press("e")
        await settle(pilot)
        results["screen_after"] = type(pilot.app.screen).__name__
        results["toasts"] = [str(n.message) for n in notifications(pilot.app)]

    drive(app, scenario, size=(120, 40))
    kinds = {r[2]: r[1] for r in results["rows"]}
    assert kinds == {"1177-000001": "Delsvar utan avstämd läkare", "1177-000002": "Tvådagarsregeln bruten"}
    assert {r[5] for r in results["rows"]} == {"öppen"}
    assert "Utkast till MedControl PRO" in results["draft"]
    assert "Ärende: 1177-000001 (Förnya recept)" in results["draft"]
    assert "Elsa" not in results["draft"] and "20150315" not in results["draft"]
    still_open, error = results["both"]
    assert still_open and "antingen numret i MedControl PRO eller en orsak" in error
    assert results["closed"]
    assert ["1177-000001", "rapporterad MC-2026-9"] in [[r[2], r[5]] for r in results["after_report"]]
    assert results["screen_after"] == "AdminScreen"
    assert any(t.endswith("rapporterad i MedControl PRO som MC-2026-9") for t in results["toasts"])
    assert any(
        t.endswith("Avfärdad av Adam Admin 2026-11-25 10:00: [b]Besvarat[/b] per telefon")
        for t in results["toasts"]
    )
    # Both decisions are in the register and the audit log.
    ctx = ctx_for(register, "adm", app.ctx.clock)
    by_ref = {d.ref: d for d in deviations.register(ctx, audited=False)}
    assert by_ref["1177-000001"].medcontrol_number == "MC-2026-9"
    assert by_ref["1177-000002"].reason == "[b]Besvarat[/b] per telefon"
    assert [(r["actor"], r["ref"]) for r in _audit(register, "deviation_report")] == [("adm", "1177-000001")]
    assert [(r["actor"], r["ref"]) for r in _audit(register, "deviation_dismiss")] == [("adm", "1177-000002")]
    # Opening the screen read the register once (audited); reading again after a change did not.
    assert [r["actor"] for r in _audit(register, "deviations")] == ["adm"]


def test_n_and_d_explain_instead_of_acting(register, app_for):
    app = app_for(register, "adm")

    async def scenario(pilot):
        await pilot.press("9")
        await settle(pilot)
        await pilot.press("n", "d")
        await settle(pilot)
        return type(pilot.app.screen).__name__, [str(n.message) for n in notifications(pilot.app)]

    screen, toasts = drive(app, scenario)
    assert screen == "AdminScreen"
    assert any("läggs inte till för hand" in t for t in toasts)
    assert any("avfärda den med e och en orsak" in t for t in toasts)


def test_the_form_at_80x24_snapshot(snap_compare, demo_db):
    """The draft whole, the two fields and the hint inside an 80×24 terminal."""
    from tests.ui.conftest import still

    async def run(pilot):
        await settle(pilot)
        pilot.app.screen.query_one("#admin-tabs").active = TAB
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        still(pilot.app)
        await pilot.pause()

    assert snap_compare(app_on(demo_db, "lenwal"), terminal_size=(80, 24), run_before=run)


def test_the_stats_screen_shows_the_final_answer_and_deviations_per_kind(register, system, as_, app_for):
    """Issue 26: a complaint answered on day 9 after its instant partial reply is late in the
    final-answer table; the register's kinds are counted with their decisions."""
    import datetime as dt

    from bcc_tui.services import intake
    from bcc_tui.services.clock import FixedClock
    from bcc_tui.services.context import Ctx
    from tests.conftest import errand_line, jsonl

    def at(ctx, when):
        return Ctx(ctx.store, ctx.actor, FixedClock(dt.datetime.fromisoformat(when)))

    monday = "2026-11-02T09:00:00+01:00"
    line = errand_line("1177-000090", type="synpunkter_klagomal", received_at=monday)
    intake.import_errands(at(system, monday), jsonl(line))
    errands.assign(at(as_("rec1"), "2026-11-02T10:00:00+01:00"), "1177-000090", "nurse")
    errands.reply(at(as_("nurse"), "2026-11-13T11:00:00+01:00"), "1177-000090", "Klart.")
    breach = next(d for d in deviations.register(as_("adm"), audited=False) if d.ref == "1177-000002")
    deviations.dismiss(as_("adm"), breach.id, "Dubblett")
    app = app_for(register, "rec1")

    async def scenario(pilot):
        await pilot.press("s")
        await settle(pilot)
        final = pilot.app.screen.query_one("#stats-final")
        kinds = pilot.app.screen.query_one("#stats-kinds")
        return _rows(final), _rows(kinds)

    final, kinds = drive(app, scenario, size=(120, 40))
    complaints = next(r for r in final if r[0] == "Synpunkter och klagomål")
    # Till delsvar, till slutsvar (medians), P90, i tid, sena: 000003 and 000004 are open, not due.
    assert complaints[1:] == ["0", "9", "9", "0", "1"]
    by_kind = {r[0]: r[1:] for r in kinds}
    assert by_kind["Tvådagarsregeln bruten"] == ["1", "0", "1"]
    assert by_kind["Delsvar utan avstämd läkare"] == ["1", "0", "0"]
    assert by_kind["Svar efter uppföljningsdatum"] == ["1", "0", "0"]  # 1177-000090: follow-up Mon 9 Nov
    assert by_kind["Klagomål ej fördelat enligt rutin"] == ["0", "0", "0"]  # to the nurse the same day


@pytest.mark.parametrize("today, warned", [("2026-11-25T10:00", False), ("2027-12-20T10:00", True)])
def test_the_admin_is_warned_when_the_routine_nears_its_end(clinic, app_for, today, warned):
    """From 60 days before 2028-02-16 the admin screen opens with a toast; the help always says
    how long the routine is valid and who owns it."""
    import datetime as dt

    from bcc_tui.domain.business_days import STOCKHOLM
    from bcc_tui.services.clock import FixedClock

    clock = FixedClock(dt.datetime.fromisoformat(today).replace(tzinfo=STOCKHOLM))
    app = app_for(clinic, "adm", clock=clock)

    async def scenario(pilot):
        import io

        from rich.console import Console

        from bcc_tui.ui.screens.help import routine

        toasts = [(n.title, str(n.message)) for n in notifications(pilot.app)]
        await pilot.press("question_mark")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "AdminHelpScreen"
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(routine())  # what the help screen draws under the keys
        return toasts, console.export_text()

    toasts, help_text = drive(app, scenario, size=(120, 40))
    routine_toasts = [m for t, m in toasts if t == "Rutinen"]
    if warned:
        assert routine_toasts == [
            "Rutinen (version 5.0) gäller till och med 2028-02-16 (om 58 dagar); "
            "påminn ägaren (sektionsledare, öppenvården) om att förnya den."
        ]
    else:
        assert routine_toasts == []
    assert "Rutinen (version 5.0) gäller 2026-02-17 – 2028-02-16; ägare: sektionsledare," in help_text


def test_a_long_register_shows_its_first_rows_and_says_how_many_there_are(register, app_for, monkeypatch):
    from bcc_tui.ui.screens.admin import deviations as tab

    monkeypatch.setattr(tab, "SHOWN", 1)
    app = app_for(register, "adm")

    async def scenario(pilot):
        await pilot.press("9")
        await settle(pilot)
        rows = _rows(pilot.app.screen.query_one("#t-deviations"))
        return rows, [str(n.message) for n in notifications(pilot.app)]

    rows, toasts = drive(app, scenario)
    assert len(rows) == 1
    assert (
        "Fliken visar 1 av 2 avvikelser, de öppna och nyaste först; bcc-tui deviations --csv har alla."
        in toasts
    )
