"""Drafts (R21): what a person types into an errand's form is kept in the database as they type,
offered again when the form reopens (also after the terminal went away) and removed when sent or
discarded.

A draft is patient data: it is scoped like its errand (only someone who may take the form's action
on the errand may keep one), it is read and kept only by its writer, its first save, its reopening
and its removal are audited, and it never goes into an e-mail. The saves that follow the first
while the same form is open are not logged one by one: they are keystrokes, not new accesses.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from sqlite3 import Connection

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean
from bcc_tui.domain.validation import parse_utc
from bcc_tui.services.context import Ctx, seen_errand
from bcc_tui.store import audit
from bcc_tui.store import drafts as dq
from bcc_tui.store import errands as q
from bcc_tui.store.errands import Errand

# The forms that keep drafts, and the action each one ends in (for who may keep one).
FORMS = {
    "reply": e.REPLY,
    "partial_reply": e.PARTIAL_REPLY,
    "close": e.CLOSE,
    "note": e.NOTE,
    "acute": e.ACUTE_HANDLED,
}
FORM_NAMES = {
    "reply": "svar",
    "partial_reply": "delsvar",
    "close": "avslut utan svar",
    "note": "anteckning",
    "acute": "akut hanterat",
}
MAX_FIELD = 40_000  # twice the longest reply: a draft may be over the limit, the send says so


@dataclass(frozen=True)
class Draft:
    fields: dict
    saved_at: dt.datetime


def _errand(ctx: Ctx, conn: Connection, ref: str, form: str) -> Errand:
    if form not in FORMS:
        raise InvalidInput(f"okänt formulär '{form}'")
    roles.check_act(ctx.actor, FORMS[form], ref)
    row = seen_errand(ctx, conn, ref, FORMS[form])
    roles.require_action(ctx.actor, FORMS[form], ref, row.assignee)
    return row


def _checked(fields: dict) -> dict:
    out = {}
    for key, value in fields.items():
        if not isinstance(key, str) or not (value is None or isinstance(value, (str, bool))):
            raise InvalidInput("utkastet innehåller något annat än text och kryss")
        if isinstance(value, str):
            value = clean(value)
            if len(value) > MAX_FIELD:
                raise InvalidInput(f"utkastet är för långt för att sparas (högst {MAX_FIELD} tecken)")
        out[key] = value
    return out


def _size(fields: dict) -> int:
    return sum(len(v) for v in fields.values() if isinstance(v, str))


def save(ctx: Ctx, ref: str, form: str, fields: dict) -> bool:
    """Keep what is typed; returns whether the draft is new (its first save is audited)."""
    values = _checked(fields)
    with ctx.change("draft", ref) as conn:
        row = _errand(ctx, conn, ref, form)
        new = dq.put(conn, ctx.actor.username, row.id, form, values, ctx.now_text())
        if new:
            audit.append(
                conn,
                [
                    ctx.entry(
                        "draft",
                        ref,
                        row.personnummer,
                        detail=f"utkast sparat: {FORM_NAMES[form]} ({_size(values)} tecken)",
                    )
                ],
            )
    return new


def load(ctx: Ctx, ref: str, form: str) -> Draft | None:
    """The person's own draft for this form on this errand; opening it again is a read (audited)."""
    with ctx.store.read() as conn:
        row = _errand(ctx, conn, ref, form)
        found = dq.get(conn, ctx.actor.username, row.id, form)
    if found is None:
        return None
    with ctx.store.write() as conn:
        audit.append(
            conn, [ctx.entry("draft", ref, row.personnummer, detail=f"utkast öppnat: {FORM_NAMES[form]}")]
        )
    return Draft(json.loads(found.fields), parse_utc(found.saved_at))


def kept_replies(ctx: Ctx, ref: str) -> list[str]:
    """Which of the person's answers to the family on this errand are kept as drafts ("svar",
    "delsvar"): what closing it without reply leaves unsent. Names only, no text: not a read of
    the draft (load's), so not logged."""
    with ctx.store.read() as conn:
        row = _errand(ctx, conn, ref, "close")
        kept = dq.forms_kept(conn, ctx.actor.username, row.id)
    return [FORM_NAMES[form] for form in ("reply", "partial_reply") if form in kept]


def discard(ctx: Ctx, ref: str, form: str) -> None:
    with ctx.change("draft", ref) as conn:
        row = q.by_ref(conn, ref)  # one's own draft: says nothing either way
        if row is None:
            return
        if dq.delete(conn, ctx.actor.username, row.id, form):
            audit.append(
                conn,
                [
                    ctx.entry(
                        "draft",
                        ref,
                        row.personnummer,
                        detail=f"utkast slängt: {FORM_NAMES.get(form, form)}",
                    )
                ],
            )


# The forms whose drafts an errand's end makes moot: nothing can be answered or closed again.
_ENDED = ("reply", "partial_reply", "close")


def sent(conn: Connection, ctx: Ctx, row: Errand, form: str) -> None:
    """Inside the transaction that sends: the draft goes with it (the send itself is audited).
    Once the errand ends (a reply, a close without reply), every answer kept as a draft on it,
    anyone's, will never be sent: each is removed, and the log says whose (the close form said
    so first to its writer: ui/runner.py, close_errand)."""
    dq.delete(conn, ctx.actor.username, row.id, form)
    if form not in ("reply", "close"):
        return
    entries = []
    for username, kept in dq.kept_on(conn, row.id, _ENDED):
        dq.delete(conn, username, row.id, kept)
        entries.append(
            ctx.entry(
                "draft",
                row.ref,
                row.personnummer,
                detail=f"utkast borttaget: {FORM_NAMES[kept]} av {username} (ärendet avslutat)",
            )
        )
    if entries:
        audit.append(conn, entries)
