"""Fixtures shared by the services' tests."""

from __future__ import annotations

import pytest

from bcc_tui.services import acute, clinic, errands, intake
from tests.conftest import errand_line, jsonl


@pytest.fixture
def busy_day(system, as_, clock):
    """A day of ordinary work: every kind of event, an administrator's changes included."""
    intake.import_errands(
        system,
        jsonl(
            errand_line("1177-000001"),
            errand_line("1177-000002", urgent=True),
            errand_line("1177-000003", type="synpunkter_klagomal"),
            errand_line("1177-000004"),
        ),
    )
    rec, doc = as_("rec1"), as_("doc1")
    errands.assign(rec, "1177-000001", "doc1")
    errands.partial_reply(doc, "1177-000001", "Vi tittar på det.")
    errands.assign(rec, "1177-000001", "doc2", reassign=True)
    errands.note(rec, "1177-000001", "Ringt mamman.")
    errands.set_urgent(rec, "1177-000002", False)
    errands.set_urgent(rec, "1177-000002", False)  # unchanged: a row, no event
    errands.assign(rec, "1177-000002", "doc1")
    errands.reply(doc, "1177-000002", "Receptet är förnyat.")
    errands.close(rec, "1177-000004", "Dubblett", documented=False)
    clock.advance(hours=1)
    clinic.update_type(as_("adm"), "fornya_recept", days=5)
    acute.set_rules(as_("adm"), words={"Smärta": ["bactrim"]})  # open errands flagged again: events
    errands.show_errand(rec, "1177-000001")
    errands.list_errands(rec)
    return system
