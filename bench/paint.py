"""One process, one first paint: `python -m bench.paint bare|dashboard DB USER`.

Prints seconds from BENCH_T0 (the parent's clock just before it started this process) until the
screen was painted — for the dashboard, with all three panes filled — and the peak memory.
"""

from __future__ import annotations

import os
import resource
import sys
import time


def main() -> None:
    t0 = float(os.environ["BENCH_T0"])
    mode = sys.argv[1]
    if mode == "bare":
        from textual.app import App
        from textual.widgets import Static

        class Bare(App):
            def compose(self):
                yield Static("bcc-tui")

        app = Bare()

        def ready() -> bool:
            return True
    else:
        import gc

        from bcc_tui.services.context import Ctx
        from bcc_tui.services.people import actor_from_row
        from bcc_tui.store import staff as staff_q
        from bcc_tui.store.db import Store

        store = Store(sys.argv[2])
        with store.read() as conn:
            actor = actor_from_row(staff_q.by_username(conn, sys.argv[3]))
        gc.disable()  # as the dashboard command does (cli/dashboard.py) before it imports the UI
        from bcc_tui.ui.app import make_app

        app = make_app(Ctx(store, actor))

        def ready() -> bool:
            return app.loads > 0

    result = {}

    async def pilot(p):
        while not ready():
            await p.pause(0.002)
        await p.pause()
        result["t"] = time.time() - t0
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=pilot)
    print(f"{result['t']:.4f} {peak_mb():.1f}")


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the program now running; Linux's
    ru_maxrss also counts the parent's memory copied at fork, so a benchmark that has grown makes
    its children look big."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
