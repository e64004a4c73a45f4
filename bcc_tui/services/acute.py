"""R11 acute signs: the administrator's settings, and open errands screened again when the rules
change (a setting, or a new version of the built-in rules after an upgrade).

The screening itself is `domain.acute`. Here: where its settings live, who may change them, and
how 100,000 open errands are screened again without locking anyone out — in batches, each read
outside any transaction, screened, and written in a short transaction of its own with
compare-and-set, so another person's note or assignment waits at most one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from sqlite3 import Connection

from bcc_tui.domain import acute, history
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean, count
from bcc_tui.services import batches
from bcc_tui.services.context import Ctx, require
from bcc_tui.store import audit, ledger
from bcc_tui.store import errands as q
from bcc_tui.store import staff as staff_q

RULES_KEY = "acute_rules"
ADVICE_KEY = "acute_advice"
# Which rules the open errands were last screened with, and how far that screening has come:
# {"fingerprint": …, "after": last errand id done, "done": bool}. A screening cut short (a killed
# process) is taken up where it stopped by the next one to open the database.
SCREENED_KEY = "acute_screened"
ADVICE_MAX = 1000  # characters of the advice to the family


def rules(conn: Connection) -> acute.Rules:
    return acute.Rules.from_json(staff_q.get_setting(conn, RULES_KEY))


@dataclass(frozen=True)
class Advice:
    """R11: an optional partial reply sent at intake to the family of a flagged errand."""

    enabled: bool
    text: str


def advice(conn: Connection) -> Advice:
    raw = staff_q.get_setting(conn, ADVICE_KEY) or {}
    text = raw.get("text") if isinstance(raw, dict) else None
    text = text if isinstance(text, str) else ""
    return Advice(bool(isinstance(raw, dict) and raw.get("enabled")) and bool(text.strip()), text)


@dataclass(frozen=True)
class Settings:
    rules: acute.Rules
    advice: Advice


def settings_now(ctx: Ctx) -> Settings:
    with ctx.store.read() as conn:
        return Settings(rules(conn), advice(conn))


# -- the administrator's changes -----------------------------------------------------------------
def set_rules(
    ctx: Ctx,
    *,
    threshold: str | float | None = None,
    words: Mapping[str, list[str]] | None = None,
    exceptions: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    screen_open: bool = True,
) -> tuple[acute.Rules, int]:
    """Change the fever threshold, a category's added words (a category left out keeps its own)
    and the exception phrases; then screen the open errands again (unless the caller does that
    itself, in a thread: `screen_open=False`). Returns the rules and how many open errands
    changed their flags."""
    require(ctx, "admin_change", what="ändra reglerna för akuta tecken")
    new_threshold, checked_words, checked_exceptions = checked_rules(threshold, words, exceptions)
    with ctx.change("admin_change") as conn:
        old = rules(conn)
        merged = {**{k: tuple(v) for k, v in old.words.items()}, **checked_words}
        new = acute.Rules(
            new_threshold if new_threshold is not None else old.threshold,
            {k: v for k, v in merged.items() if v},
            checked_exceptions if checked_exceptions is not None else old.exceptions,
        )
        if new == old:
            return old, 0
        text = staff_q.set_setting(conn, RULES_KEY, new.to_json())
        batches.start(conn, SCREENED_KEY, new.fingerprint())  # the open errands follow, in batches
        audit.append(
            conn,
            [
                ctx.entry(
                    "admin_change",
                    detail=f"akuta tecken: {_describe(old, new)}",
                    data=ledger.setting_change(RULES_KEY, text),
                )
            ],
        )
    return new, rescreen(ctx, progress=progress) if screen_open else 0


def checked_rules(
    threshold: str | float | None, words: Mapping[str, list[str]] | None, exceptions: list[str] | None
) -> tuple[float | None, dict[str, tuple[str, ...]], tuple[str, ...] | None]:
    """The rules as asked for, checked, before anything is written (a command that changes several
    settings refuses all of them, or none). A category named twice gets the words of both."""
    new_threshold = acute.check_threshold(str(threshold)) if threshold is not None else None
    checked_words: dict[str, tuple[str, ...]] = {}
    for name, phrases in (words or {}).items():
        cat = acute.category_of(name)
        checked_words[cat.code] = acute.check_phrases([*checked_words.get(cat.code, ()), *phrases], cat.label)
    checked_exceptions = acute.check_phrases(exceptions, "undantag") if exceptions is not None else None
    return new_threshold, checked_words, checked_exceptions


def checked_advice(conn: Connection, enabled: bool | None, text: str | None) -> Advice:
    """The advice as asked for, checked against what is stored."""
    raw = staff_q.get_setting(conn, ADVICE_KEY) or {}
    old_text = raw.get("text", "") if isinstance(raw, dict) else ""
    body = clean(text).strip() if text is not None else old_text
    on = enabled if enabled is not None else bool(isinstance(raw, dict) and raw.get("enabled"))
    if len(body) > ADVICE_MAX:
        raise InvalidInput(f"rådet är för långt (högst {ADVICE_MAX} tecken)")
    if on and not body:
        raise InvalidInput("rådet till familjen är tomt: skriv texten innan det slås på")
    return Advice(on, body)


def check_advice(ctx: Ctx, *, enabled: bool | None = None, text: str | None = None) -> None:
    with ctx.store.read() as conn:
        checked_advice(conn, enabled, text)


def set_advice(ctx: Ctx, *, enabled: bool | None = None, text: str | None = None) -> Advice:
    """R11: switch the acute advice to the family on or off, or change its text."""
    require(ctx, "admin_change", what="ändra rådet till familjen vid akuta tecken")
    with ctx.change("admin_change") as conn:
        new = checked_advice(conn, enabled, text)
        on, body = new.enabled, new.text
        if advice(conn) == Advice(on and bool(body), body) and staff_q.get_setting(conn, ADVICE_KEY):
            return advice(conn)  # nothing changes: nothing to audit
        stored = staff_q.set_setting(conn, ADVICE_KEY, {"enabled": on, "text": body})
        audit.append(
            conn,
            [
                ctx.entry(
                    "admin_change",
                    data=ledger.setting_change(ADVICE_KEY, stored),
                    detail=f"råd till familjen vid akuta tecken: {'på' if on else 'av'}"
                    + (f"; text: {body}" if text is not None else ""),
                )
            ],
        )
    return Advice(on and bool(body), body)


def _describe(old: acute.Rules, new: acute.Rules) -> str:
    parts = []
    if new.threshold != old.threshold:
        parts.append(f"febergräns {old.threshold:.1f} → {new.threshold:.1f} °C".replace(".", ","))
    for cat in acute.CATEGORIES:
        if new.words.get(cat.code, ()) != old.words.get(cat.code, ()):
            parts.append(f"{cat.label}: {', '.join(new.words.get(cat.code, ())) or '(inga egna ord)'}")
    if new.exceptions != old.exceptions:
        parts.append(f"undantag: {', '.join(new.exceptions) or '(inga)'}")
    return "; ".join(parts)


# -- screening the open errands again --------------------------------------------------------------
class _Rescreen:
    """The open errands' acute flags following the rules (services/batches.py)."""

    key = SCREENED_KEY

    def state(self, conn: Connection) -> tuple[str, acute.Rules]:
        current = rules(conn)
        return current.fingerprint(), current

    def rows(self, conn: Connection, after: int, limit: int) -> list[q.OpenMessage]:
        return q.open_messages(conn, after, limit)

    def row(self, conn: Connection, errand_id: int) -> q.OpenMessage | None:
        return q.open_message(conn, errand_id)

    def compute(self, row: q.OpenMessage, state: acute.Rules) -> str | None:
        return _screened(row, state)

    def same(self, row: q.OpenMessage, value: str | None) -> bool:
        return value == row.acute

    def apply(self, ctx: Ctx, conn: Connection, row: q.OpenMessage, value: str | None) -> bool:
        if not q.set_acute(conn, row.id, row.version, value, unhandle=_new_signs(row, value)):
            return False
        _event(ctx, conn, row, value)
        return True

    def finished(self, changed: int) -> str:
        return f"akuta tecken omprövade: {count(changed, 'öppet ärende', 'öppna ärenden')} ändrade"


RESCREEN = _Rescreen()


def stale(ctx: Ctx) -> bool:
    """Whether the open errands were screened with other rules than today's (or not to the end).
    No marker at all (a database from before the screen) is stale too: the first open screens."""
    with ctx.store.read() as conn:
        return batches.pending(conn, SCREENED_KEY, rules(conn).fingerprint(), missing_is_done=False)


def rescreen(ctx: Ctx, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Screen every open errand with today's rules, batch by batch; returns how many changed here.
    Several processes may run it at once: each batch is taken up by one of them, and the marker
    counts the changes of all, so that the audit row of the last batch tells the whole."""
    return batches.run(ctx, RESCREEN, progress=progress)


def _screened(row: q.OpenMessage, current: acute.Rules) -> str | None:
    return acute.dump(acute.screen(f"{row.subject}\n{row.message}", current))


def _new_signs(row: q.OpenMessage, value: str | None) -> bool:
    """A banner marked handled pins again when the new rules find a category it did not show:
    nobody has called the family about that one."""
    if not row.acute_handled_at or not value:
        return False
    before = {f.category for f in acute.load(row.acute)}
    return any(f.category not in before for f in acute.load(value))


def _event(ctx: Ctx, conn: Connection, row: q.OpenMessage, value: str | None) -> None:
    found = acute.load(value)
    unhandled = _new_signs(row, value)
    q.add_event(
        conn,
        row.id,
        history.ACUTE,
        ctx.now_text(),
        ctx.actor.username,
        ctx.actor.name,
        ctx.actor.title,
        text=f"Akuta tecken: {acute.summary(found) or 'inga'} (reglerna har ändrats)"
        + (" — nya tecken, markeringen som hanterad gäller inte längre" if unhandled else ""),
        detail={"acute": value, **({"unhandled": True} if unhandled else {})},
    )
