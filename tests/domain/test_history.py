"""Replaying an errand's events (the rule `check` compares stored state with)."""

from bcc_tui.domain.history import readable_date, readable_moment, replay


def ev(kind, at, target=None, **detail):
    return {"kind": kind, "at": at, "target": target, "detail": detail}


def test_a_history_replays_to_its_state():
    s = replay(
        "R",
        [
            ev("partial_reply", "2026-11-25T08:00:00Z", automatic=True),
            ev("urgent", "2026-11-25T08:01:00Z", urgent=True),
            ev("assign", "2026-11-25T08:02:00Z", "doc1"),
            ev("note", "2026-11-25T08:03:00Z"),
            ev("reassign", "2026-11-25T08:04:00Z", "doc2"),
            ev("remind", "2026-11-25T08:05:00Z"),
            ev("due_date", "2026-11-25T08:06:00Z", due_date="2026-12-01"),
            ev("reply", "2026-11-25T08:07:00Z"),
        ],
    )
    assert (s.status, s.assignee, s.urgent, s.initial_urgent) == ("closed", "doc2", True, False)
    assert s.first_response_at == s.partial_reply_at == "2026-11-25T08:00:00Z"
    assert (s.closed_at, s.close_kind, s.last_reminded_at) == (
        "2026-11-25T08:07:00Z",
        "reply",
        "2026-11-25T08:05:00Z",
    )
    assert s.version == 1 + 6 and s.due_date == "2026-12-01" and not s.acute_known and s.problems == []


def test_an_impossible_history_is_named():
    s = replay(
        "R",
        [
            ev("close", "2026-11-25T08:00:00Z"),
            ev("assign", "2026-11-25T08:01:00Z", "doc1"),
            ev("undo", "2026-11-25T08:02:00Z"),
        ],
    )
    assert s.problems == [
        "händelsen assign 2026-11-25T08:01:00Z är inte tillåten i läget closed",
        "okänd händelse 'undo' 2026-11-25T08:02:00Z",
    ]


def test_readable_dates_are_the_stored_form_only():
    assert readable_moment("2026-11-25T08:00:00Z") is not None
    for bad in (
        "999-06-01T10:00:00Z",
        "0001-01-01T00:00:00Z",
        "2026-11-25T08:00:00+01:00",
        "2026-02-30T08:00:00Z",
        "2026-11-25T08:00:00Z\n",
        "igår",
        None,
        20261125,
        b"2026-11-25T08:00:00Z",
    ):
        assert readable_moment(bad) is None, bad
    assert readable_date("2026-11-25") is not None
    assert readable_date("2026-13-01") is None and readable_date("26-11-25") is None
