"""Shared fixtures: real SQLite files in temporary folders, a frozen clock, people to act as."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import shutil
import subprocess as _subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings as _hypothesis_settings

from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.roles import SYSTEM_ACTOR
from bcc_tui.services import people
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import schema
from bcc_tui.store import staff as staff_q
from bcc_tui.store.db import Store

ROOT = Path(__file__).resolve().parents[1]

# The tests' folders (and so their SQLite files) on tmpfs where the machine has one: an fsync
# (synchronous=FULL) costs nothing there, and a disk busy with other work cannot stretch a test.
# No test checks the disk itself, only what SQLite is told and what another process sees.
# pytest reads this when it makes its base folder; xdist's workers get theirs inside it.
if "PYTEST_DEBUG_TEMPROOT" not in os.environ and os.access("/dev/shm", os.W_OK | os.X_OK):
    os.environ["PYTEST_DEBUG_TEMPROOT"] = "/dev/shm"

# The suite starts the program in many processes (terminals, commands, the benchmark) and each
# test worker imports every test module. Where the environment asks Python not to cache compiled
# modules, each of them compiled the whole program again: cache them for the run, and compile
# the program once here, before the workers and children start.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
if "PYTEST_XDIST_WORKER" not in os.environ:
    import compileall

    compileall.compile_dir(ROOT / "bcc_tui", quiet=2)

# In CI the fuzzing draws the same examples every run, so a landing is never decided by the luck
# of a draw; on a developer's machine each run explores new ones (and a find becomes a test).
_hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    _hypothesis_settings.load_profile("ci")
# The longest tests (several seconds each: real processes, terminals, slow mail servers, fuzzing)
# are started first. xdist hands tests out in collection order, so a long test collected last
# would run alone at the end while the other workers sit idle.
LONGEST_FIRST = (
    "tests/test_bench.py",
    "tests/ui/test_typeahead.py",  # a terminal typed into, five times: 5 s each, partly waiting
    "tests/ui/test_fuzz_ui.py",
    "tests/ui/test_pty_fuzz.py",
    "tests/services/test_mail_deadline.py",
    "tests/ui/test_terminal_session.py",
    "tests/cli/test_replication.py",
    "tests/ui/test_pty.py",
    "tests/cli/test_fuzz_cli.py",
    "tests/test_reliability.py",
    "tests/ui/test_nothing_cut.py",  # every screen of a role at one size: 3-4 s of CPU each
)


# A dashboard test allocates a few hundred thousand objects, and at Python's default thresholds
# (700, 10, 10) a quarter of a worker's time went to the cycle collector walking the same heap
# again and again. Young collections after 50,000 allocations, the middle generation after 100 of
# them (what a finished dashboard leaves is found among the young), and the heap as it is after
# collection (Textual, Hypothesis, every collected test) frozen out of the oldest: about 12 %.
gc.set_threshold(50_000, 100, 100)


def pytest_collection_finish(session) -> None:
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config) -> None:
    """A test worker's end: what its tests left behind in the oldest generation (finished
    dashboards, hundreds of thousands of objects, which the collector at the thresholds above
    leaves there for the process's life) is frozen, not walked. pytest collects five times over
    at the end of a session (to report an exception raised in a finalizer then, as a warning
    printed after the tests); on the whole heap of a worker that was one to two seconds of CPU
    each, and the memory goes back to the system when the worker exits a moment later. A
    finalizer's error during a test is reported with the test, as before."""
    if "PYTEST_XDIST_WORKER" in os.environ:
        gc.freeze()


def pytest_collection_modifyitems(items) -> None:
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(
        key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank))
    )  # stable: the rest keep their order


# Wed 25 Nov 2026, 10:00 in Stockholm: the frozen "now" of most tests.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM)

STAFF = [
    {"username": "rec1", "name": "Rita Receiver", "title": "medicinsk sekreterare", "roles": ["receiver"]},
    {"username": "rec2", "name": "Rolf Receiver", "title": "medicinsk sekreterare", "roles": ["receiver"]},
    {
        "username": "doc1",
        "name": "Doris Doktor",
        "title": "läkare",
        "roles": ["caregiver"],
        "email": "doc1@example.se",
        "email_notify": True,
    },
    {"username": "doc2", "name": "Dag Doktor", "title": "läkare", "roles": ["caregiver"]},
    {
        "username": "nurse",
        "name": "Nina Nurse",
        "title": "sjuksköterska",
        "roles": ["caregiver"],
        "medcontrol_responsible": True,
    },
    {"username": "lead", "name": "Lena Ledare", "title": "sektionsledare", "roles": ["caregiver"]},
    {"username": "adm", "name": "Adam Admin", "title": "administratör", "roles": ["admin"]},
    {"username": "gone", "name": "Gustav Gone", "title": "läkare", "roles": ["caregiver"], "active": False},
]


def errand_line(ref: str = "1177-000001", **over) -> dict:
    line = {
        "ref": ref,
        "type": "fornya_recept",
        "unit": "oppenvard",
        "received_at": "2026-11-25T08:14:00+01:00",
        "patient": {"name": "Elsa Andersson", "personnummer": "20150315-1233"},
        "submitted_by": {"name": "Sara Andersson", "relation": "mamma"},
        "subject": "Förnya recept",
        "message": "Hej, receptet på Bactrim tar slut. Tack!",
    }
    line.update(over)
    return line


def jsonl(*lines: dict) -> bytes:
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()


@pytest.fixture(autouse=True)
def _private_crash_reports(tmp_path_factory, monkeypatch):
    """A crash report written by a test's program (in-process, a subprocess or a terminal child)
    lands in the test's own folder, never in the home of whoever runs the suite."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "bcc.db"


@pytest.fixture(scope="session")
def _schema_template(tmp_path_factory) -> Path:
    """An empty database at the newest schema, made once per test process: a copy of it is a
    test's `store`, where creating the schema again cost every such test about 6 ms of CPU."""
    path = tmp_path_factory.mktemp("schema-template") / "bcc.db"
    template = Store(path)
    schema.migrate(template)
    template.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    template.close()
    return path


@pytest.fixture
def store(db_path, _schema_template):
    shutil.copyfile(_schema_template, db_path)
    os.chmod(db_path, 0o600)
    s = Store(db_path)
    assert schema.status(s).up_to_date
    yield s
    s.close()


@pytest.fixture
def system(store, clock) -> Ctx:
    ctx = Ctx(store, SYSTEM_ACTOR, clock)
    report = people.import_staff(ctx, jsonl(*STAFF))
    assert report.ok, report.rejected
    return ctx


@pytest.fixture
def as_(system, store, clock):
    """as_('rec1') -> a Ctx acting as that staff member."""

    def make(username: str) -> Ctx:
        with store.read() as conn:
            return Ctx(store, people.actor_from_row(staff_q.by_username(conn, username)), clock)

    return make


# What only a fresh interpreter honours (the locale, Python's own stream settings): a run that sets
# one of these goes through a real subprocess.
_INTERPRETER_ENV = ("LANG", "LC_", "PYTHON", "TERM", "COLUMNS", "NO_COLOR", "FORCE_COLOR")


def run_cli(
    *args: str,
    db: Path | None = None,
    stdin: bytes | None = None,
    now: str | None = "2026-11-25T10:00:00+01:00",
    env: dict | None = None,
    subprocess: bool = False,
):
    """The real command line: `bcc_tui.cli.main()` in this process (fast), or with
    `subprocess=True` (or an environment only a new interpreter reads) a real `python -m bcc_tui`.
    Either way the result is a CompletedProcess with bytes stdout/stderr."""
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("SUDO_USER", "SUDO_UID", "BCC_DB", "BCC_NOW")
    }
    if now:
        full_env["BCC_NOW"] = now
    full_env.update(env or {})
    argv = (["--db", str(db)] if db is not None else []) + list(args)
    if subprocess or any(k.startswith(_INTERPRETER_ENV) for k in (env or {})):
        return _subprocess.run(
            [sys.executable, "-m", "bcc_tui", *argv],
            input=stdin,
            capture_output=True,
            env=full_env,
            timeout=60,
        )
    return _in_process(argv, stdin or b"", full_env)


def _in_process(argv: list[str], stdin: bytes, env: dict):
    import io

    from bcc_tui.cli import main

    def text(buffer):
        return io.TextIOWrapper(
            buffer, encoding="utf-8", errors="backslashreplace", line_buffering=False, write_through=True
        )

    out, err = io.BytesIO(), io.BytesIO()
    saved_env = os.environ.copy()
    saved_streams = sys.stdin, sys.stdout, sys.stderr
    saved_umask = os.umask(0o022)
    os.umask(saved_umask)
    os.environ.clear()
    os.environ.update(env)
    streams = text(io.BytesIO(stdin)), text(out), text(err)  # kept: a dropped wrapper closes its buffer
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse: usage errors and --help
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_env)
        os.umask(saved_umask)
    result = _subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
    for stream in streams:
        stream.detach()
    return result
