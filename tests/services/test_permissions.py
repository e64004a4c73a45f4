"""Issue 14: who may do what is one table (roles.PERMISSIONS); services refuse through
context.require(), which logs each refusal of a person (R15) and none of the system actor."""

from __future__ import annotations

import json

import pytest

from bcc_tui.domain import roles
from bcc_tui.domain.errors import NotAllowed, NotFound
from bcc_tui.services import clinic, errands, intake, notify, reports
from bcc_tui.services.context import require
from tests.conftest import errand_line

REFS = ("1177-000101", "1177-000102", "1177-000103")


def _refusals(store, action):
    with store.read() as conn:
        return conn.execute(
            "SELECT actor, detail FROM audit WHERE action = ? AND outcome = 'refused'", (action,)
        ).fetchall()


@pytest.mark.parametrize(
    "username, call, action",
    [
        ("doc1", lambda c: intake.import_errands(c, b""), "import"),
        ("rec1", lambda c: clinic.set_followup_days(c, 5), "admin_change"),
        ("adm", lambda c: require(c, "handover"), "handover"),
        ("doc1", reports.stats, "stats"),
        ("rec1", notify.waiting, "outbox"),
        ("rec1", lambda c: notify.send_waiting(c, None, "x@localhost", 1.0), "outbox"),
    ],
)
def test_a_refusal_is_logged_once(store, as_, username, call, action):
    with pytest.raises(NotAllowed) as err:
        call(as_(username))
    rows = _refusals(store, action)
    assert [(r[0], r[1]) for r in rows] == [(username, str(err.value))]


def test_the_system_actor_is_refused_without_a_log_row(store, system):
    with pytest.raises(NotAllowed, match="systemkontot"):
        require(system, "stats")
    assert _refusals(store, "stats") == []


def test_may_follows_the_table(as_):
    for username in ("rec1", "doc1", "adm"):
        actor = as_(username).actor
        for action, p in roles.PERMISSIONS.items():
            assert roles.may(actor, action) == bool(p.roles & actor.roles), (username, action)
    assert not roles.may(as_("doc1").actor, "assign") and roles.may(as_("doc1").actor, "reply")


def test_need_to_know_is_the_same_rule_for_the_list_and_the_errand(system, as_):
    """A caregiver's errands are those assigned to them and those they answered: a note is no
    answer. The list and the single errand ask the store's one rule (store.errands._INVOLVED)."""
    intake.import_errands(system, b"\n".join(json.dumps(errand_line(r)).encode() for r in REFS))
    rec, doc1 = as_("rec1"), as_("doc1")
    for ref in REFS:
        errands.assign(rec, ref, "doc1")
    errands.note(doc1, REFS[0], "Bara en anteckning")
    errands.partial_reply(doc1, REFS[1], "Vi tittar på det")
    for ref in REFS:
        errands.assign(rec, ref, "doc2", reassign=True)
    listed = [s.ref for s in errands.list_errands(doc1, audited=False)]
    opened = []
    for ref in REFS:
        try:
            errands.show_errand(doc1, ref, audited=False)
            opened.append(ref)
        except NotFound:  # one the person may not see reads as one that does not exist
            pass
    assert listed == opened == [REFS[1]]
