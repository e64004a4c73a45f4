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


def export(ctx, path) -> int:
    """R20: write the queued replies as JSON Lines (contract/reply.schema.json) and mark them
    exported. The file is complete before anything is marked, so an export that dies half-way
    loses nothing: at worst the next export repeats lines with the same stable ids."""
    import json
    import os
    import tempfile
    from pathlib import Path

    from bcc_tui.domain import roles
    from bcc_tui.store import audit

    roles.require_command(ctx.actor, "outbound_export")
    path = Path(path)
    with ctx.store.read() as conn:
        rows = q.outbound_waiting(conn)
    lines = [json.dumps({
        "id": r["id"], "ref": r["ref"], "kind": r["kind"], "text": r["text"], "sent_at": r["sent_at"],
        "author": {"name": r["author_name"], "title": r["author_title"]}, "closes": bool(r["closes"]),
    }, ensure_ascii=False) + "\n" for r in rows]
    # An earlier export the delivery job has not picked up yet is kept, not overwritten.
    existing = path.read_bytes() if path.exists() else b""
    if existing and not existing.endswith(b"\n"):
        existing += b"\n"
    fd, tmp = tempfile.mkstemp(prefix=".bcc-export-", dir=path.parent or ".")
    # The delivery job collects the file as another account (docs/deployment.md): it gets the
    # mode any new file would (the umask), not mkstemp's 0600; the outbox folder keeps others out.
    umask = os.umask(0o077)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(existing + "".join(lines).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    folder = os.open(path.parent or ".", os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    with ctx.store.write() as conn:
        q.mark_exported(conn, [r["id"] for r in rows], ctx.now_text())
        audit.append(conn, [ctx.entry("export", detail=f"{len(rows)} svar till {path.name}")])
    return len(rows)
