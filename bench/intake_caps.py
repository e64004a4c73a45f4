"""What hostile input costs an import (issue 28, item 4): each case a real `bcc-tui import` process,
its peak memory (the child's own ru_maxrss, from wait4) and its time.

    python -m bench.intake_caps [--dir PATH]

Cases: /dev/zero named as the file; /dev/zero on stdin; a 200 MB single line (with the file cap
raised to 300 MB so that the line cap decides, and with the default caps); a file of 100 MB + 1
byte; 100 MB in lines of just under 1 MB (what the caps let through, held whole); and a small
valid import for the floor. Nothing is asserted: docs/performance.md has the
numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1024 * 1024

STAFF = [
    {"username": "rec1", "name": "Rita Receiver", "title": "medicinsk sekreterare", "roles": ["receiver"]},
    {"username": "adm", "name": "Adam Admin", "title": "administratör", "roles": ["admin"]},
]
LINE = {
    "ref": "1177-000001",
    "type": "fornya_recept",
    "unit": "oppenvard",
    "received_at": "2026-11-25T08:14:00+01:00",
    "patient": {"name": "Elsa Andersson", "personnummer": "20150315-1233"},
    "subject": "Förnya recept",
    "message": "Hej, receptet tar slut. Tack!",
}


def run(db: Path, *args: str, stdin=None) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak MB, last line of stderr) of one command."""
    env = {**os.environ, "BCC_DB": str(db), "BCC_NOW": "2026-11-25T10:00:00+01:00"}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bcc_tui", *args],
        stdin=stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t
    last = err.strip().splitlines()[-1] if err.strip() else ""
    return proc.returncode, seconds, usage.ru_maxrss / 1024, last


def sparse_line(path: Path, size: int) -> None:
    """A file of `size` bytes that is one line of 'x' and a newline (written in 1 MB pieces)."""
    piece = b"x" * MB
    with path.open("wb") as f:
        left = size - 1
        while left > 0:
            f.write(piece[: min(MB, left)])
            left -= min(MB, left)
        f.write(b"\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", type=Path, help="where to write the test files (default: a temporary folder)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp_:
        tmp = Path(tmp_)
        db = tmp / "caps.db"
        staff = tmp / "staff.jsonl"
        staff.write_text("".join(json.dumps(x) + "\n" for x in STAFF))
        assert run(db, "staff", "import", str(staff))[0] == 0
        small = tmp / "small.jsonl"
        small.write_text(json.dumps(LINE) + "\n")
        long_line = tmp / "line200.jsonl"
        sparse_line(long_line, 200 * MB)
        over = tmp / "over.jsonl"
        sparse_line(over, 100 * MB + 1)
        full = tmp / "full.jsonl"  # 100 MB in lines just under the line cap: all held, all rejected
        with full.open("wb") as f:
            for _ in range(100):
                f.write(b"x" * (MB - 1) + b"\n")
        rows = []

        def case(label: str, *cmd: str, stdin_path: str | None = None) -> None:
            if stdin_path:
                with open(stdin_path, "rb") as stdin:
                    rows.append((label, *run(db, *cmd, stdin=stdin)))
            else:
                rows.append((label, *run(db, *cmd)))

        case("a valid one-line file (the floor)", "import", str(small))
        case("import /dev/zero", "import", "/dev/zero")
        case("import - < /dev/zero (default caps)", "import", "-", stdin_path="/dev/zero")
        case("a 200 MB single line, default caps", "import", str(long_line))
        case("a 200 MB single line on stdin, default caps", "import", "-", stdin_path=str(long_line))
        case("a file of 100 MB + 1 byte", "import", str(over))
        case("100 MB in 100 lines of 1 MB (both caps reached, not passed)", "import", str(full))
        assert run(db, "--as", "adm", "settings", "--import-max-file", "300")[0] == 0
        case("a 200 MB single line, file cap 300 MB", "import", str(long_line))
        case("the same on stdin, file cap 300 MB", "import", "-", stdin_path=str(long_line))
        print("| case | exit | time | peak RSS | what it said |")
        print("|---|---|---|---|---|")
        for label, code, seconds, peak, last in rows:
            print(f"| {label} | {code} | {seconds:.2f} s | {peak:.0f} MB | {last[:110]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
