"""Reading errands and acting on them (R2–R6, R10): one public function = one transaction.

The command line and the dashboard call these same functions, so the rules of who may do what,
and from which state, hold the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from sqlite3 import Connection
from typing import Any, TypeVar

from bcc_tui.domain import acute as acute_rules
from bcc_tui.domain import errand as e
from bcc_tui.domain import notices, roles
from bcc_tui.domain import search as search_rule
from bcc_tui.domain.business_days import local_date
from bcc_tui.domain.errors import BccError, Busy, Conflict, InvalidInput, NotAllowed
from bcc_tui.domain.routing import LastReply, Person, Suggestion, suggest
from bcc_tui.domain.search import fold
from bcc_tui.domain.text import clean, clean_line
from bcc_tui.domain.validation import parse_utc
from bcc_tui.services import clinic, drafts, notify, outbound, patients, people
from bcc_tui.services.context import Ctx, require, seen_errand
from bcc_tui.services.views import (
    Concerned,
    ErrandDetail,
    ErrandSummary,
    attention_bounds,
    event,
    summary,
    summary_json,
)
from bcc_tui.store import audit
from bcc_tui.store import changes as changes_q
from bcc_tui.store import errands as q
from bcc_tui.store import handover as handover_q
from bcc_tui.store import patients as patients_q
from bcc_tui.store import staff as staff_q
from bcc_tui.store.errands import Errand, ErrandRow
from bcc_tui.store.patients import CareTeam
from bcc_tui.store.staff import StaffMember

STATUSES = (e.UNASSIGNED, e.ASSIGNED, e.CLOSED)
T = TypeVar("T")


def _scope(ctx: Ctx) -> str | None:
    """Need-to-know: a caregiver who is not a receiver sees only their own errands."""
    return roles.need_to_know(ctx.actor)


class _Judging:
    """What every row of one read is judged against (the settings, the staff, today's roster, the
    types, the load), each read at its first use and then kept: a read that summarises rows in
    several calls (the three panes, a followed change's rows and its page's refill) asks once."""

    def __init__(self, ctx: Ctx, conn: Connection) -> None:
        self.ctx, self.conn, self.today = ctx, conn, ctx.today()

    @cached_property
    def fdays(self) -> int:
        return clinic.followup_days(self.conn)

    @cached_property
    def days(self) -> dict[str, int] | None:
        return clinic.due_days(self.conn)

    @cached_property
    def staff(self) -> list[Person]:
        return people.staff_people(self.conn)

    @cached_property
    def roster(self) -> people.Today:
        return people.today(self.conn, self.today)

    @cached_property
    def types(self) -> tuple[dict[str, str | None], set[str]]:
        """Each type's default assignee, and the types receivers answer."""
        types = q.types(self.conn)
        return {t.code: t.default_assignee for t in types}, {t.code for t in types if t.receivers_answer}

    @cached_property
    def candidates(self) -> list[str]:
        return load_candidates(self.staff, self.roster)

    @cached_property
    def load(self) -> dict[str, int]:
        return {u: n for u, (n, _) in q.open_load(self.conn, self.candidates).items()}

    def known_load(self) -> dict[str, int] | None:
        """The load, if it was read (only rows that are open need it)."""
        return self.__dict__.get("load")

    def assume_load(self, load: dict[str, int]) -> None:
        """The load worked out by the caller (services/follow.py) instead of counted again."""
        self.__dict__["load"] = load


def _summaries(
    ctx: Ctx, conn: Connection, rows: Sequence[ErrandRow | Errand], judging: _Judging | None = None
) -> list[ErrandSummary]:
    """Rows as summaries, each open one with its suggested assignee (R5, R18) and flags;
    `judging`: what the rows are judged against, when the caller summarises more than once."""
    judging = judging or _Judging(ctx, conn)
    today = judging.today
    open_rows = [r for r in rows if r.status != e.CLOSED]
    fdays = judging.fdays
    if not open_rows:
        return [summary(r, today, None, fdays) for r in rows]
    days = judging.days
    staff = judging.staff
    roster = judging.roster
    absent = set(roster.absent)
    defaults, by_receivers = judging.types
    pnrs = sorted({r.personnummer for r in open_rows})
    last = q.last_replies(conn, pnrs)
    teams = patients_q.teams(conn, pnrs)
    load = judging.load
    out = []
    backs: dict[str, dt.date | None] = {}
    for r in rows:
        s = None
        concerned = None
        if r.status != e.CLOSED:
            lr = last.get(r.personnummer)
            concerned = _concerned(
                conn,
                r,
                teams.get(r.personnummer),
                lr[0] if lr else None,
                absent,
                backs,
                today,
                roster.inactive,
            )
            s = suggest(
                r.type,
                bool(r.urgent),
                staff,
                absent,
                roster.top_doctor,
                LastReply(lr[0], local_date(parse_utc(lr[1]))) if lr else None,
                defaults.get(r.type),
                doctors=roster.doctors,
                load=load,
                team=patients.team_of(teams.get(r.personnummer)),
                receivers_answer=r.type in by_receivers,
            )
        held = r.status == e.ASSIGNED
        item = summary(
            r,
            today,
            s,
            fdays,
            holder_absent=held and r.assignee in absent,
            holder_gone=held and r.assignee in roster.inactive,
            days=days,
        )
        if concerned:
            item = replace(item, concerned_absent=concerned)
        if r.type in by_receivers:
            item = replace(item, receivers_answer=True)
        out.append(item)
    return out


def load_candidates(staff: list[Person], roster: people.Today) -> list[str]:
    """R24: only those a default may choose between need their load counted."""
    return sorted(set(roster.doctors) | {p.username for p in staff if p.title == "sektionsledare"})


def _concerned(
    conn: Connection,
    row: ErrandRow | Errand,
    team_row: CareTeam | None,
    last_replier: str | None,
    absent: Collection[str],
    backs: dict[str, dt.date | None],
    today: dt.date,
    gone: Collection[str] = (),
) -> Concerned | None:
    """R4: the caregiver concerned — the PAL, else the holder, else the one who last replied — when
    absent today, with the day they are back; deactivated (`gone`): not back at all."""
    for username, role in (
        (team_row.pal if team_row is not None else None, "PAL"),
        (row.assignee, "handläggaren"),
        (last_replier, "senast svarande"),
    ):
        if username:
            if username not in absent:
                return None
            if username in gone:
                return Concerned(username, role, None, gone=True)
            if username not in backs:
                backs[username] = staff_q.back_on(conn, username, today)
            return Concerned(username, role, backs[username])
    return None


def _search(conn: Connection, text: str | None) -> q.Search | None:
    """The filter as the store runs it: what people see in a row, without case or accents —
    reference, subject, patient, personnummer (in any written form, search.needle), proxy, the
    type's label and the holder's name or user name."""
    needle = search_rule.needle(clean_line(text or "").strip())
    if not needle:
        return None
    types = tuple(code for code, t in e.TYPES.items() if needle in fold(t.name) or needle in fold(t.short))
    people_ = tuple(
        r.username for r in staff_q.all_staff(conn) if needle in fold(r.name) or needle in fold(r.username)
    )
    return q.Search(needle, types, people_)


def _attention(ctx: Ctx, conn: Connection) -> q.Attention:
    return attention_bounds(ctx.today(), clinic.followup_days(conn))


def _ordered_ids(ctx: Ctx, conn: Connection, status: str | None, involved: str | None) -> list[int]:
    """Every errand of the list in order: open ones by attention, then closed ones newest first."""
    attention = _attention(ctx, conn)
    ids: list[int] = []
    for pane in (status,) if status else (q.OPEN, e.CLOSED):
        ids += q.page_ids(conn, pane, attention=attention, involved=involved)
    return ids


STREAM_BATCH = 2000


def _listed_ids(ctx: Ctx, status: str | None, limit: int | None, offset: int, audited: bool) -> list[int]:
    """The checks, the order and the audit row (R15) of a list, before its first row is read."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"okänd status '{status}' (tillåtna: {', '.join(STATUSES)})")
    try:
        roles.check(ctx.actor, "list")
        involved = _scope(ctx)
    except NotAllowed as err:
        ctx.log_refusal("list", None, str(err))
        raise
    with ctx.store.read() as conn:
        ids = _ordered_ids(ctx, conn, status, involved)
    ids = ids[offset : offset + limit] if limit is not None else ids[offset:]
    if audited:
        with ctx.store.write() as conn:
            audit.append(
                conn,
                [
                    ctx.entry(
                        "list",
                        detail=json.dumps(
                            {"status": status, "limit": limit, "offset": offset, "rows": len(ids)}
                        ),
                    )
                ],
            )
    return ids


def _batches(
    ctx: Ctx,
    ids: list[int],
    status: str | None,
    read: Callable[[Connection, list[int]], list[Any]],
    make: Callable[[Connection, list[Any]], list[T]],
    status_of: Callable[[Any], str],
) -> Iterator[T]:
    # Each batch read and made in its own short transaction, and handed on after it: no read
    # transaction stays open while a pipe waits on a person.
    for i in range(0, len(ids), STREAM_BATCH):
        with ctx.store.read() as conn:
            rows = read(conn, ids[i : i + STREAM_BATCH])
            if status is not None:
                rows = [r for r in rows if status_of(r) == status]  # changed since the order was read
            batch = make(conn, rows)
        yield from batch


def iter_errands(
    ctx: Ctx, status: str | None = None, *, limit: int | None = None, offset: int = 0, audited: bool = True
) -> Iterator[ErrandSummary]:
    """The errands the person may see, in the dashboard's order, read in batches so that a caller
    can write each as it comes: memory and the first line do not wait for a 100,000-errand backlog.

    The checks, the order and the audit row (R15) happen before this returns; no read transaction
    stays open between batches (a pipe may wait on a person)."""
    ids = _listed_ids(ctx, status, limit, offset, audited)

    return _batches(
        ctx, ids, status, q.rows_by_ids, lambda conn, rows: _summaries(ctx, conn, rows), lambda r: r.status
    )


class _Listing:
    """What every row of one `list --json` is judged against, read once at its start: the day,
    the settings, the staff, today's roster and the load (R24). What depends on the patient (the
    last reply, the care team) is read per batch for the patients not met yet, and a suggestion
    is worked out once per distinct set of its inputs: a row's own work does not grow with the
    list (issue 31: 100,000 rows had read the staff and the roster 50 times, the same patients'
    events again in every batch, and run the routing rules 100,000 times)."""

    def __init__(self, ctx: Ctx, conn: Connection) -> None:
        self.today = today = ctx.today()
        self.fdays = clinic.followup_days(conn)
        self.days = clinic.due_days(conn)
        self.staff = people.staff_people(conn)
        self.roster = people.today(conn, today)
        self.absent = set(self.roster.absent)
        types = q.types(conn)
        self.defaults = {t.code: t.default_assignee for t in types}
        self.by_receivers = {t.code for t in types if t.receivers_answer}
        self.load = {
            u: n for u, (n, _) in q.open_load(conn, load_candidates(self.staff, self.roster)).items()
        }
        self.last: dict[str, LastReply | None] = {}
        self.teams: dict[str, patients_q.CareTeam | None] = {}
        self.suggestions: dict[tuple, Suggestion | None] = {}

    def rows(self, conn: Connection, rows: list[dict]) -> list[dict]:
        open_rows = [r for r in rows if r["status"] != e.CLOSED]
        new = sorted({r["personnummer"] for r in open_rows} - self.last.keys())
        if new:
            found = q.last_replies(conn, new)
            teams = patients_q.teams(conn, new)
            for pnr in new:
                lr = found.get(pnr)
                self.last[pnr] = LastReply(lr[0], local_date(parse_utc(lr[1]))) if lr else None
                self.teams[pnr] = teams.get(pnr)
        today, fdays, days, absent = self.today, self.fdays, self.days, self.absent
        return [
            summary_json(
                r,
                today,
                self._suggestion(r) if r["status"] != e.CLOSED else None,
                fdays,
                holder_absent=r["status"] == e.ASSIGNED and r["assignee"] in absent,
                days=days,
            )
            for r in rows
        ]

    def _suggestion(self, r: dict) -> Suggestion | None:
        pnr = r["personnummer"]
        lr = self.last[pnr]
        team = self.teams[pnr]
        key = (
            r["type"],
            r["urgent"],
            lr,
            team.pal if team is not None else None,
            team.contact_nurse if team is not None else None,
        )
        if key in self.suggestions:
            return self.suggestions[key]
        s = self.suggestions[key] = suggest(
            r["type"],
            bool(r["urgent"]),
            self.staff,
            self.absent,
            self.roster.top_doctor,
            lr,
            self.defaults.get(r["type"]),
            doctors=self.roster.doctors,
            load=self.load,
            team=patients.team_of(team),
            receivers_answer=r["type"] in self.by_receivers,
        )
        return s


def iter_json(ctx: Ctx, status: str | None = None, *, limit: int | None = None) -> Iterator[dict]:
    """`list --json`: each errand as `ErrandSummary.to_json()` gives it, the same checks, order
    and audit row as iter_errands, and the rows as read, batch by batch."""
    ids = _listed_ids(ctx, status, limit, 0, True)
    with ctx.store.read() as conn:
        listing = _Listing(ctx, conn)

    return _batches(ctx, ids, status, q.json_rows, listing.rows, lambda r: r["status"])


def list_errands(
    ctx: Ctx, status: str | None = None, *, limit: int | None = None, offset: int = 0, audited: bool = True
) -> list[ErrandSummary]:
    """The errands the person may see. A list a person asks for is logged (R15); an automatic
    refresh passes audited=False and is not."""
    return list(iter_errands(ctx, status, limit=limit, offset=offset, audited=audited))


@dataclass(frozen=True)
class Pane:
    """One pane's page: the rows on screen (and a little more), how many there are in all, and how
    many of them are overdue — counted in SQL, never by loading them."""

    rows: list[ErrandSummary]
    total: int | None  # None: not counted yet (a filter being typed: the rows come first)
    overdue: int = 0

    @property
    def has_more(self) -> bool:
        return self.total is None or len(self.rows) < self.total


PAGE = 60  # rows a pane asks for at first: more than a tall terminal shows
EMPTY = Pane([], 0)


@dataclass(frozen=True)
class HandoverWaiting:
    """A handover given and not yet taken (R28): every receiver's header says so."""

    author: str
    name: str
    at: str


@dataclass(frozen=True)
class Panes:
    """What the dashboard shows at one moment: each pane's first rows by attention (closed ones
    newest first), with totals."""

    unassigned: Pane
    assigned: Pane
    closed_pane: Pane
    today: people.Today
    names: dict[str, str]
    notice: clinic.Notice | None = None
    handover_waiting: HandoverWaiting | None = None  # R28: for receivers
    seq: int = 0  # the newest change (store/changes.py) this read saw: what follows is read from it
    # The open errands of each doctor a suggestion may choose (R24) as of `seq`, when the rows
    # needed it: a change followed adjusts it instead of counting the assigned errands again.
    load: dict[str, int] | None = field(default=None, compare=False)

    def pane(self, status: str) -> Pane:
        return {e.UNASSIGNED: self.unassigned, e.ASSIGNED: self.assigned, e.CLOSED: self.closed_pane}[status]

    @property
    def open(self) -> list[ErrandSummary]:
        """The open rows loaded (a page of each open pane, not the backlog)."""
        return self.unassigned.rows + self.assigned.rows

    @property
    def closed(self) -> list[ErrandSummary]:
        return self.closed_pane.rows


def panes(
    ctx: Ctx,
    *,
    limits: dict[str, int] | None = None,
    closed_limit: int | None = None,
    search: str | None = None,
    counted: bool = True,
) -> Panes:
    """The dashboard's data: an automatic refresh, so never an audited read (R15).

    Each pane asks the database for its page in order and for its count; the countdown and the
    suggestion are computed for those rows only, so the cost follows the screen, not the backlog.
    counted=False leaves out the counts that would read a whole pane (total None): a filter being
    typed shows its rows first and its counts after (pane_totals).
    """
    involved = _scope(ctx)
    limits = dict(limits or {})
    if closed_limit is not None:
        limits[e.CLOSED] = closed_limit
    with ctx.store.read() as conn:
        attention = _attention(ctx, conn)
        found = _search(conn, search)
        judging = _Judging(ctx, conn)
        out: dict[str, Pane] = {}
        for status in STATUSES:
            if status == e.UNASSIGNED and involved:
                out[status] = EMPTY  # a caregiver's dashboard has no unassigned pane
                continue
            limit = limits.get(status, PAGE)
            ids = (
                q.page_ids(conn, status, attention=attention, involved=involved, search=found, limit=limit)
                if limit
                else []
            )
            if limit and len(ids) < limit:
                # A page shorter than asked for is the whole pane: no count needs to read it again
                # (a rare filter, such as a personnummer, then costs one scan instead of two).
                total = len(ids)
                overdue = 0 if status == e.CLOSED else q.overdue_among(conn, ids, attention)
            elif not counted:
                total, overdue = None, 0
            elif status == e.CLOSED:
                total, overdue = q.pane_count(conn, status, involved=involved, search=found), 0
            else:
                total, overdue = q.open_pane_counts(conn, status, attention, involved=involved, search=found)
            out[status] = Pane(_summaries(ctx, conn, q.rows_by_ids(conn, ids), judging), total, overdue)
        today = judging.roster  # read once for the rows and the header
        names = {r.username: r.name for r in staff_q.all_staff(conn)}
        notice = clinic.current_notice(conn, ctx.today())
        waiting = handover_waiting(conn, ctx)
        seq = changes_q.last(conn)
    return Panes(
        out[e.UNASSIGNED],
        out[e.ASSIGNED],
        out[e.CLOSED],
        today,
        names,
        notice,
        waiting,
        seq,
        judging.known_load(),
    )


def pane_totals(ctx: Ctx, statuses: list[str], search: str | None) -> dict[str, tuple[int, int]]:
    """How many errands each of `statuses`' panes holds, and how many of them are overdue: the
    counts that panes(counted=False) left out, with the same scope and filter."""
    involved = _scope(ctx)
    out: dict[str, tuple[int, int]] = {}
    with ctx.store.read() as conn:
        attention = _attention(ctx, conn)
        found = _search(conn, search)
        for status in statuses:
            if status == e.CLOSED:
                out[status] = (q.pane_count(conn, status, involved=involved, search=found), 0)
            else:
                out[status] = q.open_pane_counts(conn, status, attention, involved=involved, search=found)
    return out


def handover_waiting(conn: Connection, ctx: Ctx) -> HandoverWaiting | None:
    if not roles.may(ctx.actor, "handover"):
        return None
    row = handover_q.pending_give(conn)
    return HandoverWaiting(row.author, row.author_name or row.author, row.at) if row else None


def log_list(ctx: Ctx, what: str, search: str | None = None) -> None:
    """A list or search that a person started (opening the dashboard, a filter): one audit row."""
    with ctx.store.write() as conn:
        audit.append(
            conn,
            [
                ctx.entry(
                    "search" if search else "list",
                    detail=json.dumps({"view": what, "filter": search}, ensure_ascii=False),
                )
            ],
        )


@dataclass(frozen=True)
class Choice:
    """A caregiver as the assign form shows them."""

    username: str
    name: str
    title: str
    absent: bool
    absence_reason: str | None
    suggested: bool
    reason: str | None
    open: int = 0  # R24: open errands they hold now
    overdue: int = 0  # of which overdue
    team_role: str | None = None  # R29: "PAL" or "kontaktsjuksköterska" for this errand's patient
    back_on: dt.date | None = None  # absent today: the first day back


def assign_choices(ctx: Ctx, ref: str | None = None) -> list[Choice]:
    """Active caregivers for the assign form: the suggestion first, then on duty, then absent."""
    with ctx.store.read() as conn:
        today = people.today(conn, ctx.today())
        staff = people.staff_people(conn)
        load = q.open_load(conn, today=ctx.today().isoformat())
        suggestion = None
        team_roles: dict[str, str] = {}
        by_receivers = False
        if ref:
            row = q.by_ref(conn, ref)
            by_receivers = row is not None and _by_receivers(conn, row)
            if row is not None and row.status != e.CLOSED:
                suggestion = _summaries(ctx, conn, [row])[0].suggestion
                if suggestion is not None and suggestion.username == row.assignee:
                    suggestion = None  # a reassignment is away from the holder: not a suggestion
            team = patients.team_of(patients_q.team(conn, row.personnummer)) if row is not None else None
            if team is not None:
                pairs = ((team.pal, "PAL"), (team.contact_nurse, "kontaktsjuksköterska"))
                team_roles = {user: role for user, role in pairs if user}
        # The day's leave only: everyone ever deactivated is away too, and is no candidate.
        back = {u: staff_q.back_on(conn, u, ctx.today()) for u in today.on_leave}
    order = {"läkare": 0, "sjuksköterska": 1, "sektionsledare": 2}
    out = [
        Choice(
            p.username,
            p.name,
            p.title,
            p.username in today.absent,
            today.absent.get(p.username),
            bool(suggestion and suggestion.username == p.username),
            suggestion.reason if suggestion and suggestion.username == p.username else None,
            *load.get(p.username, (0, 0)),
            team_roles.get(p.username),
            back.get(p.username),
        )
        for p in staff
        if roles.assignable(p.roles, p.active, by_receivers)
    ]
    # The suggestion first, then the patient's team, then who is on duty.
    out.sort(key=lambda c: (not c.suggested, c.absent, c.team_role is None, order.get(c.title, 3), c.name))
    return out


def show_errand(ctx: Ctx, ref: str, *, audited: bool = True) -> ErrandDetail:
    """Open one errand: a read of patient data, logged with the patient (R9).

    audited=False only refreshes an errand the person already has open (a live update of the
    same view, not a new access), so it writes nothing.
    """
    if not audited:
        with ctx.store.read() as conn:
            return _detail(ctx, conn, ref)
    with ctx.change("view", ref) as conn:
        detail = _detail(ctx, conn, ref)
        audit.append(conn, [ctx.entry("view", ref, detail.summary.personnummer)])
    return detail


def _detail(ctx: Ctx, conn: Connection, ref: str) -> ErrandDetail:
    # Who may read errands at all is asked first, the same for every reference; then one answer
    # for an errand that does not exist and one the person may not see.
    if ctx.actor.is_system:
        raise NotAllowed("systemkontot får inte läsa ärenden; ange en person med --as ANVÄNDARE")
    _scope(ctx)  # an administrator or auditor reads no errands
    row = seen_errand(ctx, conn, ref)
    days = q.type_days(conn).get(row.type, 2)
    remark = handover_q.open_remarks(conn, [row.id]).get(row.id)
    return ErrandDetail(
        summary=replace(_summaries(ctx, conn, [row])[0], remark=remark.text if remark else None),
        message=row.message,
        contact_preference=row.contact_preference,
        phone=row.phone,
        business_days=days,
        events=[event(ev) for ev in q.events(conn, row.id)],
        patient=patients.context(conn, row.personnummer, row.id, ctx.today()),
    )


def _person(conn: Connection, username: str | None) -> str | None:
    """A holder as a refusal names them: 'Erik Lindgren (erilin)'."""
    if not username:
        return None
    found = staff_q.by_username(conn, username)
    return f"{found.name} ({username})" if found and found.name else username


def _act(
    ctx: Ctx,
    ref: str,
    action: str,
    expected_version: int | None,
    apply: Callable[[Connection, Errand, str], str],
) -> None:
    """The common frame of every change: may-I-at-all, may-I-see, whose, legal move,
    compare-and-set, audit. What does not depend on the errand is asked before it is looked up,
    so that a reference that does not exist and one the person may not see get the same answer."""
    with ctx.change(action, ref) as conn:
        roles.check_act(ctx.actor, action, ref)
        row = seen_errand(ctx, conn, ref, action)
        roles.require_action(ctx.actor, action, ref, row.assignee)
        e.check_move(
            action,
            ref,
            row.status,
            _person(conn, row.assignee),
            receivers_answer=_by_receivers(conn, row),
        )
        if expected_version is not None and row.version != expected_version:
            raise Conflict(f"{ref} har ändrats av någon annan under tiden; se efter och försök igen")
        now = ctx.now_text()
        detail = apply(conn, row, now)
        audit.append(conn, [ctx.entry(action, ref, row.personnummer, detail=detail)])


def _first_response(ctx: Ctx, row: Errand, now: str) -> dict[str, str]:
    if row.first_response_at:
        return {}
    return {"first_response_at": now, "first_response_on": local_date(ctx.now()).isoformat()}


def _by_receivers(conn: Connection, row: Errand) -> bool:
    """R29: whether the errand's type is answered by receivers ("besvaras av mottagare")."""
    ty = q.type_row(conn, row.type)
    return bool(ty is not None and ty.receivers_answer)


def _assignee_row(conn: Connection, username: str, receivers_answer: bool = False) -> StaffMember:
    """The person an errand goes to, if they can take it; receivers_answer: the errand's type is
    answered by receivers, who can then be given it too (before the errand is known: whether
    anyone of that kind could be)."""
    person = staff_q.by_username(conn, username)
    if person is None:
        raise InvalidInput(f"{username} finns inte i personallistan")
    roles.check_assignable(username, frozenset(person.roles.split()), bool(person.active), receivers_answer)
    return person


@dataclass(frozen=True)
class Assigned:
    """How an assignment went: whether the new holder is absent today (R22), and why."""

    ref: str
    username: str
    absent: bool = False
    absence_reason: str | None = None
    name: str | None = None  # the person's name, for the warning a person reads

    @property
    def person(self) -> str:
        return f"{self.name} ({self.username})" if self.name else self.username

    @property
    def warning(self) -> str | None:
        if not self.absent:
            return None
        return (
            f"{self.person} är frånvarande idag"
            + (f" ({clean(self.absence_reason)})" if self.absence_reason else "")
            + f"; {self.ref} väntar hos hen tills hen är tillbaka"
        )


def assign(
    ctx: Ctx, ref: str, username: str, *, reassign: bool = False, expected_version: int | None = None
) -> Assigned:
    """Assign an unassigned errand, or with reassign=True move an assigned one (R10)."""
    action = e.REASSIGN if reassign else e.ASSIGN
    result: list[Assigned] = []

    def apply(conn: Connection, row: Errand, now: str) -> str:
        person = _assignee_row(conn, username, _by_receivers(conn, row))
        absent = people.today(conn, ctx.today()).absent
        result.append(Assigned(ref, username, username in absent, absent.get(username), person.name))
        if row.assignee == username:
            raise Conflict(f"{ref} är redan fördelat till {person.name} ({username})")
        q.update(conn, row.id, row.version, status=e.ASSIGNED, assignee=username)
        q.add_event(
            conn,
            row.id,
            action,
            now,
            ctx.actor.username,
            ctx.actor.name,
            ctx.actor.title,
            target=username,
            detail={"from": row.assignee} if row.assignee else None,
        )
        mailed = notify.queue(
            conn,
            now,
            notices.ASSIGNED,
            ref,
            person,
            notices.assignment(ref, row.type, reassigned=reassign),
        )
        moved = f"från {row.assignee} " if row.assignee else ""
        return (
            f"{moved}till {username} ({person.name})"
            + (", e-post köad" if mailed else "")
            + (", frånvarande idag" if username in absent else "")
        )

    _act(ctx, ref, action, expected_version, apply)
    return result[-1]


@dataclass(frozen=True)
class AssignedEach:
    """What `assign_each` did: the assignments made, in order, and the errands refused (ref, why)."""

    done: list[Assigned]
    refused: list[tuple[str, str]]


NOT_TRIED = "inte försökt: databasen var upptagen"


def assign_each(ctx: Ctx, items: Sequence[tuple[str, int | None]], username: str) -> AssignedEach:
    """Several unassigned errands to one person (the rows a receiver marked): `items` are
    (ref, the version the person saw).

    Each errand is its own audited assignment through `assign`, so the rules, the history and the
    e-mail notice are those of a single one; an errand someone else assigned or changed meanwhile
    is refused and named, the rest still go. A busy database ends the round there: the errands
    left are named as not tried, to be tried again.
    """
    require(ctx, e.ASSIGN)
    with ctx.store.read() as conn:
        # A person who can take no errand refuses the lot at once (each errand's type decides
        # the rest: a receiver takes only those answered by receivers).
        _assignee_row(conn, username, receivers_answer=True)
    done: list[Assigned] = []
    refused: list[tuple[str, str]] = []
    for i, (ref, version) in enumerate(items):
        try:
            done.append(assign(ctx, ref, username, expected_version=version))
        except Busy as err:
            refused.append((ref, str(err)))
            refused.extend((left, NOT_TRIED) for left, _ in items[i + 1 :])
            break
        except BccError as err:
            refused.append((ref, str(err)))
    return AssignedEach(done, refused)


@dataclass(frozen=True)
class Moved:
    """What `reassign_all` did: the errands moved, and those refused (ref, why)."""

    moved: list[str]
    refused: list[tuple[str, str]]
    warning: str | None = None


def open_held(ctx: Ctx, username: str) -> int:
    """How many open errands one person holds: what moving them all says first, also of someone
    deactivated, who is no choice in the form (it said "alla öppna ärenden", no number)."""
    require(ctx, e.REASSIGN)
    with ctx.store.read() as conn:
        return q.open_load(conn, [username]).get(username, (0, 0))[0]


def reassign_all(ctx: Ctx, from_user: str, to_user: str, type_code: str | None = None) -> Moved:
    """R22: move every open errand one person holds (optionally of one type) to another.

    Each errand is its own audited reassignment through `assign`, so the rules, the history and
    the e-mail notice are those of a single reassignment; an errand someone else changes meanwhile
    is refused and named, the rest still move.
    """
    require(ctx, e.REASSIGN)
    if type_code is not None and type_code not in e.TYPES:
        raise InvalidInput(f"okänd ärendetyp '{clean_line(type_code)}' (tillåtna: {', '.join(e.TYPES)})")
    if from_user == to_user:
        raise InvalidInput(f"ärendena är redan hos {clean_line(from_user)}; välj en annan mottagare")
    with ctx.store.read() as conn:
        if staff_q.by_username(conn, from_user) is None:
            raise InvalidInput(f"{clean_line(from_user)} finns inte i personallistan")
        _assignee_row(conn, to_user, receivers_answer=True)  # each errand's type decides the rest
        refs = q.open_of_assignee(conn, from_user, type_code)
    moved, refused, warning = [], [], None
    for ref in refs:
        try:
            done = assign(ctx, ref, to_user, reassign=True)
        except Busy:
            raise
        except BccError as err:
            refused.append((ref, str(err)))
            continue
        moved.append(ref)
        if done.absent:
            warning = f"{done.person} är frånvarande idag" + (
                f" ({clean(done.absence_reason)})" if done.absence_reason else ""
            )
    return Moved(moved, refused, warning)


@dataclass(frozen=True)
class News:
    """R23: what reached the acting person since `after`: (kind, ref, acute signs not yet handled)
    of each assignment, reassignment or reminder by someone else; `last` is where the next look
    starts. R11: an errand with acute signs given to a caregiver is said to be one."""

    last: int
    items: list[tuple[str, str, tuple[str, ...]]]


def news(ctx: Ctx, after: int | None = None) -> News:
    """With after=None only the starting point (a dashboard's first load is not news). Not a
    read of patient data: references only, to the person they were given to."""
    with ctx.store.read() as conn:
        if after is None:
            return News(q.last_event_id(conn), [])
        rows = q.news_for(conn, ctx.actor.username, after)
    return News(
        rows[-1][0] if rows else after,
        [
            (kind, ref, acute_rules.labels(acute_rules.load(stored)) if stored else ())
            for _, kind, ref, stored in rows
        ],
    )


@dataclass(frozen=True)
class AcuteNews:
    """R11: errands with acute signs that nobody holds, come since errand `after`: (ref, the
    categories) of each; `last` is where the next look starts."""

    last: int
    items: list[tuple[str, tuple[str, ...]]]


def acute_arrivals(ctx: Ctx, after: int | None = None) -> AcuteNews:
    """For those who triage (a receiver): with after=None only the starting point (what is there
    at the start is on screen, pinned, not news). Not a read of patient data: references and the
    categories only, as the pane's title and rows show them."""
    require(ctx, e.ASSIGN)
    with ctx.store.read() as conn:
        last = q.last_errand_id(conn)
        rows = q.acute_arrivals(conn, after) if after is not None else []
    return AcuteNews(last, [(ref, acute_rules.labels(acute_rules.load(stored))) for ref, stored in rows])


def acute_handled(ctx: Ctx, ref: str, note_text: str, *, expected_version: int | None = None) -> None:
    """R25: the acute signs were dealt with (e.g. the family was called): who, when and a short
    note; the errand then stops being pinned to the top."""
    body = e.required_text(clean(note_text), "Anteckningen", e.MAX_ACUTE_NOTE)
    if len(body) < e.MIN_ACUTE_NOTE:
        # "x" was accepted as the record that a family with a sick child was called (a nurse's trial).
        raise InvalidInput(
            f"Anteckningen ska säga vad som gjordes (minst {e.MIN_ACUTE_NOTE} tecken), t.ex. familjen kontaktad"
        )

    def apply(conn: Connection, row: Errand, now: str) -> str:
        if not row.acute:
            raise Conflict(f"{ref} har inga akuta tecken att markera")
        if row.acute_handled_at:
            raise Conflict(f"{ref}: de akuta tecknen är redan markerade som hanterade")
        q.update(conn, row.id, row.version, acute_handled_at=now)
        q.add_event(
            conn,
            row.id,
            e.ACUTE_HANDLED,
            now,
            ctx.actor.username,
            ctx.actor.name,
            ctx.actor.title,
            text=body,
            detail={"acute": row.acute},
        )
        drafts.sent(conn, ctx, row, "acute")
        return f"akuta tecken hanterade: {body}"

    _act(ctx, ref, e.ACUTE_HANDLED, expected_version, apply)


def _signed(ctx: Ctx, text: str) -> str:
    """R13: a reply carries its writer's name and title."""
    return text + "\n\n" + "\n".join(e.signature(ctx.actor.name, ctx.actor.title))


def reply(
    ctx: Ctx,
    ref: str,
    text: str | None = None,
    *,
    template: str | None = None,
    expected_version: int | None = None,
) -> None:
    """The final answer to the patient: queued for 1177 and the errand is closed (R6). With
    `template` the text is that template filled in for the errand (R26): the template is read
    and checked against the errand's type only once the errand is one the person may see, so
    that a template's refusal says nothing about an errand they may not see."""
    if (text is None) == (template is None):
        raise InvalidInput("ange svarstexten eller en mall")
    given = None if text is None else e.required_text(clean(text), "Svarstexten", e.MAX_REPLY)

    def apply(conn: Connection, row: Errand, now: str) -> str:
        body = given
        if body is None:
            filled = clinic.fill_template(conn, ctx, template or "", row)
            body = e.required_text(clean(filled), "Svarstexten", e.MAX_REPLY)
        signed = _signed(ctx, body)
        version = row.version
        taken = row.status == e.UNASSIGNED  # R29: a receiver answers a type of theirs at once
        if taken:
            # Taken first, as an assignment of its own (its event and version), so the history
            # reads "assigned to, then answered by" and replays to the same state.
            q.update(conn, row.id, version, status=e.ASSIGNED, assignee=ctx.actor.username)
            version += 1
            q.add_event(
                conn,
                row.id,
                e.ASSIGN,
                now,
                ctx.actor.username,
                ctx.actor.name,
                ctx.actor.title,
                target=ctx.actor.username,
            )
            audit.append(
                conn,
                [
                    ctx.entry(
                        e.ASSIGN,
                        ref,
                        row.personnummer,
                        detail=f"till {ctx.actor.username} ({ctx.actor.name}): besvaras av mottagare",
                    )
                ],
            )
        q.update(
            conn,
            row.id,
            version,
            status=e.CLOSED,
            closed_at=now,
            close_kind="reply",
            **_first_response(ctx, row, now),
        )
        holder = ctx.actor.username if taken else row.assignee
        on_behalf = holder if holder != ctx.actor.username else None
        event_id = q.add_event(
            conn,
            row.id,
            e.REPLY,
            now,
            ctx.actor.username,
            ctx.actor.name,
            ctx.actor.title,
            text=signed,
            detail={"on_behalf_of": on_behalf} if on_behalf else None,
        )
        outbound.queue(
            conn, ref, row.id, event_id, e.REPLY, signed, now, ctx.actor.name, ctx.actor.title, closes=True
        )
        drafts.sent(conn, ctx, row, "reply")
        return f"svar ({len(body)} tecken)" + (f" för {on_behalf}" if on_behalf else "")

    _act(ctx, ref, e.REPLY, expected_version, apply)


def partial_reply(
    ctx: Ctx, ref: str, text: str, *, consulted: str | None = None, expected_version: int | None = None
) -> None:
    """Tell the patient that handling is under way; the errand stays open (R3, R4)."""
    body = e.required_text(clean(text), "Delsvarets text", e.MAX_REPLY)

    def apply(conn: Connection, row: Errand, now: str) -> str:
        _check_consulted(ctx, conn, row, consulted)
        signed = _signed(ctx, body)
        q.update(conn, row.id, row.version, partial_reply_at=now, **_first_response(ctx, row, now))
        event_id = q.add_event(
            conn,
            row.id,
            e.PARTIAL_REPLY,
            now,
            ctx.actor.username,
            ctx.actor.name,
            ctx.actor.title,
            text=signed,
            detail={"consulted": consulted} if consulted else None,
        )
        outbound.queue(
            conn,
            ref,
            row.id,
            event_id,
            e.PARTIAL_REPLY,
            signed,
            now,
            ctx.actor.name,
            ctx.actor.title,
            closes=False,
        )
        drafts.sent(conn, ctx, row, "partial_reply")
        return f"delsvar ({len(body)} tecken)" + (f", stämt av med {consulted}" if consulted else "")

    _act(ctx, ref, e.PARTIAL_REPLY, expected_version, apply)


def _check_consulted(ctx: Ctx, conn: Connection, row: Errand, consulted: str | None) -> None:
    """R4: a receiver's partial reply on someone else's errand is sent after checking with a doctor
    on today's outpatient roster (the top one, or another who is on duty): named, or refused."""
    own = ctx.actor.username == row.assignee or not roles.may(ctx.actor, e.ASSIGN)
    if (own or _by_receivers(conn, row)) and consulted is None:
        # The holder's own partial reply needs nobody's word, nor does one on a type receivers
        # answer themselves (R29: a rebooking or a journal copy has no doctor concerned).
        return
    if consulted is None and row.acute and row.acute_handled_at is None:
        # R11: on acute signs nobody has handled yet the partial reply tells the family to call
        # now; no doctor decided that the errand can wait, and none is named (a review: the form
        # pushed the receiver to name a consultation that never happened).
        return
    roster = people.today(conn, ctx.today())
    if consulted is None:
        top = roster.top_doctor
        if top is None:
            # No outpatient doctor on duty today (a weekend, a roster not yet set): the family still
            # hears that handling is under way; the deviation register notes that nobody was asked.
            return
        raise InvalidInput(
            "ange vilken läkare du stämt av med (--consulted"
            + (f"; överst på schemat idag: {_person(conn, top)}" if top else "")
            + ")"
        )
    if consulted not in roster.doctors:
        raise InvalidInput(f"{_person(conn, consulted)} står inte på dagens schema för öppenvården")
    if consulted in roster.absent:
        raise InvalidInput(f"{_person(conn, consulted)} är frånvarande idag")


def close(
    ctx: Ctx, ref: str, reason: str, *, documented: bool | None = None, expected_version: int | None = None
) -> None:
    """Close without reply (R6): the reason is mandatory; R13 asks whether it is in the record."""
    why = e.required_text(clean(reason), "Orsak", e.MAX_REASON)

    def apply(conn: Connection, row: Errand, now: str) -> str:
        q.update(
            conn,
            row.id,
            row.version,
            status=e.CLOSED,
            closed_at=now,
            close_kind="no_reply",
            **_first_response(ctx, row, now),
        )
        q.add_event(
            conn,
            row.id,
            e.CLOSE,
            now,
            ctx.actor.username,
            ctx.actor.name,
            ctx.actor.title,
            text=why,
            detail={"documented": documented},
        )
        drafts.sent(conn, ctx, row, "close")
        return f"avslutat utan svar: {why}"

    _act(ctx, ref, e.CLOSE, expected_version, apply)


def note(ctx: Ctx, ref: str, text: str) -> None:
    """An internal note: never sent to the patient."""
    body = e.required_text(clean(text), "Anteckningen", e.MAX_NOTE)

    def apply(conn: Connection, row: Errand, now: str) -> str:
        q.add_event(conn, row.id, e.NOTE, now, ctx.actor.username, ctx.actor.name, ctx.actor.title, text=body)
        drafts.sent(conn, ctx, row, "note")
        return f"anteckning ({len(body)} tecken)"

    _act(ctx, ref, e.NOTE, None, apply)


def remind(ctx: Ctx, ref: str) -> bool:
    """R16: remind the assignee of an errand that is due soon or overdue. Returns whether a mail
    was queued (the mark on the caregiver's dashboard is there either way)."""
    mailed = False

    def apply(conn: Connection, row: Errand, now: str) -> str:
        nonlocal mailed
        current = _summaries(ctx, conn, [row])[0]
        level = current.countdown
        if current.followup_overdue:
            level = type(level)(level.level, f"uppföljning {current.followup_on:%Y-%m-%d} passerad", 0)
        elif level.level not in ("due_soon", "overdue"):
            raise Conflict(f"{ref} behöver ingen påminnelse nu ({level.text})")
        person = staff_q.by_username(conn, row.assignee) if row.assignee else None
        q.update(conn, row.id, row.version, last_reminded_at=now)
        q.add_event(
            conn,
            row.id,
            e.REMIND,
            now,
            ctx.actor.username,
            ctx.actor.name,
            ctx.actor.title,
            target=row.assignee,
        )
        mailed = notify.queue(
            conn, now, notices.REMINDER, ref, person, notices.reminder(ref, row.type, level.text)
        )
        return f"påminnelse till {row.assignee}" + (", e-post köad" if mailed else "")

    _act(ctx, ref, e.REMIND, None, apply)
    return mailed


def remind_due(ctx: Ctx) -> list[tuple[str, bool]]:
    """The reminders job (R16, issue 18): remind the assignee of every assigned errand that is due
    soon or overdue, or whose follow-up date has passed, and that was not reminded today. Each
    reminder is its own change (remind() above); returns (ref, mailed) per errand reminded."""
    require(ctx, "remind_due")
    today = ctx.today()
    with ctx.store.read() as conn:
        rows = q.listing(conn, status=e.ASSIGNED)
        fdays = clinic.followup_days(conn)
        days = clinic.due_days(conn)
        due = [summary(r, today, None, fdays, days=days) for r in rows]
    due = [
        s
        for s in due
        if (s.followup_overdue or s.countdown.level in ("due_soon", "overdue"))
        and not (s.last_reminded_at and local_date(s.last_reminded_at) == today)
    ]
    done = []
    for s in due:
        try:
            done.append((s.ref, remind(ctx, s.ref)))
        except Conflict:
            continue  # answered or reassigned since the list was read: nothing to remind
    return done


def set_urgent(ctx: Ctx, ref: str, urgent: bool = True, *, expected_version: int | None = None) -> None:
    def apply(conn: Connection, row: Errand, now: str) -> str:
        if bool(row.urgent) == urgent:
            return "oförändrat: " + ("brådskande" if urgent else "inte brådskande")
        q.update(conn, row.id, row.version, urgent=int(urgent))
        q.add_event(
            conn,
            row.id,
            e.URGENT,
            now,
            ctx.actor.username,
            ctx.actor.name,
            ctx.actor.title,
            detail={"urgent": urgent},
        )
        return "brådskande" if urgent else "inte brådskande"

    _act(ctx, ref, e.URGENT, expected_version, apply)
