"""The performance benchmark of issue 7: one command, one table, each figure beside its floor.

    python -m bench.run [--errands 100000] [--repeat 5] [--db PATH]

Builds (or reuses) a database of N errands over five years, then measures on this machine:
the dashboard's first paint against a bare Textual app's, key press to updated screen (move,
open, assign), a change by another process until it shows, `bcc-tui import` of 10,000 errands
against a plain sqlite-utils insert_all script, `list --json` and `stats` on the whole history,
and the dashboard's peak memory. Nothing here is asserted: the numbers go into
docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
USER = "annlin"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("BCC_NOW", None)


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, env=kw.pop("env", ENV), cwd=ROOT, **kw)


def timed(args: list[str], repeat: int, **kw) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = _run(args, **kw)
        times.append(time.perf_counter() - t)
        if r.returncode not in (0,):
            raise RuntimeError(f"{args}: {r.stderr.decode()[-400:]}")
    return statistics.median(times)


def paint(mode: str, db: Path, repeat: int) -> tuple[float, float]:
    times, rss = [], []
    for _ in range(repeat):
        env = {**ENV, "BENCH_T0": repr(time.time())}
        r = _run([sys.executable, "-m", "bench.paint", mode, str(db), USER], env=env)
        if r.returncode:
            raise RuntimeError(r.stderr.decode()[-800:])
        t, m = r.stdout.split()
        times.append(float(t))
        rss.append(float(m))
    return statistics.median(times), max(rss)


class Frames:
    """Key press to updated screen, measured inside the app: the time from posting the key to the
    first frame the compositor hands to the driver after the change is visible in the app's
    state. (Pilot's press() waits for idleness in 20 ms steps, so it cannot measure this.)"""

    def __init__(self, app) -> None:
        self.app = app
        self.times: list[float] = []
        original = app._display

        def display(screen, renderable):
            if renderable is not None:
                self.times.append(time.perf_counter())
            return original(screen, renderable)

        app._display = display

    async def measure(self, key: str, changed) -> float:
        start = time.perf_counter()
        self.app.simulate_key(key)
        while not changed():
            await asyncio.sleep(0.0005)
        seen = time.perf_counter()
        while not self.times or self.times[-1] < seen:
            await asyncio.sleep(0.0005)
        return self.times[-1] - start if self.times[-1] >= seen else seen - start


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def keys_and_live(db: Path, presses: int) -> dict[str, float]:
    """In one dashboard: key press to updated screen, and another process's change until shown."""
    from bcc_tui.services.context import Ctx
    from bcc_tui.services.people import actor_from_row
    from bcc_tui.store import staff as staff_q
    from bcc_tui.store.db import Store
    from bcc_tui.ui.app import make_app
    from bcc_tui.ui.widgets.errand_table import ErrandTable

    store = Store(db)
    with store.read() as conn:
        actor = actor_from_row(staff_q.by_username(conn, USER))
    app = make_app(Ctx(store, actor))
    out: dict[str, list[float]] = {"move": [], "open": [], "assign": [], "live": []}

    async def scenario():
        async with app.run_test(size=(120, 40)) as pilot:
            while app.loads == 0:
                await pilot.pause(0.01)
            await pilot.pause()
            frames = Frames(app)
            table = app.screen.query_one("#table-unassigned", ErrandTable)
            for i in range(presses):
                row = table.cursor_row
                key = "down" if i % 2 == 0 else "up"
                out["move"].append(await frames.measure(key, lambda r=row: table.cursor_row != r))
            await pilot.pause()
            for _ in range(max(3, presses // 5)):
                out["open"].append(await frames.measure("enter", lambda: type(app.screen).__name__ == "ErrandScreen"))
                await pilot.press("escape")
                await pilot.pause()
            for _ in range(max(3, presses // 10)):
                if not table.order:
                    break
                ref = table.current_ref
                await pilot.press("a")
                await pilot.press(*"erik")
                await pilot.pause()
                out["assign"].append(await frames.measure("enter", lambda r=ref: r not in table.order))
                await pilot.pause()
            for _ in range(max(3, presses // 10)):
                if not table.order:
                    break
                ref = table.order[-1]
                code = textwrap.dedent(f"""
                    import time
                    from bcc_tui.services.context import Ctx
                    from bcc_tui.services import errands
                    from bcc_tui.services.people import actor_from_row
                    from bcc_tui.store import staff as staff_q
                    from bcc_tui.store.db import Store
                    s = Store({str(db)!r})
                    with s.read() as c:
                        a = actor_from_row(staff_q.by_username(c, "marber"))
                    errands.assign(Ctx(s, a), {ref!r}, "magfor")
                    print(repr(time.time()))
                """)
                proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, env=ENV,
                                                            stdout=asyncio.subprocess.PIPE, cwd=str(ROOT))
                while ref in table.order:
                    await pilot.pause(0.002)
                seen = time.time()
                stdout, _ = await proc.communicate()
                out["live"].append(seen - float(stdout.decode().strip()))

    asyncio.run(scenario())
    store.close()
    return {k: (p95(v) if k != "live" else max(v)) if v else float("nan") for k, v in out.items()}


def floor_keys(presses: int) -> dict[str, float]:
    """The same key presses in a bare Textual app: a 300-row DataTable, a pushed screen of text,
    a modal with an input whose enter changes the table — what Textual and Pilot cost alone."""
    from textual.app import App
    from textual.screen import ModalScreen, Screen
    from textual.widgets import DataTable, Input, Static

    class Detail(Screen):
        BINDINGS = [("escape", "app.pop_screen", "")]

        def compose(self):
            yield Static("Ärende\n" + "Text. " * 400)

    class Form(ModalScreen):
        def compose(self):
            yield Input()

        def on_input_submitted(self, event):
            self.dismiss(event.value)

    class Bare(App):
        BINDINGS = [("a", "form", "")]

        def compose(self):
            yield DataTable(cursor_type="row")

        def on_mount(self):
            t = self.query_one(DataTable)
            for c in ("Ärende", "Typ", "Ålder", "Tid kvar", "Vem"):
                t.add_column(c)
            for i in range(300):
                t.add_row(f"1177-{i:06d}", "Förnya recept", "2 d", "1 vd kvar", "E. Lindgren", key=str(i))

        def on_data_table_row_selected(self, event):
            self.push_screen(Detail())

        def action_form(self):
            self.push_screen(Form(), lambda v: self.query_one(DataTable).remove_row(
                self.query_one(DataTable).coordinate_to_cell_key((0, 0)).row_key))

    app = Bare()
    out: dict[str, list[float]] = {"move": [], "open": [], "assign": []}

    async def scenario():
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            frames = Frames(app)
            table = app.query_one(DataTable)
            for i in range(presses):
                row = table.cursor_row
                out["move"].append(await frames.measure("down" if i % 2 == 0 else "up",
                                                        lambda r=row: table.cursor_row != r))
            for _ in range(max(3, presses // 5)):
                out["open"].append(await frames.measure("enter", lambda: isinstance(app.screen, Detail)))
                await pilot.press("escape")
                await pilot.pause()
            for _ in range(max(3, presses // 10)):
                await pilot.press("a", *"erik")
                await pilot.pause()
                rows = table.row_count
                out["assign"].append(await frames.measure("enter", lambda n=rows: table.row_count != n))
                await pilot.pause()

    asyncio.run(scenario())
    return {k: p95(v) for k, v in out.items()}


def import_pair(folder: Path, n: int, repeat: int) -> tuple[float, float]:
    from bcc_tui.domain.personnummer import check_digit

    lines = []
    for i in range(n):
        serial = f"{i % 999 + 1:03d}"  # 001–999, as Skatteverket issues them
        nine = f"15031{i % 10}{serial}"
        pnr = f"2015031{i % 10}-{serial}{check_digit(nine)}"
        lines.append(json.dumps({"ref": f"IMP-{i:06d}", "type": "fornya_recept", "unit": "oppenvard",
                                 "received_at": "2026-11-20T09:00:00+01:00",
                                 "patient": {"name": f"Patient {i}", "personnummer": pnr},
                                 "message": "Hej, receptet behöver förnyas. Tack!"}, ensure_ascii=False))
    data = folder / "import.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    staff = ROOT / "fixtures" / "demo" / "staff.jsonl"
    ours, floor = [], []
    script = textwrap.dedent("""
        import json, sys, sqlite_utils
        db = sqlite_utils.Database(sys.argv[1])
        with open(sys.argv[2], encoding="utf-8") as f:
            db["errands"].insert_all((json.loads(line) for line in f), pk="ref")
    """)
    for k in range(repeat):
        db = folder / f"imp{k}.db"
        _run([sys.executable, "-m", "bcc_tui", "--db", str(db), "staff", "import", str(staff)])
        t = time.perf_counter()
        r = _run([sys.executable, "-m", "bcc_tui", "--db", str(db), "import", str(data)])
        ours.append(time.perf_counter() - t)
        if r.returncode:
            raise RuntimeError(r.stderr.decode()[-400:])
        t = time.perf_counter()
        _run([sys.executable, "-c", script, str(folder / f"plain{k}.db"), str(data)])
        floor.append(time.perf_counter() - t)
    return statistics.median(ours), statistics.median(floor)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="bcc-tui benchmark")
    p.add_argument("--errands", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--presses", type=int, default=60)
    p.add_argument("--import-errands", type=int, default=10_000)
    p.add_argument("--db", help="reuse (or keep) the generated database here")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench.generate import build

    with tempfile.TemporaryDirectory(prefix="bcc-bench-") as tmp:
        folder = Path(tmp)
        db = Path(args.db) if args.db else folder / "bench.db"
        if not db.exists():
            info = build(db, args.errands)
            print(f"built {info['errands']} errands ({info['open']} open) in {info['seconds']:.1f} s", file=sys.stderr)
        bare, _ = paint("bare", db, args.repeat)
        dash, rss = paint("dashboard", db, args.repeat)
        keys = keys_and_live(db, args.presses)
        floor = floor_keys(args.presses)
        ours, plain = import_pair(folder, args.import_errands, max(1, args.repeat // 2))
        cli = [sys.executable, "-m", "bcc_tui", "--db", str(db), "--as", USER]
        t_list = timed(cli + ["list", "--json"], args.repeat)
        t_stats = timed(cli + ["stats", "--from", "2000-01-01"], args.repeat)
    rows = [
        ("first paint, dashboard (3 panes filled)", f"{dash * 1000:.0f} ms", f"bare Textual app {bare * 1000:.0f} ms",
         f"≤ 1.5× ({dash / bare:.2f}×)", dash <= 1.5 * bare),
        ("key: move cursor, p95", f"{keys['move'] * 1000:.1f} ms",
         f"bare DataTable {floor['move'] * 1000:.1f} ms", "≤ 50 ms", keys["move"] <= 0.05),
        ("key: open errand, p95", f"{keys['open'] * 1000:.1f} ms",
         f"bare push screen {floor['open'] * 1000:.1f} ms", "≤ 50 ms", keys["open"] <= 0.05),
        ("key: assign (enter in form → panes updated), p95", f"{keys['assign'] * 1000:.1f} ms",
         f"bare modal → row {floor['assign'] * 1000:.1f} ms", "≤ 50 ms", keys["assign"] <= 0.05),
        ("another process's change shown, worst", f"{keys['live'] * 1000:.0f} ms", "", "≤ 1 s", keys["live"] <= 1.0),
        (f"import {args.import_errands} errands (process)", f"{ours:.2f} s ({args.import_errands / ours:.0f}/s)",
         f"sqlite-utils insert_all {plain:.2f} s", f"≥ 2000/s, ≤ 3× ({ours / plain:.2f}×)",
         args.import_errands / ours >= 2000 and ours <= 3 * plain),
        (f"list --json, {args.errands} errands", f"{t_list:.2f} s", "", "", True),
        ("stats, whole history", f"{t_stats:.2f} s", "", "", True),
        ("dashboard peak memory", f"{rss:.0f} MB", "", "≤ 250 MB", rss <= 250),
    ]
    print(f"bcc-tui benchmark · {args.errands} errands · {platform.python_implementation()} "
          f"{platform.python_version()} · {os.cpu_count()} cores · {platform.machine()}")
    print()
    print("| measure | bcc-tui | floor, same run | goal | met |")
    print("|---|---|---|---|---|")
    for name, value, floor_text, goal, ok in rows:
        print(f"| {name} | {value} | {floor_text} | {goal} | {'yes' if ok else 'NO'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
