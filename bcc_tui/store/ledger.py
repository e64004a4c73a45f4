"""What the audit log's data replays (issue 28): staff, settings, care teams and errand types, and
the content of every errand read in.

Every change to those tables writes, with its audit row, what replaying it needs (`audit.data`,
covered by the chain); `check` replays the log into a database migrated in memory, with the same
store functions that made the change, and compares the result with the tables. A database that
had state before the log carried data (an upgrade) gets one baseline row written by the migration
(`write_baseline`): the state as found, taken as true from then on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bcc_tui.domain.validation import format_utc
from bcc_tui.store import audit, consistency, schema
from bcc_tui.store import errands as errands_q
from bcc_tui.store import patients as patients_q
from bcc_tui.store import staff as staff_q

# The tables whose every row the log accounts for, by their key.
TABLES = {"staff": "username", "settings": "key", "care_teams": "personnummer", "errand_types": "code"}
# How far the open errands' re-screening, and their due dates after a change of a type's days,
# have come (services/batches.py): progress written by every batch of every process, not anyone's
# decision; a forged marker only makes the next process do again, or not, what the logged rules
# and types already decide.
UNLOGGED_SETTINGS = frozenset({"acute_screened", "due_dates"})
BASELINE = "baseline"  # the action of the baseline row


# -- what a change writes ---------------------------------------------------------------------------
def content(digest: str) -> dict:
    return {"content": digest}


def staff_change(username: str, fields: dict) -> dict:
    return {"staff": username, "set": fields}


def setting_change(key: str, text: str) -> dict:
    return {"setting": key, "value": text}


def team_change(pnr: str, fields: dict, at: str, by: str) -> dict:
    return {"care_team": pnr, "set": fields, "at": at, "by": by}


def type_change(code: str, fields: dict) -> dict:
    return {"errand_type": code, "set": fields}


# -- the baseline ---------------------------------------------------------------------------------------
def _rows(conn: sqlite3.Connection, table: str) -> list[dict]:
    cur = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def write_baseline(conn: sqlite3.Connection, now: str | None = None) -> bool:
    """In the migration's transaction: the state of a database that has any (an upgrade), as one
    audit row of the system. A new, empty database gets none: its log accounts for everything."""
    # Read as `check` reads (text that is not UTF-8 with replacement characters), so that the
    # digest is the one it computes, and a value written around the program cannot stop the
    # upgrade (a blob is kept as its hex: it will differ, and be reported, as it should).
    with consistency.tolerant(conn):
        return _write_baseline(conn, now)


def _write_baseline(conn: sqlite3.Connection, now: str | None) -> bool:
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("audit", "errands", *TABLES)
    }
    if not any(counts[t] for t in ("audit", "errands", "staff", "settings", "care_teams")):
        return False
    settings = {
        r[0]: r[1]
        for r in conn.execute("SELECT key, value FROM settings ORDER BY key")
        if r[0] not in UNLOGGED_SETTINGS
    }
    n, digest = legacy_content(conn)
    snapshot = {
        "staff": _rows(conn, "staff"),
        "settings": settings,
        "care_teams": _rows(conn, "care_teams"),
        "errand_types": _rows(conn, "errand_types"),
        "errands": {"count": n, "digest": digest},
    }
    last = conn.execute("SELECT max(at) FROM audit").fetchone()[0]
    at = max(now or format_utc(dt.datetime.now(dt.UTC)), last or "")
    detail = (
        f"utgångsläge vid uppgradering: {counts['staff']} i personallistan, {len(settings)} inställningar, "
        f"{counts['care_teams']} vårdteam, {counts['errand_types']} ärendetyper, {n} ärenden"
    )
    audit.append(
        conn,
        [
            audit.Entry(
                at,
                "system",
                "system",
                BASELINE,
                detail=detail,
                data=json.dumps(
                    {BASELINE: snapshot},
                    ensure_ascii=False,
                    sort_keys=True,
                    separators=(",", ":"),
                    default=lambda v: v.hex() if isinstance(v, bytes) else str(v),
                ),
            )
        ],
    )
    return True


# An import row's content hash, read without trusting its data to be JSON (CASE: the JSON
# functions raise on malformed text, and only CASE fixes the order of evaluation).
_HASH = (
    "CASE WHEN json_valid(data) THEN"
    " CASE WHEN json_type(data, '$.content') = 'text' THEN json_extract(data, '$.content') END END"
)
_IMPORTS = "FROM audit WHERE action = 'import' AND outcome = 'ok' AND ref IS NOT NULL"
_LOGGED_CONTENT = f"SELECT ref {_IMPORTS} AND ({_HASH}) IS NOT NULL"


def legacy_content(conn: sqlite3.Connection) -> tuple[int, str]:
    """The errands whose content no import row of the log carries (read in before the log carried
    it): how many, and one digest over their references and content hashes."""
    h = hashlib.sha256()
    n = 0
    for ref, digest in conn.execute(
        f"SELECT ref, content_hash FROM errands WHERE ref NOT IN ({_LOGGED_CONTENT}) ORDER BY ref"
    ):
        h.update(f"{ref}\x1f{digest}\n".encode("utf-8", "surrogatepass"))
        n += 1
    return n, h.hexdigest()


class LoggedContent:
    """The content hash each errand's import row carries, by reference: kept compact (a hash as
    its 32 bytes), since `check` holds one for every errand of the database."""

    def __init__(self) -> None:
        self._first: dict[str, bytes | str] = {}
        self._more: dict[str, list[bytes | str]] = {}

    @staticmethod
    def _packed(digest: str) -> bytes | str:
        try:
            return bytes.fromhex(digest) if len(digest) == 64 else digest
        except ValueError:
            return digest  # not a hash the intake writes: kept as it is, and will not match

    def add(self, ref: str, digest: str) -> None:
        if ref in self._first:
            self._more.setdefault(ref, []).append(self._packed(digest))
        else:
            self._first[ref] = self._packed(digest)

    def disagree(self, ref: str, digest: str) -> int:
        """How many of the errand's import rows carry another hash than `digest`."""
        if ref not in self._first:
            return 0
        packed = self._packed(digest)
        return sum(1 for h in [self._first[ref], *self._more.get(ref, ())] if h != packed)


def logged_content(conn: sqlite3.Connection) -> LoggedContent:
    out = LoggedContent()
    for ref, digest in conn.execute(f"SELECT ref, {_HASH} AS h {_IMPORTS} ORDER BY id"):
        if digest is not None:
            out.add(ref, digest)
    return out


def import_rows(conn: sqlite3.Connection, ref: str) -> list[tuple[int, str | None]]:
    """(audit id, content hash) of an errand's import rows: to name them in a finding."""
    return conn.execute(f"SELECT id, {_HASH} AS h {_IMPORTS} AND ref = ? ORDER BY id", (ref,)).fetchall()


@dataclass(frozen=True)
class Baseline:
    id: int
    errands: int | None  # how many errands it vouches for, and their digest
    digest: str | None


def baselines(conn: sqlite3.Connection) -> list[Baseline]:
    out = []
    for row_id, data in conn.execute(
        "SELECT id, data FROM audit WHERE action = ? AND outcome = 'ok' ORDER BY id", (BASELINE,)
    ):
        errands = _loads(data).get(BASELINE, {}).get("errands", {}) if data else {}
        errands = errands if isinstance(errands, dict) else {}
        count, digest = errands.get("count"), errands.get("digest")
        out.append(
            Baseline(
                row_id, count if isinstance(count, int) else None, digest if isinstance(digest, str) else None
            )
        )
    return out


def _loads(text: Any) -> dict:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


# -- the replay -----------------------------------------------------------------------------------------
@dataclass
class Replay:
    state: sqlite3.Connection  # in memory: the tables as the log says they are
    unreadable: list[int]  # rows whose data could not be replayed
    early: list[int]  # rows with changes logged before a baseline, which overrides them
    extra_baselines: list[int]  # baselines after the first


def _state_rows(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str, str]]:
    """The rows that change state, in order: every row with data except an import's content."""
    return conn.execute(
        "SELECT id, action, actor, data FROM audit WHERE data IS NOT NULL AND outcome = 'ok'"
        " AND NOT (action = 'import' AND ref IS NOT NULL) ORDER BY id"
    )


def _settable(table: str, fields: Any) -> dict:
    """A change's fields, refused unless each is a column the program may set (the keys are the
    log's: they reach SQL as column names)."""
    allowed = set(consistency.expected_columns(table)) - {TABLES[table], "version"}
    if not isinstance(fields, dict) or not fields or not set(fields) <= allowed:
        raise ValueError(table)
    return fields


def replay(conn: sqlite3.Connection) -> Replay:
    state = consistency.migrated_in_memory(schema.CURRENT)
    state.row_factory = sqlite3.Row
    out = Replay(state, [], [], [])
    changed_before: list[int] = []
    seen_baseline = False
    for row_id, action, actor, data in _state_rows(conn):
        payload = _loads(data)
        try:
            if BASELINE in payload:
                if (action, actor) != (BASELINE, "system"):
                    raise ValueError(BASELINE)  # only the migration writes one
                if seen_baseline:
                    out.extra_baselines.append(row_id)
                seen_baseline = True
                out.early += changed_before
                changed_before = []
                _apply_baseline(state, payload[BASELINE])
                continue
            _apply(state, payload)
            changed_before.append(row_id)
        except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError):
            out.unreadable.append(row_id)
    return out


def _apply(state: sqlite3.Connection, payload: dict) -> None:
    if "staff" in payload:
        username = payload["staff"]
        if not isinstance(username, str):
            raise ValueError("staff")
        staff_q.upsert(state, username, _settable("staff", payload["set"]))
    elif "setting" in payload:
        key, text = payload["setting"], payload["value"]
        if not isinstance(key, str) or not isinstance(text, str):
            raise ValueError("setting")
        state.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, text),
        )
    elif "care_team" in payload:
        pnr, fields = payload["care_team"], _settable("care_teams", payload["set"])
        if not isinstance(pnr, str) or not set(fields) <= {"pal", "contact_nurse"}:
            raise ValueError("care_team")
        patients_q.save_team(state, pnr, fields, payload["at"], payload["by"])
    elif "errand_type" in payload:
        code = payload["errand_type"]
        if not isinstance(code, str):
            raise ValueError("errand_type")
        errands_q.update_type(state, code, _settable("errand_types", payload["set"]))
    else:
        raise ValueError("unknown")


def _apply_baseline(state: sqlite3.Connection, snapshot: Any) -> None:
    if not isinstance(snapshot, dict):
        raise ValueError(BASELINE)
    for table in ("staff", "care_teams", "errand_types", "settings"):
        state.execute(f"DELETE FROM {table}")
    for table in ("staff", "care_teams", "errand_types"):
        columns = set(consistency.expected_columns(table))
        for row in snapshot.get(table, []):
            if not isinstance(row, dict) or not set(row) <= columns or TABLES[table] not in row:
                raise ValueError(table)
            names = list(row)
            state.execute(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                [row[n] for n in names],
            )
    settings = snapshot.get("settings", {})
    if not isinstance(settings, dict):
        raise ValueError("settings")
    state.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", list(settings.items()))


# -- the comparison ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    """`column` None: the row is in one of the two only (`stored` / `replayed` say which)."""

    table: str
    key: Any
    column: str | None
    stored: Any
    replayed: Any


def _keyed(conn: sqlite3.Connection, table: str) -> dict[Any, tuple]:
    columns = consistency.expected_columns(table)
    key = columns.index(TABLES[table])
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    return {r[key]: tuple(r) for r in rows if table != "settings" or r[key] not in UNLOGGED_SETTINGS}


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def differences(conn: sqlite3.Connection, state: sqlite3.Connection) -> list[Difference]:
    out = []
    for table in TABLES:
        columns = consistency.expected_columns(table)
        stored, replayed = _keyed(conn, table), _keyed(state, table)
        for key in sorted(stored.keys() | replayed.keys(), key=lambda k: (type(k).__name__, str(k))):
            s, r = stored.get(key), replayed.get(key)
            if s is None or r is None:
                out.append(Difference(table, key, None, s is not None, r is not None))
                continue
            out += [
                Difference(table, key, c, a, b)
                for c, a, b in zip(columns, s, r, strict=True)
                if not _same(a, b)
            ]
    return out
