"""Intake of errands from 1177 (PRODUCT.md §4.2, R5).

Every line is validated on its own: a bad line is reported by its number and the good ones are
kept. A line identical to a stored errand is skipped and counted; the same ref with other content
is refused. A complaint gets the fixed partial reply of R5, stamped with the moment of intake.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from sqlite3 import Connection

from bcc_tui.domain import errand as e
from bcc_tui.domain import flags, jsonl, roles
from bcc_tui.domain.business_days import due_date, local_date
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import count
from bcc_tui.domain.validation import NewErrand, errand_from_json, format_utc
from bcc_tui.services import clinic, outbound
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import audit
from bcc_tui.store import errands as q

# Lines per write transaction: long enough to be fast, short enough not to starve other writers.
BATCH = 2000

CLINIC_AUTHOR = (e.CLINIC, "Automatiskt svar")


@dataclass
class IntakeReport:
    added: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    added_refs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def import_errands(ctx: Ctx, data: bytes) -> IntakeReport:
    require(ctx, "import")
    report = IntakeReport()
    batch: list[tuple[int, NewErrand]] = []
    now = ctx.now()
    for number, new in jsonl.parsed(data, lambda obj: errand_from_json(obj, now)):
        if isinstance(new, InvalidInput):
            report.rejected.append((number, str(new)))
        else:
            batch.append((number, new))
        if len(batch) >= BATCH:
            _store_batch(ctx, batch, report)
            batch = []
    if batch:
        _store_batch(ctx, batch, report)
    with ctx.store.write() as conn:
        audit.append(
            conn,
            [
                ctx.entry(
                    "import",
                    outcome="ok" if report.ok else "partly refused",
                    detail=f"{count(report.added, 'nytt', 'nya')}, {report.skipped} redan inlästa, {len(report.rejected)} avvisade",
                )
            ],
        )
    report.rejected.sort()
    return report


def _store_batch(ctx: Ctx, batch: list[tuple[int, NewErrand]], report: IntakeReport) -> None:
    with ctx.store.write() as conn:
        days = q.type_days(conn)
        stems = clinic.acute_stems(conn)
        now = ctx.now_text()
        entries = []
        known = q.hashes_by_ref(conn, [new.ref for _, new in batch])
        for number, new in batch:
            digest = hashlib.sha256(new.canonical().encode("utf-8")).hexdigest()
            stored = known.get(new.ref)
            if stored == digest:
                report.skipped += 1
                continue
            if stored is not None:
                report.rejected.append((number, f"ref: {new.ref} finns redan med annat innehåll"))
                continue
            _insert(conn, ctx, new, digest, days.get(new.type, 2), now, stems)
            known[new.ref] = digest  # a repeat later in the same batch is then a duplicate
            entries.append(ctx.entry("import", new.ref, new.personnummer))
            report.added += 1
            report.added_refs.append(new.ref)
        audit.append(conn, entries)


def _insert(
    conn: Connection, ctx: Ctx, new: NewErrand, digest: str, days: int, now: str, stems: tuple[str, ...]
) -> None:
    arrived = local_date(new.received_at)
    acute = flags.acute_words(f"{new.subject}\n{new.message}", stems)
    row = {
        "ref": new.ref,
        "type": new.type,
        "unit": new.unit,
        "received_at": format_utc(new.received_at),
        "received_on": arrived.isoformat(),
        "due_date": due_date(arrived, days).due.isoformat(),
        "patient_name": new.patient_name,
        "personnummer": new.personnummer,
        "proxy_name": new.proxy_name,
        "proxy_relation": new.proxy_relation,
        "subject": new.subject,
        "message": new.message,
        "contact_preference": new.contact_preference,
        "phone": new.phone,
        "urgent": int(new.urgent),
        "status": e.UNASSIGNED,
        "content_hash": digest,
        "imported_at": now,
        "acute": ", ".join(acute) or None,
    }
    if new.type == e.COMPLAINT:
        # Stamped at intake, but never before the complaint arrived (its received_at may be a few
        # minutes ahead of our clock).
        stamp = max(ctx.now(), new.received_at)
        now = format_utc(stamp)
        row.update(
            partial_reply_at=now, first_response_at=now, first_response_on=local_date(stamp).isoformat()
        )
    errand_id = q.insert(conn, row)
    if new.type == e.COMPLAINT:
        name, title = CLINIC_AUTHOR
        event_id = q.add_event(
            conn,
            errand_id,
            e.PARTIAL_REPLY,
            now,
            roles.SYSTEM,
            name,
            title,
            text=e.COMPLAINT_PARTIAL_REPLY,
            detail={"automatic": True},
        )
        outbound.queue(
            conn,
            new.ref,
            errand_id,
            event_id,
            e.PARTIAL_REPLY,
            e.COMPLAINT_PARTIAL_REPLY,
            now,
            name,
            title,
            closes=False,
        )
