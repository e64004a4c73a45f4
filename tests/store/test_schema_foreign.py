"""A SQLite file of another program is refused, not built into (issue 11's acceptance trial)."""

import sqlite3

from bcc_tui.cli import main


def test_another_programs_sqlite_file_is_one_clear_line(tmp_path, capsys, monkeypatch):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE errands (x)")
    conn.commit()
    conn.close()
    path.chmod(0o600)
    monkeypatch.delenv("SUDO_USER", raising=False)
    assert main(["--db", str(path), "list"]) == 1
    err = capsys.readouterr().err
    assert (
        err.strip() == f"bcc-tui: {path} är ingen bcc-tui-databas (den har tabeller men ingen schemaversion)"
    )
    assert sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall() == [("errands",)]
