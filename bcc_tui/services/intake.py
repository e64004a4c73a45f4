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
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from sqlite3 import Connection
from typing import Any

from bcc_tui.domain import acute, jsonl, roles
from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import due_date, local_date
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import count
from bcc_tui.domain.validation import FIELDS, NewErrand, canonical_of, errand_from_json, format_utc
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
    helper = _helper(data)
    try:
        _read_and_store(ctx, data, report, helper)
    finally:
        if helper is not None:
            helper.pool.shutdown(cancel_futures=True)
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


def _read_and_store(
    ctx: Ctx,
    data: bytes | Sequence[bytes | jsonl.TooLong],
    report: IntakeReport,
    helper: _Helper | None,
) -> None:
    """Each full batch is written as soon as the helper has screened it, in the order read."""
    now = ctx.now()
    waiting: deque[_Batch] = deque()
    batch = _Batch.begin(ctx)
    for number, new in jsonl.parsed(data, lambda obj: errand_from_json(obj, now)):
        if isinstance(new, InvalidInput):
            report.rejected.append((number, str(new)))
            continue
        batch.add(number, new, helper)
        if len(batch.lines) >= BATCH:
            batch.close(helper)
            waiting.append(batch)
            batch = _Batch.begin(ctx)
            _store_ready(ctx, waiting, report)
    if batch.lines:
        batch.close(helper)
        waiting.append(batch)
    while waiting:
        _store_batch(ctx, waiting.popleft(), report)


def _store_ready(ctx: Ctx, waiting: deque[_Batch], report: IntakeReport) -> None:
    """The oldest batches whose screening is done are written; while the helper is behind (at its
    start it builds the screen's search first, about 0.07 s), this process reads on instead of
    waiting, up to AHEAD batches."""
    while waiting and (waiting[0].ready() or len(waiting) > AHEAD):
        _store_batch(ctx, waiting.popleft(), report)


# R11's screen costs about 0.05 ms for a message of a few hundred characters: a large import lets a
# second process screen each batch, a part at a time, while this one reads the next and writes the
# one before; the helper also works out each line's content digest and search text, which this
# process, the busier one, would otherwise. Where this process would wait for the helper, it does
# the parts the helper has not begun (_Helper.take_back).
PARALLEL_FROM = 1000  # lines in a file worth a second process for
PART = 250  # lines a task of the helper: it begins on a batch's first lines while this one reads on
# Batches read ahead of their write while the helper has not screened the oldest (all lines are in
# memory already, services/inbox.py: this holds their parsed form a little longer).
AHEAD = 4


# A line as the helper is handed it (NewErrand.as_tuple), and what it works out of it: the acute
# findings (acute.dump), the content's digest and the errand's search_text.
Row = tuple[Any, ...]
Facts = tuple[str | None, str, str]
_SUBJECT, _MESSAGE, _RECEIVED = FIELDS.index("subject"), FIELDS.index("message"), FIELDS.index("received_at")
_SEARCHED = tuple(FIELDS.index(f) for f in ("ref", "subject", "patient_name", "personnummer", "proxy_name"))


def _facts(rows: list[Row], rules: acute.Rules) -> list[Facts]:
    return [
        (
            acute.dump(acute.screen(f"{row[_SUBJECT]}\n{row[_MESSAGE]}", rules)),
            hashlib.sha256(canonical_of(row).encode("utf-8")).hexdigest(),
            q.search_text_of(*[row[i] for i in _SEARCHED]),
        )
        for row in rows
    ]


@dataclass
class _Part:
    """Some lines of a batch on their way through the screen: in the helper (`future`), or here
    when there is no helper, it is gone, or it had not begun them when this process took them
    back (`done`)."""

    rows: list[Row]
    rules: acute.Rules
    future: Future[list[Facts]] | None = None
    helper: _Helper | None = None
    done: list[Facts] | None = None

    def ready(self) -> bool:
        return self.future is None or self.future.done()

    def take_back(self) -> bool:
        """Does the part here if it was handed to the helper and the helper has not begun it."""
        if self.done is not None or self.future is None or not self.future.cancel():
            return False
        self.done = _facts(self.rows, self.rules)
        return True

    def facts(self) -> list[Facts]:
        if self.done is None and self.future is not None and not self.take_back():
            # Begun: while the helper finishes it, this process does the last parts it has not.
            while not self.future.done() and self.helper is not None and self.helper.take_back():
                pass
            try:
                return self.future.result()
            except (BrokenProcessPool, OSError):
                pass  # the helper is gone: this process does them
        if self.done is None:
            self.done = _facts(self.rows, self.rules)
        return self.done


class _Helper:
    """The second process, and the parts handed to it in order: it works from the first, and this
    process, when it would wait, takes back from the last, so that the two meet in the middle
    however busy either is."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self.pool = pool
        self.handed: deque[_Part] = deque()

    def hand(self, part: _Part) -> None:
        try:
            part.future = self.pool.submit(_facts, part.rows, part.rules)
        except (BrokenProcessPool, OSError, RuntimeError):  # the helper is gone, or never came
            return
        part.helper = self
        self.handed.append(part)

    def take_back(self) -> bool:
        """Does here the last part handed that the helper has not begun; False when none is left."""
        while self.handed:
            part = self.handed.pop()
            if part.done is not None:
                continue  # taken back already, by its own batch
            if part.take_back():
                return True
            self.handed.clear()  # begun: so was every part handed before it
        return False


@dataclass
class _Batch:
    """The lines of one write transaction, with the rules they are being screened by (read when
    the batch begins; the write checks they still hold) and their parts in the screen."""

    rules: acute.Rules
    lines: list[tuple[int, NewErrand]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    parts: list[_Part] = field(default_factory=list)
    sent: int = 0  # lines handed to a part

    @classmethod
    def begin(cls, ctx: Ctx) -> _Batch:
        with ctx.store.read() as conn:
            return cls(acute_settings.rules(conn))

    def add(self, number: int, new: NewErrand, helper: _Helper | None) -> None:
        self.lines.append((number, new))
        self.rows.append(new.as_tuple(format_utc(new.received_at)))
        if helper is not None and len(self.lines) - self.sent >= PART:
            self._send(helper)

    def close(self, helper: _Helper | None) -> None:
        """No more lines: the rest go to the screen (here, without a helper, when written)."""
        if len(self.lines) > self.sent:
            self._send(helper)

    def _send(self, helper: _Helper | None) -> None:
        part = _Part(self.rows[self.sent :], self.rules)
        if helper is not None:
            helper.hand(part)
        self.parts.append(part)
        self.sent = len(self.lines)

    def ready(self) -> bool:
        return all(part.ready() for part in self.parts)

    def screened(self) -> list[Facts]:
        """Each line's facts, before the write transaction (R11): screening 2,000 long messages
        holds nobody up."""
        return [f for part in self.parts for f in part.facts()]

    def screened_by(self, rules: acute.Rules) -> list[Facts]:
        """Each line's facts by other rules (changed while the batch was screened), here."""
        return _facts(self.rows, rules)


def _helper(data: bytes | Sequence[bytes | jsonl.TooLong]) -> _Helper | None:
    """A second process for a large import, where there is a second core and fork."""
    lines = data.count(b"\n") if isinstance(data, bytes) else len(data)
    if lines < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        # fork: the child has the program already (a spawned one would run the command again).
        return _Helper(ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")))
    except OSError:
        return None


def _store_batch(ctx: Ctx, batch: _Batch, report: IntakeReport) -> None:
    # R11: the messages are screened before the write transaction, which then only checks that
    # the rules did not change meanwhile.
    screened = batch.screened()
    with ctx.store.write() as conn:
        now_rules = acute_settings.rules(conn)
        if now_rules != batch.rules:
            screened = batch.screened_by(now_rules)
        shared = _Shared(ctx, conn)
        entries = []
        known = q.hashes_by_ref(conn, [new.ref for _, new in batch.lines])
        for (number, new), row, (found, digest, searched) in zip(
            batch.lines, batch.rows, screened, strict=True
        ):
            stored = known.get(new.ref)
            if stored == digest:
                report.skipped += 1
                continue
            if stored is not None:
                report.rejected.append((number, f"ref: {new.ref} finns redan med annat innehåll"))
                continue
            _insert(conn, shared, new, row, (found, digest, searched))
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


def _insert(conn: Connection, shared: _Shared, new: NewErrand, row: Row, facts: Facts) -> None:
    found, digest, searched = facts
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
            row[_RECEIVED],
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
        searched,
    )
    name, title = CLINIC_AUTHOR
    for text, detail in automatic:
        event_id = q.add_event(
            conn, errand_id, e.PARTIAL_REPLY, now, roles.SYSTEM, name, title, text=text, detail=detail
        )
        outbound.queue(
            conn, new.ref, errand_id, event_id, e.PARTIAL_REPLY, text, now, name, title, closes=False
        )
