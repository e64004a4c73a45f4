"""The queue of replies on their way to 1177 (R20)."""

from __future__ import annotations

import os
from pathlib import Path
from sqlite3 import Connection
from typing import TYPE_CHECKING

from bcc_tui.store import errands as q

if TYPE_CHECKING:
    from bcc_tui.services.context import Ctx


def queue(
    conn: Connection,
    ref: str,
    errand_id: int,
    event_id: int,
    kind: str,
    text: str,
    sent_at: str,
    author_name: str,
    author_title: str,
    closes: bool,
) -> None:
    """Queue a reply in the caller's transaction; its id is stable for the receiving side."""
    q.add_outbound(
        conn,
        {
            "id": f"{ref}-{event_id}",
            "errand_id": errand_id,
            "event_id": event_id,
            "kind": kind,
            "text": text,
            "sent_at": sent_at,
            "author_name": author_name,
            "author_title": author_title,
            "closes": int(closes),
        },
    )


def export(ctx: Ctx, path: str | os.PathLike[str]) -> tuple[int, Path | None]:
    """R20: write the queued replies as JSON Lines (tests/contract/schemas/reply.schema.json) to a new file and
    mark them exported; returns how many and the file (None when nothing waited). PATH must not
    exist in any form (see services/destination.py); an existing folder gets a new file named
    `replies-YYYYmmddTHHMMSSZ.jsonl` (UTC) inside. The file is complete before anything is
    marked, so an export that dies half-way loses nothing: at worst the next export repeats lines
    with the same stable ids.

    Reading the replies out is a read of each errand's patient data (R9): besides the export's
    own row, one audit row per errand (its patient, the replies' ids and the file), in the same
    transaction as the marking (docs/audit.md)."""
    import datetime as dt
    import json
    import os

    from bcc_tui.services import destination
    from bcc_tui.services.context import require
    from bcc_tui.store import audit

    require(ctx, "outbound_export")
    # An existing folder gets a new time-named file each run (the delivery job's outbox).
    name = f"replies-{ctx.now().astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}.jsonl"
    destination.target(path, name_in_folder=name, protect=[ctx.store.path])  # refused before anything is read
    with ctx.store.read() as conn:
        rows = q.outbound_waiting(conn)
    if not rows:
        return 0, None  # no empty files for the delivery job to collect
    lines = [
        json.dumps(
            {
                "id": r.id,
                "ref": r.ref,
                "kind": r.kind,
                "text": r.text,
                "sent_at": r.sent_at,
                "author": {"name": r.author_name, "title": r.author_title},
                "closes": r.closes,
            },
            ensure_ascii=False,
        )
        + "\n"
        for r in rows
    ]
    with destination.new_file(path, name_in_folder=name, protect=[ctx.store.path]) as new:
        fd = os.open(new.tmp, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "wb") as out:
            out.write("".join(lines).encode("utf-8"))
    # R9: each errand whose replies were read out is a read of that patient's data, one row per
    # errand with the patient (and the replies' ids), whoever exports — the delivery job as
    # "system", like the import's rows. They commit with the marking: either both or neither.
    read: dict[str, tuple[str, list[str]]] = {}
    for r in rows:
        read.setdefault(r.ref, (r.personnummer, []))[1].append(r.id)
    entries = [ctx.entry("export", detail=f"{len(rows)} svar till {new.path.name}")]
    entries += [
        ctx.entry(
            "export",
            ref,
            pnr,
            detail=json.dumps({"file": new.path.name, "replies": ids}, ensure_ascii=False),
        )
        for ref, (pnr, ids) in read.items()
    ]
    with ctx.store.write() as conn:
        q.mark_exported(conn, [r.id for r in rows], ctx.now_text())
        audit.append(conn, entries)
    return len(rows), new.path
