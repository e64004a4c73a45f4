"""Shared fixtures: real SQLite files in temporary folders, a frozen clock, people to act as."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.roles import SYSTEM_ACTOR
from bcc_tui.services import people
from bcc_tui.services.clock import FixedClock
from bcc_tui.services.context import Ctx
from bcc_tui.store import schema
from bcc_tui.store import staff as staff_q
from bcc_tui.store.db import Store

ROOT = Path(__file__).resolve().parents[1]
# Wed 25 Nov 2026, 10:00 in Stockholm: the frozen "now" of most tests.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=STOCKHOLM)

STAFF = [
    {"username": "rec1", "name": "Rita Receiver", "title": "medicinsk sekreterare", "roles": ["receiver"]},
    {"username": "rec2", "name": "Rolf Receiver", "title": "medicinsk sekreterare", "roles": ["receiver"]},
    {"username": "doc1", "name": "Doris Doktor", "title": "läkare", "roles": ["caregiver"], "email": "doc1@example.se", "email_notify": True},
    {"username": "doc2", "name": "Dag Doktor", "title": "läkare", "roles": ["caregiver"]},
    {"username": "nurse", "name": "Nina Nurse", "title": "sjuksköterska", "roles": ["caregiver"], "medcontrol_responsible": True},
    {"username": "lead", "name": "Lena Ledare", "title": "sektionsledare", "roles": ["caregiver"]},
    {"username": "adm", "name": "Adam Admin", "title": "administratör", "roles": ["admin"]},
    {"username": "gone", "name": "Gustav Gone", "title": "läkare", "roles": ["caregiver"], "active": False},
]


def errand_line(ref: str = "1177-000001", **over) -> dict:
    line = {
        "ref": ref, "type": "fornya_recept", "unit": "oppenvard",
        "received_at": "2026-11-25T08:14:00+01:00",
        "patient": {"name": "Elsa Andersson", "personnummer": "20150315-1233"},
        "submitted_by": {"name": "Sara Andersson", "relation": "mamma"},
        "subject": "Förnya recept", "message": "Hej, receptet på Bactrim tar slut. Tack!",
    }
    line.update(over)
    return line


def jsonl(*lines: dict) -> bytes:
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "bcc.db"


@pytest.fixture
def store(db_path):
    s = Store(db_path)
    schema.migrate(s)
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


def run_cli(*args: str, db: Path | None = None, stdin: bytes | None = None,
            now: str | None = "2026-11-25T10:00:00+01:00", env: dict | None = None):
    """The real command line in a real subprocess."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("SUDO_USER", "SUDO_UID", "BCC_DB", "BCC_NOW")}
    if now:
        full_env["BCC_NOW"] = now
    full_env.update(env or {})
    cmd = [sys.executable, "-m", "bcc_tui"]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd + list(args), input=stdin, capture_output=True, env=full_env,
                          timeout=60)
