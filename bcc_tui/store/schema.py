"""The schema and its forward migrations, numbered by PRAGMA user_version.

A migration is appended, never edited. A new, empty file gets the whole schema in one write
transaction (`create`). An existing file is brought forward by `bcc-tui migrate` alone
(services/migration.py), in short transactions (`upgrade`) so that no other process waits long
for the write lock: each statement of a migration commits on its own, a full-table UPDATE runs in
windows of rows of about BATCH_SECONDS each, and after each the lock stays free for a moment, so
that a writer waiting for it gets in between. Such an UPDATE must compute each row from
the row alone, since after an interruption it runs again from the start.

While a migration is part-way, user_version says so (MIGRATING + 1000 × migration + statements
done): every process of this version refuses to read or write a schema it does not know (the
store's check, store/db.py), and an older program refuses a file "newer" than itself. A database
newer than this program is refused rather than guessed at.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bcc_tui.domain.errors import InvalidInput
from bcc_tui.store.db import Store, refuse_foreign

_V1 = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE errand_types (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    business_days INTEGER NOT NULL DEFAULT 2 CHECK (business_days BETWEEN 1 AND 30),
    enabled INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE staff (
    username TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    roles TEXT NOT NULL,
    email TEXT,
    email_notify INTEGER NOT NULL DEFAULT 0,
    medcontrol_responsible INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE errands (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL REFERENCES errand_types(code),
    unit TEXT NOT NULL,
    received_at TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_date TEXT NOT NULL,
    patient_name TEXT NOT NULL,
    personnummer TEXT NOT NULL,
    proxy_name TEXT,
    proxy_relation TEXT,
    subject TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL,
    contact_preference TEXT,
    phone TEXT,
    urgent INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('unassigned', 'assigned', 'closed')),
    assignee TEXT REFERENCES staff(username),
    first_response_at TEXT,
    first_response_on TEXT,
    partial_reply_at TEXT,
    closed_at TEXT,
    close_kind TEXT CHECK (close_kind IN ('reply', 'no_reply')),
    content_hash TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (status <> 'assigned' OR assignee IS NOT NULL),
    CHECK (status <> 'unassigned' OR assignee IS NULL),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX errands_open ON errands(status, urgent DESC, due_date, received_at);
CREATE INDEX errands_closed ON errands(closed_at DESC) WHERE status = 'closed';
CREATE INDEX errands_assignee ON errands(assignee, status);
CREATE INDEX errands_patient ON errands(personnummer);
CREATE INDEX errands_received ON errands(received_on);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    errand_id INTEGER NOT NULL REFERENCES errands(id),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    actor_title TEXT NOT NULL DEFAULT '',
    target TEXT,
    text TEXT,
    detail TEXT
);
CREATE INDEX events_errand ON events(errand_id, id);

CREATE TABLE outbound (
    id TEXT PRIMARY KEY,
    errand_id INTEGER NOT NULL REFERENCES errands(id),
    event_id INTEGER NOT NULL REFERENCES events(id),
    kind TEXT NOT NULL CHECK (kind IN ('reply', 'partial_reply')),
    text TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    author_name TEXT NOT NULL,
    author_title TEXT NOT NULL,
    closes INTEGER NOT NULL,
    exported_at TEXT
);
CREATE INDEX outbound_waiting ON outbound(exported_at, sent_at);

CREATE TABLE roster (
    day TEXT PRIMARY KEY,
    receiver TEXT NOT NULL REFERENCES staff(username),
    doctors TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff(username),
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    reason TEXT,
    UNIQUE (username, start, end)
);
CREATE INDEX absences_day ON absences(start, end);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    ref TEXT,
    personnummer TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_patient ON audit(personnummer, at);
CREATE INDEX audit_actor ON audit(actor, at);
CREATE INDEX audit_at ON audit(at);
-- R15: the log is append-only, also for plain SQL.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

INSERT INTO errand_types (code, name) VALUES
    ('av_omboka_tid', 'Av/omboka tid'),
    ('begar_intyg', 'Begär intyg'),
    ('fraga_om_remiss', 'Fråga om min remiss'),
    ('fornya_recept', 'Förnya recept'),
    ('kontakta_mig', 'Kontakta mig'),
    ('skicka_meddelande', 'Skicka meddelande'),
    ('bestalla_journalkopia', 'Beställa journalkopia'),
    ('synpunkter_klagomal', 'Synpunkter och klagomål');
"""

# Version 2: e-mail notices (R7, R16) wait in an outbox written in the same transaction as the
# assignment or reminder; the errand remembers its last reminder.
_V2 = """
ALTER TABLE errands ADD COLUMN last_reminded_at TEXT;
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    ref TEXT,
    recipient TEXT NOT NULL,
    address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    last_error TEXT,
    sent_at TEXT
);
CREATE INDEX outbox_waiting ON outbox(sent_at, next_attempt_at);
"""

# Version 3: suggestions per type (R18), templates, acute-sign words found at intake (R11).
_V3 = """
ALTER TABLE errand_types ADD COLUMN default_assignee TEXT;
UPDATE errand_types SET default_assignee = 'top_doctor'
    WHERE code IN ('fornya_recept', 'begar_intyg', 'fraga_om_remiss', 'kontakta_mig', 'skicka_meddelande',
                   'av_omboka_tid', 'bestalla_journalkopia');
ALTER TABLE errands ADD COLUMN acute TEXT;
CREATE TABLE templates (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT REFERENCES errand_types(code),
    body TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_reply_actor ON events(kind, actor);
"""

# Version 4: the shift handover's note from the outgoing receiver to the next.
_V4 = """
CREATE TABLE handover_notes (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    author TEXT NOT NULL REFERENCES staff(username),
    text TEXT NOT NULL
);
"""

# Version 5: the closed pane pages newest first straight from an index (no sort of the history).
_V5 = """
DROP INDEX errands_closed;
CREATE INDEX errands_closed ON errands(closed_at DESC, id DESC) WHERE status = 'closed';
DROP INDEX errands_open;
CREATE INDEX errands_open ON errands(status, urgent DESC, due_date, received_at) WHERE status <> 'closed';
"""

# Version 6: the shift handover's receipt (R28) and the remarks pinned on errands for the next
# shift; a remark is open until the next handover is recorded.
_V6 = """
CREATE TABLE handovers (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    since TEXT,
    from_user TEXT REFERENCES staff(username),
    to_user TEXT NOT NULL REFERENCES staff(username),
    items TEXT NOT NULL,
    done TEXT NOT NULL,
    note TEXT
);
CREATE INDEX handovers_at ON handovers(at);
CREATE TABLE handover_remarks (
    id INTEGER PRIMARY KEY,
    errand_id INTEGER NOT NULL REFERENCES errands(id),
    at TEXT NOT NULL,
    author TEXT NOT NULL REFERENCES staff(username),
    text TEXT NOT NULL,
    handover_id INTEGER REFERENCES handovers(id)
);
CREATE INDEX handover_remarks_open ON handover_remarks(errand_id, id) WHERE handover_id IS NULL;
CREATE INDEX errands_imported ON errands(imported_at);
"""

# Version 7: R21 drafts (one per person, errand and form, as typed); R25 an acute banner marked
# handled; R23 a person's own setting for the bell that announces a new errand.
_V7 = """
CREATE TABLE drafts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL REFERENCES staff(username),
    errand_id INTEGER NOT NULL REFERENCES errands(id),
    form TEXT NOT NULL,
    fields TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    UNIQUE (username, errand_id, form)
);
ALTER TABLE errands ADD COLUMN acute_handled_at TEXT;
ALTER TABLE staff ADD COLUMN bell INTEGER NOT NULL DEFAULT 1;
-- R24: each caregiver's open and overdue errands, counted from the index alone.
CREATE INDEX errands_load ON errands(assignee, due_date, first_response_on) WHERE status = 'assigned';
"""

# Version 8 (issue 13): panes page in SQL by attention from one index of open errands (see
# store/errands.py, _ranks),
# and the filter searches a folded copy of what people see (written with the row; bcc_fold is
# registered on every connection, see store/db.py).
_V8 = """
ALTER TABLE errands ADD COLUMN search_text TEXT;
UPDATE errands SET search_text = bcc_fold(ref || ' ' || subject || ' ' || patient_name || ' ' || personnummer
    || ' ' || coalesce(proxy_name, ''));
CREATE INDEX errands_attention ON errands(status, (coalesce(acute, '') = '' OR acute_handled_at IS NOT NULL), urgent, (first_response_on IS NULL),
    due_date, received_at, ref, partial_reply_at, assignee, first_response_on, acute) WHERE status <> 'closed';
"""

# Version 9 (issue 27): the handover in two acts (R28). The outgoing receiver *gives* (what was
# listed, what was gone through, a note); the incoming one *takes*, which writes the receipt in
# `handovers` and marks the gives it received. Until then the give is pending, and its note and
# the remarks stay for the next receiver.
_V9 = """
CREATE TABLE handover_gives (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    author TEXT NOT NULL REFERENCES staff(username),
    items TEXT NOT NULL,
    done TEXT NOT NULL,
    note TEXT,
    handover_id INTEGER REFERENCES handovers(id)
);
CREATE INDEX handover_gives_pending ON handover_gives(id) WHERE handover_id IS NULL;
"""

# Version 10 (issue 26): each patient's care team (R29) — the responsible doctor (PAL) and the
# contact nurse, by personnummer as errands store it.
_V10 = """
CREATE TABLE care_teams (
    personnummer TEXT PRIMARY KEY,
    pal TEXT REFERENCES staff(username),
    contact_nurse TEXT REFERENCES staff(username),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
DROP INDEX errands_patient;
CREATE INDEX errands_patient ON errands(personnummer, received_at);
"""

# Version 11 (issue 26): the deviation register (R8, R30). A deviation is found in the data (domain/deviations.py)
# at most once per kind and errand; its facts are what its draft for MedControl PRO is written
# from and follow the data while it is open (errand_version: the errand's version they were read
# at, so that an unchanged errand is not judged again); the administrator marks it reported
# (MedControl PRO's number) or dismissed (a reason), after which it no longer changes.
_V11 = """
CREATE TABLE deviations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('breach', 'complaint_routing', 'no_consulted_doctor',
        'acute_unhandled', 'late_after_followup')),
    errand_id INTEGER NOT NULL REFERENCES errands(id),
    occurred_at TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    facts TEXT NOT NULL,
    errand_version INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'reported', 'dismissed')),
    medcontrol_number TEXT,
    reason TEXT,
    decided_by TEXT REFERENCES staff(username),
    decided_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (kind, errand_id),
    CHECK ((status = 'reported') = (medcontrol_number IS NOT NULL)),
    CHECK ((status = 'dismissed') = (reason IS NOT NULL)),
    CHECK ((status = 'open') = (decided_at IS NULL))
);
CREATE INDEX deviations_errand ON deviations(errand_id);
CREATE INDEX deviations_listed ON deviations(status, occurred_at);
"""

# Version 12 (issue 27): a personnummer is found in any written form, so the searched text also
# holds its twelve digits (domain/search.py, personnummer_text; store/errands.py, search_text).
_V12 = """
UPDATE errands SET search_text = bcc_fold(ref || ' ' || subject || ' ' || patient_name || ' ' || personnummer
    || ' ' || replace(personnummer, '-', '') || ' ' || coalesce(proxy_name, ''));
"""

# Version 13 (issue 27): the filter follows each key, so a search must not read the table. The
# search column, the type and the holder are in both pane indexes: a filtered page or count is
# a scan of an index alone (on 100,000 errands about a third of the time of a scan that looks up
# every row).
_V13 = """
DROP INDEX errands_closed;
CREATE INDEX errands_closed ON errands(closed_at DESC, id DESC, search_text, type, assignee) WHERE status = 'closed';
DROP INDEX errands_attention;
CREATE INDEX errands_attention ON errands(status, (coalesce(acute, '') = '' OR acute_handled_at IS NOT NULL), urgent, (first_response_on IS NULL),
    due_date, received_at, ref, partial_reply_at, assignee, first_response_on, acute, type, search_text) WHERE status <> 'closed';
"""

# Version 14 (issue 26, R29): a type that receivers may answer themselves ("besvaras av
# mottagare": rebooking, journal copies), off for every type until the admin turns it on.
_V14 = """
ALTER TABLE errand_types ADD COLUMN receivers_answer INTEGER NOT NULL DEFAULT 0 CHECK (receivers_answer IN (0, 1));
"""

# Version 15 (issue 28): an audit row says, for machines, what replaying the log needs — the
# content hash of an errand read in, and each change to staff, settings, care teams and errand
# types — covered by the chain (store/audit.py). An upgraded database gets one baseline row in
# the same transaction (write_baseline): its state as found, which the log has no events for.
# `check` replays those rows onto a database migrated in memory: a later migration that changes
# rows of staff, settings, care_teams or errand_types must log that change too.
_V15 = """
ALTER TABLE audit ADD COLUMN data TEXT;
"""

# Version 16 (issue 31): what changed, for the dashboards. Every write that changes what someone
# may see records a change — the errand it touched (and what the errand was before: a dashboard
# adjusts its counts without counting again), or, for the clinic's own tables, only which table —
# written by triggers, so that no write path can forget it. The audit log, drafts, the outboxes,
# templates and the deviation register are not on a dashboard and record none: opening an errand
# elsewhere (an audit row) changes nothing anyone sees. A dashboard reads the changes after the
# last one it saw and fetches only those errands (services/follow.py). The table keeps the latest
# 2,000 or so; a dashboard that fell further behind reads everything again. A person's own
# settings (the bell, e-mail) are in the staff table but on nobody's screen: they record none.
_V16 = """
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    errand_id INTEGER,
    event_id INTEGER,
    old_status TEXT,
    old_assignee TEXT,
    old_due_date TEXT,
    old_first_response_on TEXT
);
CREATE TRIGGER changes_keep AFTER INSERT ON changes WHEN NEW.seq % 256 = 0
BEGIN DELETE FROM changes WHERE seq <= NEW.seq - 2048; END;
CREATE TRIGGER changes_errand_insert AFTER INSERT ON errands
BEGIN INSERT INTO changes (kind, errand_id) VALUES ('new', NEW.id); END;
CREATE TRIGGER changes_errand_update AFTER UPDATE ON errands
BEGIN
    INSERT INTO changes (kind, errand_id, old_status, old_assignee, old_due_date, old_first_response_on)
    VALUES ('update', NEW.id, OLD.status, OLD.assignee, OLD.due_date, OLD.first_response_on);
END;
CREATE TRIGGER changes_errand_delete AFTER DELETE ON errands
BEGIN
    INSERT INTO changes (kind, errand_id, old_status, old_assignee, old_due_date, old_first_response_on)
    VALUES ('gone', OLD.id, OLD.status, OLD.assignee, OLD.due_date, OLD.first_response_on);
END;
CREATE TRIGGER changes_event AFTER INSERT ON events
BEGIN INSERT INTO changes (kind, errand_id, event_id) VALUES (NEW.kind, NEW.errand_id, NEW.id); END;
CREATE TRIGGER changes_remark_insert AFTER INSERT ON handover_remarks
BEGIN INSERT INTO changes (kind, errand_id) VALUES ('remark', NEW.errand_id); END;
CREATE TRIGGER changes_remark_update AFTER UPDATE ON handover_remarks
BEGIN INSERT INTO changes (kind, errand_id) VALUES ('remark', NEW.errand_id); END;
CREATE TRIGGER changes_settings_insert AFTER INSERT ON settings
BEGIN INSERT INTO changes (kind) VALUES ('settings'); END;
CREATE TRIGGER changes_settings_update AFTER UPDATE ON settings
BEGIN INSERT INTO changes (kind) VALUES ('settings'); END;
CREATE TRIGGER changes_settings_delete AFTER DELETE ON settings
BEGIN INSERT INTO changes (kind) VALUES ('settings'); END;
CREATE TRIGGER changes_staff_insert AFTER INSERT ON staff
BEGIN INSERT INTO changes (kind) VALUES ('staff'); END;
CREATE TRIGGER changes_staff_update AFTER UPDATE OF name, title, roles, active, medcontrol_responsible ON staff
BEGIN INSERT INTO changes (kind) VALUES ('staff'); END;
CREATE TRIGGER changes_staff_delete AFTER DELETE ON staff
BEGIN INSERT INTO changes (kind) VALUES ('staff'); END;
CREATE TRIGGER changes_roster_insert AFTER INSERT ON roster
BEGIN INSERT INTO changes (kind) VALUES ('roster'); END;
CREATE TRIGGER changes_roster_update AFTER UPDATE ON roster
BEGIN INSERT INTO changes (kind) VALUES ('roster'); END;
CREATE TRIGGER changes_roster_delete AFTER DELETE ON roster
BEGIN INSERT INTO changes (kind) VALUES ('roster'); END;
CREATE TRIGGER changes_absences_insert AFTER INSERT ON absences
BEGIN INSERT INTO changes (kind) VALUES ('absences'); END;
CREATE TRIGGER changes_absences_update AFTER UPDATE ON absences
BEGIN INSERT INTO changes (kind) VALUES ('absences'); END;
CREATE TRIGGER changes_absences_delete AFTER DELETE ON absences
BEGIN INSERT INTO changes (kind) VALUES ('absences'); END;
CREATE TRIGGER changes_errand_types_insert AFTER INSERT ON errand_types
BEGIN INSERT INTO changes (kind) VALUES ('errand_types'); END;
CREATE TRIGGER changes_errand_types_update AFTER UPDATE ON errand_types
BEGIN INSERT INTO changes (kind) VALUES ('errand_types'); END;
CREATE TRIGGER changes_errand_types_delete AFTER DELETE ON errand_types
BEGIN INSERT INTO changes (kind) VALUES ('errand_types'); END;
CREATE TRIGGER changes_care_teams_insert AFTER INSERT ON care_teams
BEGIN INSERT INTO changes (kind) VALUES ('care_teams'); END;
CREATE TRIGGER changes_care_teams_update AFTER UPDATE ON care_teams
BEGIN INSERT INTO changes (kind) VALUES ('care_teams'); END;
CREATE TRIGGER changes_care_teams_delete AFTER DELETE ON care_teams
BEGIN INSERT INTO changes (kind) VALUES ('care_teams'); END;
CREATE TRIGGER changes_handover_gives_insert AFTER INSERT ON handover_gives
BEGIN INSERT INTO changes (kind) VALUES ('handover_gives'); END;
CREATE TRIGGER changes_handover_gives_update AFTER UPDATE ON handover_gives
BEGIN INSERT INTO changes (kind) VALUES ('handover_gives'); END;
CREATE TRIGGER changes_handover_gives_delete AFTER DELETE ON handover_gives
BEGIN INSERT INTO changes (kind) VALUES ('handover_gives'); END;
"""

MIGRATIONS: tuple[str, ...] = (
    _V1,
    _V2,
    _V3,
    _V4,
    _V5,
    _V6,
    _V7,
    _V8,
    _V9,
    _V10,
    _V11,
    _V12,
    _V13,
    _V14,
    _V15,
    _V16,
)
CURRENT = len(MIGRATIONS)


# user_version while a migration is part-way: MIGRATING + 1000 * migration + statements done.
MIGRATING = 1_000_000
_STEP = 1000
# The time one window of a full-table UPDATE aims at: a write lock of a quarter of a second,
# far below the 1 s that other processes may be kept waiting, on a slow disk too.
BATCH_SECONDS = 0.25
BREATHER = 0.1  # seconds the lock stays free after a step (at most; twice the step's own time)


def _known(migrations: tuple[str, ...] | None) -> tuple[str, ...]:
    # Looked up when called, not when defined: a test gives the program one migration more.
    return MIGRATIONS if migrations is None else migrations


def version(store: Store) -> int:
    return store.conn.execute("PRAGMA user_version").fetchone()[0]


def is_empty(store: Store) -> bool:
    """No table, index or anything else yet: a file that may become a database of ours."""
    return store.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


@dataclass(frozen=True)
class Status:
    """Where a file stands: at version `at`, and `partway` statements into migration at + 1 when
    a `bcc-tui migrate` is under way or was interrupted (None otherwise)."""

    at: int
    target: int
    partway: int | None = None
    empty: bool = False

    @property
    def up_to_date(self) -> bool:
        return not self.empty and self.partway is None and self.at == self.target


def status(store: Store, migrations: tuple[str, ...] | None = None) -> Status:
    """The file's schema as this program sees it; a file it must not touch is refused."""
    migrations = _known(migrations)
    raw = version(store)
    at, partway = raw, None
    if raw >= MIGRATING:
        number, partway = divmod(raw - MIGRATING, _STEP)
        at = number - 1
    if raw == 0:
        if is_empty(store):
            return Status(0, len(migrations), empty=True)
        refuse_foreign(store.conn, store.path)  # a table made since the file was opened
    if at + (partway is not None) > len(migrations):
        raise InvalidInput(
            f"databasen har schemaversion {at + (partway is not None)}, nyare än detta program "
            f"({len(migrations)}); uppgradera bcc-tui"
        )
    return Status(at, len(migrations), partway)


def _split(script: str) -> list[str]:
    """Statements of a script, keeping trigger bodies whole (sqlite3.complete_statement)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


def _finish(script: str) -> Callable[[sqlite3.Connection, str | None], object] | None:
    """What a migration writes besides its statements, in the transaction that ends it (by the
    script's identity: migrations may be renumbered)."""
    if script is _V15:
        from bcc_tui.store import ledger

        return ledger.write_baseline  # the state an upgraded database had, as one audit row
    return None


def create(store: Store, migrations: tuple[str, ...] | None = None, now: str | None = None) -> None:
    """An empty file gets the whole schema in one transaction: a whole database or none."""
    migrations = _known(migrations)
    with store.write() as conn:
        # Another process may have set the file up while we waited for the lock.
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return
        for script in migrations:
            for statement in _split(script):
                conn.execute(statement)
            finish = _finish(script)
            if finish is not None:
                finish(conn, now)
        conn.execute(f"PRAGMA user_version = {len(migrations)}")


@dataclass(frozen=True)
class Step:
    """One migration as `upgrade` ran it: its transactions and the longest write lock it held."""

    number: int
    statements: int
    transactions: int
    seconds: float
    longest_lock: float


_UPDATE = re.compile(r"UPDATE\s+(\w+)\s+SET\s", re.IGNORECASE)


def _top_level_where(statement: str) -> int | None:
    """Where the statement's own WHERE starts (not one inside parentheses or quotes), or None."""
    depth, quote, i = 0, "", 0
    upper = statement.upper()
    while i < len(statement):
        ch = statement[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif (
            depth == 0
            and upper.startswith("WHERE", i)
            and not (statement[i - 1 : i].isalnum() or statement[i - 1 : i] == "_")
            and not (statement[i + 5 : i + 6].isalnum() or statement[i + 5 : i + 6] == "_")
        ):
            return i
        i += 1
    return None


def _windowed(statement: str) -> str:
    """A full-table UPDATE limited to rowid > ? AND rowid <= ?."""
    body = statement.rstrip().rstrip(";")
    where = _top_level_where(body)
    if where is None:
        return f"{body} WHERE rowid > ? AND rowid <= ?"
    return f"{body[:where]}WHERE (rowid > ? AND rowid <= ?) AND ({body[where + 5 :]})"


def _marker(number: int, done: int, statements: int) -> int:
    return number if done == statements else MIGRATING + _STEP * number + done


def _commit(
    store: Store,
    locks: list[float],
    expect: int,
    then: int,
    sql: str | None,
    args: Sequence[object] = (),
    finish: Callable[[sqlite3.Connection], object] | None = None,
) -> float:
    """One short transaction of a migration, on the file as this run left it (`finish`: what the
    migration writes in its last one); how long it held the write lock (also added to `locks`)."""
    began = time.monotonic()
    with store.write() as conn:
        if conn.execute("PRAGMA user_version").fetchone()[0] != expect:
            raise InvalidInput("en annan bcc-tui migrate ändrar databasen samtidigt; vänta tills den är klar")
        if sql is not None:
            conn.execute(sql, args)
        if finish is not None:
            finish(conn)
        if then != expect:
            conn.execute(f"PRAGMA user_version = {then}")
    took = time.monotonic() - began
    locks.append(took)
    # Then the lock stays free for a moment: a writer waiting for it (SQLite's busy handler looks
    # again every 100 ms at most) gets its turn between two steps instead of after the last.
    time.sleep(min(BREATHER, 2 * took))
    return took


def upgrade(
    store: Store,
    migrations: tuple[str, ...] | None = None,
    on_step: Callable[[Step], None] | None = None,
    batch_seconds: float = BATCH_SECONDS,
    now: str | None = None,
) -> list[Step]:
    """Bring an existing file forward in short transactions (see the module's docstring),
    resuming one that was interrupted; `on_step` hears of each migration as it ends. `now`: the
    time of a baseline row (UTC text; default the system clock)."""
    migrations = _known(migrations)
    found = status(store, migrations)
    steps: list[Step] = []
    partway = found.partway
    for number in range(found.at + 1, len(migrations) + 1):
        statements = _split(migrations[number - 1])
        finishing = _finish(migrations[number - 1])
        started = time.monotonic()
        locks: list[float] = []
        if partway is None:
            # First the mark that a migration is under way: every other process stops here.
            _commit(store, locks, number - 1, _marker(number, 0, len(statements) + 1), None)
        done = partway or 0
        marker = _marker(number, done, len(statements) + 1)
        for index in range(done, len(statements)):
            statement = statements[index]
            after = _marker(number, index + 1, len(statements))
            finish = (
                (lambda conn, f=finishing, at=now: f(conn, at))
                if finishing is not None and index == len(statements) - 1
                else None
            )
            match = _UPDATE.match(statement)
            if match is None:
                _commit(store, locks, marker, after, statement, finish=finish)
            else:
                _in_windows(
                    store, locks, match.group(1), _windowed(statement), marker, after, batch_seconds, finish
                )
            marker = after
        partway = None
        step = Step(number, len(statements), len(locks), time.monotonic() - started, max(locks, default=0.0))
        steps.append(step)
        if on_step is not None:
            on_step(step)
    return steps


def _in_windows(
    store: Store,
    locks: list[float],
    table: str,
    windowed: str,
    marker: int,
    after: int,
    batch_seconds: float,
    finish: Callable[[sqlite3.Connection], object] | None = None,
) -> None:
    """A full-table UPDATE in windows of rowids, each its own transaction of about
    `batch_seconds`; the last one also moves the marker on (and finishes the migration)."""
    with store.read() as conn:
        low, high = conn.execute(f"SELECT min(rowid), max(rowid) FROM {table}").fetchone()
    if low is None:
        _commit(store, locks, marker, after, None, finish=finish)
        return
    start, size = low - 1, 500
    while True:
        end = min(start + size, high)
        last = end >= high
        took = _commit(
            store,
            locks,
            marker,
            after if last else marker,
            windowed,
            (start, end),
            finish=finish if last else None,
        )
        if end >= high:
            return
        start = end
        # The next window as large as fits the time aimed at, growing at most fourfold.
        size = max(50, min(size * 4, int(size * batch_seconds / max(took, 1e-3))))


def migrate(store: Store, migrations: tuple[str, ...] | None = None, now: str | None = None) -> int:
    """Bring the file up to the newest schema (a new file at once, an existing one in steps);
    returns the version it is at (`now`: the time of a baseline row). The command line reaches
    this only through `bcc-tui migrate` and the first set-up of an empty file (services/session.py)."""
    migrations = _known(migrations)
    found = status(store, migrations)
    if found.empty:
        create(store, migrations, now)
    elif not found.up_to_date:
        upgrade(store, migrations, now=now)
    return len(migrations)
