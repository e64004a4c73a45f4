"""One process, one first paint: `python -m bench.paint bare|dashboard DB USER`.

Prints, in seconds from BENCH_T0 (the parent's clock just before it started this process): the
moment the app was idle with the screen painted — for the dashboard, with all three panes filled
—, the peak memory (MB), then the first frame composed once the panes were filled and the last
frame composed before that idle moment.

"Idle" is Pilot's own test (the process used under 1 ms of CPU in 20 ms): it waits at least 20 ms
after the last frame, and it counts whatever the app does after its first paint, drawn or not.
The frames say when the screen was composed (a headless app composes every frame and writes none;
App._display is where a terminal's app would write it), the bare app's as well as the dashboard's.
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

    frames: list[float] = []
    display = app._display

    def composed(screen, renderable) -> None:
        if renderable is not None and ready():
            frames.append(time.time() - t0)
        display(screen, renderable)

    app._display = composed
    result = {}

    async def pilot(p):
        while not ready():
            await p.pause(0.002)
        await p.pause()
        result["t"] = time.time() - t0
        app.exit()

    app.run(headless=True, size=(120, 40), auto_pilot=pilot)
    drawn = [t for t in frames if t <= result["t"]] or [result["t"]]
    print(f"{result['t']:.4f} {peak_mb():.1f} {drawn[0]:.4f} {drawn[-1]:.4f}")


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
