"""E-mail notices (R7, R16, docs/routine.md 4.6): queued in the same transaction as the assignment or reminder,
delivered over SMTP by whichever process runs next, retried while the server is down.

Delivery is at least once: a mail is claimed with a lease, sent, then marked sent. A crash
between the server's acceptance and our mark sends it again with the same Message-ID, which lets
the receiving side recognise the repeat.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from dataclasses import dataclass
from sqlite3 import Connection
from typing import TYPE_CHECKING

from bcc_tui.domain.errors import Busy, os_reason
from bcc_tui.domain.notices import Notice
from bcc_tui.domain.validation import format_utc
from bcc_tui.services.clock import Clock
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import outbox as q
from bcc_tui.store.db import Store
from bcc_tui.store.staff import StaffMember

if TYPE_CHECKING:
    # Imported where used: the command line and the dashboard start without them.
    import smtplib
    import socket
    from _socket import _Address
    from email.message import EmailMessage

    from _typeshed import ReadableBuffer

LEASE = dt.timedelta(seconds=60)
MAX_BACKOFF = dt.timedelta(minutes=5)
# A command spends at most this long on the outbox before it exits (issue 12.5); the dashboard's
# background delivery may take longer, it holds nobody up.
BUDGET = 2.0
SMTP_TIMEOUT = 10.0  # per connect, command and reply, within the budget
SHORT_WAIT = 0.5  # seconds a failure or a release may wait for the database
LEASE_MARGIN = 5.0  # seconds of lease beyond the longest run: clock skew between processes


@dataclass(frozen=True)
class MailConfig:
    host: str
    port: int
    sender: str

    @classmethod
    def parse(cls, smtp: str | None, sender: str) -> MailConfig | None:
        """`BCC_SMTP=host:port`; None when unset (notices then wait in the outbox)."""
        if not smtp:
            return None
        host, _, port = smtp.rpartition(":")
        if not host or not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            from bcc_tui.domain.errors import InvalidInput
            from bcc_tui.domain.text import clean_line

            raise InvalidInput(f"BCC_SMTP ska vara värd:port, inte '{clean_line(smtp)[:100]}'")
        if not _ADDRESS.fullmatch(sender):
            # A line break in it failed every notice, each in Python's English ("Header values may
            # not contain linefeed…"); "[bold]x[/]" went out as the From: header (an attacker's trial).
            from bcc_tui.domain.errors import InvalidInput
            from bcc_tui.domain.text import clean_line

            raise InvalidInput(
                f"BCC_MAIL_FROM ska vara en e-postadress, t.ex. bcc-tui@sjukhus.se, inte '{clean_line(sender)[:100]}'"
            )
        return cls(host, int(port), sender)


# A sender's address as the mail job writes it in From: one addr-spec of printable ASCII.
_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?"
)


def _reason(err: BaseException) -> str:
    """What went wrong with the mail, for the outbox's list: the system's reason in Swedish, or the
    server's own reply. A refused recipient was shown as Python's dict of bytes ("{'a@b': (550,
    b'...')}"); it reads as the server's code and words for each address."""
    import smtplib  # loaded already: only a send fails this way

    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "mottagaren nekades: " + "; ".join(
            f"{address}: {code} {_said(text)}" for address, (code, text) in err.recipients.items()
        )
    if isinstance(err, smtplib.SMTPResponseException):
        return f"servern svarade {err.smtp_code} {_said(err.smtp_error)}"
    return os_reason(err, str(err) or "tidsgränsen passerades")


def _said(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def queue(
    conn: Connection, now: str, kind: str, ref: str, person: StaffMember | None, notice: Notice
) -> bool:
    """Queue a notice to `person` in the caller's transaction, if they want notices by e-mail
    (someone no longer in the staff list gets none)."""
    if person is None or not person.email_notify or not person.email:
        return False
    q.add(
        conn,
        {
            "message_id": f"<{ref}.{kind}.{uuid.uuid4().hex}@bcc-tui>",
            "kind": kind,
            "ref": ref,
            "recipient": person.username,
            "address": person.email,
            "subject": notice.subject,
            "body": notice.body,
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    return True


@dataclass(frozen=True)
class Waiting:
    """A notice in the outbox that has not reached the mail server yet."""

    created_at: str
    kind: str
    ref: str | None
    recipient: str
    attempts: int
    last_error: str | None


def waiting(ctx: Ctx) -> list[Waiting]:
    """The notices still waiting in the outbox, newest first (the administrator's view)."""
    require(ctx, "outbox")
    with ctx.store.read() as conn:
        rows = q.listing(conn)
    return [Waiting(r.created_at, r.kind, r.ref, r.recipient, r.attempts, r.last_error) for r in rows]


def count_waiting(ctx: Ctx) -> int:
    """How many notices wait in the outbox."""
    require(ctx, "outbox")
    with ctx.store.read() as conn:
        return q.waiting_count(conn)


# The reason stored when the mail server itself could not be reached (not one address refused).
UNREACHED = "kunde inte nå SMTP-servern"


def failing(ctx: Ctx) -> tuple[int, str | None]:
    """How many notices wait after a try that could not reach the mail server, and why the newest
    failed. One address the relay refuses is the outbox's to show, not the job's to fail for
    every minute."""
    require(ctx, "outbox")
    with ctx.store.read() as conn:
        return q.failing(conn, UNREACHED)


def send_waiting(ctx: Ctx, smtp: str | None, sender: str, budget: float) -> Delivery | None:
    """The mail job: deliver what waits in the outbox, for up to `budget` seconds; None when no
    mail server is set (the notices then keep waiting where the administrator sees them)."""
    require(ctx, "outbox")
    config = MailConfig.parse(smtp, sender)
    if config is None:
        return None
    return deliver(ctx.store, ctx.clock, config, budget=budget)


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    error: str | None = None  # the last failure's reason, in Swedish (_reason)


def _message(row: q.Mail, sender: str, now: dt.datetime) -> EmailMessage:
    from email.message import EmailMessage
    from email.utils import format_datetime

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row.address
    msg["Subject"] = row.subject
    msg["Message-ID"] = row.message_id
    msg["Date"] = format_datetime(now)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row.body)
    return msg


def deliver(
    store: Store, clock: Clock, config: MailConfig | None, limit: int = 50, budget: float = BUDGET
) -> Delivery:
    """Send what is due within `budget` seconds; what is left waits for the next process.
    Never raises for a down or slow server or a busy database: the mail waits."""
    result = Delivery()
    if config is None:
        return result
    start = time.monotonic()
    deadline = start + budget
    # The claim's lease covers the whole run: the SMTP work ends by the deadline (every socket
    # operation is cut at it), then each mark may wait for the database's busy timeout. A second
    # process cannot take a mail while it is being sent.
    lease = lease_for(budget, store.busy_timeout)
    # Asked first in a read: every open dashboard asks every few seconds and every command as it
    # ends, and nearly always nothing is due. A write transaction each time took the write lock
    # for nothing (with a hundred dashboards, some thirty a second), in the way of real writes.
    try:
        with store.read(wait=False) as conn:
            if not q.any_due(conn, format_utc(clock.now())):
                return result
    except Busy:
        return result  # this connection is in use (a dashboard's worker): the next try asks
    # Only with mail due: every command calls this on its way out (smtplib is 0.01 s of each one).
    import smtplib

    try:
        with store.write(busy_timeout=max(0.0, min(store.busy_timeout, deadline - time.monotonic()))) as conn:
            now = clock.now()
            rows = q.claim(conn, format_utc(now), format_utc(now + lease), limit)
    except Busy:
        return result
    if not rows:
        return result
    claimed = time.monotonic()
    # Never start what the lease could not cover: the lease counts from the claim.
    deadline = min(deadline, claimed + lease.total_seconds() - store.busy_timeout - LEASE_MARGIN)
    try:
        began = time.monotonic()
        server = _bounded_smtp(config.host, config.port, deadline)
        round_trip = time.monotonic() - began
        began = time.monotonic()
        try:
            server.ehlo_or_helo_if_needed()
        except BaseException:
            server.close()
            raise
        round_trip = max(round_trip, time.monotonic() - began)
    except (OSError, smtplib.SMTPException, ValueError) as err:  # ValueError: a host name IDNA refuses
        # Refused, not found or silent: "svarade inte i tid: anslutningen nekades" said two things.
        _failed(store, clock, rows, f"{UNREACHED}: {_reason(err)}")
        result.failed, result.error = len(rows), _reason(err)
        return result
    # A mail is MAIL, RCPT, DATA and the end of data: four round trips. One cut off after the
    # server took it would go again, so none is started that the time left could not finish.
    needed = 4 * round_trip
    try:
        for index, row in enumerate(rows):
            if deadline - time.monotonic() < 1.5 * needed:
                _release(store, rows[index:])  # not tried: free for the next process at once
                break
            try:
                began = time.monotonic()
                server.send_message(_message(row, config.sender, now))
                needed = max(needed, time.monotonic() - began)
            except (TimeoutError, smtplib.SMTPException, OSError, ValueError) as err:
                # ValueError: an address or subject the e-mail headers refuse; that mail only.
                _failed(store, clock, [row], _reason(err))
                result.failed += 1
                result.error = _reason(err)
                if isinstance(err, (OSError, smtplib.SMTPServerDisconnected)):
                    # The connection is gone or out of time: the rest waits for the next process.
                    _release(store, rows[index + 1 :])
                    break
                continue
            try:
                with store.write() as conn:
                    q.mark_sent(conn, row.id, format_utc(clock.now()))
            except Busy:
                pass  # the lease runs out and the mail goes again, with the same Message-ID
            result.sent += 1
    finally:
        _close_quietly(server, deadline)
    return result


def lease_for(budget: float, busy_timeout: float) -> dt.timedelta:
    """A lease longer than the longest run: the SMTP deadline, one mark's wait, and a margin."""
    return max(LEASE, dt.timedelta(seconds=budget + busy_timeout + 2 * LEASE_MARGIN))


def _bounded_smtp(host: str, port: int, deadline: float) -> smtplib.SMTP:
    """An SMTP connection whose every connect, send and reply is cut at one deadline (and at
    SMTP_TIMEOUT per operation), so a slow or silent server cannot hold the process."""
    import smtplib

    def arm(sock: socket.socket | None) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("tidsgränsen för e-post passerades")
        wait = min(SMTP_TIMEOUT, left)
        if sock is not None:
            sock.settimeout(wait)
        return wait

    class Bounded(smtplib.SMTP):
        def connect(
            self, host: str = "localhost", port: int = 0, source_address: _Address | None = None
        ) -> tuple[int, bytes]:
            # smtplib opens the socket with self.timeout: the connect's share of the deadline.
            self.timeout = arm(None)
            return super().connect(host, port, source_address)

        def send(self, s: ReadableBuffer | str) -> None:
            arm(self.sock)
            super().send(s)

        def getreply(self) -> tuple[int, bytes]:
            arm(self.sock)
            return super().getreply()

    server = Bounded(timeout=SMTP_TIMEOUT)
    try:
        code, msg = server.connect(host, port)
        if code != 220:
            raise smtplib.SMTPConnectError(code, msg)
    except BaseException:
        server.close()
        raise
    return server


def _close_quietly(server: smtplib.SMTP, deadline: float) -> None:
    """QUIT while there is time for it, then close whatever the server says."""
    import smtplib

    try:
        if time.monotonic() < deadline:
            server.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        server.close()


def _release(store: Store, rows: list[q.Mail]) -> None:
    if not rows:
        return
    try:
        with store.write(busy_timeout=min(store.busy_timeout, SHORT_WAIT)) as conn:
            q.release(conn, [row.id for row in rows])
    except Busy:
        pass  # the lease runs out instead


def _failed(store: Store, clock: Clock, rows: list[q.Mail], error: str) -> None:
    now = clock.now()
    try:
        # A short wait: if the mark cannot be written, the lease runs out and the mail is retried.
        with store.write(busy_timeout=min(store.busy_timeout, SHORT_WAIT)) as conn:
            for row in rows:
                backoff = min(dt.timedelta(seconds=5 * 2 ** min(row.attempts, 10)), MAX_BACKOFF)
                q.mark_failed(conn, row.id, error, format_utc(now + backoff))
    except Busy:
        pass
