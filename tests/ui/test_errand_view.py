"""Finding 17: the errand view suggests a caregiver only while the errand is unassigned."""

from __future__ import annotations

from bcc_tui.services import errands
from bcc_tui.ui.screens.errand import describe
from tests.conftest import NOW
from tests.ui.conftest import drive


def _text(ctx, ref: str) -> str:
    detail = errands.show_errand(ctx, ref)
    return "\n".join(block.plain for block in describe(detail, NOW, {}))


def test_the_suggestion_only_while_unassigned(clinic, as_):
    rec = as_("rec1")
    assert "Förslag:" in _text(rec, "1177-000001")
    errands.assign(rec, "1177-000001", "doc1")
    shown = _text(rec, "1177-000001")
    assert "Förslag:" not in shown and "Handläggare: doc1" in shown


def test_the_care_team_is_set_from_the_errand_and_drives_the_suggestion(clinic, app_for, as_):
    """Issue 26: `v` on an errand sets the patient's PAL; the errand view shows the team and the
    patient's earlier errands; the PAL is then suggested for a doctor's errand (a enter)."""
    from bcc_tui.services import errands as errands_

    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        app.open_errand("1177-000001")
        await pilot.pause(0.1)
        await pilot.press("v")
        await pilot.pause(0.1)
        form = app.screen
        form.query_one("#f-pal").value = "doc2"
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        return str(app.screen.query_one("#d-who").render())

    who = drive(app, scenario, size=(120, 40))
    assert (
        "Vårdteam: PAL Dag Doktor" in who
        and "Patientens andra ärenden: 4" in who
        and "Avslutad · Dag Doktor" in who
    )
    s = errands_.show_errand(as_("rec1"), "1177-000001").summary
    assert (s.suggestion.username, s.suggestion.reason) == ("doc2", "PAL")
    row = clinic.conn.execute(
        "SELECT actor, action, personnummer FROM audit WHERE action = 'care_team'"
    ).fetchone()
    assert row["actor"] == "rec1" and row["personnummer"] == "20150315-1233"
