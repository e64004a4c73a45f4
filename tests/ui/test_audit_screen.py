"""Finding 6: the audit screen's details in Swedish, with people's names, using the width."""

from __future__ import annotations

from textual.widgets import DataTable

from bcc_tui.ui.screens.audit import detail_text
from tests.ui.conftest import drive, settle
from tests.ui.test_snapshots import ROLE_PEOPLE, app_on

NAMES = {"magfor": "Magnus Forsberg", "johwes": "Johanna Westin"}


def test_details_read_as_swedish_with_names():
    assert detail_text("från magfor till johwes (Johanna Westin)", NAMES) == (
        "från Magnus Forsberg till Johanna Westin"
    )
    said = detail_text('{"user": null, "from": null, "to": null, "rows": 12}', NAMES)
    assert said == "rader 12"
    assert (
        detail_text('{"view": "dashboard", "filter": "Hugo"}', NAMES) == "vy instrumentpanelen, filter Hugo"
    )
    assert detail_text('{"from": "magfor", "items": 5, "done": 2, "note": true}', NAMES) == (
        "från Magnus Forsberg, ärenden 5, avklarade 2, anteckning ja"
    )
    assert detail_text("anteckning (12 tecken)", NAMES) == "anteckning (12 tecken)"
    # A deviation reported: its keys and its kind were shown in English, as stored.
    assert detail_text('{"deviation": 26, "kind": "acute_unhandled", "medcontrol": "MC-118"}', NAMES) == (
        "avvikelse 26, slag Akuta tecken ej hanterade i tid, MedControl PRO MC-118"
    )


def test_a_refusals_message_is_shown_as_it_was_written():
    """A hostile trial: `--as ' annlin'` was refused with " annlin finns inte …", and the log
    read "Anna Lindqvist finns inte …"; a staff member named Evil with the user name root read
    "Evil (Evil) får inte …". A refusal quotes what was asked: no name is put in for a word."""
    names = {**NAMES, "root": "Evil"}
    refused = " magfor finns inte i personallistan"
    assert detail_text(refused, names, "refused") == refused
    assert detail_text("Evil (root) får inte importera ärenden", names, "refused") == (
        "Evil (root) får inte importera ärenden"
    )
    assert detail_text("från magfor till johwes", names, "ok") == "från Magnus Forsberg till Johanna Westin"


def test_every_detail_the_services_write_reads_in_swedish():
    """Issue 29: the statistics, the deviation register, the handover and a type's change wrote
    details the log showed in English or as JSON ("errands 152", 'act give', 'ärendetyp
    fornya_recept: {"business_days": 5}')."""
    assert detail_text('{"from": "2026-11-01", "to": "2026-11-25", "errands": 152}', NAMES) == (
        "från 2026-11-01, till 2026-11-25, ärenden 152"
    )
    assert detail_text('{"listed": 5, "open": 2}', NAMES) == "visade 5, öppna 2"
    assert detail_text('{"act": "give", "items": 4, "done": 3, "note": false}', NAMES) == (
        "lämnade över, ärenden 4, avklarade 3, anteckning nej"
    )
    assert detail_text('{"act": "take", "from": "magfor", "given": true, "items": 4, "done": 1}', NAMES) == (
        "tog över, från Magnus Forsberg, ärenden 4, avklarade 1, lämnad över ja"
    )
    assert detail_text('ärendetyp fornya_recept: {"business_days": 5}', NAMES) == (
        "ärendetyp Förnya recept: vardagar 5"
    )
    assert detail_text(
        'ärendetyp begar_intyg: {"default_assignee": "top_doctor", "receivers_answer": 0}', NAMES
    ) == ("ärendetyp Begär intyg: förslag dagens läkare, besvaras av mottagare nej")


def test_the_details_use_the_width(demo_db):
    app = app_on(demo_db, ROLE_PEOPLE["auditor"])

    async def scenario(pilot):
        await settle(pilot)
        table = app.screen.query_one("#audit-table", DataTable)
        detail = next(c for c in table.columns.values() if c.key.value == "detail")
        cells = [table.get_cell_at((row, len(table.columns) - 1)).plain for row in range(table.row_count)]
        return detail.width, cells

    width, cells = drive(app, scenario, size=(200, 50))
    assert width >= 100
    assert cells and not [c for c in cells if c.startswith("{")], cells[:5]


def test_a_long_detail_is_cut_between_words():
    """Issue 29, R32: the details' column showed 'avslutat utan svar: Besvarat pe' and '0 avvis';
    a detail longer than its column is cut after its last whole word (enter shows it all)."""
    from bcc_tui.ui.render import cut_words

    assert cut_words("avslutat utan svar: Besvarat per telefon", 33) == "avslutat utan svar: Besvarat …"
    assert cut_words("1 nytt, 0 redan inlästa, 0 avvisade", 33) == "1 nytt, 0 redan inlästa, 0 …"
    assert cut_words("kort", 4) == "kort"
    assert cut_words("Kontaktsjuksköterska", 8) == "Kontakt…"  # one word longer than the room
