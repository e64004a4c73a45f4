"""What a person reads is Swedish and names people, not user names."""

from tests.conftest import run_cli
from tests.ui.conftest import demo_receiver


def test_show_names_the_suggested_person(demo_db):
    user = demo_receiver(demo_db)
    r = run_cli("--as", user, "show", "1177-260764", db=demo_db.path)
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "Förslag: Linnea Sjöberg" in out, out
