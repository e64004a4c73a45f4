"""Finding 17: the errand view suggests a caregiver only while the errand is unassigned."""

from __future__ import annotations

from bcc_tui.services import errands
from bcc_tui.ui.screens.errand import describe
from tests.conftest import NOW


def _text(ctx, ref: str) -> str:
    detail = errands.show_errand(ctx, ref)
    return "\n".join(block.plain for block in describe(detail, NOW, {}))


def test_the_suggestion_only_while_unassigned(clinic, as_):
    rec = as_("rec1")
    assert "Förslag:" in _text(rec, "1177-000001")
    errands.assign(rec, "1177-000001", "doc1")
    shown = _text(rec, "1177-000001")
    assert "Förslag:" not in shown and "Handläggare: doc1" in shown
