"""What vulture (tests/test_dead_code.py, `[tool.vulture]` in pyproject.toml) cannot see being
used, one name at a time, each with why it stays. Not a test module: vulture only reads it.

A name here keeps every definition of that name alive to vulture, so a line names the one use
it stands for; kinds of names (Textual's handlers and class attributes) are in pyproject.toml.
"""

# ruff: noqa: B018, F821

# The Luhn digit of nine digits: the demo generator (fixtures/generate_demo.py) and the tests write
# valid personnummer with it; the program itself checks a whole number (`problem`, `luhn_ok`).
_.check_digit

# The tests' read of every errand at once (services/errands.py); the command line and the
# dashboard read pages or streams (iter_errands, panes), which a test of a small clinic need not.
_.list_errands

# FixedClock.advance: the tests move a fixed clock forward (a day passing on an open dashboard).
_.advance

# installation.Guard is a sys.meta_path finder: the import system calls find_spec.
_.find_spec

# sqlite3.Connection.row_factory is read by sqlite3 itself, for every row it returns.
_.row_factory

# ui/app.py's notify takes Textual's `markup` argument and ignores it: a notice is never markup.
_.markup

# Textual's App reads _return_code when it exits (ui/app.py; issue 30, item 4 gathers such uses).
_._return_code

# Called by name from the action table (ui/actions.py, method="screen_filter").
_.screen_filter

# Overrides of Textual's own methods, called by Textual: the driver's segment writer
# (ui/damage.py) and the input thread (ui/quiet.py).
_.render_segments
_.run_input_thread

# Screens looked up by class name (ui/app.py, screen_class) so that their modules load only
# when the screen is first opened.
_.AuditScreen
_.HandoverScreen
_.StatsScreen

# Typeahead.forced: how many keys were sent on by the hold limit, read by tests/ui/test_typeahead.py.
_.forced

# Textual's DataTable keys its caches of drawn cells on _update_count (ui/widgets/errand_table.py).
_._update_count

# A scrollbar's repaint request, withdrawn where the layout's own frame draws it (Textual reads it
# on idle: ui/textual_compat.py, scrollbar_drawn, for ErrandTable._scroll_update).
_._repaint_required

# The footer's class attributes that Textual reads (ui/widgets/footer.py): no text selection in
# it, and the component classes its keys are styled by.
_.ALLOW_SELECT
_.COMPONENT_CLASSES
# The pointer's shape over a footer key (a hand), set on the footer's styles: Textual reads it.
_.pointer

# compat.NoSecondLayout._size_updated takes Textual's `layout` argument by name (Textual passes it so)
# and never lays the screen out for it: such a widget scrolls nothing.
layout

# compat.StyledOnce sets the ScreenResume event's refresh_styles, which Screen's own handler reads
# after it (docs/upstream.md, "A pushed screen is styled twice").
_.refresh_styles

# The announcement box shown or hidden (ui/widgets/announcement.py): Textual reads the style
# when it draws.
_.visibility

# The command palette's countdown to "no matches", overriding Textual's CommandPalette's with
# the words in Swedish (ui/widgets/palette.py), and the state of Textual's that it sets.
_._start_no_matches_countdown
_._list_visible
_._no_matches_timer

# Names of ui/textual_compat.py (issue 30, item 4): Private.bug, the docs/upstream.md section a use
# works around, read by tests/ui/test_textual_compat.py; and SLEEP_IDLE, which the compat module
# sets for Pilot's idle wait (fast_pilot).
_.bug
_.SLEEP_IDLE

# Columns of a row dataclass that no reader uses yet (store/: each row dataclass holds its table's
# row as read, whole, so that a row is built by position from the SELECT without a mapping).
_.errand_version  # store/deviations.py: a deviation's errand version, read with the row
_.content_hash  # store/errands.py: Errand, the errand's content hash (check reads it by SQL)
_.claimed_until  # store/outbox.py: Mail, the claim's lease (the claim itself is SQL)

# Textual's App asks get_default_screen for the bottom of its screen stack (ui/app.py: the person's
# first screen, issue 31).
_.get_default_screen

# Textual's Screen reads AUTO_FOCUS as it composes (ui/screens/fields.py: the form focuses its first
# field once it is laid out instead).
_.AUTO_FOCUS
