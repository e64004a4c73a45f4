"""Fuzzing every command-line argument, environment variable and import field with hostile text
(issue 11): exit 0 or 1, never a traceback or crash report, no control character in the output."""

from __future__ import annotations

import contextlib
import io
import json
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bcc_tui.cli import main
from tests.conftest import STAFF, errand_line, jsonl
from tests.hostile import CONTROL, hostile

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)

H = "\0H\0"  # where the hostile string goes

# (user, argv): every argument a person can type, one at a time. Positionals come after "--" and
# options as "--opt=value", so that a value starting with "-" is a value, not a usage error.
COMMANDS = [
    ("rec1", ["show", "--", H]),
    ("rec1", ["show", "--json", "--", H]),
    ("rec1", ["note", f"--text={H}", "--", "1177-000001"]),
    ("rec1", ["note", "--text=x", "--", H]),
    ("rec1", ["assign", "--reassign", "--", "1177-000002", H]),
    ("rec1", ["assign", "--", H, "doc1"]),
    ("rec1", ["urgent", "--", H]),
    ("rec1", ["remind", "--", H]),
    ("doc1", ["partial-reply", f"--text={H}", "--", "1177-000003"]),
    ("doc1", ["partial-reply", "--text=x", f"--consulted={H}", "--", "1177-000003"]),
    ("doc1", ["reply", f"--text={H}", "--", "1177-000004"]),
    ("doc1", ["reply", f"--template={H}", "--", "1177-000004"]),
    ("doc1", ["close", f"--reason={H}", "--", "1177-000004"]),
    ("rec1", ["handover", f"--note={H}"]),
    ("rec1", ["stats", f"--from={H}"]),
    ("rec1", ["stats", f"--to={H}"]),
    ("rec1", ["list", "--limit=3"]),
    ("rec1", ["handover"]),
    ("adm", ["audit", f"--patient={H}"]),
    ("adm", ["audit", f"--user={H}"]),
    ("adm", ["audit", f"--from={H}"]),
    ("adm", ["audit", "--csv", f"--to={H}"]),
    ("adm", ["template", "add", f"--text={H}", "--", "mall"]),
    ("adm", ["template", "add", "--text=x", "--", H]),
    ("adm", ["template", "add", "--text=x", f"--type={H}", "--", "m2"]),
    ("adm", ["template", "edit", f"--text={H}", "--", "mall"]),
    ("adm", ["template", "edit", f"--rename={H}", "--", "mall"]),
    ("adm", ["template", "retire", "--", H]),
    ("adm", ["template", "list", f"--type={H}"]),
    ("adm", ["types", f"--set={H}", "--days=3"]),
    ("adm", ["types", "--set=fornya_recept", f"--name={H}"]),
    ("adm", ["types", "--set=fornya_recept", f"--default={H}"]),
    ("adm", ["notice", "--until=2026-11-30", "--", H]),
    ("adm", ["notice", f"--until={H}", "--", "x"]),
    ("adm", ["settings", f"--acute-words={H}"]),
    ("adm", ["template", "list"]),
    ("adm", ["audit"]),
    (H, ["list"]),
    (None, ["import", "--", H]),
    (None, ["staff", "import", "--", H]),
    (None, ["check"]),
    ("adm", ["outbox"]),
    ("DB", ["list"]),
    ("DB", ["import", "-"]),
]
ENV = ["BCC_NOW", "BCC_SMTP", "BCC_MAIL_FROM", "BCC_BUSY_TIMEOUT", "BCC_DB"]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse: usage errors
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


def assert_clean(code, out: str, err: str, what) -> None:
    assert code in (0, 1), (what, code, err)
    assert "Traceback" not in err and "oväntat fel" not in err, (what, err)
    assert not CONTROL.search(out) and not CONTROL.search(err), (what, out[-300:], err[-300:])


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    saved = dict(os.environ)
    os.environ.update(BCC_NOW="2026-11-25T10:00:00+01:00", XDG_STATE_HOME=str(folder / "state"))
    for key in ("SUDO_USER", "BCC_DB", "BCC_SMTP"):
        os.environ.pop(key, None)
    db = folder / "fuzz.db"
    (folder / "staff.jsonl").write_bytes(jsonl(*STAFF))
    (folder / "in.jsonl").write_bytes(
        jsonl(
            *(errand_line(f"1177-00000{i}") for i in range(1, 5)),
            errand_line("1177-000005", type="synpunkter_klagomal"),
        )
    )
    assert run(["--db", str(db), "staff", "import", str(folder / "staff.jsonl")])[0] == 0
    assert run(["--db", str(db), "import", str(folder / "in.jsonl")])[0] == 0
    assert run(["--db", str(db), "--as", "rec1", "assign", "1177-000003", "doc1"])[0] == 0
    assert run(["--db", str(db), "--as", "rec1", "assign", "1177-000004", "doc1"])[0] == 0
    yield db
    os.environ.clear()
    os.environ.update(saved)


@FUZZ
@given(command=st.sampled_from(COMMANDS), text=hostile())
def test_every_argument(fuzz_db, command, text):
    user, args = command
    # A hostile database name, kept inside the test's folder (no "/" in it: no way out).
    argv = [f"--db={fuzz_db.parent}/{text.replace('/', '_')}" if user == "DB" else f"--db={fuzz_db}"]
    if user not in (None, "DB"):
        argv += [f"--as={text}" if user == H else f"--as={user}"]
    argv += [text if a == H else a.replace(H, text) for a in args]
    assert_clean(*run(argv), argv[:6])


@FUZZ
@given(
    name=st.sampled_from(ENV), text=hostile(4), command=st.sampled_from([["list"], ["check"], ["handover"]])
)
def test_every_environment_variable(fuzz_db, name, text, command):
    saved = os.environ.get(name)
    try:
        # No environment can hold a NUL or a lone surrogate (os.environ refuses them itself).
        assume("\0" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text))
        # An empty BCC_NOW is the real clock: rows dated after the frozen one the other fuzz
        # tests share this database with, which then refuses that clock (session.py).
        assume(not (name == "BCC_NOW" and text == ""))
        os.environ[name] = text
        argv = ([] if name == "BCC_DB" else ["--db", str(fuzz_db)]) + ["--as=rec1", *command]
        assert_clean(*run(argv), (name, command))
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


ERRAND_FIELDS = [
    ("ref",),
    ("type",),
    ("unit",),
    ("received_at",),
    ("patient", "name"),
    ("patient", "personnummer"),
    ("submitted_by", "name"),
    ("submitted_by", "relation"),
    ("subject",),
    ("message",),
    ("contact_preference",),
    ("phone",),
    ("urgent",),
]
_counter = iter(range(10**6))


def _set(line: dict, path: tuple, value) -> dict:
    line = json.loads(json.dumps(line))
    target = line
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return line


def _dump(obj) -> bytes:
    # ensure_ascii: a lone surrogate becomes the JSON escape "\ud800", as a hostile file would have it
    return (json.dumps(obj) + "\n").encode()


@FUZZ
@given(field=st.sampled_from(ERRAND_FIELDS), text=hostile(), as_key=st.booleans())
def test_every_import_field(fuzz_db, tmp_path_factory, field, text, as_key):
    n = next(_counter)
    refs = [f"F{n}-a", f"F{n}-h", f"F{n}-b"]
    hostile_line = errand_line(refs[1])
    hostile_line = {**hostile_line, text: 1} if as_key else _set(hostile_line, field, text)
    data = b"".join(_dump(x) for x in (errand_line(refs[0]), hostile_line, errand_line(refs[2])))
    f = tmp_path_factory.mktemp("imp") / "in.jsonl"
    f.write_bytes(data)
    code, out, err = run(["--db", str(fuzz_db), "import", str(f)])
    assert_clean(code, out, err, field)
    assert out.startswith(("2 nya", "3 nya")), (out, err)  # the good lines are always kept
    # Whatever was stored reads back.
    for argv in (["show", "--", refs[1]], ["list", "--limit=5"], ["handover"], ["stats"]):
        code, out, err = run(["--db", str(fuzz_db), "--as=rec1", *argv])
        assert_clean(code, out, err, argv)


STAFF_FIELDS = ["username", "name", "title", "email", "roles"]
SCHEDULE = [
    {"date": "2026-11-26", "receiver": "rec1", "outpatient_doctors": ["doc1"]},
    {"absent": "doc2", "from": "2026-11-26", "to": "2026-11-27", "reason": "kurs"},
]


@FUZZ
@given(kind=st.sampled_from(["staff", "schedule"]), index=st.integers(0, 4), text=hostile())
def test_every_staff_and_schedule_field(fuzz_db, tmp_path_factory, kind, index, text):
    if kind == "staff":
        line = dict(STAFF[0], username="fuzzer")
        key = STAFF_FIELDS[index]
        line[key] = [text] if key == "roles" else text
    else:
        line = dict(SCHEDULE[index % 2])
        key = list(line)[index % len(line)]
        line[key] = [text] if key == "outpatient_doctors" else text
    f = tmp_path_factory.mktemp("imp") / "in.jsonl"
    f.write_bytes(_dump(line))
    assert_clean(*run(["--db", str(fuzz_db), kind, "import", str(f)]), (kind, key))
    assert_clean(*run(["--db", str(fuzz_db), "--as=rec1", "handover"]), "handover")
