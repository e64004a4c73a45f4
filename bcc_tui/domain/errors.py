"""The refusals every layer speaks. Messages are Swedish: they reach the staff as they are."""


class BccError(Exception):
    """A refusal with one clear line for the person; the CLI exits 1 on it."""

    kind = "fel"

    def __init__(self, message: str, *, cli_hint: str | None = None, ui_hint: str | None = None):
        super().__init__(message)
        self.message = message
        # What to do next is said in each front end's own terms (an option, or a key).
        self.cli_hint = cli_hint
        self.ui_hint = ui_hint

    def for_cli(self) -> str:
        return f"{self.message}; {self.cli_hint}" if self.cli_hint else self.message

    def for_ui(self) -> str:
        return f"{self.message}; {self.ui_hint}" if self.ui_hint else self.message

    def __str__(self) -> str:
        return self.message


class InvalidInput(BccError):
    kind = "ogiltigt"


class NotAllowed(BccError):
    kind = "ej tillåtet"


class NotFound(BccError):
    kind = "saknas"


class Conflict(BccError):
    """Someone else changed the errand first (compare-and-set lost) or its state forbids the move."""

    kind = "konflikt"


class Busy(BccError):
    kind = "upptagen"

    def __init__(
        self, message: str = "Databasen är upptagen av en annan användare. Försök igen om en stund."
    ):
        super().__init__(message)
