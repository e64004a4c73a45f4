"""E-mail notices (R7, R16, §4.6): queued in the same transaction as the assignment or reminder,
delivered over SMTP by whichever process runs next, retried while the server is down.

Delivery is at least once: a mail is claimed with a lease, sent, then marked sent. A crash
between the server's acceptance and our mark sends it again with the same Message-ID, which lets
the receiving side recognise the repeat.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from sqlite3 import Connection, Row

from bcc_tui.domain.errors import Busy
from bcc_tui.domain.notices import Notice
from bcc_tui.domain.validation import format_utc
from bcc_tui.services.clock import Clock
from bcc_tui.store import outbox as q
from bcc_tui.store.db import Store

LEASE = dt.timedelta(seconds=60)
MAX_BACKOFF = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class MailConfig:
    host: str
    port: int
    sender: str

    @classmethod
    def parse(cls, smtp: str | None, sender: str) -> "MailConfig | None":
        """`BCC_SMTP=host:port`; None when unset (notices then wait in the outbox)."""
        if not smtp:
            return None
        host, _, port = smtp.rpartition(":")
        if not host or not port.isdigit():
            from bcc_tui.domain.errors import InvalidInput

            raise InvalidInput(f"BCC_SMTP ska vara värd:port, inte '{smtp}'")
        return cls(host, int(port), sender)


def queue(conn: Connection, now: str, kind: str, ref: str, person: Row, notice: Notice) -> bool:
    """Queue a notice to `person` in the caller's transaction, if they want notices by e-mail."""
    if not person["email_notify"] or not person["email"]:
        return False
    q.add(conn, {
        "message_id": f"<{ref}.{kind}.{uuid.uuid4().hex}@bcc-tui>",
        "kind": kind, "ref": ref, "recipient": person["username"], "address": person["email"],
        "subject": notice.subject, "body": notice.body, "created_at": now, "next_attempt_at": now,
    })
    return True


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    error: str | None = None


def _message(row: Row, sender: str, now: dt.datetime):
    from email.message import EmailMessage
    from email.utils import format_datetime

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = row["address"]
    msg["Subject"] = row["subject"]
    msg["Message-ID"] = row["message_id"]
    msg["Date"] = format_datetime(now)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(row["body"])
    return msg


def deliver(store: Store, clock: Clock, config: MailConfig | None, limit: int = 50) -> Delivery:
    """Send what is due. Never raises for a down server or a busy database: the mail waits."""
    import smtplib
    import socket

    result = Delivery()
    if config is None:
        return result
    now = clock.now()
    try:
        with store.write() as conn:
            rows = q.claim(conn, format_utc(now), format_utc(now + LEASE), limit)
    except Busy:
        return result
    if not rows:
        return result
    try:
        server = smtplib.SMTP(config.host, config.port, timeout=5)
    except (OSError, smtplib.SMTPException) as err:
        _failed(store, clock, rows, f"SMTP-servern svarar inte: {err}")
        result.failed, result.error = len(rows), str(err)
        return result
    try:
        for row in rows:
            try:
                server.send_message(_message(row, config.sender, now))
            except (smtplib.SMTPException, OSError, socket.timeout) as err:
                _failed(store, clock, [row], str(err))
                result.failed += 1
                result.error = str(err)
                continue
            try:
                with store.write() as conn:
                    q.mark_sent(conn, row["id"], format_utc(clock.now()))
            except Busy:
                pass  # the lease runs out and the mail goes again, with the same Message-ID
            result.sent += 1
    finally:
        try:
            server.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return result


def _failed(store: Store, clock: Clock, rows: list[Row], error: str) -> None:
    now = clock.now()
    try:
        with store.write() as conn:
            for row in rows:
                backoff = min(dt.timedelta(seconds=5 * 2 ** min(row["attempts"], 10)), MAX_BACKOFF)
                q.mark_failed(conn, row["id"], error, format_utc(now + backoff))
    except Busy:
        pass
