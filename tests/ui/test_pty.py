"""The real dashboard in a real pseudo-terminal: no escape sequence or markup action from patient
text reaches the terminal (issue 8)."""

import signal
import sqlite3

from tests.conftest import STAFF, errand_line, jsonl, run_cli
from tests.pty_session import PtySession

HOSTILE = (
    "START [@click=app.quit]klicka[/] [link=https://evil.example]länk[/link] [bold]fet "
    "\x1b]52;c;ZXZpbA==\x07 \x1b]8;;https://evil.example\x1b\\osc8\x1b]8;;\x1b\\ "
    "\x1b]0;kapad-titel\x07 \x1b[2Jrensa \x9b31mc1 \u202ebidi\u202c [obalanserad SLUT"
)


def test_hostile_text_never_reaches_the_terminal(tmp_path):
    db = tmp_path / "pty.db"
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*STAFF)).returncode == 0
    line = errand_line(
        "1177-000666",
        message=HOSTILE,
        subject="\x1b]0;titel\x07[@click=app.quit]Ämne",
        patient={"name": "\x1b[31mElsa\u202e [b]Andersson[/b]", "personnummer": "20150315-1233"},
    )
    assert run_cli("import", "-", db=db, stdin=jsonl(line)).returncode == 0

    # The real program, as a person would start it; everything it writes until it has ended.
    with PtySession(["--db", str(db), "--as", "rec1", "open", "1177-000666"], size=(40, 160)) as app:
        shown = app.wait_for(b"START", b"SLUT", "Händelser".encode())
        still_running = app.alive()
        app.write(b"q")
        ended = app.read_to_end()
        code = app.wait_exit()
        output = bytes(app.output)
    text = output.decode("utf-8", "replace")
    assert shown, "the hostile errand was shown"
    assert still_running, "the app must not have quit by itself"
    assert ended and code == 0, (code, text[-500:])  # it ended on q, not by a crash
    assert "START" in text and "SLUT" in text, "the hostile errand was shown"
    # Markup stays literal.
    assert "[@click=app.quit]klicka[/]" in text and "[link=https://evil.example]länk[/link]" in text
    # None of the patient's sequences reached the terminal.
    for seq in (
        b"\x1b]52;",
        b"\x1b]8;;https://evil",
        b"\x1b]0;kapad",
        b"\x1b]0;titel",
        b"\x1b[2Jrensa",
        b"\xc2\x9b",
        "\u202e".encode(),
        "\u202c".encode(),
        b"\x1b[31mElsa",
    ):
        assert seq not in output, seq


def test_a_dropped_terminal_keeps_the_text_typed_just_now(tmp_path):
    """R21: the terminal (an SSH connection) goes away a moment after the last key, before the
    debounced save: the hangup still keeps the draft."""
    db = tmp_path / "hup.db"
    assert run_cli("staff", "import", "-", db=db, stdin=jsonl(*STAFF)).returncode == 0
    assert run_cli("import", "-", db=db, stdin=jsonl(errand_line("1177-000777"))).returncode == 0
    with PtySession(["--db", str(db), "--as", "rec1", "open", "1177-000777"]) as app:
        assert app.wait_for("Händelser".encode()), bytes(app.output[-500:])
        since = app.mark()
        app.write(b"n")
        assert app.wait_for(b"Intern anteckning", since=since), bytes(app.output[since:])
        since = app.mark()
        app.write(b"Ringde mamma kl 10")
        # The hangup comes as soon as the last key is on screen: typed, not yet saved.
        assert app.wait_for(b"kl 10", since=since), bytes(app.output[since:])
        app.kill(signal.SIGHUP)  # what the terminal's going away sends
        assert app.wait_exit(30) is not None
    rows = sqlite3.connect(db).execute("SELECT username, form, fields FROM drafts").fetchall()
    assert rows == [("rec1", "note", '{"text": "Ringde mamma kl 10"}')]
