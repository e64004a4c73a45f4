"""The queue of replies on their way to 1177 (R20)."""

from __future__ import annotations

from sqlite3 import Connection

from bcc_tui.store import errands as q


def queue(conn: Connection, ref: str, errand_id: int, event_id: int, kind: str, text: str,
          sent_at: str, author_name: str, author_title: str, closes: bool) -> None:
    """Queue a reply in the caller's transaction; its id is stable for the receiving side."""
    q.add_outbound(conn, {
        "id": f"{ref}-{event_id}", "errand_id": errand_id, "event_id": event_id, "kind": kind,
        "text": text, "sent_at": sent_at, "author_name": author_name,
        "author_title": author_title, "closes": int(closes),
    })
