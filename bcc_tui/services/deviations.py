"""The deviation register (R8, issue 26): deviations from the routine found in the data, each
with a draft for MedControl PRO, which the administrator marks reported (MedControl PRO's
number) or dismissed (a reason). What counts is domain/deviations.py's.

Detection runs whenever the register is read, so the list is always current: the data is read,
and only when something is new (or an open deviation's facts changed) a short write transaction
keeps it. It is idempotent: a deviation is kept once per kind and errand, and running it again
finds nothing new.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from sqlite3 import Connection, Row

from bcc_tui.domain import deviations as dv
from bcc_tui.domain import errand as e
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
    draft: str
    version: int

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


def _deviation(row: Row) -> Deviation:
    received_at, occurred_at = parse_utc(row["received_at"]), parse_utc(row["occurred_at"])
    return Deviation(
        id=row["id"],
        kind=row["kind"],
        ref=row["ref"],
        type=row["type"],
        received_at=received_at,
        occurred_at=occurred_at,
        detected_at=parse_utc(row["detected_at"]),
        status=row["status"],
        medcontrol_number=row["medcontrol_number"],
        reason=row["reason"],
        decided_by=row["decided_by"],
        decided_by_name=row["decided_by_name"],
        decided_at=parse_utc_or_none(row["decided_at"]),
        draft=dv.draft(
            row["kind"], row["ref"], row["type"], received_at, occurred_at, json.loads(row["facts"])
        ),
        version=row["version"],
    )


# -- detection ----------------------------------------------------------------------------------
def _found(conn: Connection, now: dt.datetime, today: dt.date) -> Iterator[dv.Found]:
    for r in q.breach_candidates(conn, today.isoformat()):
        found = dv.breach(
            r["id"],
            dt.date.fromisoformat(r["due_date"]),
            parse_utc_or_none(r["first_response_at"]),
            dt.date.fromisoformat(r["first_response_on"]) if r["first_response_on"] else None,
            today,
        )
        if found:
            yield found
    for r in q.complaints(conn, e.COMPLAINT, (today - dt.timedelta(days=1)).isoformat()):
        assignments = [
            dv.Assignment(parse_utc(at), user, title, bool(medcontrol))
            for at, user, title, medcontrol in json.loads(r["assignments"])
        ]
        found = dv.complaint_routing(
            r["id"], bool(r["urgent"]), dt.date.fromisoformat(r["received_on"]), assignments, today
        )
        if found:
            yield found
    seen: set[int] = set()
    for r in q.receiver_partial_replies(conn):
        if r["errand_id"] in seen:
            continue
        found = dv.no_consulted_doctor(
            r["errand_id"],
            parse_utc(r["at"]),
            r["actor"],
            r["assignee_then"],
            json.loads(r["detail"]) if r["detail"] else None,
        )
        if found:
            seen.add(r["errand_id"])
            yield found
    for r in q.acute_errands(conn):
        found = dv.acute_unhandled(
            r["id"], parse_utc(r["imported_at"]), parse_utc_or_none(r["acute_handled_at"]), now
        )
        if found:
            yield found
    days = clinic.followup_days(conn)
    for r in q.replies_after_partial(conn):
        if not r["partial_at"]:
            continue
        found = dv.late_after_followup(
            r["errand_id"], parse_utc(r["partial_at"]), parse_utc(r["reply_at"]), days
        )
        if found:
            yield found


def detect(ctx: Ctx) -> int:
    """Find the deviations in the data and keep the new ones; returns how many were new. An
    open deviation whose facts changed (an open breach answered since) follows them; a decided
    one stays as it was decided. A deviation whose cause went away (a due date moved by a change
    of the type's days) stays in the register: the administrator dismisses it with a reason."""
    now, today = ctx.now(), ctx.today()
    with ctx.store.read() as conn:
        known = q.known(conn)
        new: list[tuple[str, int, str, str, str]] = []
        changed: list[tuple[str, str, int]] = []
        taken: set[tuple[str, int]] = set()
        for found in _found(conn, now, today):
            k = (found.kind, found.errand_id)
            row = known.get(k)
            occurred, facts = format_utc(found.occurred_at), found.facts_json
            if row is None:
                if k not in taken:
                    taken.add(k)
                    new.append((found.kind, found.errand_id, occurred, ctx.now_text(), facts))
            elif row["status"] == dv.OPEN and (row["facts"], row["occurred_at"]) != (facts, occurred):
                changed.append((occurred, facts, row["id"]))
    if not new and not changed:
        return 0  # nothing to write: no write transaction, no wake-up of other dashboards
    with ctx.store.write() as conn:
        added = q.insert(conn, new)
        q.refresh(conn, changed)
    return added


# -- reading ------------------------------------------------------------------------------------
def register(ctx: Ctx, *, open_only: bool = False, audited: bool = True) -> list[Deviation]:
    """The register, current: detection runs first. A list a person asked for is logged (R15);
    a screen that follows a change made elsewhere reads it unaudited."""
    require(ctx, "deviations")
    detect(ctx)
    with ctx.store.read() as conn:
        rows = [_deviation(r) for r in q.listed(conn, open_only=open_only)]
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


def counts(conn: Connection, start: dt.date, end: dt.date) -> dict[str, tuple[int, int, int]]:
    """Per kind (every kind, in KINDS' order): found, reported, dismissed, for the errands that
    arrived in the period. The caller runs `detect` first."""
    out = {kind: [0, 0, 0] for kind in dv.KINDS}
    for r in q.per_kind(conn, start.isoformat(), end.isoformat()):
        n = out.setdefault(r["kind"], [0, 0, 0])
        n[0] += r["n"]
        if r["status"] == dv.REPORTED:
            n[1] += r["n"]
        elif r["status"] == dv.DISMISSED:
            n[2] += r["n"]
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
            [
                ctx.entry(
                    action, current.ref, row["personnummer"], detail=json.dumps(detail, ensure_ascii=False)
                )
            ],
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
    "key",
    "kind",
    "kind_name",
    "ref",
    "type",
    "type_name",
    "occurred_at",
    "detected_at",
    "status",
    "medcontrol_number",
    "reason",
    "decided_by",
    "decided_at",
    "draft",
]


def as_csv(rows: list[Deviation]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)
    for d in sorted(rows, key=lambda d: d.id):
        w.writerow(
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
        )
    return out.getvalue()
