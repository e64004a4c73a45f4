"""The dashboard's side of issue 4: reminders, the audit screen, the e-mail setting, delivery."""

import time

from bcc_tui.services import errands
from bcc_tui.services.notify import MailConfig
from bcc_tui.ui.screens.audit import AuditScreen
from bcc_tui.ui.textual_compat import notifications
from bcc_tui.ui.widgets.errand_table import ErrandTable
from tests.smtp import SmtpServer
from tests.ui.conftest import drive, settle


def test_m_reminds_and_the_caregiver_sees_the_mark(clinic, app_for, as_):
    errands.assign(as_("rec1"), "1177-000002", "doc1")  # overdue
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("tab")
        table = app.screen.query_one("#table-assigned", ErrandTable)
        table.move_cursor(row=table.order.index("1177-000002"))
        await pilot.press("m")
        await settle(pilot)

    drive(app, scenario)
    assert clinic.conn.execute("SELECT last_reminded_at FROM errands WHERE ref = '1177-000002'").fetchone()[0]
    app = app_for(clinic, "doc1")

    async def mine(pilot):
        table = app.screen.query_one("#table-assigned", ErrandTable)
        return str(table.get_cell("1177-000002", "mark"))

    assert drive(app, mine) == " ⚑"


def _auditor_app(clinic, app_for, system):
    """An auditor's dashboard, with a receiver's read of 1177-000002 (Hugo) in the log."""
    from bcc_tui.services import people
    from tests.conftest import jsonl
    from tests.ui.conftest import ctx_for

    people.import_staff(
        system,
        jsonl({"username": "aud", "name": "Anna Auditor", "title": "administratör", "roles": ["auditor"]}),
    )
    errands.show_errand(ctx_for(clinic, "rec2", system.clock), "1177-000002")
    return app_for(clinic, "aud")


def test_auditor_gets_the_audit_screen_and_filters_by_patient(clinic, app_for, system):
    app = _auditor_app(clinic, app_for, system)

    async def scenario(pilot):
        assert isinstance(app.screen, AuditScreen)
        table = app.screen.query_one("#audit-table")
        found = []
        # The ten digits people write too (it was taken for a user name: no rows), and a number
        # with a wrong check digit, which is said rather than shown as nobody's reads.
        for typed in ("20180101-0016", "180101-0016", "20180101-0017"):
            await pilot.press("slash", *typed, "enter")
            await settle(pilot)
            found.append(
                [
                    str(table.get_row_at(i)[1]) + "/" + str(table.get_row_at(i)[2])
                    for i in range(table.row_count)
                ]
            )
            await pilot.press("slash", "ctrl+u", "escape")
            await settle(pilot)
        return found, [n.message for n in notifications(app)]

    (rows, short, _), said = drive(app, scenario)
    assert "R. Receiver/öppnade" in rows and "system/läste in" in rows  # a name, not a user name
    assert [r for r in short if "läste loggen" not in r] == [r for r in rows if "läste loggen" not in r]
    assert any("kontrollsiffra" in m for m in said), said
    logged = clinic.conn.execute(
        "SELECT personnummer FROM audit WHERE action = 'audit' ORDER BY id"
    ).fetchall()
    # Each read asked for is logged, the ten digits as the stored form; the refused one is not.
    assert [r[0] for r in logged if r[0]] == ["20180101-0016", "20180101-0016"]


def test_email_setting_from_the_palette(clinic, app_for):
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        app.action_toggle_email()
        await settle(pilot)

    drive(app, scenario)
    assert clinic.conn.execute("SELECT email_notify FROM staff WHERE username = 'doc1'").fetchone()[0] == 0


def test_an_open_dashboard_delivers_the_outbox(clinic, app_for):
    server = SmtpServer().start()
    try:
        app = app_for(clinic, "rec1", mail=MailConfig("127.0.0.1", server.port, "bcc@example.se"))

        async def scenario(pilot):
            await pilot.press("down", "a", *"doris", "enter")
            await settle(pilot)
            start = time.monotonic()
            # The clinic's earlier assignment to doc1 was queued too: both go out.
            while len(server.inbox.messages) < 2 and time.monotonic() - start < 30:
                await pilot.pause(0.1)
            return time.monotonic() - start

        waited = drive(app, scenario)
        assert waited < 30
        assert sorted(m["Subject"] for m in server.inbox.messages) == [
            "1177-ärende 1177-000002 har fördelats till dig",
            "1177-ärende 1177-000005 har fördelats till dig",
        ]
    finally:
        server.stop()


def test_the_audit_log_reads_older_rows_when_the_cursor_reaches_the_last(demo_db, monkeypatch):
    """The screen showed the newest 300 rows of 824 and said "300 rader", with no way to the rest.
    Here a page is 25 rows: the title says more follow, and G at the last row reads the next page,
    until every row is there, each once."""
    from tests.ui.test_snapshots import app_on

    monkeypatch.setattr(AuditScreen, "PAGE", 25)
    app = app_on(demo_db, "gunbjo")

    async def scenario(pilot):
        await settle(pilot)
        table = app.screen.query_one("#audit-table")
        first = table.row_count, str(app.screen.query_one("#audit-title").render())
        for _ in range(400):
            before = table.row_count
            await pilot.press("G")
            await pilot.pause()
            if table.row_count == before:
                break
        return first, [r.id for r in app.screen._rows], str(app.screen.query_one("#audit-title").render())

    (rows_first, title_first), ids, title = drive(app, scenario, size=(120, 40))
    assert rows_first == 25 and "25+ rader" in title_first
    newest = ids[0]
    in_log = [
        r[0] for r in demo_db.conn.execute("SELECT id FROM audit WHERE id <= ? ORDER BY id DESC", (newest,))
    ]
    assert ids == in_log and len(ids) > 50
    assert f"{len(ids)} rader (nyast först)" in title


def test_the_audit_log_reads_at_most_its_most_and_says_to_filter_for_older(demo_db, monkeypatch):
    """Each live change reads again what the log shows, on the screen's thread: the rows read are
    capped, and the title says how to reach older ones."""
    from tests.ui.test_snapshots import app_on

    monkeypatch.setattr(AuditScreen, "PAGE", 25)
    monkeypatch.setattr(AuditScreen, "MOST", 60)
    app = app_on(demo_db, "gunbjo")

    async def scenario(pilot):
        await settle(pilot)
        table = app.screen.query_one("#audit-table")
        for _ in range(6):
            await pilot.press("G")
            await pilot.pause()
        return table.row_count, str(app.screen.query_one("#audit-title").render())

    rows, title = drive(app, scenario, size=(120, 40))
    assert 60 <= rows < 60 + 25 and f"{rows} nyaste (filtrera för äldre)" in title


def test_the_audit_log_keeps_the_cursors_row_when_the_terminal_is_resized(demo_db):
    """A resize lays the columns out again and reads the log again: the cursor went back to the
    newest row (Textual's clear puts it on the top row, before the row was looked up)."""
    from tests.ui.test_snapshots import app_on

    app = app_on(demo_db, "gunbjo")

    async def scenario(pilot):
        await settle(pilot)
        for _ in range(5):
            await pilot.press("j")
        await pilot.pause()
        before = app.screen._rows[app.screen.query_one("#audit-table").cursor_row].id
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        after = app.screen._rows[app.screen.query_one("#audit-table").cursor_row].id
        return before, after

    before, after = drive(app, scenario, size=(120, 40))
    assert after == before


def test_the_audit_filter_reads_a_user_name_in_capitals_and_refuses_a_spaced_number(clinic, app_for, system):
    """ "MAGFOR" found nobody and "20210428 4027" was taken for a user name: both showed "0 rader",
    which reads as nobody's reads."""
    app = _auditor_app(clinic, app_for, system)

    async def scenario(pilot):
        table = app.screen.query_one("#audit-table")
        await pilot.press("slash", *"REC2", "enter")
        await settle(pilot)
        capitals = table.row_count
        await pilot.press("slash", "ctrl+u", *"20180101 0016", "enter")
        await settle(pilot)
        return capitals, [n.message for n in notifications(app)]

    capitals, said = drive(app, scenario)
    assert capitals > 0
    assert any("formen" in m for m in said), said
