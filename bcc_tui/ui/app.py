"""Placeholder until the dashboard lands (issue 3)."""

from textual.app import App
from textual.widgets import Static


def make_app(ctx, open_ref=None) -> App:
    class Placeholder(App):
        def compose(self):
            yield Static(f"bcc-tui: {ctx.store.path} ({ctx.actor.name})")

    return Placeholder()
