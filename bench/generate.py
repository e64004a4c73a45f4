"""Build a realistic database of N errands over five years (the bulk path of issue 7).

The demo clinic's staff and roster, then N errands with the clinic's type mix, arriving mostly in
office hours; all but the last few days' errands closed (most with a reply, some without), a few
hundred open. Rows are written through the store's own insert functions and the audit log's
append (hash chain included) in large transactions — the same rows the intake and the services
would write, every event with its audit row and the log in time order (`check` finds it clean), faster.

    python -m bench.generate PATH [--errands 100000] [--years 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import sys
import time
from dataclasses import fields
from pathlib import Path

from bcc_tui.domain import errand as e
from bcc_tui.domain.business_days import STOCKHOLM, add_business_days, due_date, local_date
from bcc_tui.domain.personnummer import check_digit
from bcc_tui.domain.roles import SYSTEM_ACTOR
from bcc_tui.domain.validation import NewErrand, format_utc
from bcc_tui.services import demo, people
from bcc_tui.services.clock import Clock, FixedClock, SystemClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import audit, ledger, schema
from bcc_tui.store import errands as q
from bcc_tui.store.db import Store

MIX = {
    "av_omboka_tid": 18,
    "begar_intyg": 10,
    "fraga_om_remiss": 9,
    "fornya_recept": 26,
    "kontakta_mig": 18,
    "skicka_meddelande": 30,
    "bestalla_journalkopia": 6,
    "synpunkter_klagomal": 8,
}
CAREGIVERS = ["erilin", "johwes", "magfor", "linsjo", "osknil", "idaaxe", "frehed", "emmstr", "kurjon"]
RECEIVERS = ["annlin", "marber", "sofhol", "karek", "evasan"]
OPEN = 250  # the latest arrivals are still open: a few hundred, as in a real clinic
BATCH = 5000


def _pnr(rng: random.Random, today: dt.date) -> str:
    year = today.year - rng.randint(0, 17)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    serial = f"{rng.randint(1, 999):03d}"  # Skatteverket issues 001–999
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
    return f"{year}{month:02d}{day:02d}-{serial}{check_digit(nine)}"


def build(
    path: Path,
    errands: int = 100_000,
    years: int = 5,
    clock: Clock | None = None,
    seed: int = 1177,
    open_errands: int = OPEN,
) -> dict:
    """`open_errands`: how many of the latest arrivals are still open (the backlog shape of
    issue 13 passes all of them: a clinic fallen behind, mostly overdue)."""
    clock = clock or SystemClock()
    now = clock.now()
    today = local_date(now)
    rng = random.Random(seed)
    store = Store(path)
    schema.migrate(store)
    start = now - dt.timedelta(days=365 * years)
    # The staff were there before the first errand: the audit log reads forward in time.
    system = Ctx(store, SYSTEM_ACTOR, FixedClock(start - dt.timedelta(days=1)))
    source = demo.fixtures_dir()
    people.import_staff(system, (source / "staff.jsonl").read_bytes())
    import json

    people.import_schedule(
        system, demo._schedule_lines(json.loads((source / "roster.json").read_text("utf-8")), today)
    )
    patients = [_pnr(rng, today) for _ in range(max(50, errands // 6))]  # patients write again
    names = [f"Patient {i}" for i in range(len(patients))]
    span = (now - start).total_seconds()
    moments = sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(errands))
    types = list(MIX)
    weights = [MIX[t] for t in types]
    t0 = time.perf_counter()
    n_open = 0
    # Every event has its audit row, as the services write them; the rows are appended in time
    # order at the end, since a later batch's intake precedes an earlier batch's replies.
    logged: list[audit.Entry] = []
    for chunk in range(0, errands, BATCH):
        with store.write() as conn:
            days = q.type_days(conn)
            for i in range(chunk, min(errands, chunk + BATCH)):
                arrived = moments[i]
                local = arrived.astimezone(STOCKHOLM)
                if local.hour < 7 or local.hour > 21:  # most arrive awake
                    arrived -= dt.timedelta(hours=rng.randint(0, 10))
                    arrived = min(arrived, now - dt.timedelta(minutes=5))
                type_code = rng.choices(types, weights)[0]
                unit = e.INPATIENT if type_code == e.COMPLAINT and rng.random() < 0.3 else e.OUTPATIENT
                k = rng.randrange(len(patients))
                ref = f"1177-{i + 1:07d}"
                arrived_on = local_date(arrived)
                due = due_date(arrived_on, days[type_code]).due
                row = {
                    "ref": ref,
                    "type": type_code,
                    "unit": unit,
                    "received_at": format_utc(arrived),
                    "received_on": arrived_on.isoformat(),
                    "due_date": due.isoformat(),
                    "patient_name": names[k],
                    "personnummer": patients[k],
                    "proxy_name": "Förälder" if rng.random() < 0.7 else None,
                    "proxy_relation": "mamma" if rng.random() < 0.5 else "pappa",
                    "subject": "Ärende",
                    "message": "Hej! Vi har en fråga om behandlingen. " * rng.randint(1, 6),
                    "urgent": int(type_code == e.COMPLAINT and rng.random() < 0.2),
                    "imported_at": format_utc(arrived),
                }
                content = NewErrand(
                    **{
                        f.name: row.get(f.name)
                        for f in fields(NewErrand)
                        if f.name not in ("received_at", "urgent")
                    },
                    received_at=arrived,
                    urgent=bool(row["urgent"]),
                )
                row["content_hash"] = hashlib.sha256(content.canonical().encode("utf-8")).hexdigest()
                is_open = i >= errands - open_errands
                who = rng.choice(CAREGIVERS)
                receiver = rng.choice(RECEIVERS)
                if is_open:
                    n_open += 1
                    assigned = rng.random() < 0.5
                    row.update(
                        status=e.ASSIGNED if assigned else e.UNASSIGNED,
                        assignee=who if assigned else None,
                        version=2 if assigned else 1,
                    )
                    # Nothing happens after now, and the assignment comes before its partial reply.
                    assigned_at = max(
                        arrived, min(arrived + dt.timedelta(hours=1), now - dt.timedelta(minutes=2))
                    )
                    partial = None
                    if open_errands > OPEN and rng.random() < 0.05:  # a backlog has some partial replies
                        partial = min(
                            arrived + dt.timedelta(hours=rng.randint(2, 40)), now - dt.timedelta(minutes=1)
                        )
                        partial = max(partial, assigned_at)
                        row.update(
                            partial_reply_at=format_utc(partial),
                            first_response_at=format_utc(partial),
                            first_response_on=local_date(partial).isoformat(),
                            version=row["version"] + 1,
                        )
                    errand_id = q.insert(conn, row)
                    if assigned:
                        at = format_utc(assigned_at)
                        q.add_event(conn, errand_id, e.ASSIGN, at, receiver, receiver, target=who)
                        logged.append(audit.Entry(at, receiver, "receiver", e.ASSIGN, ref, patients[k]))
                    if (
                        partial is not None
                    ):  # its event and audit row, so that `check` finds the history whole
                        by = who if assigned else receiver
                        at = format_utc(partial)
                        q.add_event(conn, errand_id, e.PARTIAL_REPLY, at, by, by, text="Vi återkommer.")
                        logged.append(
                            audit.Entry(
                                at,
                                by,
                                "caregiver" if assigned else "receiver",
                                e.PARTIAL_REPLY,
                                ref,
                                patients[k],
                            )
                        )
                else:
                    late = rng.random() < 0.04
                    answer_day = add_business_days(
                        arrived_on, rng.choice([0, 1, 1, 2, 2]) + (2 if late else 0)
                    )
                    answered = dt.datetime.combine(
                        answer_day, dt.time(rng.randint(8, 16), rng.randint(0, 59)), STOCKHOLM
                    )
                    answered = max(answered, arrived + dt.timedelta(minutes=30))
                    answered = min(answered, now - dt.timedelta(minutes=1))  # nothing happens after now
                    by_reply = rng.random() < 0.93
                    row.update(
                        status=e.CLOSED,
                        assignee=who,
                        closed_at=format_utc(answered),
                        close_kind="reply" if by_reply else "no_reply",
                        first_response_at=format_utc(answered),
                        first_response_on=local_date(answered).isoformat(),
                        version=3,
                    )
                    errand_id = q.insert(conn, row)
                    at = format_utc(min(arrived + dt.timedelta(minutes=20), answered))
                    q.add_event(conn, errand_id, e.ASSIGN, at, receiver, receiver, target=who)
                    logged.append(audit.Entry(at, receiver, "receiver", e.ASSIGN, ref, patients[k]))
                    logged.append(
                        audit.Entry(
                            format_utc(answered),
                            who,
                            "caregiver",
                            e.REPLY if by_reply else e.CLOSE,
                            ref,
                            patients[k],
                        )
                    )
                    if by_reply:
                        q.add_event(conn, errand_id, e.REPLY, format_utc(answered), who, who, text="Svar.")
                    else:
                        q.add_event(
                            conn,
                            errand_id,
                            e.CLOSE,
                            format_utc(answered),
                            who,
                            who,
                            text=rng.choice(["Besvarat per telefon", "Patienten kom på besök"]),
                        )
                logged.append(
                    audit.Entry(
                        format_utc(arrived),
                        "system",
                        "system",
                        "import",
                        ref,
                        patients[k],
                        data=audit.dump_data(ledger.content(row["content_hash"])),
                    )
                )
    logged.sort(key=lambda entry: entry.at)
    for chunk in range(0, len(logged), BATCH * 4):
        with store.write() as conn:
            audit.append(conn, logged[chunk : chunk + BATCH * 4])
    store.close()
    return {"errands": errands, "open": n_open, "seconds": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("path")
    p.add_argument("--errands", type=int, default=100_000)
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--open", type=int, default=OPEN, help="how many of the latest are open (backlog: all)")
    args = p.parse_args(argv)
    path = Path(args.path)
    if path.exists():
        print(f"{path} finns redan", file=sys.stderr)
        return 1
    info = build(path, args.errands, args.years, open_errands=args.open)
    print(f"{info['errands']} ärenden ({info['open']} öppna) i {path} på {info['seconds']:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
