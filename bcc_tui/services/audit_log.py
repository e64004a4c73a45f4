"""The audit log for those who review it (R9, R15), and the consistency check."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from bcc_tui.domain import roles
from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.errors import NotAllowed
from bcc_tui.domain.validation import format_utc
from bcc_tui.services.context import Ctx
from bcc_tui.store import audit, audit_queries

READERS = {roles.ADMIN, roles.AUDITOR}


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    actor: str
    role: str
    action: str
    ref: str | None
    personnummer: str | None
    outcome: str
    detail: str


def _bounds(start: dt.date | None, end: dt.date | None) -> tuple[str | None, str | None]:
    """Inclusive local dates as a half-open UTC range."""
    lo = hi = None
    if start:
        lo = format_utc(dt.datetime.combine(start, dt.time(), STOCKHOLM))
    if end:
        hi = format_utc(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), STOCKHOLM))
    return lo, hi


def read(ctx: Ctx, *, patient: str | None = None, user: str | None = None,
         start: dt.date | None = None, end: dt.date | None = None, limit: int | None = 500,
         offset: int = 0, audited: bool = True) -> list[AuditRow]:
    """The log, newest first. Reading it is itself logged with its filter."""
    if not READERS & ctx.actor.roles:
        why = f"{ctx.actor.username} får inte läsa granskningsloggen (kräver administratör eller granskare)"
        if not ctx.actor.is_system:
            ctx.log_refusal("audit", None, why)
        raise NotAllowed(why)
    lo, hi = _bounds(start, end)
    with ctx.store.read() as conn:
        rows = audit_queries.search(conn, patient=patient, user=user, start=lo, end=hi,
                                    limit=limit, offset=offset)
    if audited:
        with ctx.store.write() as conn:
            audit.append(conn, [ctx.entry("audit", personnummer=patient, detail=json.dumps(
                {"user": user, "from": str(start) if start else None, "to": str(end) if end else None,
                 "rows": len(rows)}, ensure_ascii=False))])
    return [AuditRow(**dict(r)) for r in rows]


def check(ctx: Ctx) -> list[str]:
    """Integrity, foreign keys, the audit chain, and every errand's intake row: what is wrong."""
    roles.require_command(ctx.actor, "check")
    with ctx.store.read() as conn:
        problems = audit_queries.integrity(conn)
        problems += audit.verify(conn)
        missing = audit_queries.errands_without_intake_row(conn)
    problems += [f"ärendet {ref} saknar sin rad i granskningsloggen" for ref in missing]
    with ctx.store.write() as conn:
        audit.append(conn, [ctx.entry("check", outcome="ok" if not problems else "problems",
                                      detail=f"{len(problems)} fel")])
    return problems
