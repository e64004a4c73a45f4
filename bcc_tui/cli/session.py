"""The forced command of the SSH deployment (docs/deployment.md, issue 18).

sshd runs `sudo -u bcc /srv/bcc/bin/bcc-tui-session` for every staff session whatever the person
typed; sudo allows that wrapper with no arguments only, and the wrapper (root's file: it fixes the
database and the locale) starts this module. What the person asked for arrives in
SSH_ORIGINAL_COMMAND, kept through sudo by env_keep for this command alone. Nothing but the
dashboard and `open REF` is run; anything else is refused in one line before the database is
opened, so no shell, no copy, no argument reaches the program.
"""

from __future__ import annotations

import os
import re
import sys

from bcc_tui.domain.validation import _REF

REFUSED = "bcc-tui: över ssh finns bara instrumentpanelen och 'open ÄRENDE'"
_OPEN = re.compile(r"open ([A-Za-z0-9-]+)", re.ASCII)


def command(original: str | None) -> list[str] | None:
    """The dashboard's arguments for SSH_ORIGINAL_COMMAND, or None for a refusal."""
    if original is None or original == "":
        return []
    m = _OPEN.fullmatch(original)
    if m is None or _REF.fullmatch(m.group(1)) is None:
        return None
    return ["open", m.group(1)]


def main(argv: list[str] | None = None) -> int:
    from bcc_tui.cli import dashboard, terminal

    terminal.install()
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        print("bcc-tui-session tar inga argument", file=sys.stderr)
        return 1
    if not dashboard.has_terminal():
        print(dashboard.NEEDS_TERMINAL, file=sys.stderr)
        return 1
    args = command(os.environ.pop("SSH_ORIGINAL_COMMAND", None))
    if args is None:
        print(REFUSED, file=sys.stderr)
        return 1
    if not os.environ.get("BCC_DB"):
        print("bcc-tui-session: BCC_DB saknas (sätts i /srv/bcc/bin/bcc-tui-session)", file=sys.stderr)
        return 1
    from bcc_tui.cli import main as cli

    return cli(args)


if __name__ == "__main__":
    sys.exit(main())
