"""The audit log for those who review it (R9, R15), and the consistency check."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import sqlite3
from dataclasses import fields
from pathlib import Path
from typing import Any

from bcc_tui.domain import business_days, history, personnummer
from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import STOCKHOLM, local_date
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean_line, count
from bcc_tui.domain.validation import NewErrand, format_utc
from bcc_tui.services import batches, clinic, destination
from bcc_tui.services.context import Ctx, period, require
from bcc_tui.store import audit, audit_queries, consistency, ledger, schema
from bcc_tui.store import errands as errands_q
from bcc_tui.store.audit_queries import AuditRow  # read's rows; the screens may not import the store
from bcc_tui.store.db import sqlite_reason


def patient_filter(text: str, today: dt.date) -> str:
    """The personnummer a review asks for, in the one form the log stores (YYYYMMDD-NNNN), from
    any form people write (ten digits or twelve, "-", "+" or none). Any other form had matched
    nothing and printed nothing, which an auditor reads as "nobody opened this patient's
    errands"; a number that is no personnummer (a digit wrong) is said in one line instead."""
    try:
        pnr = personnummer.from_written(text, today)
    except ValueError as err:
        raise InvalidInput(f"{clean_line(text)}: {err}") from None
    why = personnummer.problem(pnr, today)
    if why is not None:
        raise InvalidInput(f"{clean_line(text)}: {why}")
    return pnr


def _bounds(start: dt.date | None, end: dt.date | None) -> tuple[str | None, str | None]:
    """Inclusive local dates as a half-open UTC range."""
    lo = hi = None
    if start:
        lo = format_utc(dt.datetime.combine(start, dt.time(), STOCKHOLM))
    if end:
        hi = format_utc(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), STOCKHOLM))
    return lo, hi


def read(
    ctx: Ctx,
    *,
    patient: str | None = None,
    user: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    limit: int | None = 500,
    offset: int = 0,
    audited: bool = True,
) -> list[AuditRow]:
    """The log, newest first. Reading it is itself logged with its filter."""
    require(ctx, "audit")
    period(start, end)
    if patient is not None:
        patient = patient_filter(patient, ctx.today())
    lo, hi = _bounds(start, end)
    with ctx.store.read() as conn:
        rows = audit_queries.search(
            conn, patient=patient, user=user, start=lo, end=hi, limit=limit, offset=offset
        )
    if audited:
        with ctx.store.write() as conn:
            audit.append(
                conn,
                [
                    ctx.entry(
                        "audit",
                        personnummer=patient,
                        detail=json.dumps(
                            {
                                "user": user,
                                "from": str(start) if start else None,
                                "to": str(end) if end else None,
                                "rows": len(rows),
                            },
                            ensure_ascii=False,
                        ),
                    )
                ],
            )
    return rows


def check(ctx: Ctx, against: str | os.PathLike | None = None) -> list[str]:
    """What is wrong, one line each: integrity, foreign keys, the audit chain, every schema object,
    every errand against its history and the log, the log's clock, and — with a backup — whether
    the live log and history extend the backup's unchanged."""
    require(ctx, "check")
    if against is not None and destination.is_live_file(against, ctx.store.path):
        # The live file as its own witness "continued unchanged", exit 0 (an attacker's trial).
        raise InvalidInput(
            f"{_plain(str(against))} hör till den levande databasen; ett vittne är en säkerhetskopia"
        )
    witness = _open_backup(against) if against is not None else None
    try:
        with ctx.store.read() as conn, consistency.tolerant(conn):
            problems = audit_queries.integrity(conn)
            differences = consistency.schema_differences(conn)
            problems += _capped([schema_line(d) for d in differences], "schemat")
            if consistency.tables_are_ours(differences):
                problems += _history_problems(conn)
                if witness is not None:
                    problems += _against(conn, witness)
            else:
                # A view in a table's place may never answer, a changed table may compute what it
                # returns: nothing more of this file is read.
                problems.append(
                    "de övriga kontrollerna görs inte: tabellerna är inte de som bcc-tui har skapat"
                )
    finally:
        if witness is not None:
            witness.close()
    detail = f"{len(problems)} fel" + (f"; mot säkerhetskopian {against}" if against is not None else "")
    try:
        with ctx.store.write() as conn:
            audit.append(
                conn, [ctx.entry("check", outcome="ok" if not problems else "problems", detail=detail)]
            )
    except sqlite3.DatabaseError as err:
        # A trigger no migration made may refuse the check's own row (RAISE(ABORT)): what was
        # found is still said, with that.
        problems.append(f"kontrollens rad kunde inte skrivas i granskningsloggen: {sqlite_reason(err)}")
    return problems


def _history_problems(conn: sqlite3.Connection) -> list[str]:
    """The log's chain and clock, and every errand against its history and the log."""
    problems = audit.verify(conn)
    problems += [
        f"ärendet {_plain(ref)} saknar sin rad i granskningsloggen"
        for ref in audit_queries.errands_without_intake_row(conn)
    ]
    problems += _errand_problems(conn)
    problems += _ledger_problems(conn)
    problems += [
        f"granskningsloggens rad {i}: tiden {_shown(at)} är före föregående rads {_shown(prev)}"
        for i, at, prev in consistency.audit_backwards(conn)
    ]
    return problems


_TABLE_WORDS = {
    "staff": "personalen",
    "settings": "inställningen",
    "care_teams": "vårdteamet för",
    "errand_types": "ärendetypen",
}
_TABLE_NAMES = {
    "staff": "personallistan",
    "settings": "inställningarna",
    "care_teams": "vårdteamen",
    "errand_types": "ärendetyperna",
}


def _ledger_problems(conn: sqlite3.Connection) -> list[str]:
    """Staff, settings, care teams and errand types against the replay of the log's changes, and
    the content of errands read in before the log carried it against the baseline (issue 28)."""
    replayed = ledger.replay(conn)
    try:
        lines = [f"granskningsloggens rad {i}: ändringen går inte att spela upp" for i in replayed.unreadable]
        lines += [
            f"granskningsloggens rad {i}: ett andra utgångsläge (bara uppgraderingen skriver ett)"
            for i in replayed.extra_baselines
        ]
        lines += [
            f"granskningsloggens rad {i}: en ändring som ett senare utgångsläge skriver över"
            for i in replayed.early
        ]
        for d in ledger.differences(conn, replayed.state):
            who = f"{_TABLE_WORDS[d.table]} {_plain(d.key)}"
            if d.column is None:
                place = _TABLE_NAMES[d.table]
                lines.append(
                    f"{who} finns i {place} men inte i granskningsloggen"
                    if d.stored
                    else f"{who} finns i granskningsloggen men inte i {place}"
                )
            else:
                lines.append(
                    f"{who}: {d.column} är {_shown(d.stored)} men granskningsloggen ger {_shown(d.replayed)}"
                )
    finally:
        replayed.state.close()
    n, digest = ledger.legacy_content(conn)
    bases = ledger.baselines(conn)
    if not bases and n:
        lines.append(
            f"{count(n, 'ärende saknar', 'ärenden saknar')} innehållets kontrollsumma i granskningsloggen, "
            "och inget utgångsläge täcker dem"
        )
    elif bases and (bases[0].errands, bases[0].digest) != (n, digest):
        lines.append(
            f"ärendena som lästes in före utgångsläget (granskningsloggens rad {bases[0].id}) stämmer inte "
            f"med det: något har ändrats, lagts till eller tagits bort ({n} nu, {bases[0].errands if bases[0].errands is not None else '?'} då)"
        )
    return _capped(lines, "jämförelsen av personal och inställningar med granskningsloggen")


_LIMIT = 20  # lines per kind of problem: enough to act on, never a flood


def _capped(problems: list[str], what: str) -> list[str]:
    if len(problems) <= _LIMIT:
        return problems
    return problems[:_LIMIT] + [f"… och {len(problems) - _LIMIT} fel till i {what}"]


def _plain(value: object) -> str:
    """A stored value in a problem line, whatever its type: cleaned, and short."""
    text = clean_line(value if isinstance(value, str) else str(value))
    return text if len(text) <= 40 else text[:40] + "…"


def _shown(value: object) -> str:
    return repr(_plain(value))


_KINDS = {
    "trigger": ("utlösaren", "utlösare"),
    "table": ("tabellen", "tabell"),
    "index": ("indexet", "index"),
    "view": ("vyn", "vy"),
}
_IDENTIFIER = re.compile(r"[A-Za-z0-9_]+")


def _name(value: object) -> str:
    """An object's name as a reader can tell it: as it is when it is a plain identifier, else
    cleaned and quoted (a name may be empty, hold spaces, or control characters)."""
    return value if isinstance(value, str) and _IDENTIFIER.fullmatch(value) else _shown(value)


def schema_line(d: consistency.SchemaDifference) -> str:
    """One schema difference in one line: 'okänd utlösare sqlite_hide (på tabellen audit) finns i
    databasen', 'utlösaren audit_no_delete saknas', …"""
    if d.obj is None:
        return f"schemaversionen {_shown(d.version)} är nyare än detta programs ({schema.CURRENT})"
    obj = d.obj
    known = isinstance(obj.type, str) and obj.type in _KINDS
    definite, indefinite = _KINDS[obj.type] if known else ("objektet", "objekt")
    of_kind = "" if known else f" av slaget {_shown(obj.type)}"
    on = (
        f" (på tabellen {_name(obj.tbl_name)})"
        if obj.type in ("trigger", "index") and obj.tbl_name != obj.name
        else ""
    )
    name = _name(obj.name)
    if d.what == "unexpected":
        return f"okänd{'t' if indefinite in ('index', 'objekt') else ''} {indefinite} {name}{of_kind}{on} finns i databasen"
    if d.what == "changed":
        return f"{definite} {name} har ändrats"
    if d.what == "duplicate":
        return f"{definite} {name} finns mer än en gång"
    return f"{definite} {name} saknas"


def schema_refusal(conn: sqlite3.Connection) -> str | None:
    """Why a database must not be copied or opened: an object no migration made or one that was
    changed (both may run code the program never wrote), or a schema newer than this program;
    None when there is none. A missing object runs nothing: `check` reports it."""
    with consistency.tolerant(conn):
        found = [d for d in consistency.schema_differences(conn) if d.what != "missing"]
    if not found:
        return None
    more = f" (och {count(len(found) - 1, 'avvikelse', 'avvikelser')} till)" if len(found) > 1 else ""
    return schema_line(found[0]) + more


_MOMENTS = (
    "received_at",
    "imported_at",
    "first_response_at",
    "partial_reply_at",
    "closed_at",
    "last_reminded_at",
    "acute_handled_at",
)
_DATES = ("received_on", "due_date", "first_response_on")


def _errand_problems(conn: sqlite3.Connection) -> list[str]:
    """Each errand's columns against the replay of its events, and the events against the log."""
    logged = consistency.audit_counts(conn, consistency.ONE_EVENT_EACH + (e.URGENT,))
    contents = ledger.logged_content(conn)
    days = errands_q.type_days(conn)
    # A change of days still being carried to the open errands (services/batches.py): those past
    # the marker keep their old due date until their batch, which is no fault.
    redating = clinic.due_days(conn) is not None
    redated_to = int((batches.marker(conn, clinic.DUES_KEY) or {}).get("after") or 0) if redating else None
    dates, states, evidence = [], [], []
    for row, events in consistency.errands_with_events(conn):
        ref = _plain(row["ref"])
        unreadable = _unreadable(row, events)
        if unreadable:
            dates.append(
                f"ärendet {ref}: datum går inte att läsa ({', '.join(unreadable)}); "
                f"t.ex. {_shown(_first_value(row, events, unreadable[0]))}"
            )
        follows = redated_to is None or row["id"] <= redated_to
        states += [
            f"ärendet {ref}: {p}"
            for p in _state_problems(conn, row, events, unreadable, days if follows else {}, contents)
        ]
        evidence += _unlogged_events(row, events, logged, ref)
    evidence += [
        f"ärendet {_plain(r['ref'])}: texten i händelse {r['id']} ({r['kind']}) skiljer sig från den "
        "som köades till 1177"
        for r in consistency.replies_unlike_their_outbound(conn)
    ]
    missing = consistency.audited_refs_missing(conn)
    evidence += [f"ärendet {_plain(r)} finns i granskningsloggen men inte bland ärendena" for r in missing]
    return (
        _capped(dates, "ärendenas datum")
        + _capped(states, "ärendenas historik")
        + _capped(evidence, "jämförelsen med granskningsloggen")
    )


def _unreadable(row: sqlite3.Row, events: list[dict[str, Any]]) -> list[str]:
    """The columns and events whose stored moment or date the readers could not parse."""
    unreadable = [c for c in _MOMENTS if row[c] is not None and history.readable_moment(row[c]) is None]
    unreadable += [c for c in _DATES if row[c] is not None and history.readable_date(row[c]) is None]
    unreadable += [f"händelse {ev['id']}" for ev in events if history.readable_moment(ev["at"]) is None]
    return unreadable


def _unlogged_events(row: sqlite3.Row, events: list[dict[str, Any]], logged: dict, ref: str) -> list[str]:
    """An errand's events of each kind that the log must hold one row for, against its rows."""
    evidence = []
    counted: dict[str, int] = {}
    for ev in events:
        if ev["kind"] == e.PARTIAL_REPLY and ev["detail"].get("automatic"):
            continue  # the complaint's reply at intake: its row is the import's
        counted[ev["kind"]] = counted.get(ev["kind"], 0) + 1
    for kind in consistency.ONE_EVENT_EACH + (e.URGENT,):
        n_events, n_rows = counted.get(kind, 0), logged.get((row["ref"], kind), 0)
        # An urgent mark that changed nothing is logged without an event.
        if n_events > n_rows or (n_events != n_rows and kind != e.URGENT):
            evidence.append(
                f"ärendet {ref}: {count(n_events, 'händelse', 'händelser')} '{kind}' men {count(n_rows, 'rad', 'rader')} i granskningsloggen"
            )
    return evidence


def _first_value(row: sqlite3.Row, events: list[dict[str, Any]], column: str) -> Any:
    if column.startswith("händelse "):
        wanted = int(column.split()[1])
        return next(ev["at"] for ev in events if ev["id"] == wanted)
    return row[column]


def _state_problems(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    events: list[dict[str, Any]],
    unreadable: list[str],
    days: dict[str, int],
    read_in: ledger.LoggedContent,
) -> list[str]:
    replayed = history.replay(row["ref"], events)
    out = list(replayed.problems)
    for column, value in _replayed_columns(row, replayed).items():
        if row[column] != value:
            out.append(f"{column} är {_shown(row[column])} men historiken ger {_shown(value)}")
    out += _derived_problems(row, replayed, days)
    if "received_at" not in unreadable:
        out += _content_problems(conn, row, replayed, read_in)
    return out


def _replayed_columns(row: sqlite3.Row, replayed: history.Replayed) -> dict[str, Any]:
    """The columns the replay of the events decides, as it decides them."""
    expected = {
        "status": replayed.status,
        "assignee": replayed.assignee,
        "urgent": row["urgent"] if replayed.urgent is None else int(replayed.urgent),
        "first_response_at": replayed.first_response_at,
        "partial_reply_at": replayed.partial_reply_at,
        "closed_at": replayed.closed_at,
        "close_kind": replayed.close_kind,
        "last_reminded_at": replayed.last_reminded_at,
        "acute_handled_at": replayed.acute_handled_at,
        "version": replayed.version,
    }
    if replayed.due_date_known:
        expected["due_date"] = replayed.due_date
    if replayed.acute_known:
        expected["acute"] = replayed.acute
    return expected


def _derived_problems(row: sqlite3.Row, replayed: history.Replayed, days: dict[str, int]) -> list[str]:
    """The columns worked out from others: the local days, and an open errand's due date."""
    out = []
    received = history.readable_moment(row["received_at"])
    if received is not None and row["received_on"] != local_date(received).isoformat():
        out.append(f"received_on är {_shown(row['received_on'])} men ärendet kom in {local_date(received)}")
    arrived = history.readable_date(row["received_on"])
    if (
        arrived is not None
        and not replayed.due_date_known
        and row["status"] != e.CLOSED
        and row["type"] in days
    ):
        # An open errand's due date follows its type's days: a change of days writes an event.
        due = business_days.due_date(arrived, days[row["type"]]).due.isoformat()
        if row["due_date"] != due:
            out.append(f"due_date är {_shown(row['due_date'])} men regeln ger {_shown(due)}")
    first = history.readable_moment(row["first_response_at"])
    if first is not None and row["first_response_on"] != local_date(first).isoformat():
        out.append(
            f"first_response_on är {_shown(row['first_response_on'])} men svaret gavs {local_date(first)}"
        )
    return out


def _content_problems(
    conn: sqlite3.Connection, row: sqlite3.Row, replayed: history.Replayed, read_in: ledger.LoggedContent
) -> list[str]:
    """The content read in, against the column's hash and the hash its import row carried."""
    out: list[str] = []
    initial = replayed.initial_urgent if replayed.initial_urgent is not None else bool(row["urgent"])
    content = _content_hash(row, initial)
    if content not in (None, row["content_hash"]):
        out.append(
            "innehållet (patient, meddelande, inkommen, brådskande) stämmer inte med det som lästes in"
        )
    elif content is not None and read_in.disagree(row["ref"], content):
        # The column agrees, and may have been recomputed with it: the hash the import row
        # carried in the chain is what was read in (issue 28).
        out += [
            "innehållet (patient, meddelande, inkommen, brådskande) stämmer inte med det som "
            f"granskningsloggens rad {audit_id} säger lästes in"
            for audit_id, digest in ledger.import_rows(conn, row["ref"])
            if digest is not None and digest != content
        ]
    return out


@functools.cache
def _content_fields() -> tuple[str, ...]:
    """The intake content's fields, when each is an errand column of the same name (else none)."""
    names = tuple(f.name for f in fields(NewErrand))
    columns = set(consistency.expected_columns("errands"))
    return names if set(names) <= columns and {"received_at", "urgent"} <= set(names) else ()


def _content_hash(row: sqlite3.Row, urgent: bool) -> str | None:
    """The intake's hash of the stored content, or None when the columns cannot say."""
    names = _content_fields()
    if not names:
        return None
    values = {name: row[name] for name in names}
    values["received_at"] = history.readable_moment(row["received_at"])
    values["urgent"] = urgent
    if values["received_at"] is None:
        return None
    try:
        return hashlib.sha256(NewErrand(**values).canonical().encode("utf-8")).hexdigest()
    except (TypeError, ValueError):
        return ""  # a value of a kind the intake never writes: not what was read in


# How long a witness may take to read, all of it: a real one of 100,000 errands takes some
# seconds; anything that has not answered by then is no witness (issue 28).
WITNESS_SECONDS = 300.0


def _open_backup(path: str | os.PathLike) -> sqlite3.Connection:
    """The backup, read-only and under a time limit: it is a witness, never written, and one that
    does not answer is not waited for."""
    shown = _plain(str(path))
    p = Path(path)
    try:
        is_file = p.is_file()
    except (OSError, ValueError):
        is_file = False
    if not is_file:
        raise InvalidInput(f"säkerhetskopian {shown} finns inte eller är ingen fil")
    try:
        witness = consistency.open_read_only(p, WITNESS_SECONDS)
    except sqlite3.Error as err:
        raise InvalidInput(
            f"säkerhetskopian {shown} går inte att läsa som bcc-tui-databas: {sqlite_reason(err)}"
        ) from None
    try:
        consistency.is_database(witness)
    except sqlite3.Error as err:
        witness.close()
        if consistency.is_interrupted(err):
            raise InvalidInput(f"säkerhetskopian {shown} svarade inte inom {WITNESS_SECONDS:g} s") from None
        raise InvalidInput(
            f"säkerhetskopian {shown} går inte att läsa som bcc-tui-databas: {sqlite_reason(err)}"
        ) from None
    return witness


_NO_WITNESS = "säkerhetskopian kan inte användas som vittne"


def _against(conn: sqlite3.Connection, witness: sqlite3.Connection) -> list[str]:
    """The live log and history extend the backup's: the same rows, unchanged, up to its last.
    The witness's schema is looked at before anything else of it is read: a view or trigger in it
    is someone else's code."""
    try:
        refusal = schema_refusal(witness)
        if refusal is not None:
            return [f"säkerhetskopian: {refusal}", _NO_WITNESS]
        consistency.holds_history(witness)
        return _compare(conn, witness)
    except sqlite3.DatabaseError as err:  # a damaged witness proves nothing
        if consistency.is_interrupted(err):
            return [f"säkerhetskopian svarade inte inom {WITNESS_SECONDS:g} s", _NO_WITNESS]
        return [f"säkerhetskopian går inte att läsa: {sqlite_reason(err)}", _NO_WITNESS]


def _compare(conn: sqlite3.Connection, witness: sqlite3.Connection) -> list[str]:
    own = audit.verify(witness)
    if own:
        return [f"säkerhetskopian: {p}" for p in own[:3]] + [_NO_WITNESS]
    out = []
    live = consistency.audit_hashes(conn)
    for b_id, b_hash in consistency.audit_hashes(witness):
        l_row = next(live, None)
        if l_row is None:
            last, witness_last = consistency.last_audit(conn), consistency.last_audit(witness)
            out.append(
                f"granskningsloggen slutar vid rad {last[0] if last else 0} men säkerhetskopian har rader till "
                f"{witness_last[0] if witness_last else b_id}: rader har tagits bort"
            )
            break
        if l_row != (b_id, b_hash):
            out.append(
                f"granskningsloggens rad {b_id} skiljer sig från säkerhetskopians: historiken har skrivits om"
            )
            break
    live_events = consistency.event_rows(conn)
    refs = None
    for b_event in consistency.event_rows(witness):
        l_event = next(live_events, None)
        if l_event != b_event:
            refs = refs or consistency.errand_refs(witness)
            ref = _plain(refs.get(b_event[1], b_event[1]))
            what = "saknas" if l_event is None or l_event[0] != b_event[0] else "har ändrats"
            out.append(f"händelse {b_event[0]} i ärendet {ref} {what} sedan säkerhetskopian")
            break
    # Content is never changed after intake: every errand of the backup is here as it was (this
    # anchors also errands read in before the log carried their content).
    live_content = consistency.content_hashes(conn)
    changed = []
    for ref, digest in consistency.content_hash_rows(witness):
        if ref not in live_content:
            changed.append(f"ärendet {_plain(ref)} finns i säkerhetskopian men inte längre")
        elif live_content[ref] != digest:
            changed.append(f"ärendet {_plain(ref)}: innehållet har ändrats sedan säkerhetskopian")
    return out + _capped(changed, "jämförelsen av ärendenas innehåll med säkerhetskopian")
