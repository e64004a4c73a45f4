"""Intake of errands from 1177 (docs/routine.md 4.2, R5).

Every line is validated on its own: a bad line is reported by its number and the good ones are
kept. A line identical to a stored errand is skipped and counted; the same ref with other content
is refused. A complaint gets the fixed partial reply of R5, stamped with the moment of intake.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from sqlite3 import Connection
from typing import Any

from bcc_tui.domain import acute, jsonl, roles
from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import due_date, local_date
from bcc_tui.domain.errors import Interrupted, InvalidInput
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
    # ctrl+c stops the import between two batches: the batches written stay (each is whole, and a
    # new run skips them as already read), and the log and the person are told how far it came.
    with _CtrlC() as stop:
        helper = _helper(data)  # forked with the handler: the helper prints nothing either
        try:
            _read_and_store(ctx, data, report, helper, stop)
        finally:
            if helper is not None:
                helper.pool.shutdown(cancel_futures=True)
        interrupted = stop.pressed
        done = (
            f"{count(report.added, 'nytt', 'nya')}, {count(report.skipped, 'redan inläst', 'redan inlästa')}, "
            f"{count(len(report.rejected), 'avvisad', 'avvisade')}"
        )
        with ctx.store.write() as conn:
            audit.append(
                conn,
                [
                    ctx.entry(
                        "import",
                        outcome="ok" if report.ok else "partly refused",
                        detail=f"avbruten: {done}; resten inte inläst" if interrupted else done,
                    )
                ],
            )
    if interrupted:
        raise Interrupted(
            f"importen avbröts: {done} före avbrottet, resten inte inläst",
            cli_hint="kör samma import igen för resten (det redan inlästa hoppas över)",
        )
    report.rejected.sort()
    return report


# Stopping an import: ctrl+c, and `kill` or a closed terminal (a job's timeout, an SSH session
# gone). SIGTERM and SIGHUP had ended it at once, with no line, and left its helper behind.
_STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _CtrlC:
    """While an import runs in the main thread, ctrl+c (or SIGTERM, SIGHUP) is noted instead of
    raised: raised, it could land in a commit (the batch in, its count not), in the audit row's
    write, or in the helper's start (its traceback)."""

    def __init__(self) -> None:
        self.pressed = False
        self._before: dict[int, Any] = {}

    def __enter__(self) -> _CtrlC:
        if threading.current_thread() is threading.main_thread():
            # A signal ignored stays ignored: under nohup a closed terminal must not stop it.
            self._before = {
                sig: signal.signal(sig, self._note)
                for sig in _STOPS
                if signal.getsignal(sig) is not signal.SIG_IGN
            }
        return self

    def _note(self, _signum: int, _frame: Any) -> None:
        self.pressed = True

    def __exit__(self, *_exc: object) -> None:
        for sig, before in self._before.items():
            signal.signal(sig, before)


def _read_and_store(
    ctx: Ctx,
    data: bytes | Sequence[bytes | jsonl.TooLong],
    report: IntakeReport,
    helper: _Helper | None,
    stop: _CtrlC,
) -> None:
    """The input is cut into batches of BATCH lines, each in parts of PART lines handed to the
    helper at once; each batch is written, in the order of the input, when its parts are read."""
    now = ctx.now()
    raw = _raw_lines(data)
    if not any(isinstance(line, jsonl.TooLong) or line.strip() for line in raw):
        list(jsonl.lines(raw))  # raises jsonl's refusal of an input without a line
    batches = []
    for start in range(0, len(raw), BATCH):
        with ctx.store.read() as conn:
            rules = acute_settings.rules(conn)
        end = min(start + BATCH, len(raw))
        parts = [_Part(raw[i : min(i + PART, end)], i + 1, now, rules) for i in range(start, end, PART)]
        if helper is not None:
            for part in parts:
                helper.hand(part)
        batches.append(_Batch(rules, parts))
    for batch in batches:
        if stop.pressed:
            return
        _store_batch(ctx, batch, report)


def _raw_lines(data: bytes | Sequence[bytes | jsonl.TooLong]) -> list[Line]:
    """The input's lines as jsonl.lines reads them: its first line without a byte-order mark."""
    if isinstance(data, bytes):
        return list((data[len(jsonl.BOM) :] if data.startswith(jsonl.BOM) else data).split(b"\n"))
    raw: list[Line] = list(data)
    if raw and isinstance(raw[0], bytes) and raw[0].startswith(jsonl.BOM):
        raw[0] = raw[0][len(jsonl.BOM) :]
    return raw


# Reading and validating a line (JSON, then errand_from_json: about 0.015 ms) and R11's screen
# (about 0.05 ms for a message of a few hundred characters) are done by a second process for a
# large import, a part at a time, while this one writes the batch before; the helper also works out
# each line's content digest and search text. Where this process would wait for the helper, it
# does the parts the helper has not begun (_Helper.take_back). Writing is this process's alone.
PARALLEL_FROM = 1000  # lines in a file worth a second process for
PART = 250  # lines a task of the helper


# A valid line as the helper is handed it (NewErrand.as_tuple), and what it works out of it: the
# acute findings (acute.dump), the content's digest and the errand's search_text.
Line = bytes | jsonl.TooLong
Row = tuple[Any, ...]
Facts = tuple[str | None, str, str]
# What a part's lines come to: the refused lines' numbers and reasons, and the valid lines' numbers,
# fields, moments of arrival (to the microsecond, as read) and facts.
Valid = tuple[int, Row, dt.datetime, Facts]
Read = tuple[list[tuple[int, str]], list[Valid]]
_SUBJECT, _MESSAGE, _RECEIVED = FIELDS.index("subject"), FIELDS.index("message"), FIELDS.index("received_at")
_REF = FIELDS.index("ref")
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


def _read(lines: list[Line], first: int, now: dt.datetime, rules: acute.Rules) -> Read:
    """Some of the input's lines, `first` the number of the first: each read and validated as
    jsonl.parsed and errand_from_json do, and each valid one screened."""
    refused: list[tuple[int, str]] = []
    valid: list[tuple[int, Row, dt.datetime]] = []
    # One object per reason: a file of 20 million refused lines held each its own copy (5 GB).
    reasons: dict[str, str] = {}
    if any(isinstance(line, jsonl.TooLong) or line.strip() for line in lines):
        # A blank line first: jsonl's own numbering starts at 2, and it takes no byte-order mark
        # off a line that is not the input's first (_raw_lines did that one).
        for number, new in jsonl.parsed([b"", *lines], lambda obj: errand_from_json(obj, now)):
            if isinstance(new, InvalidInput):
                why = str(new)
                refused.append((number + first - 2, reasons.setdefault(why, why)))
            else:
                valid.append((number + first - 2, new.as_tuple(format_utc(new.received_at)), new.received_at))
    facts = _facts([row for _, row, _ in valid], rules)
    return refused, [(n, row, moment, f) for (n, row, moment), f in zip(valid, facts, strict=True)]


@dataclass
class _Part:
    """Some lines of the input on their way through reading and the screen: in the helper
    (`future`), or here when there is no helper, it is gone, or it had not begun them when this
    process took them back (`done`)."""

    lines: list[Line]
    first: int  # the number of its first line in the input
    now: dt.datetime
    rules: acute.Rules
    future: Future[Read] | None = None
    done: Read | None = None

    def ready(self) -> bool:
        return self.future is None or self.future.done()

    def take_back(self) -> bool:
        """Does the part here if it was handed to the helper and the helper has not begun it."""
        if self.done is not None or self.future is None or not self.future.cancel():
            return False
        self.done = _read(self.lines, self.first, self.now, self.rules)
        return True

    def read(self) -> Read:
        if self.done is None and self.future is not None and not self.take_back():
            try:
                return self.future.result()  # begun by the helper
            except (BrokenProcessPool, OSError):
                pass  # the helper is gone: this process does them
        if self.done is None:
            self.done = _read(self.lines, self.first, self.now, self.rules)
        return self.done


class _Helper:
    """The second process."""

    def __init__(self, pool: ProcessPoolExecutor) -> None:
        self.pool = pool

    def hand(self, part: _Part) -> None:
        try:
            part.future = _cancel_safe(self.pool.submit(_read, part.lines, part.first, part.now, part.rules))
        except (BrokenProcessPool, OSError, RuntimeError):  # the helper is gone, or never came
            return


def _cancel_safe(future: Future[Read]) -> Future[Read]:
    """Python 3.11's pool, when its process dies, marks every part still queued failed, one by
    one, and stops at the first that this process had taken back (cancelled): its manager thread
    ends on an InvalidStateError, printing a traceback, without closing the queue, and the
    program then never exits (CPython gh-107219, fixed in 3.12). Failing a cancelled part is
    nothing to do."""
    set_exception = future.set_exception

    def unless_cancelled(exception: BaseException | None) -> None:
        if not future.cancelled():
            with suppress(InvalidStateError):  # cancelled between the look and the set
                set_exception(exception)

    future.set_exception = unless_cancelled  # type: ignore[method-assign]
    return future


@dataclass
class _Batch:
    """The lines of one write transaction, with the rules they are screened by (read when the
    batch was cut; the write checks they still hold) and their parts."""

    rules: acute.Rules
    parts: list[_Part]

    def screened(self) -> Read:
        """The refused lines and the valid ones with their facts, before the write transaction
        (R11): screening 2,000 long messages holds nobody up."""
        # The helper works from the batch's first part: this process, which would otherwise wait,
        # does its last parts that the helper has not begun, until the two meet. Parts of later
        # batches are left to the helper, which reads them while this process writes.
        for part in reversed(self.parts):
            if not part.ready() and not part.take_back():
                break  # begun: so was every part before it
        refused: list[tuple[int, str]] = []
        valid: list[Valid] = []
        for part in self.parts:
            part_refused, part_valid = part.read()
            refused += part_refused
            valid += part_valid
        return refused, valid

    @staticmethod
    def screened_by(valid: list[Valid], rules: acute.Rules) -> list[Valid]:
        """The valid lines' facts by other rules (changed while the batch was screened), here."""
        facts = _facts([row for _, row, _, _ in valid], rules)
        return [(n, row, moment, f) for (n, row, moment, _), f in zip(valid, facts, strict=True)]


def _deaf_to_ctrl_c(parent: int) -> None:
    """The helper is in the terminal's process group: ctrl+c reached it too, and it printed a
    traceback of its own. This process stops it (import_errands). And it ends with this process,
    however that ends: an import killed with SIGKILL left its helper blocked on the pipe for good,
    holding the database and the intake file open (an attacker's trial)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):  # forked with this process's note-taking handlers
        signal.signal(sig, signal.SIG_DFL)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """Linux's parent-death signal: SIGKILL when the process that forked this one ends. Where
    there is no prctl, the pool's own watch is all there is."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _helper(data: bytes | Sequence[bytes | jsonl.TooLong]) -> _Helper | None:
    """A second process for a large import, where there is a second core and fork."""
    lines = data.count(b"\n") if isinstance(data, bytes) else len(data)
    if lines < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        # fork: the child has the program already (a spawned one would run the command again).
        return _Helper(
            ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_deaf_to_ctrl_c,
                initargs=(os.getpid(),),
            )
        )
    except OSError:
        return None


def _store_batch(ctx: Ctx, batch: _Batch, report: IntakeReport) -> None:
    # R11: the messages are screened before the write transaction, which then only checks that
    # the rules did not change meanwhile.
    refused, valid = batch.screened()
    report.rejected += refused
    if not valid:
        return
    # Counted once the batch is committed: one rolled back (busy, an error) is not reported.
    skipped, rejected, added = 0, [], []
    with ctx.store.write() as conn:
        now_rules = acute_settings.rules(conn)
        if now_rules != batch.rules:
            valid = batch.screened_by(valid, now_rules)
        shared = _Shared(ctx, conn)
        entries = []
        known = q.hashes_by_ref(conn, [row[_REF] for _, row, _, _ in valid])
        for number, row, moment, (found, digest, searched) in valid:
            new = NewErrand(*row[:_RECEIVED], moment, *row[_RECEIVED + 1 :])  # type: ignore[call-arg]
            stored = known.get(new.ref)
            if stored is not None and stored != digest and not _same_as_read_now(conn, new.ref, digest):
                rejected.append((number, f"ref: {new.ref} finns redan med annat innehåll"))
                continue
            if stored is not None:
                skipped += 1
                continue
            _insert(conn, shared, new, row, (found, digest, searched))
            known[new.ref] = digest  # a repeat later in the same batch is then a duplicate
            # The content's hash rides in the chain: a forger who rewrites the errand and its
            # content_hash column still differs from what the log says was read in (issue 28).
            entries.append(shared.entry(new, digest))
            added.append(new.ref)
        audit.append(conn, entries)
    report.skipped += skipped
    report.rejected += rejected
    report.added += len(added)
    report.added_refs.extend(added)


def _same_as_read_now(conn: Connection, ref: str, digest: str) -> bool:
    """Whether the stored errand, read as today's intake reads a line, has the content `digest`:
    a line imported again after an upgrade that cleans more (the characters that show nothing,
    2026-12-08) repeats that errand, and is no "other content". Rare: only a digest that differs."""
    stored = q.by_ref(conn, ref)
    if stored is None:
        return False
    line: dict[str, Any] = {
        "ref": stored.ref,
        "type": stored.type,
        "unit": stored.unit,
        "received_at": stored.received_at,
        "patient": {"name": stored.patient_name, "personnummer": stored.personnummer},
        "subject": stored.subject or "",
        "message": stored.message,
        "urgent": bool(stored.urgent),
    }
    if stored.proxy_name is not None:
        line["submitted_by"] = {"name": stored.proxy_name, "relation": stored.proxy_relation or ""}
    if stored.contact_preference is not None:
        line["contact_preference"] = stored.contact_preference
    if stored.phone is not None:
        line["phone"] = stored.phone
    try:
        now = errand_from_json(line)
    except InvalidInput:
        return False
    return hashlib.sha256(now.canonical().encode("utf-8")).hexdigest() == digest


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
