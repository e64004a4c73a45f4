"""A dashboard follows other people's changes (issue 31): what changed on its panes, read as the
errands the changes touched instead of everything again.

Every write that changes what someone may see records a change (store/changes.py, written by
triggers). A dashboard keeps the number of the last change its panes are current to; `follow`
reads the changes after it and works out, from the panes on screen, what each changed errand
does to them: a row that changed, an errand that enters or leaves a page by its place in the
order, a count in a title. Only those errands are read, and the rows whose suggestion or
"concerned" column they may change (the same patient's; with a doctor's load, the unassigned
page). A write nobody sees (an audit row, a draft, an outbox) records no change and costs a
dashboard one query; a change a dashboard does not show (a caregiver's errand on another
caregiver's screen) ends there too.

When unsure it reads everything, as the first load does: a change to the clinic's own tables
(staff, roster, absences, types, settings, care teams, a handover given), more changes than a
few dozen errands (an import), a dashboard that fell behind the changes kept, a filter, or
counts not read yet.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, replace
from sqlite3 import Connection

from bcc_tui.domain import errand as e
from bcc_tui.services import clinic
from bcc_tui.services.context import Ctx
from bcc_tui.services.errands import (
    PAGE,
    STATUSES,
    Pane,
    Panes,
    _attention,
    _Judging,
    _scope,
    _summaries,
    load_candidates,
)
from bcc_tui.services.views import ErrandSummary, attention_key, summary
from bcc_tui.store import changes as changes_q
from bcc_tui.store import errands as q
from bcc_tui.store.errands import ErrandRow

MAX_CHANGES = 500  # more changes than this since the last look: read everything again
MAX_ERRANDS = 40  # more errands changed than this (an import, a recompute): read everything again
_STATE_KINDS = ("new", "update", "gone")
# What can change a row on a pane: its own state, a remark, and the events that make an errand a
# caregiver's (store/errands.py, _INVOLVED) or decide who last answered a patient (a reply).
_ROW_KINDS = (*_STATE_KINDS, "remark", "reply", "partial_reply", "close")


@dataclass(frozen=True)
class Followed:
    """What `follow` found: the panes after the changes (None: nothing on them changed), the newest
    change read, and what the caller does besides."""

    data: Panes | None
    seq: int
    again: bool = False  # read everything again (see the module's doc)
    detail: bool = False  # the errand open on screen, or its patient's, changed: read it again
    news: bool = False  # an errand the person now holds changed (R23: look for news)
    staff: bool = False  # the staff changed: is the person still allowed (their roles, active)


@dataclass(frozen=True)
class _State:
    """What decides an errand's pane and its counts."""

    status: str
    assignee: str | None
    due_date: str
    first_response_on: str | None

    @classmethod
    def of(cls, row: ErrandRow) -> _State:
        return cls(row.status, row.assignee, row.due_date, row.first_response_on)

    @classmethod
    def before(cls, change: changes_q.Change) -> _State:
        """The errand as a change of its row found it (its old_ columns, which the triggers copy
        from the row's NOT NULL columns)."""
        if change.old_status is None or change.old_due_date is None:
            raise ValueError(f"ändring {change.seq} ({change.kind}) saknar ärendets tidigare läge")
        return cls(change.old_status, change.old_assignee, change.old_due_date, change.old_first_response_on)


def _comes_before(pane: str, a: ErrandSummary, b: ErrandSummary) -> bool:
    """Whether `a` is above `b` in `pane` (the store's order: store/errands.py)."""
    if pane == e.CLOSED:
        return (a.closed_at, a.id) > (b.closed_at, b.id)  # newest first
    return attention_key(a) < attention_key(b)


def _insert(pane: str, rows: list[ErrandSummary], s: ErrandSummary) -> None:
    """Put `s` in its place among `rows`, which are in order; the others keep theirs."""
    at = bisect.bisect_left(range(len(rows)), True, key=lambda i: _comes_before(pane, s, rows[i]))
    rows.insert(at, s)


def newest(ctx: Ctx) -> int:
    """The newest change's number: when it is the one the panes are current to, whatever was
    written changed nothing anyone sees (an audit row: someone opened an errand). Busy at once
    when the connection is in use (the caller, a poll on the screen's thread, asks again)."""
    with ctx.store.read(wait=False) as conn:
        return changes_q.last(conn)


def unseen(ctx: Ctx, shown: Panes, seq: int) -> int | None:
    """The newest change, when none of those since `seq` can touch the panes `shown`: events that
    change no row (a note), or, for a caregiver, whose panes hold only their own errands, errands
    not on them, neither held nor answered by them before or now, of no patient of theirs on
    screen. None when some may (for a receiver, whose counts any errand's state moves, whenever
    a state changed): follow() then reads them. A few small reads, so that such a change costs
    a dashboard no worker (issue 31)."""
    involved = _scope(ctx)
    with ctx.store.read(wait=False) as conn:
        rows = changes_q.since(conn, seq, MAX_CHANGES + 1)
        if not rows or len(rows) > MAX_CHANGES or any(r.errand_id is None for r in rows):
            return None
        if all(r.kind not in _ROW_KINDS for r in rows):
            return int(rows[-1].seq)  # events that change no row on any pane: a note, say
        if involved and _may_touch(conn, rows, shown, involved):
            return None
        if not involved and _may_reach(ctx, conn, rows, shown):
            return None
        return int(rows[-1].seq)


def _by_errand(rows: list[changes_q.Change]) -> dict[int, list[changes_q.Change]]:
    """The changes of errands, by errand (the others are the clinic's: staff, roster, …)."""
    by_errand: dict[int, list[changes_q.Change]] = {}
    for r in rows:
        if r.errand_id is not None:
            by_errand.setdefault(r.errand_id, []).append(r)
    return by_errand


def _on_pages(shown: Panes) -> tuple[set[int], set[str]]:
    """The errands on the panes' pages, and their children (whose other rows read differently
    after a reply, a close or a new holder: the last reply, the caregiver concerned)."""
    rows = shown.open + shown.closed
    return {s.id for s in rows}, {s.personnummer for s in rows}


def _may_touch(conn: Connection, rows: list[changes_q.Change], shown: Panes, involved: str) -> bool:
    """Whether changes of errands may touch a caregiver's panes: an errand on them, held or
    answered by them before or now, or another errand of a child on them."""
    ids = sorted({r.errand_id for r in rows if r.errand_id is not None})
    on_screen, patients = _on_pages(shown)
    if on_screen & set(ids) or any(r.old_assignee == involved for r in rows):
        return True
    # A patient's other rows read differently after a reply, a close or a new holder (the last
    # reply, the caregiver concerned), never after an errand's arrival alone: the intake job's
    # new errands cost the caregivers who show that child's other errands nothing.
    touching = {r.errand_id for r in rows if r.kind != "new"}
    for row in q.holders(conn, ids):
        if row.assignee == involved or (row.id in touching and row.personnummer in patients):
            return True
    return bool(q.involving_events(conn, ids, involved))


def _may_reach(ctx: Ctx, conn: Connection, rows: list[changes_q.Change], shown: Panes) -> bool:
    """Whether changes of errands may reach a receiver's panes, whose counts any errand moves. They
    cannot when each errand is on no page, stays in its open pane with the same lateness (so the
    counts and the loads stay), is of no child on a page, and now comes after its page's last row
    (so it does not enter it): a partial reply to an errand far down Fördelade, say, which cost
    each receiver's dashboard a worker and 4.7 ms (issue 31)."""
    by_errand = _by_errand(rows)  # every change is of an errand here (unseen's first check)
    on_screen, patients = _on_pages(shown)
    if on_screen & by_errand.keys():
        return True
    current = {r.id: r for r in q.rows_by_ids(conn, sorted(by_errand))}
    before, now = _states(by_errand, current)
    today = ctx.today()
    day = today.isoformat()
    fdays = clinic.followup_days(conn)
    for eid, was in before.items():
        is_ = now[eid]
        if was is None or is_ is None or is_.status == e.CLOSED or current[eid].personnummer in patients:
            return True
        if (was.status, was.assignee) != (is_.status, is_.assignee):
            return True
        if _late(was, day) != _late(is_, day):
            return True
        page = shown.pane(is_.status)
        if page.total is None or not page.rows or len(page.rows) >= page.total:
            return True
        # Its place as the store orders the pane: the summary's attention key needs no suggestion.
        if _comes_before(is_.status, summary(current[eid], today, None, fdays), page.rows[-1]):
            return True
    return False


def follow(
    ctx: Ctx,
    shown: Panes,
    *,
    seq: int,
    limits: Mapping[str, int] | None = None,
    detail_ref: str | None = None,
) -> Followed:
    """The panes `shown` (current to change `seq`) after the changes since; an automatic refresh,
    so never an audited read (R15). `limits`: each pane's page as the dashboard asked for it;
    `detail_ref`: the errand open on screen."""
    involved = _scope(ctx)
    limits = limits or {}
    with ctx.store.read() as conn:
        newest = changes_q.last(conn)
        if newest <= seq:
            return Followed(None, seq)
        if changes_q.first(conn) > seq + 1:
            return Followed(None, newest, again=True, staff=True)  # fell behind the changes kept
        rows = changes_q.since(conn, seq, MAX_CHANGES + 1)
        kinds = {r.kind for r in rows}
        staff = "staff" in kinds
        by_errand = _by_errand(rows)
        if (
            len(rows) > MAX_CHANGES
            or kinds & set(changes_q.CLINIC)
            or len(by_errand) > MAX_ERRANDS
            or any(shown.pane(s).total is None for s in STATUSES)
        ):
            return Followed(None, newest, again=True, staff=staff or len(rows) > MAX_CHANGES)
        newest = rows[-1].seq  # what was read, should more have come meanwhile (not in this snapshot)
        load = shown.load if shown.seq == seq else None  # the load is as of the panes' own change
        return _apply(ctx, conn, shown, newest, by_errand, involved, limits, detail_ref, load)


def _apply(
    ctx: Ctx,
    conn: Connection,
    shown: Panes,
    newest: int,
    by_errand: dict[int, list[changes_q.Change]],
    involved: str | None,
    limits: Mapping[str, int],
    detail_ref: str | None,
    load: dict[str, int] | None,
) -> Followed:
    attention = _attention(ctx, conn)
    ids = sorted(by_errand)
    current = {r.id: r for r in q.rows_by_ids(conn, ids)}
    before, now = _states(by_errand, current)
    had, has = _involvement(conn, ids, by_errand, involved)
    panes = {s: shown.pane(s) for s in STATUSES}
    shown_panes = [s for s in STATUSES if not (s == e.UNASSIGNED and involved)]
    entering: dict[str, list[int]] = {s: [] for s in STATUSES}
    counts: dict[str, tuple[int, int]] = {}
    kept: dict[str, list[ErrandSummary]] = {}
    for pane in shown_panes:
        page = panes[pane]
        moves = [
            (
                _member(before[eid], pane, eid in had, involved),
                _member(now[eid], pane, eid in has, involved),
                eid,
            )
            for eid in ids
        ]
        counts[pane] = _recount(page, pane, moves, before, now, attention.today, entering[pane])
        kept[pane] = [s for s in page.rows if s.id not in by_errand]
    patients = {r.personnummer for r in current.values()}
    judging = _Judging(ctx, conn)  # the staff, roster, types and load: read once for every row
    if load is not None:
        judging.assume_load(_load_after(load, before, now, judging.candidates))
    needed = _to_read(judging, kept, entering, patients, before, now)
    fresh = _read(judging, needed, current)
    for pane in shown_panes:
        rebuilt = _rebuilt(
            judging,
            pane,
            panes[pane],
            counts[pane],
            kept[pane],
            entering[pane],
            fresh,
            limits,
            attention,
            involved,
        )
        if rebuilt is None:
            return Followed(None, newest, again=True)  # the counts no longer add up: read them
        panes[pane] = rebuilt
    data = replace(
        shown,
        unassigned=panes[e.UNASSIGNED],
        assigned=panes[e.ASSIGNED],
        closed_pane=panes[e.CLOSED],
        seq=newest,
        load=judging.known_load(),
    )
    unchanged = all(panes[s] == shown.pane(s) for s in STATUSES)
    detail = _detail_changed(conn, detail_ref, by_errand, patients)
    news = any(state is not None and state.assignee == ctx.actor.username for state in now.values())
    return Followed(None if unchanged else data, newest, detail=detail, news=news)


def _load_after(
    load: Mapping[str, int],
    before: Mapping[int, _State | None],
    now: Mapping[int, _State | None],
    candidates: list[str],
) -> dict[str, int]:
    """The doctors' open errands after the changes, from their count before them: each changed
    errand's holder before gives one back and its holder now takes one. Counting them again read
    every assigned errand (50,000 in the backlog benchmark), a third of following one change."""
    out = dict(load)
    for eid, was in before.items():
        for state, step in ((was, -1), (now[eid], 1)):
            if state is not None and state.status == e.ASSIGNED and state.assignee is not None:
                out[state.assignee] = out.get(state.assignee, 0) + step
    return {u: n for u in candidates if (n := out.get(u, 0)) > 0}


def _to_read(
    judging: _Judging,
    kept: dict[str, list[ErrandSummary]],
    entering: dict[str, list[int]],
    patients: set[str],
    before: dict[int, _State | None],
    now: dict[int, _State | None],
) -> list[int]:
    """The errands read again: those entering a pane, and rows that stay but may read
    differently: the same patient's (the last reply, the caregiver concerned), and with a
    doctor's load changed the unassigned page's suggestions that the load chose (R24). The
    others do not depend on it: reading the whole page again was a fifth of what an
    assignment cost each receiver's dashboard (issue 31)."""
    again = {s.id for rows in kept.values() for s in rows if s.personnummer in patients}
    by_load = [s.id for s in kept.get(e.UNASSIGNED, ()) if s.suggestion is not None and s.suggestion.by_load]
    if by_load and _load_changed(judging, before, now):
        again |= set(by_load)
    return sorted(again | {eid for rows in entering.values() for eid in rows})


def _detail_changed(
    conn: Connection, detail_ref: str | None, by_errand: dict[int, list[changes_q.Change]], patients: set[str]
) -> bool:
    """Whether the errand open on screen changed, or another of its patient's (or is gone)."""
    if not detail_ref:
        return False
    open_row = q.by_ref(conn, detail_ref)
    return open_row is None or open_row.id in by_errand or open_row.personnummer in patients


def _states(
    by_errand: dict[int, list[changes_q.Change]], current: dict[int, ErrandRow]
) -> tuple[dict[int, _State | None], dict[int, _State | None]]:
    """Each changed errand's state at the last look (from its first change's old values) and now."""
    before: dict[int, _State | None] = {}
    now: dict[int, _State | None] = {}
    for eid, its in by_errand.items():
        row = current.get(eid)
        now[eid] = _State.of(row) if row is not None else None
        first = next((c for c in its if c.kind in _STATE_KINDS), None)
        if first is None:
            before[eid] = now[eid]  # only events or remarks: the row's state is as it was
        elif first.kind == "new":
            before[eid] = None  # not there at the last look
        else:
            before[eid] = _State.before(first)
    return before, now


def _involvement(
    conn: Connection, ids: list[int], by_errand: dict[int, list[changes_q.Change]], involved: str | None
) -> tuple[set[int], set[int]]:
    """A caregiver's errands are also those they answered or closed (store/errands.py, _INVOLVED):
    their events now, and those before the changes (every event is a change of its own)."""
    had: set[int] = set()
    has: set[int] = set()
    if involved:
        new_events = {c.event_id for its in by_errand.values() for c in its if c.event_id}
        for errand_id, event_id in q.involving_events(conn, ids, involved):
            has.add(errand_id)
            if event_id not in new_events:
                had.add(errand_id)
    return had, has


def _member(state: _State | None, pane: str, answered: bool, involved: str | None) -> bool:
    return (
        state is not None
        and state.status == pane
        and (involved is None or state.assignee == involved or answered)
    )


def _late(state: _State | None, today: str) -> int:
    return int(state is not None and state.first_response_on is None and state.due_date < today)


def _recount(
    page: Pane,
    pane: str,
    moves: list[tuple[bool, bool, int]],
    before: dict[int, _State | None],
    now: dict[int, _State | None],
    today: str,
    entering: list[int],
) -> tuple[int, int]:
    """A pane's total and overdue count after the errands that left it and entered it; those
    that entered are added to `entering`."""
    total, overdue = page.total or 0, page.overdue
    for was, is_, eid in moves:
        if was:
            total -= 1
            overdue -= _late(before[eid], today) if pane != e.CLOSED else 0
        if is_:
            total += 1
            overdue += _late(now[eid], today) if pane != e.CLOSED else 0
            entering.append(eid)
    return total, overdue


def _rebuilt(
    judging: _Judging,
    pane: str,
    page: Pane,
    counted: tuple[int, int],
    kept: list[ErrandSummary],
    entering: list[int],
    fresh: dict[int, ErrandSummary],
    limits: Mapping[str, int],
    attention: q.Attention,
    involved: str | None,
) -> Pane | None:
    """A pane's page after the changes: the rows kept (read again where they may read
    differently), the rows entering in their place, filled up from the database when short;
    None when the counts no longer add up."""
    total, overdue = counted
    rows = [fresh.get(s.id, s) for s in kept]
    complete = page.total is not None and len(page.rows) >= page.total
    for eid in entering:
        s = fresh.get(eid)
        if s is not None and (complete or (rows and _comes_before(pane, s, rows[-1]))):
            _insert(pane, rows, s)
    limit = limits.get(pane, PAGE)
    del rows[limit:]
    if total < len(rows) or total < 0:
        return None
    if len(rows) < min(limit, total):
        rows = _refill(judging, pane, attention, involved, limit, rows)
    return Pane(rows, total, overdue)


def _load_changed(judging: _Judging, before: dict[int, _State | None], now: dict[int, _State | None]) -> bool:
    """Whether the open errands held by someone a suggestion may choose (R24) changed."""
    held = {
        eid: (
            b.assignee if b is not None and b.status == e.ASSIGNED else None,
            n.assignee if n is not None and n.status == e.ASSIGNED else None,
        )
        for eid, b, n in ((eid, before[eid], now[eid]) for eid in before)
    }
    moved = {who for was, is_ in held.values() if was != is_ for who in (was, is_) if who}
    if not moved:
        return False
    return bool(moved & set(load_candidates(judging.staff, judging.roster)))


def _read(judging: _Judging, ids: list[int], current: dict[int, ErrandRow]) -> dict[int, ErrandSummary]:
    """Summaries of `ids`, from the rows already read where there are some."""
    missing = [i for i in ids if i not in current]
    rows = [current[i] for i in ids if i in current] + (
        q.rows_by_ids(judging.conn, missing) if missing else []
    )
    return {s.id: s for s in _summaries(judging.ctx, judging.conn, rows, judging)} if rows else {}


def _refill(
    judging: _Judging,
    pane: str,
    attention: q.Attention,
    involved: str | None,
    limit: int,
    rows: list[ErrandSummary],
) -> list[ErrandSummary]:
    """A page that lost rows while the pane has more: its ids read again, the rows not on it read."""
    ids = q.page_ids(judging.conn, pane, attention=attention, involved=involved, limit=limit)
    have = {s.id: s for s in rows}
    fresh = _read(judging, [i for i in ids if i not in have], {})
    return [s for i in ids if (s := have.get(i) or fresh.get(i)) is not None]
