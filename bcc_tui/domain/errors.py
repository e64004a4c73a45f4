"""The refusals every layer speaks. Messages are Swedish: they reach the staff as they are."""

import errno


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


class Outdated(Busy):
    """The database's schema changed under a running process (`bcc-tui migrate` ran): it neither
    reads nor writes the file any more, since it knows only the schema it started with. A kind of
    Busy, so that what waits out a busy database (a poll, the mail, a job) waits this out quietly
    too; the process is on its way out."""

    kind = "uppdaterad"

    def __init__(
        self,
        message: str = "databasen har uppdaterats till en ny version av bcc-tui under körningen; "
        "kör kommandot igen",
    ):
        super().__init__(message)


# The system's reasons (os.strerror) are English; a person reads these instead.
_OS_REASONS = {
    errno.ENOENT: "finns inte",
    errno.EACCES: "åtkomst nekad",
    errno.EPERM: "åtgärden är inte tillåten",
    errno.EEXIST: "finns redan",
    errno.EISDIR: "är en mapp",
    errno.ENOTDIR: "en del av sökvägen är ingen mapp",
    errno.ENOSPC: "disken är full",
    errno.EDQUOT: "diskkvoten är slut",
    errno.EROFS: "filsystemet är skrivskyddat",
    errno.ELOOP: "en symbolisk länk (eller för många länkar i rad)",
    errno.ENAMETOOLONG: "namnet är för långt",
    errno.EIO: "in- eller utmatningsfel",
    errno.EBUSY: "upptagen",
    errno.EMFILE: "för många öppna filer",
    errno.ENXIO: "ingen sådan enhet",
    errno.EXDEV: "ett annat filsystem",
    errno.ETIMEDOUT: "tidsgränsen passerades",
    errno.ECONNREFUSED: "anslutningen nekades",
    errno.EHOSTUNREACH: "datorn går inte att nå",
    errno.ENETUNREACH: "nätverket går inte att nå",
}


def os_reason(err: BaseException, otherwise: str = "systemfel") -> str:
    """Why the system refused, in Swedish: the common errno values by name, any other as
    'systemfel (ECODE)', so no English reason reaches a person."""
    number = getattr(err, "errno", None)
    if isinstance(number, int):
        if number in _OS_REASONS:
            return _OS_REASONS[number]
        return f"systemfel ({errno.errorcode.get(number, number)})"
    if isinstance(err, TimeoutError):
        return _OS_REASONS[errno.ETIMEDOUT]
    return otherwise


class Interrupted(BccError):
    """The person stopped a command (ctrl+c) part way: what was done before is said, in one line;
    the CLI exits 130, as for any interrupted program."""

    kind = "avbrutet"
