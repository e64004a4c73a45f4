"""The routine's own validity (issue 26): version 5.0, valid 2026-02-17 – 2028-02-16, owned by the
section leader for the outpatient unit; the administrator is warned from 60 days before it ends."""

import datetime as dt

from bcc_tui.domain import routine


def test_the_routine_as_the_clinic_wrote_it():
    assert (
        "5.0",
        dt.date(2026, 2, 17),
        dt.date(2028, 2, 16),
    ) == (routine.VERSION, routine.VALID_FROM, routine.VALID_TO)
    assert routine.OWNER == "sektionsledare, öppenvården"
    assert routine.VALIDITY == (
        "Rutinen (version 5.0) gäller 2026-02-17 – 2028-02-16; ägare: sektionsledare, öppenvården."
    )


def test_the_warning_starts_60_days_before_the_last_valid_day():
    assert routine.warning(dt.date(2026, 11, 25)) is None
    assert routine.warning(dt.date(2027, 12, 17)) is None  # 61 days left
    assert routine.warning(dt.date(2027, 12, 18)) == (
        "Rutinen (version 5.0) gäller till och med 2028-02-16 (om 60 dagar); "
        "påminn ägaren (sektionsledare, öppenvården) om att förnya den."
    )
    assert "(om 1 dag)" in (routine.warning(dt.date(2028, 2, 15)) or "")
    assert "(sista dagen är idag)" in (routine.warning(dt.date(2028, 2, 16)) or "")
    assert routine.warning(dt.date(2028, 2, 17)) == (
        "Rutinen (version 5.0) gick ut 2028-02-16 och gäller inte längre; "
        "ägaren (sektionsledare, öppenvården) behöver fastställa en ny."
    )
