"""Intake of errands from 1177 (docs/routine.md 4.2, R5).

Every line is validated on its own: a bad line is reported by its number and the good ones are
kept. A line identical to a stored errand is skipped and counted; the same ref with other content
is refused. A complaint gets the fixed partial reply of R5, stamped with the moment of intake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from sqlite3 import Connection

from bcc_tui.domain import acute, jsonl, roles
from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import due_date, local_date
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import count
from bcc_tui.domain.validation import NewErrand, errand_from_json, format_utc
from bcc_tui.services import acute as acute_settings
from bcc_tui.services import outbound
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import audit
from bcc_tui.store import errands as q

# Lines per write transaction: long enough to be fast, short enough not to starve other writers.
BATCH = 2000

CLINIC_AUTHOR = (e.CLINIC, "Automatiskt svar")
ADVICE_FRESH = dt.timedelta(hours=24)


@dataclass
class IntakeReport:
    added: int = 0
    skipped: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    added_refs: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def import_errands(ctx: Ctx, data: bytes | Sequence[bytes | jsonl.TooLong]) -> IntakeReport:
    """`data`: the whole input, or its lines as read within the caps (services/inbox.py)."""
    require(ctx, "import")
    report = IntakeReport()
    batch: list[tuple[int, NewErrand]] = []
    now = ctx.now()
    helper = _helper(data)
    pending: _Pending | None = None  # a full batch being screened by the helper meanwhile
    try:
        for number, new in jsonl.parsed(data, lambda obj: errand_from_json(obj, now)):
            if isinstance(new, InvalidInput):
                report.rejected.append((number, str(new)))
            else:
                batch.append((number, new))
            if len(batch) >= BATCH:
                # The helper screens this batch while this process writes the one before.
                following = _Pending.start(ctx, batch, helper)
                if pending is not None:
                    _store_batch(ctx, pending, report, helper)
                pending, batch = following, []
        if pending is not None:
            _store_batch(ctx, pending, report, helper)
        if batch:
            _store_batch(ctx, _Pending(batch), report, helper)
    finally:
        if helper is not None:
            helper.shutdown(cancel_futures=True)
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


# R11's screen costs about 0.05 ms for a message of a few hundred characters: a large import lets a
# second process screen each full batch while this one reads the next and writes the one before;
# the last batch, with nothing left to do meanwhile, is screened half in each.
PARALLEL_FROM = 1000  # lines in a file, and messages in a batch, worth a second process for


@dataclass
class _Pending:
    """A batch on its way to its write transaction, with the rules it is being screened by and,
    when the helper screens it, the screen's future findings."""

    batch: list[tuple[int, NewErrand]]
    rules: acute.Rules | None = None
    found: Future[list[str | None]] | None = None

    @classmethod
    def start(
        cls, ctx: Ctx, batch: list[tuple[int, NewErrand]], helper: ProcessPoolExecutor | None
    ) -> _Pending:
        if helper is None:
            return cls(batch)
        with ctx.store.read() as conn:
            rules = acute_settings.rules(conn)
        try:
            return cls(batch, rules, helper.submit(_screen_many, _texts(batch), rules))
        except (BrokenProcessPool, OSError, RuntimeError):  # the helper is gone, or never came
            return cls(batch, rules)

    def screened(
        self, ctx: Ctx, helper: ProcessPoolExecutor | None
    ) -> tuple[acute.Rules, dict[int, str | None]]:
        """The rules and each line's findings, before the write transaction (R11): screening
        2,000 long messages holds nobody up."""
        if self.found is not None and self.rules is not None:
            try:
                found = self.found.result()
                return self.rules, {n: f for (n, _), f in zip(self.batch, found, strict=True)}
            except (BrokenProcessPool, OSError):
                pass  # the helper is gone: this process screens them
        with ctx.store.read() as conn:
            rules = acute_settings.rules(conn)
        return rules, _screen(self.batch, rules, helper)


def _texts(batch: list[tuple[int, NewErrand]]) -> list[str]:
    return [f"{new.subject}\n{new.message}" for _, new in batch]


def _screen_many(texts: list[str], rules: acute.Rules) -> list[str | None]:
    return [acute.dump(acute.screen(t, rules)) for t in texts]


def _helper(data: bytes | Sequence[bytes | jsonl.TooLong]) -> ProcessPoolExecutor | None:
    """A second process for a large import, where there is a second core and fork."""
    lines = data.count(b"\n") if isinstance(data, bytes) else len(data)
    if lines < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        # fork: the child has the program already (a spawned one would run the command again).
        return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    except OSError:
        return None


def _screen(
    batch: list[tuple[int, NewErrand]], rules: acute.Rules, helper: ProcessPoolExecutor | None = None
) -> dict[int, str | None]:
    texts = _texts(batch)
    found: list[str | None] | None = None
    if helper is not None and len(texts) >= PARALLEL_FROM:
        half = len(texts) // 2
        acute.prepare()  # before the helper is forked at the first submit: built once, for both
        try:
            other = helper.submit(_screen_many, texts[half:], rules)
            found = _screen_many(texts[:half], rules) + other.result()
        except (BrokenProcessPool, OSError):
            found = None  # the helper is gone: this process screens all
    if found is None:
        found = _screen_many(texts, rules)
    return {n: f for (n, _), f in zip(batch, found, strict=True)}


def _store_batch(
    ctx: Ctx, pending: _Pending, report: IntakeReport, helper: ProcessPoolExecutor | None = None
) -> None:
    # R11: the messages are screened before the write transaction, which then only checks that
    # the rules did not change meanwhile.
    batch = pending.batch
    rules, screened = pending.screened(ctx, helper)
    with ctx.store.write() as conn:
        now_rules = acute_settings.rules(conn)
        if now_rules != rules:
            screened = _screen(batch, now_rules)
        shared = _Shared(ctx, conn)
        entries = []
        known = q.hashes_by_ref(conn, [new.ref for _, new in batch])
        for number, new in batch:
            received = format_utc(new.received_at)
            digest = hashlib.sha256(new.canonical(received).encode("utf-8")).hexdigest()
            stored = known.get(new.ref)
            if stored == digest:
                report.skipped += 1
                continue
            if stored is not None:
                report.rejected.append((number, f"ref: {new.ref} finns redan med annat innehåll"))
                continue
            _insert(conn, shared, new, received, digest, screened[number])
            known[new.ref] = digest  # a repeat later in the same batch is then a duplicate
            # The content's hash rides in the chain: a forger who rewrites the errand and its
            # content_hash column still differs from what the log says was read in (issue 28).
            entries.append(shared.entry(new, digest))
            report.added += 1
            report.added_refs.append(new.ref)
        audit.append(conn, entries)


class _Shared:
    """What every line of a batch shares, read and computed once in its write transaction: the
    moment of intake (one for the whole transaction), the types' days, the advice setting, the
    due date of each arrival day."""

    def __init__(self, ctx: Ctx, conn: Connection) -> None:
        self.now = ctx.now()
        self.now_text = format_utc(self.now)
        self.days = q.type_days(conn)
        self.advice = acute_settings.advice(conn)
        self.user, self.role = ctx.actor.username, ctx.actor.role_label
        self._due: dict[tuple[dt.date, int], str] = {}

    def due(self, arrived: dt.date, type_code: str) -> str:
        key = (arrived, self.days.get(type_code, 2))
        if key not in self._due:
            self._due[key] = due_date(*key).due.isoformat()
        return self._due[key]

    def entry(self, new: NewErrand, digest: str) -> audit.Entry:
        """The errand's audit row, as ctx.entry("import", ref, personnummer, data=content) makes
        it, without that call's work for each of 10,000 lines."""
        return audit.Entry(
            self.now_text,
            self.user,
            self.role,
            "import",
            e.shown_ref(new.ref),
            e.shown_ref(new.personnummer),
            # audit.dump_data(ledger.content(digest)): a hex digest needs no escaping
            data=f'{{"content":"{digest}"}}',
        )


def _insert(
    conn: Connection, shared: _Shared, new: NewErrand, received: str, digest: str, found: str | None
) -> None:
    arrived = local_date(new.received_at)
    # R5 and R11: the automatic partial replies, the complaint's and the acute advice (a setting).
    automatic: list[tuple[str, dict]] = []
    if new.type == e.COMPLAINT:
        automatic.append((e.COMPLAINT_PARTIAL_REPLY, {"automatic": True}))
    # The advice says "call now": for a message of the last day, not for a backlog read in late.
    advice = shared.advice
    if found and advice.enabled and shared.now - new.received_at <= ADVICE_FRESH:
        automatic.append((advice.text, {"automatic": True, "acute_advice": True}))
    now = shared.now_text
    replied_at = replied_on = None
    if automatic:
        # Stamped at intake, but never before the errand arrived (its received_at may be a few
        # minutes ahead of our clock).
        stamp = max(shared.now, new.received_at)
        replied_at = now = format_utc(stamp)
        replied_on = local_date(stamp).isoformat()
    errand_id = q.insert_new(
        conn,
        (
            new.ref,
            new.type,
            new.unit,
            received,
            arrived.isoformat(),
            shared.due(arrived, new.type),
            new.patient_name,
            new.personnummer,
            new.proxy_name,
            new.proxy_relation,
            new.subject,
            new.message,
            new.contact_preference,
            new.phone,
            int(new.urgent),
            e.UNASSIGNED,
            digest,
            shared.now_text,
            found,
            replied_at,
            replied_at,
            replied_on,
        ),
    )
    name, title = CLINIC_AUTHOR
    for text, detail in automatic:
        event_id = q.add_event(
            conn, errand_id, e.PARTIAL_REPLY, now, roles.SYSTEM, name, title, text=text, detail=detail
        )
        outbound.queue(
            conn, new.ref, errand_id, event_id, e.PARTIAL_REPLY, text, now, name, title, closes=False
        )
