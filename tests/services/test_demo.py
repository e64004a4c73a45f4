"""The demo clinic: dated relative to today, built through the real services."""

import datetime as dt

from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.services import demo, errands
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from bcc_tui.services.people import actor_from_row, today
from bcc_tui.store import audit
from bcc_tui.store import staff as staff_q
from bcc_tui.store.db import Store
from tests.conftest import run_cli


def build(path, when):
    store = Store(path)
    demo.build(store, FixedClock(when))
    return store


def test_demo_is_relative_to_today_and_has_every_kind_of_errand(tmp_path):
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM)
    store = build(tmp_path / "d.db", now)
    assert demo.is_demo(store)
    conn = store.conn
    assert conn.execute("SELECT count(*) FROM errands").fetchone()[0] == 152
    assert conn.execute("SELECT count(DISTINCT type) FROM errands").fetchone()[0] == 8
    first = conn.execute("SELECT min(received_at), max(received_at) FROM errands").fetchone()
    assert first[0] >= "2026-11-10" and first[1] <= "2026-11-25T09:00:00Z"
    statuses = dict(conn.execute("SELECT status, count(*) FROM errands GROUP BY status").fetchall())
    assert statuses["unassigned"] >= 10 and statuses["assigned"] >= 10 and statuses["closed"] >= 50
    t = today(conn, now.date())
    assert t.receiver in ("annlin", "marber", "sofhol", "karek", "evasan")
    assert "johwes" in t.absent and t.top_doctor and t.top_doctor != "johwes"
    receiver = actor_from_row(staff_q.by_username(conn, t.receiver))
    levels = {
        s.countdown.level for s in errands.list_errands(Ctx(store, receiver, FixedClock(now)), audited=False)
    }
    assert {"ok", "due_soon", "overdue", "met", "breached"} <= levels
    assert conn.execute("SELECT count(*) FROM errands WHERE urgent = 1").fetchone()[0] >= 2
    assert conn.execute("SELECT count(*) FROM errands WHERE proxy_name IS NOT NULL").fetchone()[0] >= 80
    assert audit.verify(conn) == []
    # Another day: the same story, moved.
    later = build(tmp_path / "e.db", now + dt.timedelta(days=40))
    assert later.conn.execute("SELECT min(received_at) FROM errands").fetchone()[0] > "2026-12-20"


def test_demo_command_refuses_a_real_database_and_reuses_a_demo_one(tmp_path):
    real = tmp_path / "real.db"
    assert run_cli("import", "-", db=real, stdin=b'{"x": 1}\n').returncode == 1  # creates the file
    r = run_cli("demo", "--db", str(real), "--no-ui")
    assert r.returncode == 1 and "ingen demodatabas" in r.stderr.decode()
    r = run_cli("demo", "--no-ui", env={"BCC_DB": str(real)})
    assert r.returncode == 1 and "ingen demodatabas" in r.stderr.decode()
    d = tmp_path / "demo.db"
    assert run_cli("demo", "--db", str(d), "--no-ui").returncode == 0
    assert run_cli("demo", "--db", str(d), "--no-ui").returncode == 0
    import sqlite3

    assert sqlite3.connect(d).execute("SELECT count(*) FROM errands").fetchone()[0] == 152
