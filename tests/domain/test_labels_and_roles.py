"""Issue 14: each rule and each label once, in the domain."""

import pytest

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.errors import InvalidInput, NotAllowed
from bcc_tui.domain.roles import Actor


def test_the_signature_is_the_writer_then_the_clinic():
    assert e.signature("Eva Läkare", "läkare") == ("Eva Läkare, läkare", "Barncancercentrum")
    assert e.signature("Eva Läkare", "") == ("Eva Läkare", "Barncancercentrum")


def test_every_action_on_an_errand_has_a_label_in_its_history():
    assert set(e.ACTION_NAMES) <= set(e.EVENT_NAMES)


def test_every_role_has_its_short_label():
    assert set(roles.SHORT_ROLE_NAMES) == set(roles.ROLES)
    assert roles.SHORT_ROLE_NAMES[roles.CAREGIVER] == roles.ROLES[roles.CAREGIVER]


def _actor(*held: str) -> Actor:
    return Actor("x", "X", "", frozenset(held))


def test_need_to_know():
    assert roles.need_to_know(_actor(roles.RECEIVER, roles.CAREGIVER)) is None
    assert roles.need_to_know(_actor(roles.CAREGIVER)) == "x"
    with pytest.raises(NotAllowed, match="får inte läsa ärenden"):
        roles.need_to_know(_actor(roles.ADMIN))


@pytest.mark.parametrize(
    "held, active, ok",
    [({roles.CAREGIVER}, True, True), ({roles.CAREGIVER}, False, False), ({roles.RECEIVER}, True, False)],
)
def test_only_an_active_caregiver_is_assignable(held, active, ok):
    assert roles.assignable(frozenset(held), active) is ok
    if ok:
        roles.check_assignable("x", frozenset(held), active)
    else:
        with pytest.raises(InvalidInput):
            roles.check_assignable("x", frozenset(held), active)
