"""The demo clinic (docs/routine.md 4.1 `demo`): a fresh database seeded from fixtures/demo, with every
errand dated relative to today and its story replayed through the real services."""

from __future__ import annotations

import atexit
import datetime as dt
import json
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from bcc_tui.domain import roles
from bcc_tui.domain.business_days import STOCKHOLM, local_date
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.roles import SYSTEM_ACTOR
from bcc_tui.services import clinic, errands, intake, patients, people, session
from bcc_tui.services.clock import Clock, FixedClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import audit, ledger, schema
from bcc_tui.store import outbox as outbox_q
from bcc_tui.store import staff as staff_q
from bcc_tui.store.db import Store

DEMO_KEY = "demo_database"


def fixtures_dir() -> Path:
    """The demo data: inside the installed package, or fixtures/ beside it in a checkout."""
    packaged = resources.files("bcc_tui") / "_fixtures" / "demo"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def is_demo(store: Store) -> bool:
    with store.read() as conn:
        try:
            return bool(staff_q.get_setting(conn, DEMO_KEY, False))
        except Exception:  # not a bcc-tui database at all
            return False


def is_empty(store: Store) -> bool:
    return schema.is_empty(store)


def today_receiver(store: Store, clock: Clock) -> str | None:
    with store.read() as conn:
        return people.today(conn, local_date(clock.now())).receiver


def prepare(path: Path | None, clock: Clock) -> Path:
    """A demo database at `path` (a path someone named), or a fresh one in a temporary folder
    removed when the process ends.

    An existing demo database is reused, so that a second dashboard can open the same one; an
    existing database that is not a demo database is never touched.
    """
    if path is not None:
        if path.exists() and path.stat().st_size > 0:
            store = session.open_store(path)
            try:
                reuse = is_demo(store)
                if not reuse and not is_empty(store):
                    raise InvalidInput(
                        f"{path} är ingen demodatabas; demo rör bara demodatabaser (välj en annan sökväg)"
                    )
            finally:
                store.close()
            if reuse:
                # At another schema it is refused as every command refuses it (`demo --no-ui`
                # said "Demodatabasen finns i …" of a file the dashboard then would not open).
                session.open_current(path).close()
                return path
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        folder = tempfile.mkdtemp(prefix="bcc-tui-demo-")
        atexit.register(shutil.rmtree, folder, True)
        path = Path(folder) / "demo.db"
    store = session.open_store(path)
    try:
        build(store, clock)
    finally:
        store.close()
    return path


def receiver_of(path: Path, clock: Clock) -> str | None:
    """Whom the demo acts as when nobody is named: today's receiver on the demo roster."""
    store = session.open_store(path)
    try:
        return today_receiver(store, clock)
    finally:
        store.close()


def build(store: Store, clock: Clock, source: Path | None = None) -> None:
    """Seed an empty database with the demo clinic as of `clock.now()`.

    Every intake and every step of every story runs in the order of its moment, so the audit log
    reads forward in time as a real one does (`check` finds a log whose time goes backwards)."""
    source = source or fixtures_dir()
    now = clock.now()
    today = local_date(now)
    schema.migrate(store)
    lines = [
        json.loads(line)
        for line in (source / "demo-stories.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    plans = [_plan(line, now, index) for index, line in enumerate(lines)]
    start = min([moment for plan in plans for moment, *_ in plan] + [now]) - dt.timedelta(minutes=1)
    system = Ctx(store, SYSTEM_ACTOR, FixedClock(start))
    with store.write() as conn:  # a setting like any other: logged, so that `check` can replay it
        text = staff_q.set_setting(conn, DEMO_KEY, True)
        audit.append(
            conn,
            [system.entry("admin_change", detail="demodatabas", data=ledger.setting_change(DEMO_KEY, text))],
        )
    people.import_staff(system, (source / "staff.jsonl").read_bytes())
    people.import_schedule(
        system, _schedule_lines(json.loads((source / "roster.json").read_text("utf-8")), today)
    )

    teams = source / "patients.jsonl"
    if teams.exists():  # R29: most demo patients have a PAL and a contact nurse
        patients.import_patients(system, teams.read_bytes())
    with store.read() as conn:
        actors = {r.username: people.actor_from_row(r) for r in staff_q.all_staff(conn)}
    _templates(store, actors, start, source)
    for moment, _index, _number, ref, step in sorted(
        (p for plan in plans for p in plan), key=lambda p: p[:3]
    ):
        _run(store, actors, moment, ref, step)
    with store.write() as conn:
        outbox_q.settle_all(conn)


def _templates(store: Store, actors: dict, moment: dt.datetime, source: Path) -> None:
    """The clinic's reply templates, saved by its administrator as a real one would."""
    path = source / "templates.jsonl"
    if not path.exists():
        return
    admin = next(a for a in actors.values() if roles.ADMIN in a.roles)
    ctx = Ctx(store, admin, FixedClock(moment))
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            t = json.loads(line)
            clinic.save_template(ctx, t["name"], t["body"], t["type"])


def _schedule_lines(spec: dict, today: dt.date) -> bytes:
    out = []
    receivers, doctors = spec["receivers"], spec["doctors"]
    for offset in range(-spec["days_before"], spec["days_after"] + 1):
        day = today + dt.timedelta(days=offset)
        n = day.toordinal()
        order = doctors[n % len(doctors) :] + doctors[: n % len(doctors)]
        out.append(
            {"date": day.isoformat(), "receiver": receivers[n % len(receivers)], "outpatient_doctors": order}
        )
    for a in spec["absences"]:
        out.append(
            {
                "absent": a["absent"],
                "from": (today + dt.timedelta(days=a["from"])).isoformat(),
                "to": (today + dt.timedelta(days=a["to"])).isoformat(),
                "reason": a["reason"],
            }
        )
    return "".join(json.dumps(x) + "\n" for x in out).encode()


def _plan(line: dict, now: dt.datetime, index: int) -> list[tuple]:
    """(moment, errand index, step number, ref, step) for the errand's intake and each step of
    its story that lies in the past; the intake is step {"do": "import", "line": …}."""
    received = line.pop("received")
    story = line.pop("story", [])
    day = local_date(now) - dt.timedelta(days=received["days_ago"])
    hour, minute = map(int, received["time"].split(":"))
    arrived = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)
    if arrived >= now:  # today's errands all lie in the past, however early the demo starts
        arrived = now - dt.timedelta(minutes=7 * (index % 40) + 3)
    line["received_at"] = arrived.isoformat()
    ref = line["ref"]
    out = [(arrived + dt.timedelta(minutes=1), index, -1, ref, {"do": "import", "by": None, "line": line})]
    for number, step in enumerate(story):
        moment = arrived + dt.timedelta(hours=step["after_hours"])
        if moment >= now:
            break
        out.append((moment, index, number, ref, step))
    return out


def _run(store: Store, actors: dict, moment: dt.datetime, ref: str, step: dict) -> None:
    kind = step["do"]
    if kind == "import":
        report = intake.import_errands(
            Ctx(store, SYSTEM_ACTOR, FixedClock(moment)), json.dumps(step["line"]).encode()
        )
        if not report.ok:
            raise InvalidInput(f"demodata: {ref}: {report.rejected}")
        return
    ctx = Ctx(store, actors[step["by"]], FixedClock(moment))
    if kind in ("assign", "reassign"):
        errands.assign(ctx, ref, step["to"], reassign=kind == "reassign")
    elif kind == "partial_reply":
        errands.partial_reply(ctx, ref, step["text"])
    elif kind == "reply":
        errands.reply(ctx, ref, step["text"])
    elif kind == "close":
        errands.close(ctx, ref, step["reason"], documented=step.get("documented"))
    elif kind == "note":
        errands.note(ctx, ref, step["text"])
