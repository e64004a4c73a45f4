"""Issue 15 in the dashboard, by key presses: absence everywhere (R22), nothing typed is lost
(R21), load-aware assignment (R24), told at once (R23), and the small things (R25, R26, docs/routine.md 5)."""

import contextlib
import time

import pytest

from bcc_tui.domain.personnummer import check_digit
from bcc_tui.services import errands, intake, people
from bcc_tui.store.db import Store
from bcc_tui.ui.screens.forms import AssignForm, KeepDraftDialog, NoteForm, PartialReplyForm, ReplyForm
from bcc_tui.ui.textual_compat import notifications
from bcc_tui.ui.widgets.announcement import Announcement
from bcc_tui.ui.widgets.errand_table import ErrandTable
from tests.conftest import errand_line, jsonl
from tests.ui.conftest import (
    acute_errand,
    acute_errand_of_doc1,
    announced,
    ctx_for,
    drive,
    partial_reply_form,
    prompts,
    settle,
)


async def wait_for(pilot, condition, timeout=30.0) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition did not come true in time")


def absent(system, who="doc1"):
    people.import_schedule(
        system,
        jsonl(
            {"date": "2026-11-25", "receiver": "rec1", "outpatient_doctors": ["doc1", "doc2"]},
            {"absent": who, "from": "2026-11-25", "to": "2026-11-26", "reason": "Sjuk"},
        ),
    )


def drafts_in(store):
    return store.conn.execute("SELECT username, form, fields FROM drafts").fetchall()


def messages(app):
    """What the app says: its toasts, and the announcements to a caregiver (R23)."""
    return [n.message for n in notifications(app)] + announced(app.screen)


# -- R22: absence -----------------------------------------------------------------------------
def test_rows_held_by_someone_absent_say_so(clinic, app_for, system):
    absent(system)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        return str(app.screen.query_one("#table-assigned", ErrandTable).get_cell("1177-000005", "who"))

    assert drive(app, scenario).startswith("frånv.")


def test_m_on_an_absent_holder_offers_reassignment_and_ctrl_a_twice_moves_all(clinic, app_for, system, as_):
    absent(system)
    errands.assign(as_("rec1"), "1177-000001", "doc1")
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("tab", "m")
        form = app.screen
        assert isinstance(form, AssignForm) and form.reassign
        subtitle = str(form.query_one(".form-subtitle").render())
        await pilot.press(*"dag d", "ctrl+a")
        await settle(pilot)
        # All of someone's errands at once: asked, in numbers, before it is done.
        asked = str(form.query_one("#form-error").render())
        held = clinic.conn.execute("SELECT count(*) FROM errands WHERE assignee = 'doc1'").fetchone()[0]
        await pilot.press("ctrl+a")
        await settle(pilot)
        return subtitle, asked, held, messages(app)

    subtitle, asked, held_after_one, said = drive(app, scenario)
    assert "frånvarande idag (Sjuk)" in subtitle and "Omfördela" in subtitle
    assert asked.startswith("Flytta 2 öppna ärenden från Doris Doktor till Dag Doktor?"), asked
    assert held_after_one == 2
    held = dict(clinic.conn.execute("SELECT ref, assignee FROM errands WHERE status = 'assigned'").fetchall())
    assert held == {"1177-000001": "doc2", "1177-000005": "doc2"}
    assert any(m.startswith("2 ärenden flyttade från Doris Doktor till Dag Doktor") for m in said)
    assert clinic.conn.execute("SELECT count(*) FROM events WHERE kind = 'remind'").fetchone()[0] == 0


# -- R24: load ----------------------------------------------------------------------------------
def test_assign_list_shows_each_caregivers_load(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("a")
        ol = app.screen.query_one("#assign-list")
        return prompts(ol)

    labels = drive(app, scenario)
    doris = next(x for x in labels if "Doris Doktor" in x)
    assert "1 öppet" in doris and next(x for x in labels if "Dag Doktor" in x).count("0 öppna") == 1


# -- R21: drafts ----------------------------------------------------------------------------------
def test_a_reply_draft_survives_the_terminal_going_away(clinic, app_for):
    first = app_for(clinic, "doc1")

    async def typing(pilot):
        await pilot.press("r", *"Vi ringer dig i morgon")
        await wait_for(pilot, lambda: drafts_in(clinic))
        # The terminal goes away: no escape, no send.

    drive(first, typing)
    assert [tuple(r)[:2] for r in drafts_in(clinic)] == [("doc1", "reply")]
    again = app_for(clinic, "doc1")

    async def reopen(pilot):
        await pilot.press("r")
        form = again.screen
        assert isinstance(form, ReplyForm)
        text = form.query_one("#form-text").text
        note = str(form.query_one("#form-error").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        return text, note

    text, note = drive(again, reopen)
    assert text == "Vi ringer dig i morgon" and "utkast" in note
    assert drafts_in(clinic) == []  # sent: the draft went with the reply
    audited = [r[0] for r in clinic.conn.execute("SELECT detail FROM audit WHERE action = 'draft'")]
    assert audited == ["utkast sparat: svar (22 tecken)", "utkast öppnat: svar"]


def test_closing_without_reply_says_a_kept_reply_is_not_sent_and_takes_it_away(clinic, app_for, as_):
    """A keyboard trial: a reply kept as a draft, then x: the errand closed and nothing said the
    reply would never go. The close form says so first; the draft goes with the errand."""
    from bcc_tui.services import drafts

    drafts.save(as_("doc1"), "1177-000005", "reply", {"text": "Hej Vera, vi flyttar tiden"})
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        await pilot.press("x")
        await settle(pilot)
        said = str(app.screen.query_one(".form-subtitle").render())
        await pilot.press(*"Besvarat per telefon", "ctrl+s")
        await settle(pilot)
        return said

    said = drive(app, scenario)
    assert "Ditt utkast till svar skickas inte; det tas bort." in said, said
    assert (
        clinic.conn.execute("SELECT status FROM errands WHERE ref = '1177-000005'").fetchone()[0] == "closed"
    )
    assert drafts_in(clinic) == []
    # Which drafts there are is not their text: looking did not log a draft's reading; the
    # removal with the errand is logged, naming whose it was.
    assert [r[0] for r in clinic.conn.execute("SELECT detail FROM audit WHERE action = 'draft'")] == [
        "utkast sparat: svar (26 tecken)",
        "utkast borttaget: svar av doc1 (ärendet avslutat)",
    ]


def test_escape_asks_to_keep_or_discard(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("down", "n", *"Ringt", "escape")
        await pilot.press("escape")  # go on writing
        assert isinstance(app.screen, NoteForm)
        await pilot.press(*" mamma", "escape")
        asked = isinstance(app.screen, KeepDraftDialog)
        await pilot.press("enter")  # keep
        await settle(pilot)
        kept = [tuple(r)[:2] for r in drafts_in(clinic)]
        back = app.screen.__class__.__name__
        await pilot.press("n")
        restored = app.screen.query_one("#form-text").text
        await pilot.press("escape", "s")  # throw it away
        await settle(pilot)
        return asked, kept, back, restored, app.screen.__class__.__name__

    asked, kept, back, restored, end = drive(app, scenario)
    assert asked and kept == [("rec1", "note")] and back == "DashboardScreen"
    assert restored == "Ringt mamma" and end == "DashboardScreen"
    assert drafts_in(clinic) == []
    assert clinic.conn.execute("SELECT count(*) FROM events WHERE kind = 'note'").fetchone()[0] == 0


def test_a_refused_send_keeps_the_form_open_with_the_reason(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("down", "n")
        form = app.screen
        form.query_one("#form-text").text = "x" * 5001
        await pilot.press("ctrl+s")
        await settle(pilot)
        return (
            app.screen is form,
            str(form.query_one("#form-error").render()),
            form.query_one("#form-text").text,
        )

    still_open, reason, text = drive(app, scenario)
    assert still_open and "för lång (5001 tecken, högst 5000)" in reason and len(text) == 5001
    assert [tuple(r)[:2] for r in drafts_in(clinic)] == [("rec1", "note")]


def test_r_p_x_refuse_before_the_form_opens(clinic, app_for, as_):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("down", "r")  # unassigned: cannot be answered yet
        after_r = app.screen.__class__.__name__
        await pilot.press("tab", "tab", "p", "x")  # the closed pane
        return after_r, app.screen.__class__.__name__, messages(app)

    after_r, after_px, said = drive(app, scenario)
    assert after_r == after_px == "DashboardScreen"
    assert any("inte fördelat ännu" in m for m in said)
    assert sum("redan avslutat" in m for m in said) == 2


def test_losing_a_race_speaks_the_dashboards_language(clinic, app_for, as_):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("down", "down", "a")
        errands.assign(as_("rec2"), "1177-000001", "doc2")  # someone else was quicker
        await pilot.press("enter")
        await settle(pilot)
        return messages(app)

    said = drive(app, scenario)
    refusal = next(m for m in said if "redan fördelat" in m)
    assert "--" not in refusal and "tryck a" in refusal


# -- docs/routine.md 5: the partial reply tells the truth ------------------------------------------------------
def test_partial_reply_on_an_overdue_errand_says_it_is_late(clinic, app_for):
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("down", "p")  # 1177-000002 is overdue
        assert isinstance(app.screen, PartialReplyForm)
        late = str(app.screen.query_one(".form-subtitle").render())
        await pilot.press("escape", "down", "p")  # 1177-000001 is in time
        return late, str(app.screen.query_one(".form-subtitle").render())

    late, in_time = drive(app, scenario)
    assert "för sent" in late and "uppfylld" not in late
    assert "uppfyller regeln" in in_time


# -- R25: acute handled ---------------------------------------------------------------------------
def test_acute_banner_marked_handled_no_longer_pins(clinic, app_for, system):
    acute_errand(system, "Hon har feber igen.")
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        table = app.screen.query_one("#table-unassigned", ErrandTable)
        first = table.order[0]
        await pilot.press("K", *"Familjen kontaktad", "ctrl+s")
        await settle(pilot)
        await wait_for(pilot, lambda: table.order[0] != "1177-000077")
        await pilot.press("enter")  # whatever is now first; open the acute errand instead
        await pilot.press("escape")
        app.open_errand("1177-000077")
        await settle(pilot)
        head = str(app.screen.query_one("#d-head").render())
        return first, head

    first, head = drive(app, scenario)
    assert first == "1177-000077"
    assert "hanterade" in head and "Familjen kontaktad" in head and "Rita Receiver" in head
    ev = clinic.conn.execute("SELECT actor, text FROM events WHERE kind = 'acute_handled'").fetchone()
    assert tuple(ev) == ("rec1", "Familjen kontaktad")


def test_a_closed_errand_says_its_acute_signs_were_never_marked_and_k_still_marks_them(
    clinic, app_for, system, as_
):
    """Replied to with its acute signs never marked handled, the closed errand showed no sign of
    them: a review read it as an ordinary message (R11, R25). And a nurse's trial: it could never
    have the call recorded ("är redan avslutat och kan inte få akuta tecken markerade som
    hanterade")."""
    acute_errand_of_doc1(system, as_)
    errands.reply(as_("doc1"), "1177-000077", "Vi ringer er i eftermiddag.")
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        await settle(pilot)
        app.open_errand("1177-000077")
        await settle(pilot)
        before = str(app.screen.query_one("#d-head").render())
        await pilot.press("K", *"Mamma ringd 14.10", "ctrl+s")
        await settle(pilot)
        return before, str(app.screen.query_one("#d-head").render())

    before, after = drive(app, scenario)
    assert "Avslutad" in before, before
    assert "Akuta tecken (Feber: feber 39,2) — aldrig markerade hanterade  K: markera hanterat" in before, (
        before
    )
    assert "Akuta tecken (Feber: feber 39,2) hanterade" in after and "Mamma ringd 14.10" in after, after
    row = clinic.conn.execute(
        "SELECT status, acute_handled_at FROM errands WHERE ref = '1177-000077'"
    ).fetchone()
    assert row["status"] == "closed" and row["acute_handled_at"] is not None


def test_the_assign_list_writes_an_absences_last_day_as_every_other_date(clinic, app_for, system):
    """The list said "FRÅNVARANDE (Sjuk), t.o.m. 26/11"; every other date reads "tors 26 nov"."""
    absent(system)
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("a")
        await settle(pilot)
        listed = app.screen.query_one("#assign-list")
        return prompts(listed)

    doc1 = next(line for line in drive(app, scenario) if "Doris" in line)
    assert "FRÅNVARANDE (Sjuk), t.o.m. tors 26 nov" in doc1, doc1


def test_the_partial_reply_says_the_acute_signs_not_yet_handled(clinic, app_for, system, as_):
    """A partial reply tells the family to wait: on a bleeding or a fever not yet marked handled
    it said nothing of them, where the reply and the close do."""
    acute_errand_of_doc1(system, as_)
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        await settle(pilot)
        app.open_errand("1177-000077")
        await settle(pilot)
        return (await partial_reply_form(pilot, ()))[1]

    said = drive(app, scenario)
    assert "Akuta tecken, inte hanterade (K): Feber" in said, said


# -- R23: told at once ------------------------------------------------------------------------------
def test_a_doctor_is_told_of_a_new_errand_and_a_reminder(clinic, app_for, as_):
    app = app_for(clinic, "doc1")
    rings = []
    app.bell = lambda: rings.append(1)
    other = Store(clinic.path)  # another person's process
    rec2 = ctx_for(other, "rec2", as_("rec2").clock)

    async def scenario(pilot):
        await settle(pilot)
        quiet = list(messages(app))
        errands.assign(rec2, "1177-000002", "doc1")
        await wait_for(pilot, lambda: any("Nytt ärende till dig: 1177-000002" in m for m in messages(app)))
        errands.remind(rec2, "1177-000002")
        await wait_for(pilot, lambda: any("Påminnelse till dig: 1177-000002" in m for m in messages(app)))
        return quiet

    quiet = drive(app, scenario)
    other.close()
    assert not any("Nytt ärende" in m for m in quiet)  # the first load is not news
    assert len(rings) == 2


@pytest.mark.parametrize("on_top", ["dashboard", "errand", "form", "filter"])
def test_a_receiver_is_told_of_a_new_errand_with_acute_signs_and_the_panes_count_them(
    clinic, app_for, as_, on_top
):
    """R11 at 60×20: Ofördelade shows two rows, and a new acute errand sorts below the acute ones
    already there, out of sight. It is said at once, with the bell, on whatever screen is on top
    (an errand open, a note being written) and whatever the filter; the pane's title counts the
    acute errands; those there at the start are not news."""
    from bcc_tui.domain.roles import SYSTEM_ACTOR
    from bcc_tui.services.context import Ctx

    other = Store(clinic.path)  # the intake's own process
    system = Ctx(other, SYSTEM_ACTOR, as_("rec2").clock)
    intake.import_errands(system, jsonl(errand_line("1177-000077", message="Hon har feber 39,2.")))
    app = app_for(clinic, "rec1")
    rings = []
    app.bell = lambda: rings.append(1)
    keys = {"dashboard": (), "errand": ("enter",), "form": ("n",), "filter": ("slash", *"Hugo", "enter")}

    async def scenario(pilot):
        await settle(pilot)
        title_before = app.screen.query_one("#pane-unassigned").border_title
        await pilot.press(*keys[on_top])
        await settle(pilot)
        top = app.screen
        intake.import_errands(
            system, jsonl(errand_line("1177-000088", message="Leo fick kramper och är svårväckt nu."))
        )
        await wait_for(pilot, lambda: announced(top))
        await settle(pilot)  # the box's heading is drawn after its lines are set
        said = [str(top.query_one(Announcement).render()).splitlines()[0], *announced(top)]
        while len(app.screen_stack) > 1:
            await pilot.press("escape")
            await settle(pilot)
        if on_top == "filter":
            await pilot.press("slash", "escape")
            await settle(pilot)
        pane = app.screen.query_one("#pane-unassigned")
        with contextlib.suppress(AssertionError):  # the assertion below says what it shows instead
            await wait_for(pilot, lambda: "2 akuta" in str(pane.border_title), timeout=10)
        return title_before, type(top).__name__, said, pane.border_title

    title_before, top, said, title = drive(app, scenario, size=(60, 20))
    other.close()
    assert "1 akut " in str(title_before) + " "
    assert top == {"dashboard": "DashboardScreen", "errand": "ErrandScreen", "form": "NoteForm"}.get(
        on_top, "DashboardScreen"
    )
    assert said == ["Akuta tecken – ring familjen och bedöm", "1177-000088: Kramper +1"], said
    assert rings == [1]
    assert "2 akuta" in str(title)


def test_the_forms_that_end_an_errand_say_first_its_acute_signs_and_whose_it_is(clinic, system, app_for, as_):
    """A receiver replied to a doctor's acute errand, and closed one, with neither the acute
    signs nor its holder in the form: the errand left the pinned rows unhandled. Reply and close
    without reply now say both first; a partial reply, which keeps it open, is as it was."""
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000077", message="Hon har feber 39,2.", received_at="2026-11-25T09:00:00+01:00")
        ),
    )
    errands.assign(as_("rec2"), "1177-000077", "doc1")
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("tab")  # Fördelade: the acute errand pinned at its top
        await settle(pilot)
        assert app.screen.focused_table.current_ref == "1177-000077"
        said = {}
        for key in ("r", "x"):
            await pilot.press(key)
            await settle(pilot)
            said[key] = str(app.screen.query_one(".form-subtitle").render())
            await pilot.press("escape")
            await settle(pilot)
        return said

    said = drive(app, scenario, size=(120, 40))
    for key, text in said.items():
        assert "Akuta tecken, inte hanterade (K): Feber" in text, (key, text)
        assert "Fördelat till D. Doktor, inte till dig" in text, (key, text)


def test_the_bell_can_be_switched_off(clinic, app_for, as_):
    people.set_bell(as_("doc1"), False)
    app = app_for(clinic, "doc1")
    rings = []
    app.bell = lambda: rings.append(1)

    async def scenario(pilot):
        errands.assign(as_("rec2"), "1177-000001", "doc1")
        await wait_for(pilot, lambda: any("Nytt ärende till dig: 1177-000001" in m for m in messages(app)))

    drive(app, scenario)
    assert rings == []


def test_quitting_with_a_form_open_keeps_the_text_typed_just_now(clinic, app_for, monkeypatch):
    from bcc_tui.ui.screens import forms

    monkeypatch.setattr(forms, "DRAFT_DELAY", 60.0)  # no debounced save will come in time
    app = app_for(clinic, "rec1")

    async def scenario(pilot):
        await pilot.press("down", "n", *"Ringde pappa")
        await pilot.pause()
        await app.action_quit()

    drive(app, scenario)
    assert [(r["username"], r["form"], r["fields"]) for r in drafts_in(clinic)] == [
        ("rec1", "note", '{"text": "Ringde pappa"}')
    ]


def test_the_forms_that_answer_the_family_say_a_teenagers_proxy_may_not_be_entitled(
    clinic, app_for, system, as_
):
    """R12, found by a keyboard trial: the errand said "kontrollera behörigheten" for a proxy
    writing for a patient of 13 or more; the reply and partial reply forms, whose text goes to
    that proxy, did not."""
    nine = "100101123"  # born 2010-01-01: 16 on the frozen day
    pnr = f"20{nine[:6]}-{nine[6:]}{check_digit(nine)}"
    lea = errand_line("1177-000088", patient={"name": "Lea Persson", "personnummer": pnr})
    intake.import_errands(system, jsonl(lea, errand_line("1177-000089")))
    for ref in ("1177-000088", "1177-000089"):
        errands.assign(as_("rec1"), ref, "doc1")
    app = app_for(clinic, "doc1")

    async def scenario(pilot):
        said = {}
        for ref in ("1177-000088", "1177-000089"):
            await pilot.press("slash", *ref, "enter")
            await settle(pilot)
            for key in ("r", "p"):
                await pilot.press(key)
                await settle(pilot)
                said[ref, key] = str(app.screen.query_one(".form-subtitle").render())
                await pilot.press("escape")
                await settle(pilot)
            await pilot.press("slash", "ctrl+u", "escape")
            await settle(pilot)
        return said

    said = drive(app, scenario, size=(120, 40))
    caution = "Ombud för patient 13+: kontrollera behörigheten."
    assert caution in said["1177-000088", "r"] and caution in said["1177-000088", "p"]
    assert caution not in said["1177-000089", "r"] and caution not in said["1177-000089", "p"]
