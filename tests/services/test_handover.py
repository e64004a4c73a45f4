"""The shift handover (R28): categories most pressing first, remarks for the next shift, the
receipt, and what changed since the last one."""

import datetime as dt
import json
import re

import pytest

from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.errors import InvalidInput, NotAllowed
from bcc_tui.services import errands, handover, intake, people
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from tests.conftest import NOW, errand_line, jsonl


@pytest.fixture
def ward(system, as_, store):
    people.import_schedule(
        system,
        jsonl(
            {"date": "2026-11-24", "receiver": "rec2", "outpatient_doctors": ["doc1"]},
            {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1"]},
        ),
    )
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001", received_at="2026-11-20T09:00:00+01:00"),  # overdue, unassigned
            errand_line("1177-000002", received_at="2026-11-23T09:00:00+01:00"),  # due today
            errand_line("1177-000003", received_at="2026-11-24T09:00:00+01:00"),  # due tomorrow
            errand_line("1177-000004", received_at="2026-11-25T08:00:00+01:00", message="Han har feber"),
            errand_line("1177-000005", type="synpunkter_klagomal", urgent=True),
            errand_line("1177-000006", received_at="2026-11-25T08:30:00+01:00"),  # unassigned, ok
        ),
    )
    errands.assign(as_("rec1"), "1177-000002", "doc1")
    errands.assign(as_("rec1"), "1177-000003", "doc2")
    return store


def at(ctx: Ctx, moment: dt.datetime) -> Ctx:
    return Ctx(ctx.store, ctx.actor, FixedClock(moment))


def test_each_errand_once_in_its_most_pressing_category(ward, as_):
    h = handover.handover(as_("rec1"))
    # Acute signs before an urgent complaint, as the dashboard pins them (R11).
    assert [(i.ref, i.category) for i in h.items] == [
        ("1177-000004", "acute"),
        ("1177-000005", "acute"),
        ("1177-000001", "overdue"),
        ("1177-000002", "due_today"),
        ("1177-000003", "due_next"),
        ("1177-000006", "unassigned"),
    ]
    assert h.counts == {"acute": 2, "overdue": 1, "due_today": 1, "due_next": 1, "unassigned": 1}
    md = handover.markdown(h)
    assert md.startswith("# Överlämning 1177 – ons 25 nov 2026 kl 10:00")
    assert "Ingen har tagit över än" in md
    # Sections are exclusive, and say so: "Ofördelade | 1" read as one unassigned of several.
    assert "| Övriga ofördelade | 1 |" in md and "under den första grupp det hör till" in md
    assert "Elsa" not in md and "20150315" not in md  # no patient names or numbers
    # The handover's counts agree with the panes'.
    panes = errands.panes(as_("rec1"))
    assert h.count("overdue") == sum(
        1 for s in panes.open if s.countdown.level == "overdue" and not (s.acute or s.urgent)
    )
    with pytest.raises(NotAllowed):
        handover.handover(as_("doc1"))


def test_absent_holders_and_passed_follow_ups(ward, as_, system):
    people.import_schedule(system, jsonl({"absent": "doc2", "from": "2026-11-25", "to": "2026-11-27"}))
    # Held by someone absent today: right after the overdue ones, whatever its due date, and said so.
    h = handover.handover(as_("rec1"))
    assert {i.ref: i.category for i in h.items}["1177-000003"] == "absent_holder"
    assert h.count("absent_holder") == 1 and "hos Dag Doktor (frånvarande idag)" in handover.markdown(h)
    errands.partial_reply(as_("doc1"), "1177-000002", "På gång")
    later = at(
        as_("rec1"), NOW + dt.timedelta(days=9)
    )  # fri 4 dec: the follow-up (5 business days) has passed
    h = handover.handover(later)
    cats = {i.ref: i.category for i in h.items}
    assert cats["1177-000002"] == "followup"
    # An errand answered by a partial reply, held by someone absent today.
    errands.partial_reply(as_("doc2"), "1177-000003", "Vi återkommer")
    cats = {i.ref: i.category for i in handover.handover(as_("rec1")).items}
    assert cats["1177-000003"] == "absent_holder"


def test_a_huge_category_shows_its_count_and_the_most_pressing_rows(system, as_):
    intake.import_errands(
        system,
        jsonl(
            *(
                errand_line(f"1177-1{i:05d}", received_at=f"2026-11-{10 + i % 5:02d}T09:00:00+01:00")
                for i in range(30)
            )
        ),
    )
    h = handover.handover(as_("rec1"), per_category=4)
    assert h.count("overdue") == 30 and len(h.items) == 4
    assert all(i.summary.received_on.day == 10 for i in h.items)  # the oldest first
    assert "… och 26 till" in handover.markdown(h)


def test_remarks_receipt_and_what_changed_since(ward, as_, system, store):
    rec1, rec2 = as_("rec1"), as_("rec2")
    handover.pin_remark(rec2, "1177-000002", "Ring mamma efter 14")
    with pytest.raises(NotAllowed):
        handover.pin_remark(as_("doc1"), "1177-000002", "x")
    with pytest.raises(InvalidInput):
        handover.pin_remark(rec2, "1177-000002", "   ")
    # The remark shows on the errand, in the panes and in the handover.
    assert errands.show_errand(rec1, "1177-000002").summary.remark == "Ring mamma efter 14"
    assert next(s for s in errands.panes(rec1).open if s.ref == "1177-000002").remark == "Ring mamma efter 14"
    h = handover.handover(rec1)
    item = next(i for i in h.items if i.ref == "1177-000002")
    assert item.remark.text == "Ring mamma efter 14" and item.remark.author == "rec2"
    assert 'anmärkning: "Ring mamma efter 14" (Rolf Receiver)' in handover.markdown(h)

    # Nobody gave: rec1 walks the list and takes over; the receipt names yesterday's receiver (rec2).
    receipt = handover.take(
        at(rec1, NOW + dt.timedelta(minutes=1)),
        listed=[(i.ref, i.category) for i in h.items],
        done=["1177-000005", "1177-000002", "not-listed"],
    )
    assert (receipt.from_user, receipt.to_user, receipt.listed, receipt.done) == ("rec2", "rec1", 6, 2)
    assert (
        not receipt.given
        and "utan överlämning (ingen hade lämnat över; mottagare före: Rolf Receiver)"
        in receipt.said(h.names)
    )
    row = store.conn.execute("SELECT * FROM handovers").fetchone()
    assert json.loads(row["done"]) == ["1177-000005", "1177-000002"]
    assert json.loads(row["items"])[0] == {"ref": "1177-000004", "category": "acute"}
    audit_row = store.conn.execute(
        "SELECT actor, action, detail FROM audit WHERE action = 'handover'"
    ).fetchone()
    assert audit_row["actor"] == "rec1" and json.loads(audit_row["detail"])["done"] == 2
    # The remark was handed over: no longer pinned.
    assert errands.show_errand(rec1, "1177-000002").summary.remark is None

    # Two hours later: one errand arrived, one closed; the next handover starts from the receipt.
    later = at(rec1, NOW + dt.timedelta(hours=2))
    system_later = at(system, NOW + dt.timedelta(hours=2))
    intake.import_errands(
        system_later, jsonl(errand_line("1177-000007", received_at="2026-11-25T11:30:00+01:00"))
    )
    errands.reply(at(as_("doc1"), NOW + dt.timedelta(hours=2)), "1177-000002", "Klart")
    h2 = handover.handover(later)
    assert h2.changes.since == (NOW + dt.timedelta(minutes=1)).astimezone(dt.UTC)
    assert h2.changes.arrived == (1, ["1177-000007"]) and h2.changes.closed == (1, ["1177-000002"])
    data = handover.as_json(h2)
    assert data["since"] == "2026-11-25T09:01:00Z"
    assert data["arrived_since"] == ["1177-000007"] and data["closed_since"] == ["1177-000002"]
    assert {"ref": "1177-000001", "category": "overdue", "remark": None} in data["items"]
    assert set(data) >= {"since", "arrived_since", "closed_since", "items", "note"}

    # What became overdue since the last handover: 000003 was due thu 26 nov (000001 was overdue
    # already, 000002 was answered).
    assert handover.handover(at(rec1, dt.datetime(2026, 11, 26, 8, 0, tzinfo=STOCKHOLM))).changes.overdue == (
        0,
        [],
    )
    friday = at(rec1, dt.datetime(2026, 11, 27, 8, 0, tzinfo=STOCKHOLM))
    assert handover.handover(friday).changes.overdue == (1, ["1177-000003"])
    _pending, log = handover.receipts(rec1)
    assert len(log) == 1 and log[0]["to"] == "rec1" and log[0]["done"] == 2


def test_an_acute_sign_marked_handled_no_longer_leads_the_handover(ward, as_):
    errands.acute_handled(as_("rec1"), "1177-000004", "Familjen kontaktad")
    h = handover.handover(as_("rec1"))
    cats = {i.ref: i.category for i in h.items}
    assert cats["1177-000004"] == "unassigned" and cats["1177-000005"] == "acute"
    # The Markdown says it was handled (a nurse's trial: "AKUTA TECKEN" as if nobody had called).
    line = next(x for x in handover.markdown(h).splitlines() if "1177-000004" in x)
    assert "akuta tecken hanterade (" in line and "AKUTA TECKEN" not in line, line


def test_give_and_take_are_two_acts_and_the_receipt_holds_both(ward, as_, store):
    """Issue 27: the outgoing receiver's give consumes nothing; the note, the remarks and the items
    not gone through wait for the next receiver, whose take writes the receipt with both sides."""
    rec1, rec2 = at(as_("rec1"), NOW), at(as_("rec2"), NOW + dt.timedelta(minutes=30))
    h = handover.handover(rec1)
    handover.pin_remark(rec1, "1177-000002", "Ring mamma efter 14")
    handover.add_note(rec1, "Lugnt pass")
    listed = [(i.ref, i.category) for i in h.items]
    given = handover.give(rec1, listed=listed, done=[listed[0][0]], note="Se 000002 särskilt")
    assert (len(given.done), len(given.listed), given.note) == (1, 6, "Se 000002 särskilt")
    assert len(given.not_done) == 5
    with pytest.raises(InvalidInput, match="själv lämnat över"):
        handover.take(rec1)
    # Nothing was consumed: the remark still pins its errand; every receiver's panes say who gave.
    assert errands.show_errand(rec2, "1177-000002").summary.remark == "Ring mamma efter 14"
    waiting = errands.panes(rec2).handover_waiting
    assert waiting is not None and waiting.name == "Rita Receiver"
    assert errands.panes(as_("doc1")).handover_waiting is None  # a caregiver's header has no handover
    seen = handover.handover(rec2)
    assert seen.given == given and seen.note.text == "Lugnt pass"
    data = handover.as_json(seen)
    assert data["given"]["by"] == "rec1" and data["given"]["note"] == "Se 000002 särskilt"
    assert data["given"]["done"] == 1 and data["given"]["items"] == 6 and len(data["given"]["not_done"]) == 5
    assert data["remarks_since"][0]["remark"] == "Ring mamma efter 14" and data["taken"] is None
    md = handover.markdown(seen)
    assert "## Lämnad över av Rita Receiver, ons 25 nov 10:00: 1 av 6 genomgångna" in md
    assert "> Se 000002 särskilt" in md and 'Anmärkning på **1177-000002**: "Ring mamma efter 14"' in md
    # A second give before anyone takes replaces the first.
    handover.give(rec1, listed=listed, done=[r for r, _ in listed], note="Allt genomgånget till slut")
    assert handover.handover(rec2).given.note == "Allt genomgånget till slut"

    receipt = handover.take(rec2)
    assert (receipt.from_user, receipt.to_user, receipt.listed, receipt.done) == ("rec1", "rec2", 6, 6)
    pending, log = handover.receipts(rec2)
    assert pending is None
    assert log[0]["from"] == "rec1" and log[0]["to"] == "rec2" and log[0]["given_at"] is not None
    assert log[0]["note"] == "Allt genomgånget till slut"
    after = handover.handover(at(as_("rec2"), NOW + dt.timedelta(hours=1)))
    assert after.given is None and after.changes.remarks == [] and after.note is None
    assert (
        handover.as_json(after)["taken"]["by"] == "rec2"
        and handover.as_json(after)["taken"]["from"] == "rec1"
    )
    assert errands.show_errand(rec2, "1177-000002").summary.remark is None  # handed over now
    acts = [
        json.loads(r["detail"])["act"]
        for r in store.conn.execute(
            "SELECT detail FROM audit WHERE action = 'handover' AND outcome = 'ok' ORDER BY id"
        )
    ]
    assert acts == ["give", "give", "take"]


def test_the_markdown_escapes_what_families_and_staff_wrote(system, as_):
    """A quote of patient text and a remark cannot become a code fence, HTML or a heading."""
    intake.import_errands(
        system,
        jsonl(errand_line("1177-000009", message="CVK:n ``` <img src=x onerror=alert(1)> [/] **x** är röd")),
    )
    handover.pin_remark(as_("rec1"), "1177-000009", "## Rubrik <script>alert(1)</script> [a](http://e)")
    md = handover.markdown(handover.handover(as_("rec1")))
    # Every character Markdown or HTML would act on is escaped: none stands bare.
    assert not re.search(r"(?<!\\)[`<>\[\]]", md.replace("**", "")), md
    assert "\\#\\# Rubrik \\<script\\>" in md and "\\`\\`\\`" in md


def test_the_note_written_with_w_goes_with_the_give_and_into_the_receipt(ward, as_):
    """The issue's walk: `w` a note, then give; the receipt holds the note."""
    rec1, rec2 = at(as_("rec1"), NOW), at(as_("rec2"), NOW + dt.timedelta(minutes=5))
    handover.add_note(rec1, "Lugnt pass")
    given = handover.give(rec1)
    assert given.note == "Lugnt pass"
    handover.take(rec2)
    _pending, log = handover.receipts(rec2)
    assert log[0]["note"] == "Lugnt pass"


def test_acute_signs_nobody_holds_come_first_and_the_screen_names_them(ward, as_, system):
    """The handover put an urgent complaint with a partial reply above a child's fever that nobody
    held: acute signs not yet handled come first, those nobody holds before those someone does,
    then the urgent ones."""
    intake.import_errands(
        system, jsonl(errand_line("1177-000007", received_at="2026-11-25T09:30:00+01:00", message="Feber 39"))
    )
    errands.assign(as_("rec1"), "1177-000004", "doc1")
    h = handover.handover(as_("rec1"))
    assert [i.ref for i in h.items if i.category == "acute"] == ["1177-000007", "1177-000004", "1177-000005"]


def test_every_acute_errand_not_yet_handled_is_in_the_handover_however_many(system, as_):
    """A receiver's trial: at 59 in the acute and urgent group, nine were left out (acute errands
    held by doctors, the newest fevers), and nobody could walk them."""
    intake.import_errands(
        system,
        jsonl(
            *(
                errand_line(
                    f"1177-2{i:05d}",
                    message="Hon har feber 39,2.",
                    received_at=f"2026-11-{20 + i % 5:02d}T09:00:00+01:00",
                )
                for i in range(12)
            ),
            *(
                errand_line(f"1177-3{i:05d}", urgent=True, received_at="2026-11-20T09:00:00+01:00")
                for i in range(6)
            ),
        ),
    )
    for i in range(0, 12, 3):
        errands.assign(as_("rec1"), f"1177-2{i:05d}", "doc1")
    h = handover.handover(as_("rec1"), per_category=4)
    shown = {i.ref for i in h.items}
    assert {f"1177-2{i:05d}" for i in range(12)} <= shown  # all twelve, over the group's four
    assert not any(ref.startswith("1177-3") for ref in shown)  # the urgent ones are still capped
    assert "… och 6 till" in handover.markdown(h)
