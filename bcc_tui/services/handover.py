"""The shift handover (R28): a walkthrough of what the incoming receiver must know, most pressing
first; remarks pinned on errands for the next shift; and two acts. The outgoing receiver *gives*
(what was listed, what was gone through, a note); the incoming one *takes*, which writes the
receipt with both sides. Until then the give, its note and the remarks wait for the next receiver,
and every receiver's header says so. Each handover starts with what changed since the last take.

Nothing here prints patient names: the Markdown and JSON forms may be printed or put on a wall.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from sqlite3 import Connection

from bcc_tui.domain import errand as e
from bcc_tui.domain import exports, flags
from bcc_tui.domain.business_days import STOCKHOLM, add_business_days, short_date
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean, clean_line
from bcc_tui.domain.validation import format_utc, parse_utc
from bcc_tui.services import clinic, people
from bcc_tui.services.context import Ctx, require, seen_errand
from bcc_tui.services.views import ErrandSummary, summary
from bcc_tui.store import audit
from bcc_tui.store import handover as q
from bcc_tui.store import reports as notes_q
from bcc_tui.store import staff as staff_q
from bcc_tui.store.reports import HandoverNote

CATEGORIES = q.CATEGORIES
TITLES = {
    "acute": "Akuta tecken och brådskande",
    "overdue": "Försenade",
    "due_today": "Förfaller idag",
    "due_next": "Förfaller nästa vardag",
    "followup": "Uppföljning efter delsvar passerad",
    # Each errand is listed once, under the first of these it belongs to: "Ofördelade (1)" with
    # five unassigned read as one, the other four being above under acute or overdue.
    "unassigned": "Övriga ofördelade",
    "absent_holder": "Hos frånvarande personal",
    "unanswered": "Övriga fördelade men obesvarade",
}
# A category with more errands than this shows its count and its most pressing rows.
PER_CATEGORY = 50
MAX_REMARK = 300


@dataclass(frozen=True)
class Remark:
    text: str
    author: str
    author_name: str
    at: dt.datetime


@dataclass(frozen=True)
class Item:
    summary: ErrandSummary
    category: str
    remark: Remark | None

    @property
    def ref(self) -> str:
        return self.summary.ref


@dataclass(frozen=True)
class Changes:
    """What happened since the last recorded handover (counts, and the first references)."""

    since: dt.datetime | None
    previous_from: str | None = None
    previous_to: str | None = None
    arrived: tuple[int, list[str]] = (0, [])
    closed: tuple[int, list[str]] = (0, [])
    overdue: tuple[int, list[str]] = (0, [])
    remarks: list[tuple[str, Remark]] = field(default_factory=list)


@dataclass(frozen=True)
class Given:
    """A handover given and not yet taken (R28)."""

    id: int
    author: str
    author_name: str
    at: dt.datetime
    listed: tuple[str, ...]
    done: frozenset[str]
    note: str | None

    @property
    def not_done(self) -> tuple[str, ...]:
        return tuple(ref for ref in self.listed if ref not in self.done)


def _given(row: q.GiveRow | None) -> Given | None:
    if row is None:
        return None
    return Given(
        row.id,
        row.author,
        row.author_name or row.author,
        parse_utc(row.at),
        tuple(i["ref"] for i in json.loads(row.items)),
        frozenset(json.loads(row.done)),
        row.note,
    )


@dataclass
class Handover:
    at: dt.datetime
    today: people.Today
    names: dict[str, str]
    counts: dict[str, int]
    items: list[Item]
    changes: Changes
    note: HandoverNote | None = None
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)  # category -> errand type -> count
    given: Given | None = None  # given by the outgoing receiver, not yet taken
    taken: q.HandoverRecord | None = None  # the last receipt: who took over from whom, when

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, category: str) -> int:
        return self.counts.get(category, 0)

    def title(self, category: str) -> str:
        if category == "due_next":
            return f"{TITLES[category]}, {short_date(add_business_days(self.today.day, 1))}"
        return TITLES[category]

    def by_category(self) -> list[tuple[str, list[Item]]]:
        grouped: dict[str, list[Item]] = {c: [] for c in CATEGORIES}
        for item in self.items:
            grouped[item.category].append(item)
        return list(grouped.items())


def _require_receiver(ctx: Ctx, action: str, ref: str | None = None) -> None:
    require(ctx, "handover", ref, logged_as=action)


def _followup_cutoff(today: dt.date, days: int) -> str:
    """A partial reply sent before this moment (UTC text) has passed its follow-up date (R19):
    the follow-up date of a partial reply sent on day d is d + `days` business days, passed when
    it is before today; the latest such d is found by stepping back from today."""
    d = today
    while flags.followup_date(d, days) >= today:
        d -= dt.timedelta(days=1)
    midnight = dt.datetime.combine(d + dt.timedelta(days=1), dt.time(), STOCKHOLM)
    return format_utc(midnight)


def _remark(row: q.RemarkRow) -> Remark:
    return Remark(row.text, row.author, row.author_name or row.author, parse_utc(row.at))


def _gather(ctx: Ctx, conn: Connection, *, per_category: int, since_limit: int | None) -> Handover:
    today = ctx.today()
    roster = people.today(conn, today)
    fdays = clinic.followup_days(conn)
    args = (
        today.isoformat(),
        add_business_days(today, 1).isoformat(),
        _followup_cutoff(today, fdays),
        list(roster.absent),
    )
    by_category = q.category_counts(conn, *args)
    counts = {cat: sum(per_type.values()) for cat, per_type in by_category.items()}
    rows = q.items(conn, *args, per_category=per_category)
    remarks = q.open_remarks(conn, [r.id for r, _ in rows])
    absent = set(roster.absent)
    days = clinic.due_days(conn)
    items = [
        Item(
            summary(
                r,
                today,
                None,
                fdays,
                holder_absent=r.status == "assigned" and r.assignee in absent,
                holder_gone=r.status == "assigned" and r.assignee in roster.inactive,
                days=days,
            ),
            category,
            _remark(remarks[r.id]) if r.id in remarks else None,
        )
        for r, category in rows
    ]
    last = q.last(conn)
    since = last.at if last else None
    if last is not None and since:
        first_due = parse_utc(since).astimezone(STOCKHOLM).date().isoformat()
        changes = Changes(
            parse_utc(since),
            last.from_user,
            last.to_user,
            q.arrived_since(conn, since, since_limit),
            q.closed_since(conn, since, since_limit),
            q.overdue_since(conn, first_due, today.isoformat(), since_limit),
            [(ref, _remark(r)) for ref, r in q.remarks_since(conn, since, since_limit or -1)],
        )
    else:
        changes = Changes(
            None, remarks=[(ref, _remark(r)) for ref, r in q.remarks_since(conn, None, since_limit or -1)]
        )
    note = notes_q.last_note(conn)
    if note is not None and since is not None and note.at < since:
        note = None  # read and handed over already
    names = {r.username: r.name for r in staff_q.all_staff(conn)}
    return Handover(
        ctx.now(),
        roster,
        names,
        counts,
        items,
        changes,
        note,
        by_category,
        _given(q.pending_give(conn)),
        last,
    )


def handover(
    ctx: Ctx,
    *,
    per_category: int = PER_CATEGORY,
    since_limit: int | None = PER_CATEGORY,
    audited: bool = True,
) -> Handover:
    """What the incoming receiver must know: a list a person started, so logged (R15). The screen
    following a change made elsewhere reads it again unaudited: nobody asked."""
    _require_receiver(ctx, "handover")
    with ctx.store.read() as conn:
        h = _gather(ctx, conn, per_category=per_category, since_limit=since_limit)
    if audited:
        with ctx.store.write() as conn:
            audit.append(conn, [ctx.entry("list", detail=json.dumps({"view": "handover", "open": h.total}))])
    return h


def pin_remark(ctx: Ctx, ref: str, text: str) -> None:
    """A short remark on one errand for the next shift ("ring mamma efter 14"); it shows on the
    errand, in the panes and in the next handover until that handover is recorded."""
    _require_receiver(ctx, "remark", ref)
    body = e.required_text(clean(text), "Anmärkningen", MAX_REMARK)
    with ctx.change("remark", ref) as conn:
        row = seen_errand(ctx, conn, ref)
        q.add_remark(conn, row.id, ctx.now_text(), ctx.actor.username, body)
        audit.append(conn, [ctx.entry("remark", row.ref, row.personnummer, detail=body)])


def add_note(ctx: Ctx, text: str) -> None:
    """The outgoing receiver's note to the next one (author and time are kept)."""
    require(ctx, "handover_note")
    body = e.required_text(clean(text), "Anteckningen", e.MAX_NOTE)
    with ctx.change("handover_note") as conn:
        notes_q.add_note(conn, ctx.now_text(), ctx.actor.username, body)
        audit.append(conn, [ctx.entry("handover_note", detail=f"{len(body)} tecken")])


@dataclass(frozen=True)
class Receipt:
    id: int
    at: dt.datetime
    from_user: str | None  # who gave; with nothing given, the receiver on duty before
    to_user: str
    listed: int
    done: int  # gone through: by the giver, or with nothing given by the taker
    given: bool = True

    def said(self, names: dict[str, str], when: str | None = None) -> str:
        """The taker's confirmation. With nothing given it said "från Sofia Holm: 62 av 62
        genomgångna", a handover that never happened; now it says nobody gave, and whose walk
        the count is."""
        who = clean_line(names.get(self.from_user, self.from_user)) if self.from_user else None
        at = f" {when}" if when else ""
        if self.given:
            return f"Du tog över{at} från {who or '–'}: {self.done} av {self.listed} genomgångna"
        before = f"; mottagare före: {who}" if who else ""
        return (
            f"Du tog över{at} utan överlämning (ingen hade lämnat över{before}): "
            f"{self.done} av {self.listed} genomgångna"
        )


def _handed_over_by(conn: Connection, today: dt.date, taker: str) -> str | None:
    """Nobody gave: the receiver on duty before (the last rostered receiver before today, else
    today's), unless that is the person taking over (then nobody is named)."""
    for candidate in (staff_q.receiver_before(conn, today), people.today(conn, today).receiver):
        if candidate and candidate != taker:
            return candidate
    return None


def _note(note: str | None) -> str | None:
    body = clean(note).strip() if note else None
    if body is not None and len(body) > e.MAX_NOTE:
        raise InvalidInput(f"anteckningen är för lång ({len(body)} tecken, högst {e.MAX_NOTE})")
    return body or None


def give(
    ctx: Ctx,
    *,
    listed: list[tuple[str, str]] | None = None,
    done: list[str] | None = None,
    note: str | None = None,
) -> Given:
    """The outgoing receiver gives: the list as walked (`listed`, and what was gone through), and a
    note to the next receiver. `listed` None gives the current list as gone through (the command
    line's `--give`: it was printed and read). Nothing is consumed: the remarks and notes wait for
    the take. A second give before anyone takes replaces the first."""
    _require_receiver(ctx, "handover")
    body = _note(note)
    with ctx.change("handover") as conn:
        if body is None:
            # The note the giver wrote with `w` (or --note) this shift goes with the give: the
            # receipt then holds it (R28).
            last_note, last = notes_q.last_note(conn), q.last(conn)
            if (
                last_note is not None
                and last_note.author == ctx.actor.username
                and (last is None or last_note.at >= last.at)
            ):
                body = last_note.text
        if listed is None:
            h = _gather(ctx, conn, per_category=PER_CATEGORY, since_limit=0)
            listed = [(i.ref, i.category) for i in h.items]
            done = [ref for ref, _ in listed]
        refs = {ref for ref, _ in listed}
        gone = [ref for ref in dict.fromkeys(done or []) if ref in refs]
        at = ctx.now_text()
        gid = q.give(
            conn,
            at=at,
            author=ctx.actor.username,
            items=[{"ref": ref, "category": cat} for ref, cat in listed],
            done=gone,
            note=body,
        )
        audit.append(
            conn,
            [
                ctx.entry(
                    "handover",
                    detail=json.dumps(
                        {"act": "give", "items": len(listed), "done": len(gone), "note": bool(body)}
                    ),
                )
            ],
        )
        return _given(q.pending_give(conn)) or Given(
            gid, ctx.actor.username, ctx.actor.name, parse_utc(at), tuple(refs), frozenset(gone), body
        )


def take(ctx: Ctx, *, listed: list[tuple[str, str]] | None = None, done: list[str] | None = None) -> Receipt:
    """The incoming receiver takes over: the receipt holds both sides — given by, at, gone through of
    how many, the note; taken by, at. With nothing given, the receipt names the receiver on duty
    before and the taker's own walk (or, `listed` None, the current list as read). The remarks and
    notes up to now have then been handed over."""
    _require_receiver(ctx, "handover")
    with ctx.change("handover") as conn:
        pending = q.pending_give(conn)
        given = _given(pending)
        if given is not None and given.author == ctx.actor.username:
            raise InvalidInput(
                "du har själv lämnat över; nästa ärendemottagare tar över (eller lämna över igen med en ny lista)"
            )
        if given is not None and pending is not None:  # one give: `given` is `pending` read
            items = json.loads(pending.items)
            gone = [ref for ref in given.listed if ref in given.done]
            from_user: str | None = given.author
        else:
            if listed is None:
                h = _gather(ctx, conn, per_category=PER_CATEGORY, since_limit=0)
                listed = [(i.ref, i.category) for i in h.items]
                done = [ref for ref, _ in listed]
            refs = {ref for ref, _ in listed}
            items = [{"ref": ref, "category": cat} for ref, cat in listed]
            gone = [ref for ref in dict.fromkeys(done or []) if ref in refs]
            from_user = _handed_over_by(conn, ctx.today(), ctx.actor.username)
        last = q.last(conn)
        at = ctx.now_text()
        hid = q.record(
            conn,
            at=at,
            since=last.at if last else None,
            from_user=from_user,
            to_user=ctx.actor.username,
            items=items,
            done=gone,
            note=given.note if given else None,
        )
        q.take_gives(conn, hid)
        audit.append(
            conn,
            [
                ctx.entry(
                    "handover",
                    detail=json.dumps(
                        {
                            "act": "take",
                            "from": from_user,
                            "given": given is not None,
                            "items": len(items),
                            "done": len(gone),
                        }
                    ),
                )
            ],
        )
    return Receipt(
        hid, parse_utc(at), from_user, ctx.actor.username, len(items), len(gone), given is not None
    )


def receipts(ctx: Ctx, limit: int = 50) -> tuple[Given | None, list[dict]]:
    """A handover given and not taken yet, and the receipts, newest first: each with both sides
    (given by, at — None when nobody gave —, gone through of how many, note; taken by, at)."""
    _require_receiver(ctx, "handover_log")
    with ctx.store.read() as conn:
        rows = q.log(conn, limit)
        pending = _given(q.pending_give(conn))
    out = []
    for r in rows:
        h = r.record
        out.append(
            {
                "at": parse_utc(h.at),
                "from": h.from_user,
                "from_name": r.from_name,
                "to": h.to_user,
                "to_name": r.to_name,
                "items": len(json.loads(h.items)),
                "done": len(json.loads(h.done)),
                "note": h.note,
                "given_at": parse_utc(r.given_at) if r.given_at else None,
            }
        )
    return pending, out


# -- the printable forms ------------------------------------------------------------------------


def _local(moment: dt.datetime) -> str:
    local = moment.astimezone(STOCKHOLM)
    return f"{short_date(local.date())} {local:%H:%M}"


def _line(item: Item, names: dict[str, str]) -> str:
    s = item.summary
    received = s.received_at.astimezone(STOCKHOLM)
    parts = [
        f"**{md(s.ref)}**",
        md(e.type_name(s.type)),
        f"inkom {short_date(received.date())} {received:%H:%M}",
        f"förfaller {short_date(s.due_date)}",
        s.countdown.text,
    ]
    if s.assignee:
        parts.append(
            f"hos {md(names.get(s.assignee, s.assignee))}"
            + (" (avaktiverad)" if s.holder_gone else " (frånvarande idag)" if s.holder_absent else "")
        )
    if s.partial_reply_sent:
        parts.append("delsvar skickat")
    if s.followup_on:
        parts.append(f"uppföljning {short_date(s.followup_on)}")
    if s.acute_pinned:
        parts.append(f"AKUTA TECKEN ({md(s.acute_text)})")
    elif s.acute:
        # Marked handled: said so, not in capitals as if nobody had called (a nurse's trial).
        parts.append(f"akuta tecken hanterade ({md(s.acute_text)})")
    if s.urgent:
        parts.append("BRÅDSKANDE")
    if item.remark:
        parts.append(
            f'anmärkning: "{md(item.remark.text)}" ({md(names.get(item.remark.author, item.remark.author))})'
        )
    return "- " + " · ".join(parts)


def _refs(total_refs: tuple[int, list[str]]) -> str:
    total, refs = total_refs
    if not total:
        return "inga"
    more = f" … och {total - len(refs)} till" if total > len(refs) else ""
    return f"{total}: " + ", ".join(md(ref) for ref in refs) + more


def _name(names: dict[str, str], user: str | None) -> str:
    """A person in the handover text: the name, else the user name, and '–' for nobody."""
    return md(names.get(user, user)) if user else "–"


# The one escape for untrusted Markdown (domain.exports.md): kept under this name for the screens
# and tests that know it as handover.md.
md = exports.md


def markdown(h: Handover) -> str:
    """The handover as Markdown, one function per section, in the order they are read."""
    local = h.at.astimezone(STOCKHOLM)
    out = [f"# Överlämning 1177 – {short_date(local.date())} {local.year} kl {local:%H:%M}", ""]
    out += _md_roster(h)
    out += _md_since(h)
    out += _md_given(h)
    out += _md_summary(h)
    out += _md_by_type(h)
    for cat, items in h.by_category():
        out += [f"## {h.title(cat)} ({h.count(cat)})", ""]
        out += [_line(i, h.names) for i in items] or ["Inga."]
        if h.count(cat) > len(items):
            out.append(f"- … och {h.count(cat) - len(items)} till (de mest brådskande visas)")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _md_roster(h: Handover) -> list[str]:
    """Today's receiver, the doctor at the top of the schedule, who is absent."""
    names = h.names
    roster = [
        f"Mottagare idag: {_name(names, h.today.receiver)}"
        + (f" ({h.today.receiver_away})" if h.today.receiver_away else ""),
        f"överst på schemat: {_name(names, h.today.top_doctor)}",
    ]
    if h.today.on_leave:
        roster.append("frånvarande: " + ", ".join(_name(names, u) for u in sorted(h.today.on_leave)))
    return [" · ".join(roster), ""]


def _md_since(h: Handover) -> list[str]:
    """What changed since the last handover, and the remarks pinned for this one."""
    names = h.names
    out: list[str] = []
    c = h.changes
    if c.since:
        to = _name(names, c.previous_to)
        who = f"{_name(names, c.previous_from)} → {to}" if c.previous_from else f"togs över av {to}"
        out += [
            f"## Sedan förra överlämningen ({_local(c.since)}, {who})",
            "",
            f"- Nya ärenden: {_refs(c.arrived)}",
            f"- Avslutade: {_refs(c.closed)}",
            f"- Blev försenade: {_refs(c.overdue)}",
        ]
    else:
        out += ["## Sedan förra överlämningen", "", "- Ingen har tagit över än."]
    for ref, r in c.remarks:
        out.append(
            f'- Anmärkning på **{md(ref)}**: "{md(r.text)}" — {md(names.get(r.author, r.author))}, {_local(r.at)}'
        )
    out.append("")
    return out


def _md_given(h: Handover) -> list[str]:
    """The outgoing receiver's side (R28) and the note from the last shift."""
    names = h.names
    out: list[str] = []
    if h.given:
        g = h.given
        out += [
            f"## Lämnad över av {_name(names, g.author)}, {_local(g.at)}: "
            f"{len(g.done)} av {len(g.listed)} genomgångna",
            "",
        ]
        if g.not_done:
            out.append(f"- Inte genomgångna: {', '.join(md(ref) for ref in g.not_done[:PER_CATEGORY])}")
        if g.note:
            out += ["", *exports.md_quote(g.note)]
        out.append("")
    if h.note:
        at = parse_utc(h.note.at)
        out += ["## Anteckning från förra passet", ""]
        out += exports.md_quote(h.note.text)
        out += [f"> — {md(h.note.author_name or h.note.author)}, {_local(at)}", ""]
    return out


def _md_summary(h: Handover) -> list[str]:
    out = ["## Sammanfattning", "", "| | Antal |", "|---|---:|"]
    out += [f"| {h.title(cat)} | {h.count(cat)} |" for cat in CATEGORIES]
    out += [f"| **Att gå igenom** | **{h.total}** |", ""]
    out += ["Varje ärende står en gång, under den första grupp det hör till.", ""]
    return out


def _md_by_type(h: Handover) -> list[str]:
    """A backlog reads best as numbers first: each type by category (R28, issue 13)."""
    types = sorted({t for per_type in h.by_type.values() for t in per_type}, key=e.type_name)
    if not types:
        return []
    shown = [c for c in CATEGORIES if h.count(c)]
    out = [
        "## Öppna punkter per typ",
        "",
        "| Typ | " + " | ".join(h.title(c).split(",")[0] for c in shown) + " |",
        "|---|" + "---:|" * len(shown),
    ]
    out += [
        f"| {md(e.type_name(t))} | " + " | ".join(str(h.by_type[c].get(t, 0)) for c in shown) + " |"
        for t in types
    ]
    out.append("")
    return out


def as_json(h: Handover) -> dict:
    """The stable form for scripts and wall displays: `given` is the handover given and not yet
    taken (null when none), `taken` the last receipt."""
    c = h.changes
    g, t = h.given, h.taken
    given = (
        {
            "by": g.author,
            "at": format_utc(g.at),
            "items": len(g.listed),
            "done": len(g.done),
            "not_done": list(g.not_done),
            "note": clean(g.note) if g.note else None,
        }
        if g
        else None
    )
    taken = (
        {
            "by": t.to_user,
            "at": t.at,
            "from": t.from_user,
            "note": clean(t.note) if t.note else None,
        }
        if t
        else None
    )
    return {
        "given": given,
        "taken": taken,
        "at": format_utc(h.at),
        "since": format_utc(c.since) if c.since else None,
        "arrived_since": c.arrived[1],
        "closed_since": c.closed[1],
        "overdue_since": c.overdue[1],
        "remarks_since": [
            {"ref": ref, "remark": clean(r.text), "by": r.author, "at": format_utc(r.at)}
            for ref, r in c.remarks
        ],
        "counts": {cat: h.count(cat) for cat in CATEGORIES},
        "counts_by_type": {cat: dict(h.by_type.get(cat, {})) for cat in CATEGORIES if h.count(cat)},
        "items": [
            {"ref": i.ref, "category": i.category, "remark": clean(i.remark.text) if i.remark else None}
            for i in h.items
        ],
        "note": clean(g.note) if g and g.note else clean(h.note.text) if h.note else None,
    }
