"""R11 in the services: the acute advice at intake, the open errands screened again in batches when
the rules change (a setting or an upgrade), and a screening cut short taken up again."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import sqlite3
import threading
import time
from concurrent.futures import Future

import pytest

from bcc_tui.domain import acute as rules_
from bcc_tui.domain import errand as e
from bcc_tui.domain.roles import SYSTEM_ACTOR
from bcc_tui.domain.validation import errand_from_json, format_utc
from bcc_tui.services import acute, audit_log, batches, errands, intake, reports, session
from bcc_tui.services.context import Ctx
from bcc_tui.store import errands as errands_q
from bcc_tui.store import staff as staff_q
from tests.conftest import errand_line, jsonl, run_cli

FEVER = "Hej! Hon har 39,2 sedan i morse. Mvh"
CALM = "Hej, receptet på Bactrim tar slut. Tack!"
ADVICE = "Vi har sett ditt meddelande. Ring avdelningen nu på 018-611 00 00, dygnet runt."


def test_the_advice_is_off_by_default_and_sent_at_intake_when_on(system, as_):
    intake.import_errands(system, jsonl(errand_line("1177-000001", message=FEVER)))
    first = errands.show_errand(as_("rec1"), "1177-000001")
    assert first.summary.acute_pinned and not first.summary.partial_reply_sent
    with pytest.raises(Exception, match="tomt"):
        acute.set_advice(as_("adm"), enabled=True)
    acute.set_advice(as_("adm"), enabled=True, text=ADVICE)
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000002", message=FEVER),
            errand_line("1177-000003", message=CALM),
            errand_line("1177-000004", message=FEVER, type=e.COMPLAINT),
        ),
    )
    rec = as_("rec1")
    advised = errands.show_errand(rec, "1177-000002")
    assert advised.summary.partial_reply_sent and advised.summary.acute_pinned  # still pinned until handled
    (ev,) = [x for x in advised.events if x.kind == e.PARTIAL_REPLY]
    assert ev.text == ADVICE and ev.actor_name == e.CLINIC
    assert not errands.show_errand(rec, "1177-000003").summary.partial_reply_sent
    # A complaint with acute signs gets both: the routine's text and the advice.
    texts = [x.text for x in errands.show_errand(rec, "1177-000004").events if x.kind == e.PARTIAL_REPLY]
    assert texts == [e.COMPLAINT_PARTIAL_REPLY, ADVICE]
    with system.store.read() as conn:
        waiting = errands_q.outbound_waiting(conn)
    assert sorted((w.ref, w.text) for w in waiting if w.text == ADVICE) == [
        ("1177-000002", ADVICE),
        ("1177-000004", ADVICE),
    ]
    report = reports.stats(as_("adm"))
    assert (report.total.acute, report.total.acute_advice) == (3, 2)
    total = list(csv.DictReader(io.StringIO(reports.stats_csv(report))))[-1]  # columns by name: more follow
    assert (total["från"][:7], total["akuta"], total["akut_råd"]) == ("2026-11", "3", "2")
    acute.set_advice(as_("adm"), enabled=False)
    intake.import_errands(system, jsonl(errand_line("1177-000005", message=FEVER)))
    assert not errands.show_errand(rec, "1177-000005").summary.partial_reply_sent
    assert audit_log.check(as_("adm")) == []


def _many_open(store, n: int, acute_every: int = 10) -> None:
    """n open errands written straight into the table (intake's own path is tested elsewhere)."""
    with store.write() as conn:
        for i in range(n):
            message = FEVER if i % acute_every == 0 else CALM
            conn.execute(
                "INSERT INTO errands (ref, type, unit, received_at, received_on, due_date, patient_name,"
                " personnummer, subject, message, status, content_hash, imported_at, acute)"
                " VALUES (?, 'fornya_recept', 'oppenvard', '2026-11-25T07:00:00Z', '2026-11-25', '2026-11-27',"
                " 'Elsa', '20150315-1233', '', ?, 'unassigned', ?, '2026-11-25T07:00:00Z', ?)",
                (
                    f"M-{i:06d}",
                    message,
                    hashlib.sha256(b"%d" % i).hexdigest(),
                    rules_.dump(rules_.screen(message)),
                ),
            )


def test_a_rules_change_screens_every_open_errand_in_short_transactions(system, as_, store, monkeypatch):
    _many_open(store, 1000)
    monkeypatch.setattr(batches, "BATCH", 64)
    writes = []
    real = store.write

    def counted():
        writes.append(1)
        return real()

    monkeypatch.setattr(store, "write", counted)
    progress = []
    _rules, changed = acute.set_rules(
        as_("adm"), threshold="39,5", progress=lambda done, total: progress.append((done, total))
    )
    assert changed == 100  # every 39,2 is under the new threshold
    assert len(writes) >= 1000 // 64  # one short transaction per batch, not one for all
    assert progress[-1] == (1000, 1000)
    listed = errands.list_errands(as_("rec1"))
    assert not any(s.acute for s in listed)
    ev = [x for x in errands.show_errand(as_("rec1"), "M-000000").events if x.kind == "acute"]
    assert ev and "reglerna har ändrats" in ev[-1].text
    assert not acute.stale(system)


def test_a_screening_cut_short_is_taken_up_by_the_next_session(system, as_, store, db_path, monkeypatch):
    _many_open(store, 300)
    monkeypatch.setattr(batches, "BATCH", 50)
    calls = {"n": 0}
    real = acute.q.open_messages

    def dies_after_two(conn, after, limit):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt  # the process killed between two batches
        return real(conn, after, limit)

    monkeypatch.setattr(acute.q, "open_messages", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        acute.set_rules(as_("adm"), threshold="39,5")
    with store.read() as conn:
        marker = staff_q.get_setting(conn, acute.SCREENED_KEY)
    assert marker["after"] > 0 and not marker["done"]
    assert acute.stale(system)
    monkeypatch.setattr(acute.q, "open_messages", real)
    # The next command to open the database finishes it.
    r = run_cli("--as", "rec1", "list", "--json", db=db_path)
    assert r.returncode == 0
    assert not any(json.loads(line)["acute"] for line in r.stdout.decode().splitlines())
    assert not acute.stale(system)


def test_an_upgrade_screens_old_flags_again_at_the_first_session(system, as_, store, db_path):
    """A database written by the word-list version: its flags are words ("feb, andas"), and
    the numbers it missed are found when any session first opens it."""
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", message="Tempen är 39,1 nu."),
            errand_line("1177-000002", message="Kan vi flytta tiden till februari? Hon andas bättre nu."),
        ),
    )
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE errands SET acute = NULL WHERE ref = '1177-000001'")
    conn.execute("UPDATE errands SET acute = 'februari, andas' WHERE ref = '1177-000002'")
    conn.execute("DELETE FROM settings WHERE key = ?", (acute.SCREENED_KEY,))
    conn.commit()
    conn.close()
    rows = {s.ref: s for s in errands.list_errands(as_("rec1"))}
    assert rows["1177-000002"].acute_text == "Akut ord: februari · Akut ord: andas"
    ctx = session.open_session(db_path, "rec1", None)
    try:
        rows = {s.ref: s for s in errands.list_errands(ctx)}
    finally:
        ctx.store.close()
    assert rows["1177-000001"].acute_text == "Feber: 39,1"
    assert rows["1177-000002"].acute == ()
    ev = [x for x in errands.show_errand(as_("rec1"), "1177-000002").events if x.kind == "acute"]
    assert ev[-1].actor_name == e.CLINIC  # the system did it, not the person who happened to open


def test_a_closed_errand_keeps_its_flags(system, as_, store):
    intake.import_errands(system, jsonl(errand_line("1177-000001", message=FEVER)))
    errands.close(as_("rec1"), "1177-000001", "Besvarat per telefon", documented=True)
    acute.set_rules(as_("adm"), threshold="39,5")
    assert errands.show_errand(as_("rec1"), "1177-000001").summary.acute_text == "Feber: 39,2"


def _note_while_screening(path: str, started, done, result) -> None:
    """Another person writes notes while the screening runs: none of them may fail."""
    from bcc_tui.services import errands as errands_
    from bcc_tui.services import people
    from bcc_tui.services.clock import SystemClock
    from bcc_tui.store.db import Store

    store = Store(path)
    with store.read() as conn:
        ctx = Ctx(store, people.actor_from_row(staff_q.by_username(conn, "rec1")), SystemClock())
    started.set()  # ready: the screening starts now, while these notes are written
    worst, failed, n = 0.0, 0, 0
    while not done.is_set() and n < 400:
        t = time.perf_counter()
        try:
            errands_.note(ctx, "M-000001", f"anteckning {n}")
        except Exception:
            failed += 1
        worst = max(worst, time.perf_counter() - t)
        n += 1
    result.put((n, failed, worst))
    store.close()


def test_others_keep_writing_while_the_open_errands_are_screened(system, as_, store, db_path):
    _many_open(store, 4000)
    ctx = multiprocessing.get_context("spawn")
    started, done, result = ctx.Event(), ctx.Event(), ctx.Queue()
    writer = ctx.Process(target=_note_while_screening, args=(str(db_path), started, done, result))
    writer.start()
    try:
        assert started.wait(60)
        _rules, changed = acute.set_rules(as_("adm"), threshold="39,5")
    finally:
        done.set()
        n, failed, _worst = result.get(timeout=60)
        writer.join(30)
    assert changed == 400 and n > 0 and failed == 0  # nobody was told "upptagen"


def test_the_system_catches_up_only_when_needed(system, store, db_path, clock):
    ctx = Ctx(store, SYSTEM_ACTOR, clock)
    session.catch_up(ctx)
    assert not acute.stale(ctx)
    with store.read() as conn:
        before = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    session.catch_up(ctx)  # nothing to do: no write at all
    with store.read() as conn:
        assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before


def test_an_errand_changed_while_it_was_screened_is_screened_again_not_skipped(system, as_, monkeypatch):
    """A reviewer's find: the batch lost its compare-and-set to an assignment made between its
    read and its write, moved on, and the errand kept the old rules' flags for good."""
    intake.import_errands(system, jsonl(errand_line("1177-000001", message=FEVER)))
    real = acute._screened
    raced = []

    def screened_while_someone_assigns(row, current):
        if not raced:
            raced.append(row.id)
            errands.assign(as_("rec1"), "1177-000001", "doc1")  # bumps the version meanwhile
        return real(row, current)

    monkeypatch.setattr(acute, "_screened", screened_while_someone_assigns)
    _rules, changed = acute.set_rules(as_("adm"), threshold="39,5")
    assert raced and changed == 1
    assert errands.show_errand(as_("rec1"), "1177-000001").summary.acute == ()
    assert audit_log.check(as_("adm")) == []


def test_new_signs_pin_a_banner_marked_handled_again(system, as_):
    intake.import_errands(system, jsonl(errand_line("1177-000001", message="Hon har 39,4 och fryser.")))
    errands.acute_handled(as_("rec1"), "1177-000001", "Familjen ringd, kommer in")
    assert not errands.show_errand(as_("rec1"), "1177-000001").summary.acute_pinned
    acute.set_rules(as_("adm"), words={"Medvetande": ["fryser"]})
    s = errands.show_errand(as_("rec1"), "1177-000001").summary
    assert s.acute_pinned and s.acute_categories == ("Feber", "Medvetande")
    # A change that adds no category leaves the handled banner handled.
    errands.acute_handled(as_("rec1"), "1177-000001", "Ringd igen")
    acute.set_rules(as_("adm"), threshold="38,5")
    assert not errands.show_errand(as_("rec1"), "1177-000001").summary.acute_pinned
    assert audit_log.check(as_("adm")) == []


def test_the_advice_is_for_the_last_days_messages_not_a_late_backlog(system, as_):
    acute.set_advice(as_("adm"), enabled=True, text=ADVICE)
    intake.import_errands(
        system, jsonl(errand_line("1177-000001", message=FEVER, received_at="2026-11-11T08:00:00+01:00"))
    )
    old = errands.show_errand(as_("rec1"), "1177-000001").summary
    assert old.acute_pinned and not old.partial_reply_sent  # pinned, but no "call now" two weeks late
    with system.store.read() as conn:
        audited = conn.execute(
            "SELECT count(*) FROM audit WHERE detail LIKE 'råd till familjen%'"
        ).fetchone()[0]
    acute.set_advice(as_("adm"), enabled=True, text=ADVICE)  # the same again: nothing to audit
    with system.store.read() as conn:
        assert (
            conn.execute("SELECT count(*) FROM audit WHERE detail LIKE 'råd till familjen%'").fetchone()[0]
            == audited
        )


def test_a_large_import_is_screened_in_two_processes_with_the_same_findings(system, as_):
    """A file of 1,200 lines: a second process screens the batch a part at a time while this one
    reads on, and this one screens the parts it has not begun when the batch is to be written
    (import speed); every errand gets exactly the flags the screen gives it alone."""
    texts = [FEVER if i % 7 == 0 else CALM if i % 3 else "Hon andas tungt och har 38,6." for i in range(1200)]
    lines = [errand_line(f"1177-{i:06d}", message=t) for i, t in enumerate(texts)]
    assert intake._helper(jsonl(*lines)) is not None  # the path under test is taken
    intake.import_errands(system, jsonl(*lines))
    with system.store.read() as conn:
        stored = dict(conn.execute("SELECT ref, acute FROM errands").fetchall())
    for i, t in enumerate(texts):
        assert stored[f"1177-{i:06d}"] == rules_.dump(rules_.screen(f"Förnya recept\n{t}"))


def test_a_helper_gone_midway_leaves_the_same_findings(system, monkeypatch):
    """The helper process ends (killed, out of memory): the parts it had, and those it would have
    had, are done here, with the same findings."""
    texts = [FEVER if i % 5 == 0 else CALM for i in range(1200)]
    lines = [errand_line(f"1177-{i:06d}", message=t) for i, t in enumerate(texts)]
    real = intake._helper

    def dying(data):
        helper = real(data)
        assert helper is not None  # the path under test is taken
        helper.pool.submit(os._exit, 1)  # its process ends before the first part
        return helper

    monkeypatch.setattr(intake, "_helper", dying)
    errors = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    report = intake.import_errands(system, jsonl(*lines))
    assert report.added == 1200
    # The pool's threads ended cleanly (Python 3.11: its manager thread died on a part taken back,
    # and the queue's feeder thread then held the program's exit for ever).
    assert errors == []
    assert not [t for t in threading.enumerate() if t.name == "QueueFeederThread"]
    with system.store.read() as conn:
        stored = dict(conn.execute("SELECT ref, acute FROM errands").fetchall())
    for i, t in enumerate(texts):
        assert stored[f"1177-{i:06d}"] == rules_.dump(rules_.screen(f"Förnya recept\n{t}"))


def test_a_part_the_helper_has_not_begun_is_done_here():
    """The helper's queue is taken back when a batch is to be written: each line read as the
    import reads it alone, with the same findings, content digest and search text as the errand's
    own, and the helper no longer does that part."""
    objs = [
        errand_line(f"1177-00000{i}", message=t)
        for i, t in enumerate([FEVER, CALM, "Hon andas tungt och har 38,6."])
    ]
    lines = [b"", *jsonl(objs[0], {"ref": "x"}, *objs[1:]).split(b"\n")]  # lines 7 to 11 of an input
    now = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    part = intake._Part(lines, 7, now, rules_.DEFAULT_RULES, Future())  # never begun
    news = [errand_from_json(obj, now) for obj in objs]
    refused, valid = part.read()
    assert refused == [(9, "type: saknas")]
    assert valid == [
        (
            number,
            new.as_tuple(format_utc(new.received_at)),
            new.received_at,
            (
                rules_.dump(rules_.screen(f"{new.subject}\n{new.message}")),
                hashlib.sha256(new.canonical().encode("utf-8")).hexdigest(),
                errands_q.search_text(new.__dict__),
            ),
        )
        for number, new in zip((8, 10, 11), news, strict=True)
    ]
    assert part.future is not None and part.future.cancelled()


def test_batches_screened_meanwhile_are_screened_again_when_the_rules_changed(system, as_, monkeypatch):
    """The helper screens the next batches while this process writes one (services/intake.py); a
    rules change in between is seen in the write transaction, and those batches are screened
    again by the new rules, as a batch screened in this process would be."""
    monkeypatch.setattr(intake, "PARALLEL_FROM", 10)
    monkeypatch.setattr(intake, "BATCH", 20)
    lines = [errand_line(f"1177-{i:06d}", message=FEVER if i % 2 else CALM) for i in range(70)]
    assert intake._helper(jsonl(*lines)) is not None  # the path under test is taken
    real = intake._Batch.screened
    calls: list[bool] = []

    def rules_change_before_the_second_write(self):
        calls.append(all(part.future is not None for part in self.parts))
        if len(calls) == 2:
            acute.set_rules(as_("adm"), threshold="39,5", screen_open=False)
        return real(self)

    monkeypatch.setattr(intake._Batch, "screened", rules_change_before_the_second_write)
    report = intake.import_errands(system, jsonl(*lines))
    assert report.added == 70 and calls == [True, True, True, True]  # each batch handed to the helper
    with system.store.read() as conn:
        stored = dict(conn.execute("SELECT ref, acute FROM errands").fetchall())
    flagged = sorted(int(ref[5:]) for ref, found in stored.items() if found)
    assert flagged == [i for i in range(20) if i % 2]  # the first batch only, written before
