"""The deviation register (R8, issue 26): deviations from the routine found in the data, each
with a draft for MedControl PRO, which the administrator marks reported (MedControl PRO's
number) or dismissed (a reason). What counts is domain/deviations.py's.

Detection runs whenever the register is read, so the list is always current: the data is read,
and only when something is new (or an open deviation's facts changed) a short write transaction
keeps it. It is idempotent: a deviation is kept once per kind and errand, and running it again
finds nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from sqlite3 import Connection
from typing import Any

from bcc_tui.domain import deviations as dv
from bcc_tui.domain import errand as e
from bcc_tui.domain import exports
from bcc_tui.domain.errors import Conflict, InvalidInput, NotFound
from bcc_tui.domain.text import clean_line
from bcc_tui.domain.validation import format_utc, parse_utc, parse_utc_or_none
from bcc_tui.services import clinic
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import audit
from bcc_tui.store import deviations as q

REPORT, DISMISS = "deviation_report", "deviation_dismiss"


@dataclass(frozen=True)
class Deviation:
    id: int
    kind: str
    ref: str
    type: str
    received_at: dt.datetime
    occurred_at: dt.datetime
    detected_at: dt.datetime
    status: str
    medcontrol_number: str | None
    reason: str | None
    decided_by: str | None
    decided_by_name: str | None
    decided_at: dt.datetime | None
    facts: Mapping[str, Any]
    version: int

    @property
    def draft(self) -> str:
        """The text for MedControl PRO (written when asked for: a list of 100,000 needs none)."""
        return dv.draft(self.kind, self.ref, self.type, self.received_at, self.occurred_at, self.facts)

    @property
    def key(self) -> str:
        return dv.key(self.kind, self.ref)

    @property
    def when(self) -> str:
        """When it happened, for a table ('efter 2026-11-24' for a deadline passed)."""
        return dv.when_short(self.occurred_at)

    @property
    def kind_name(self) -> str:
        return dv.KINDS.get(self.kind, self.kind)

    @property
    def status_name(self) -> str:
        return dv.STATUS_NAMES.get(self.status, self.status)

    @property
    def status_text(self) -> str:
        """'öppen', 'rapporterad (MedControl PRO 2026-118)', 'avfärdad'."""
        if self.status == dv.REPORTED:
            return f"rapporterad (MedControl PRO {self.medcontrol_number})"
        return self.status_name

    def decision(self) -> str | None:
        """Who decided, when and what: for a person to read; None while it is open."""
        if self.status == dv.OPEN or self.decided_at is None:
            return None
        who = self.decided_by_name or self.decided_by or "–"
        when = dv.local_text(self.decided_at)
        if self.status == dv.REPORTED:
            return f"Rapporterad i MedControl PRO som {self.medcontrol_number} av {who} {when}"
        return f"Avfärdad av {who} {when}: {self.reason}"


def _deviation(row: q.DeviationRow) -> Deviation:
    received_at, occurred_at = parse_utc(row.received_at), parse_utc(row.occurred_at)
    return Deviation(
        id=row.id,
        kind=row.kind,
        ref=row.ref,
        type=row.type,
        received_at=received_at,
        occurred_at=occurred_at,
        detected_at=parse_utc(row.detected_at),
        status=row.status,
        medcontrol_number=row.medcontrol_number,
        reason=row.reason,
        decided_by=row.decided_by,
        decided_by_name=row.decided_by_name,
        decided_at=parse_utc_or_none(row.decided_at),
        facts=json.loads(row.facts),
        version=row.version,
    )


# -- detection ----------------------------------------------------------------------------------
def _judged(
    conn: Connection, now: dt.datetime, today: dt.date
) -> Iterator[tuple[int, int | None, dv.Found | None]]:
    """Each candidate the store gives (an errand not judged at its current version): its errand's
    version, the register's id for it (None: not there yet) and what the rule says of it."""
    # While a change of a type's days is still being carried to the open errands, an open one is
    # judged by the due date the rule gives it, not by the stored one the batches have not reached.
    days = clinic.due_days(conn)
    for b in q.breach_candidates(conn, today.isoformat()):
        due = (
            b.due_date
            if days is None or b.status == e.CLOSED
            else clinic.rule_due(b.type, b.received_on, b.due_date, days)
        )
        yield (
            b.version,
            b.dev_id,
            dv.breach(
                b.id,
                dt.date.fromisoformat(due),
                parse_utc_or_none(b.first_response_at),
                dt.date.fromisoformat(b.first_response_on) if b.first_response_on else None,
                today,
            ),
        )
    for c in q.complaints(conn, e.COMPLAINT, (today - dt.timedelta(days=1)).isoformat()):
        assignments = [
            dv.Assignment(parse_utc(at), user, title, bool(medcontrol))
            for at, user, title, medcontrol in json.loads(c.assignments)
        ]
        yield (
            c.version,
            c.dev_id,
            dv.complaint_routing(
                c.id, bool(c.urgent), dt.date.fromisoformat(c.received_on), assignments, today
            ),
        )
    for p in q.receiver_partial_replies(conn):
        detail = json.loads(p.detail) if p.detail else None
        yield (
            p.version,
            p.dev_id,
            dv.no_consulted_doctor(p.errand_id, parse_utc(p.at), p.actor, p.assignee_then, detail),
        )
    for a in q.acute_errands(conn):
        yield (
            a.version,
            a.dev_id,
            dv.acute_unhandled(a.id, parse_utc(a.imported_at), parse_utc_or_none(a.acute_handled_at), now),
        )
    fdays = clinic.followup_days(conn)
    for late in q.replies_after_partial(conn, fdays):
        yield (
            late.version,
            late.dev_id,
            dv.late_after_followup(
                late.errand_id, parse_utc(late.partial_at), parse_utc(late.reply_at), fdays
            ),
        )


def detect(ctx: Ctx) -> int:
    """Find the deviations in the data and keep the new ones; returns how many were new.

    Only errands not judged at their current version are read (store/deviations.py), so a read
    of an unchanged register costs a few scans and writes nothing. An open deviation follows its
    errand (an open breach answered since says when); a decided one stays as it was decided. A
    deviation whose cause went away (a due date moved by a change of the type's days) stays in
    the register: the administrator dismisses it with a reason. What an open deviation's facts
    name from outside its errand (a person's title, the follow-up setting) is as it was when the
    errand last changed."""
    now, today, stamp = ctx.now(), ctx.today(), ctx.now_text()
    new: dict[tuple[str, int], tuple[str, int, str, str, str, int]] = {}
    changed: dict[int, tuple[str | None, str | None, int, int]] = {}
    with ctx.store.read() as conn:
        for version, dev_id, found in _judged(conn, now, today):
            if dev_id is not None:
                # Judged again because its errand changed: the facts follow, or stay (None); of
                # several candidates for one deviation (partial replies) the first found counts.
                before = changed.get(dev_id)
                if before is None or (before[1] is None and found is not None):
                    occurred = format_utc(found.occurred_at) if found else None
                    changed[dev_id] = (occurred, found.facts_json if found else None, version, dev_id)
            elif found is not None and (found.kind, found.errand_id) not in new:
                new[(found.kind, found.errand_id)] = (
                    found.kind,
                    found.errand_id,
                    format_utc(found.occurred_at),
                    stamp,
                    found.facts_json,
                    version,
                )
    if not new and not changed:
        return 0  # nothing to write: no write transaction, no wake-up of other dashboards
    with ctx.store.write() as conn:
        added = q.insert(conn, new.values())
        q.refresh(conn, changed.values())
    return added


# -- reading ------------------------------------------------------------------------------------
def register(
    ctx: Ctx, *, open_only: bool = False, audited: bool = True, limit: int | None = None
) -> list[Deviation]:
    """The register, current: detection runs first; open ones first, then the newest, at most
    `limit`. A list a person asked for is logged (R15); a screen that follows a change made
    elsewhere reads it unaudited."""
    require(ctx, "deviations")
    detect(ctx)
    with ctx.store.read() as conn:
        rows = [_deviation(r) for r in q.listed(conn, open_only=open_only, limit=limit)]
    if audited:
        with ctx.store.write() as conn:
            audit.append(
                conn,
                [
                    ctx.entry(
                        "deviations",
                        detail=json.dumps(
                            {"listed": len(rows), "open": sum(d.status == dv.OPEN for d in rows)}
                        ),
                    )
                ],
            )
    return rows


def total(ctx: Ctx) -> tuple[int, int]:
    """How many deviations the register holds, and how many of them are open."""
    with ctx.store.read() as conn:
        return q.count(conn), q.count(conn, open_only=True)


def counts(conn: Connection, start: dt.date, end: dt.date) -> dict[str, tuple[int, int, int]]:
    """Per kind (every kind, in KINDS' order): found, reported, dismissed, for the errands that
    arrived in the period. The caller runs `detect` first."""
    out = {kind: [0, 0, 0] for kind in dv.KINDS}
    for kind, status, found in q.per_kind(conn, start.isoformat(), end.isoformat()):
        n = out.setdefault(kind, [0, 0, 0])
        n[0] += found
        if status == dv.REPORTED:
            n[1] += found
        elif status == dv.DISMISSED:
            n[2] += found
    return {kind: (n[0], n[1], n[2]) for kind, n in out.items()}


# -- the administrator's decisions ---------------------------------------------------------------
def _open_one(ctx: Ctx, deviation_id: int, action: str) -> Deviation:
    with ctx.store.read() as conn:
        row = q.by_id(conn, deviation_id)
    if row is None:
        ctx.log_refusal(action, None, f"avvikelse {deviation_id} finns inte")
        raise NotFound(f"avvikelse {deviation_id} finns inte")
    return _deviation(row)


def _decide(
    ctx: Ctx, deviation_id: int, action: str, *, medcontrol_number: str | None, reason: str | None
) -> Deviation:
    found = _open_one(ctx, deviation_id, action)
    with ctx.change(action, found.ref) as conn:
        row = q.by_id(conn, deviation_id)
        assert row is not None  # deviations are never deleted
        current = _deviation(row)
        if current.status != dv.OPEN:
            raise Conflict(f"avvikelse {deviation_id} är redan avgjord: {current.decision()}")
        status = dv.REPORTED if medcontrol_number is not None else dv.DISMISSED
        q.decide(
            conn,
            deviation_id,
            status,
            medcontrol_number=medcontrol_number,
            reason=reason,
            by=ctx.actor.username,
            at=ctx.now_text(),
        )
        detail = {"deviation": deviation_id, "kind": current.kind}
        if medcontrol_number is not None:
            detail["medcontrol"] = medcontrol_number
        else:
            detail["reason"] = reason or ""
        audit.append(
            conn,
            [ctx.entry(action, current.ref, row.personnummer, detail=json.dumps(detail, ensure_ascii=False))],
        )
        decided = q.by_id(conn, deviation_id)
        assert decided is not None
    return _deviation(decided)


def report(ctx: Ctx, deviation_id: int, medcontrol_number: str) -> Deviation:
    """Mark a deviation reported in MedControl PRO, with its case number there."""
    require(ctx, "deviation_decide", logged_as=REPORT)
    number = clean_line(medcontrol_number or "").strip()
    if not number:
        raise InvalidInput("MedControl PRO-numret saknas")
    if len(number) > dv.MEDCONTROL_MAX:
        raise InvalidInput(f"MedControl PRO-numret är för långt (högst {dv.MEDCONTROL_MAX} tecken)")
    return _decide(ctx, deviation_id, REPORT, medcontrol_number=number, reason=None)


def dismiss(ctx: Ctx, deviation_id: int, reason: str) -> Deviation:
    """Dismiss a deviation (not one to report), with the reason."""
    require(ctx, "deviation_decide", logged_as=DISMISS)
    why = e.required_text(clean_line(reason or ""), "Orsaken", e.MAX_REASON)
    return _decide(ctx, deviation_id, DISMISS, medcontrol_number=None, reason=why)


# -- the CSV ------------------------------------------------------------------------------------
# A public contract (docs/statistics.md): columns are only ever added at the end.
CSV_HEADER = [
    "id",
    "nyckel",
    "slag",
    "slagnamn",
    "ärende",
    "typ",
    "typnamn",
    "inträffade_utc",
    "upptäckt_utc",
    "status",
    "medcontrol_nummer",
    "orsak",
    "beslutad_av",
    "beslutad_utc",
    "utkast",
]


def as_csv(rows: list[Deviation]) -> str:
    return exports.csv_text(
        CSV_HEADER,
        (
            [
                d.id,
                d.key,
                d.kind,
                d.kind_name,
                d.ref,
                d.type,
                e.type_name(d.type),
                format_utc(d.occurred_at),
                format_utc(d.detected_at),
                d.status,
                d.medcontrol_number or "",
                d.reason or "",
                d.decided_by or "",
                format_utc(d.decided_at) if d.decided_at else "",
                d.draft,
            ]
            for d in sorted(rows, key=lambda d: d.id)
        ),
    )
