"""Many dashboards on one server (issue 31): what one change costs each of them.

    python -m bench.sessions [--sessions 100] [--errands 100000] [--db PATH] [--size 120x40]

Starts N real dashboards (`python -m bcc_tui`), each in a pseudo-terminal of its own, half of them
receivers and half caregivers (the demo clinic's, in turn), on one database, and reads everything
each of them writes to its terminal. Then, from this process, as another user of the same file:

- **idle**: nothing changes for a while (at least one minute's turn); each dashboard's CPU (the
  kernel's count for the process, cpu_seconds) and the bytes it writes. The clock in the header
  changes at every minute, and the rows' ages turn with it (whole minutes of the clock): what is
  written within a second or so of a minute's turn is counted apart.
- **changes**, one kind at a time, each `--repeat` times, the dashboards quiet between them: an
  errand opened (an audit row only), a note, a new errand, the newest unassigned errand assigned
  to a doctor, the errand at the top of Ofördelade assigned (the receivers' rows move up), and a
  partial reply by the holder. After each: which dashboards wrote anything (they "show" it), how
  long after the commit each wrote its last byte about it, its CPU and its bytes.
- **commands meanwhile**: `--commands` assignments in a row by the command line (`bcc-tui
  assign`, each a whole process) while the dashboards follow each of them, against the same with
  no dashboard running.

CPU per change is the dashboard's CPU over the change's window less its idle rate over the same
time, read to the nanosecond (/proc/PID/stat, read before, counts in 10 ms ticks: coarser than one
change). CPU figures are per dashboard means over its changes of one sort (and, for changes it
does not show, over all of them), and their p95 and worst across dashboards; bytes and times are
per change. Nothing is asserted: the table goes to docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECEIVERS = ["annlin", "marber", "sofhol", "karek", "evasan"]
CAREGIVERS = ["erilin", "johwes", "magfor", "linsjo", "osknil", "idaaxe", "frehed", "emmstr", "kurjon"]
DOCTORS = ["erilin", "johwes", "magfor", "linsjo", "osknil"]
WRITER = "marber"  # the receiver who makes the changes, from this process
AT_WORK = 0.005  # CPU-seconds in a quarter second: more, and a dashboard is still at a change
QUIET = 0.6  # seconds without output after which a dashboard has done with a change
TICK = os.sysconf("SC_CLK_TCK")
ENV = {k: v for k, v in os.environ.items() if k not in ("BCC_DB", "BCC_NOW", "BCC_SMTP", "COLUMNS", "LINES")}
ENV.update({"TERM": "xterm-256color", "COLORTERM": "truecolor", "PYTHONPATH": str(ROOT)})


def cpu_seconds(pid: int) -> float:
    """User and system time of the whole process, its ended threads included: the process's
    CPU-time clock, in nanoseconds (clock_getcpuclockid(3): on Linux the clock id is made from the
    pid, and any process's may be read); else /proc/PID/stat, in ticks of 10 ms."""
    try:
        return time.clock_gettime(((~pid) << 3) | 2)  # Linux's MAKE_PROCESS_CPUCLOCK(pid, SCHED)
    except OSError:
        pass
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


@dataclass
class Terminal:
    """One dashboard in a pseudo-terminal of its own, and everything it wrote (time, bytes)."""

    user: str
    receiver: bool
    pid: int
    fd: int
    chunks: list[tuple[float, int]] = field(default_factory=list)
    output: bytearray = field(default_factory=bytearray)
    open: bool = True

    @property
    def written(self) -> int:
        return len(self.output)

    def since(self, t: float) -> list[tuple[float, int]]:
        return [c for c in self.chunks if c[0] >= t]


def start(user: str, receiver: bool, db: Path, size: tuple[int, int]) -> Terminal:
    rows, cols = size
    pid, fd = pty.fork()
    if pid == 0:
        try:
            import fcntl

            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            os.execve(sys.executable, [sys.executable, "-m", "bcc_tui", "--db", str(db), "--as", user], ENV)
        finally:
            os._exit(127)
    os.set_blocking(fd, False)
    return Terminal(user, receiver, pid, fd)


class Reader(threading.Thread):
    """Reads every terminal as it writes (a terminal nobody reads would block its program)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.terminals: dict[int, Terminal] = {}
        self.lock = threading.Lock()
        self.stop = False

    def add(self, t: Terminal) -> None:
        with self.lock:
            self.terminals[t.fd] = t

    def run(self) -> None:
        while not self.stop:
            with self.lock:
                fds = [fd for fd, t in self.terminals.items() if t.open]
            if not fds:
                time.sleep(0.01)
                continue
            ready, _, _ = select.select(fds, [], [], 0.05)
            now = time.monotonic()
            for fd in ready:
                t = self.terminals[fd]
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    t.open = False
                    continue
                t.output += chunk
                t.chunks.append((now, len(chunk)))


def quiet_for(terminals: list[Terminal], seconds: float, timeout: float) -> bool:
    """Wait until no terminal has written for `seconds` (True) or the timeout (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        last = max((t.chunks[-1][0] for t in terminals if t.chunks), default=0.0)
        if time.monotonic() - last >= seconds:
            return True
        time.sleep(0.05)
    return False


def inotified(pid: int) -> bool:
    """Whether the dashboard is told of writes by the kernel (ui/quiet.py, Wake) or polls."""
    try:
        return any(
            os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:inotify"
            for fd in os.listdir(f"/proc/{pid}/fd")
        )
    except OSError:
        return False


def painted(terminals: list[Terminal], timeout: float) -> None:
    """Wait until each dashboard has drawn its panes (its first pane's title is on screen)."""
    end = time.monotonic() + timeout
    for t in terminals:
        title = ("Ofördelade" if t.receiver else "Mina ärenden").encode()
        while title not in t.output and t.open and time.monotonic() < end:
            time.sleep(0.05)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


# -- the changes, made from this process as another user would ----------------------------------
class Writer:
    def __init__(self, db: Path) -> None:
        sys.path.insert(0, str(ROOT))
        from bcc_tui.domain.roles import SYSTEM_ACTOR
        from bcc_tui.services.context import Ctx
        from bcc_tui.services.people import actor_from_row
        from bcc_tui.store import staff as staff_q
        from bcc_tui.store.db import Store

        self.store = Store(db)
        self.actors = {}
        with self.store.read() as conn:
            for user in [WRITER, *CAREGIVERS]:
                self.actors[user] = actor_from_row(staff_q.by_username(conn, user))
        self.ctx = {u: Ctx(self.store, a) for u, a in self.actors.items()}
        self.system = Ctx(self.store, SYSTEM_ACTOR)
        self.n = 0

    def refs(self, sql: str, *args) -> list[str]:
        return [r[0] for r in self.store.conn.execute(sql, args)]

    def unassigned(self) -> list[str]:
        # The newest first: the ones a receiver's Ofördelade shows at its top are the most pressing,
        # these are anywhere in it.
        return self.refs("SELECT ref FROM errands WHERE status = 'unassigned' ORDER BY id DESC")

    def pressing(self) -> list[str]:
        """Ofördelade in the dashboards' order: the errand at its top is the one a receiver
        assigns first (every receiver's screen then moves its rows up)."""
        from bcc_tui.services import errands

        return [s.ref for s in errands.panes(self.ctx[WRITER], limits={"unassigned": 200}).unassigned.rows]

    def held(self) -> list[tuple[str, str]]:
        return [
            (r[0], r[1])
            for r in self.store.conn.execute(
                "SELECT ref, assignee FROM errands WHERE status = 'assigned' AND partial_reply_at IS NULL"
                " ORDER BY id DESC"
            )
        ]

    def open_errand(self, ref: str) -> None:
        from bcc_tui.services import errands

        errands.show_errand(self.ctx[WRITER], ref)

    def note(self, ref: str) -> None:
        from bcc_tui.services import errands

        errands.note(self.ctx[WRITER], ref, "Ringde familjen, inget svar.")

    def new_errand(self) -> str:
        from bcc_tui.services import intake

        self.n += 1
        ref = f"BENCH-{os.getpid()}-{self.n:04d}"
        line = {
            "ref": ref,
            "type": "fornya_recept",
            "unit": "oppenvard",
            "received_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "patient": {"name": "Elsa Andersson", "personnummer": "20150315-1233"},
            "subject": "Förnya recept",
            "message": "Hej, receptet tar slut. Tack!",
        }
        intake.import_errands(self.system, (json.dumps(line, ensure_ascii=False) + "\n").encode())
        return ref

    def assign(self, ref: str, user: str) -> None:
        from bcc_tui.services import errands

        errands.assign(self.ctx[WRITER], ref, user)

    def partial(self, ref: str, holder: str) -> None:
        from bcc_tui.services import errands

        errands.partial_reply(self.ctx[holder], ref, "Vi återkommer i morgon.")


@dataclass
class Seen:
    kind: str
    terminal: Terminal
    shown: bool
    latency: float | None  # seconds from the commit to its last byte about the change
    cpu: float  # seconds, less the idle rate
    written: int


def settled(terminals: list[Terminal], timeout: float) -> None:
    """Wait until no dashboard has written for QUIET seconds and none has been at work (AT_WORK)
    for half a second: on a loaded machine a dashboard may start on a change after the others are
    done."""
    end = time.monotonic() + timeout
    last = {t.pid: cpu_seconds(t.pid) for t in terminals}
    still = time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.25)
        now = {t.pid: cpu_seconds(t.pid) for t in terminals}
        # An idle dashboard uses a little (its timers; now and then 1-4 ms at once): read to the
        # nanosecond, its count always moves. One at work on a change uses more than AT_WORK.
        if any(now[pid] - last[pid] > AT_WORK for pid in now):
            still = time.monotonic()
        last = now
        newest = max((t.chunks[-1][0] for t in terminals if t.chunks), default=0.0)
        if time.monotonic() - still >= 0.5 and time.monotonic() - newest >= QUIET:
            return


def clear_of_the_minute(settle: float) -> None:
    """Wait until a change and what the dashboards do about it cannot meet the minute's turn,
    when every dashboard draws its clock (and any age that turned): those bytes and that CPU are
    the clock's, not the change's."""
    into = time.time() % 60
    if into < 2.0 or into > 60 - min(settle, 8.0):
        time.sleep((62.0 - into) % 60)


def change(
    kind: str,
    terminals: list[Terminal],
    act,
    idle_rate: dict[int, float],
    settle: float,
    clear: bool = True,
) -> list[Seen]:
    """Make one change and watch every terminal until they are all done with it; clear: not near
    a minute's turn (--any-second: at any second)."""
    settled(terminals, 10)
    if clear:
        clear_of_the_minute(settle)
        settled(terminals, 10)
    before = {t.pid: cpu_seconds(t.pid) for t in terminals}
    marks = {t.pid: t.written for t in terminals}
    t_cpu = time.monotonic()
    act()
    t0 = time.monotonic()
    time.sleep(0.3)  # at least a poll's time before "quiet" can mean anything
    settled(terminals, settle)
    elapsed = time.monotonic() - t_cpu
    out = []
    for t in terminals:
        got = t.written - marks[t.pid]
        chunks = t.since(t0)
        latency = (chunks[-1][0] - t0) if got and chunks else None
        spent = cpu_seconds(t.pid) - before[t.pid] - idle_rate[t.pid] * elapsed
        out.append(Seen(kind, t, got > 0, latency, spent, got))
    return out


def timed_assigns(db: Path, pairs: list[tuple[str, str]]) -> list[float]:
    """Each assignment as a whole command-line process, one after the other."""
    times = []
    for ref, user in pairs:
        t = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "bcc_tui", "--db", str(db), "--as", WRITER, "assign", ref, user],
            capture_output=True,
            env=ENV,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - t)
        if r.returncode:
            raise RuntimeError(r.stderr.decode()[-400:])
    return times


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="many dashboards, one change: what it costs each")
    p.add_argument("--sessions", type=int, default=100)
    p.add_argument("--errands", type=int, default=100_000, help="when the database is built")
    p.add_argument("--db", help="reuse (or keep) the database here; changes are made in it")
    p.add_argument("--size", default="120x40", help="each terminal's COLSxROWS")
    p.add_argument("--repeat", type=int, default=6, help="changes of each kind")
    p.add_argument("--idle", type=float, default=65.0, help="seconds of idle measured")
    p.add_argument("--commands", type=int, default=10, help="assignments in a row by the command line")
    p.add_argument(
        "--any-second",
        action="store_true",
        help="changes also near a minute's turn (a smoke test: no waiting)",
    )
    args = p.parse_args(argv)
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    sys.path.insert(0, str(ROOT))
    from bench.compare import compile_code
    from bench.generate import build

    compile_code(ROOT)  # each dashboard and command would otherwise compile what was edited

    with tempfile.TemporaryDirectory(prefix="bcc-sessions-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "sessions.db"
        if not db.exists():
            info = build(db, args.errands)
            print(
                f"built {info['errands']} errands ({info['open']} open) in {info['seconds']:.1f} s",
                file=sys.stderr,
            )
        subprocess.run(
            [sys.executable, "-m", "bcc_tui", "--db", str(db), "--as", WRITER, "types"],
            capture_output=True,
            env=ENV,
            cwd=ROOT,
            check=True,
        )
        writer = Writer(db)
        free = writer.unassigned()
        need = 2 * args.commands + 3 * args.repeat
        if len(free) < need:
            for _ in range(need - len(free)):
                writer.new_errand()
            free = writer.unassigned()
        quiet_refs, busy_refs = free[: args.commands], free[args.commands : 2 * args.commands]
        free = free[2 * args.commands :]
        loads = {"before": load_average()}
        quiet_times = timed_assigns(db, [(r, DOCTORS[i % len(DOCTORS)]) for i, r in enumerate(quiet_refs)])

        reader = Reader()
        reader.start()
        terminals: list[Terminal] = []
        t_start = time.monotonic()
        for i in range(args.sessions):
            receiver = i % 2 == 0
            user = (
                RECEIVERS[(i // 2) % len(RECEIVERS)] if receiver else CAREGIVERS[(i // 2) % len(CAREGIVERS)]
            )
            t = start(user, receiver, db, (rows, cols))
            terminals.append(t)
            reader.add(t)
            if i % 4 == 3:
                painted(terminals[-4:], 60)
        painted(terminals, 120)
        quiet_for(terminals, 2.0, 120)
        woken = sum(inotified(t.pid) for t in terminals)
        started = time.monotonic() - t_start
        dead = [t.user for t in terminals if not t.open]
        print(f"{len(terminals)} dashboards started in {started:.0f} s; ended: {dead}", file=sys.stderr)

        # Idle: the rate each dashboard spends with nothing to do, and what it writes meanwhile.
        quiet_for(terminals, 2.0, 60)
        loads["idle"] = load_average()
        c0 = {t.pid: cpu_seconds(t.pid) for t in terminals}
        i0 = time.monotonic()
        wall0 = time.time()
        time.sleep(args.idle)
        idle_s = time.monotonic() - i0
        idle_rate = {t.pid: (cpu_seconds(t.pid) - c0[t.pid]) / idle_s for t in terminals}
        minute_marks = [
            i0 + (m - wall0) for m in range(int(wall0 // 60 + 1) * 60, int(wall0 + idle_s) + 1, 60)
        ]
        idle_bytes, clock_bytes = [], []
        for t in terminals:
            chunks = t.since(i0)
            at_minute = sum(n for when, n in chunks if any(-0.2 <= when - m <= 1.5 for m in minute_marks))
            clock_bytes.append(at_minute / max(1, len(minute_marks)))
            idle_bytes.append((sum(n for _, n in chunks) - at_minute) * 60 / idle_s)
        print(f"idle measured over {idle_s:.0f} s, {len(minute_marks)} minute change(s)", file=sys.stderr)

        # The changes.
        change_ = functools.partial(change, clear=not args.any_second)
        seen: list[Seen] = []
        held = writer.held()
        for i in range(args.repeat):
            ref = held[i % len(held)][0]
            seen += change_("open", terminals, lambda r=ref: writer.open_errand(r), idle_rate, 15)
        for i in range(args.repeat):
            ref = held[i % len(held)][0]
            seen += change_("note", terminals, lambda r=ref: writer.note(r), idle_rate, 15)
        for _ in range(args.repeat):
            seen += change_("new errand", terminals, writer.new_errand, idle_rate, 15)
        assigned = []
        for i in range(args.repeat):
            ref, user = free[i], DOCTORS[i % len(DOCTORS)]
            assigned.append((ref, user))
            seen += change_(
                "assign, newest errand", terminals, lambda r=ref, u=user: writer.assign(r, u), idle_rate, 15
            )
        for i in range(args.repeat):
            # The top one not kept for the commands below (it may be one of theirs).
            ref = next(r for r in writer.pressing() if r not in busy_refs)
            user = DOCTORS[i % len(DOCTORS)]
            assigned.append((ref, user))
            seen += change_(
                "assign, top of Ofördelade",
                terminals,
                lambda r=ref, u=user: writer.assign(r, u),
                idle_rate,
                15,
            )
        for ref, user in assigned:
            seen += change_(
                "partial reply", terminals, lambda r=ref, u=user: writer.partial(r, u), idle_rate, 15
            )

        quiet_for(terminals, QUIET, 10)
        loads["commands"] = load_average()
        busy_times = timed_assigns(db, [(r, DOCTORS[i % len(DOCTORS)]) for i, r in enumerate(busy_refs)])
        quiet_for(terminals, 2.0, 60)
        dead = [t.user for t in terminals if not t.open]
        for t in terminals:
            os.kill(t.pid, signal.SIGTERM)
        for t in terminals:
            os.waitpid(t.pid, 0)
        reader.stop = True

    report(
        args, terminals, seen, idle_rate, idle_bytes, clock_bytes, quiet_times, busy_times, loads, dead, woken
    )
    return 0


def _ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def report(
    args, terminals, seen, idle_rate, idle_bytes, clock_bytes, quiet_times, busy_times, loads, dead, woken
):
    n = len(terminals)
    print(
        f"\nMachine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"{dt.date.today():%Y-%m-%d}; {n} dashboards ({sum(t.receiver for t in terminals)} receivers, "
        f"{woken} told of writes by the kernel) at {args.size}, {args.repeat} changes of each kind; "
        f"load average {loads['before']} before, {loads['idle']} at idle, {loads['commands']} before "
        f"the commands"
    )
    if dead:
        print(f"dashboards that ended on their own: {dead}")
    print()
    print("| measure | result | goal | met |")
    print("|---|---|---|---|")
    rates = list(idle_rate.values())
    print(
        f"| idle: CPU per dashboard, mean / p95 / worst | {100 * statistics.mean(rates):.3f} / "
        f"{100 * p95(rates):.3f} / {100 * max(rates):.3f} % of a core | < 0.1 % | "
        f"{_met(p95(rates) < 0.001)} |"
    )
    print(
        f"| idle: output per dashboard between two minutes, mean / worst | {statistics.mean(idle_bytes):.0f} / "
        f"{max(idle_bytes):.0f} bytes a minute | 0 | {_met(max(idle_bytes) == 0)} |"
    )
    print(
        f"| idle: at the minute (the clock, and any age that turned), mean / worst | "
        f"{statistics.mean(clock_bytes):.0f} / {max(clock_bytes):.0f} bytes | their own few characters |  |"
    )
    unshown_all = [x for x in seen if not x.shown]
    if unshown_all:
        means = _per_terminal(unshown_all)
        print(
            f"| a change not shown: CPU per dashboard (its mean over all such), mean / p95 / worst | "
            f"{_ms(statistics.mean(means))} / {_ms(p95(means))} / {_ms(max(means))}; "
            f"{max(x.written for x in unshown_all)} bytes | < 2 ms, 0 bytes | "
            f"{_met(p95(means) < 0.002 and max(x.written for x in unshown_all) == 0)} |"
        )
    for kind in dict.fromkeys(x.kind for x in seen):
        of = [x for x in seen if x.kind == kind]
        shown = [x for x in of if x.shown]
        unshown = [x for x in of if not x.shown]
        line = f"| {kind}: shown by {len(shown) / (len(of) / n):.0f} of {n}"
        if unshown:
            line += f"; not shown: CPU {_ms(statistics.mean(x.cpu for x in unshown))} mean"
        print(line + " |  |  |  |")
        if not shown:
            continue
        means = _per_terminal(shown)
        sizes = [x.written for x in shown]
        lat = [x.latency for x in shown if x.latency is not None]
        print(
            f"| {kind}, shown: CPU per dashboard, mean / p95 / worst | {_ms(statistics.mean(means))} / "
            f"{_ms(p95(means))} / {_ms(max(means))} | < 20 ms | {_met(p95(means) < 0.020)} |"
        )
        print(
            f"| {kind}, shown: output per dashboard, mean / p95 / worst | {statistics.mean(sizes):.0f} / "
            f"{p95(sizes):.0f} / {max(sizes)} bytes | < 2 KB | {_met(max(sizes) < 2048)} |"
        )
        print(
            f"| {kind}, shown: commit → last byte, median / p95 / worst | {_ms(statistics.median(lat))} / "
            f"{_ms(p95(lat))} / {_ms(max(lat))} | p95 ≤ 1 s | {_met(p95(lat) <= 1.0)} |"
        )
    latencies = [x.latency for x in seen if x.shown and x.latency is not None]
    if latencies:
        print(
            f"| every change shown, commit → last byte, median / p95 / worst | "
            f"{_ms(statistics.median(latencies))} / {_ms(p95(latencies))} / {_ms(max(latencies))} | "
            f"p95 ≤ 1 s | {_met(p95(latencies) <= 1.0)} |"
        )
    q, b = statistics.median(quiet_times), statistics.median(busy_times)
    print(
        f"| `bcc-tui assign` (a whole process), median: no dashboard → {n} following it | {_ms(q)} → "
        f"{_ms(b)} ({b / q:.2f}×) | ≤ 2× | {_met(b <= 2 * q)} |"
    )
    print(
        f"| {len(busy_times)} assignments in a row: no dashboard → {n} | {sum(quiet_times):.1f} s → "
        f"{sum(busy_times):.1f} s |  |  |"
    )


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


def _per_terminal(items: list[Seen]) -> list[float]:
    """Each dashboard's mean CPU over its changes of one sort."""
    by: dict[int, list[float]] = {}
    for s in items:
        by.setdefault(s.terminal.pid, []).append(s.cpu)
    return [statistics.mean(v) for v in by.values()]


if __name__ == "__main__":
    raise SystemExit(main())
