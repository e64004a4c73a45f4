"""Roles, titles and who may do what (PRODUCT.md R2, §4.3)."""

from __future__ import annotations

from dataclasses import dataclass

from bcc_tui.domain import errand as e
from bcc_tui.domain.errors import InvalidInput, NotAllowed

RECEIVER, CAREGIVER, ADMIN, AUDITOR = "receiver", "caregiver", "admin", "auditor"
ROLES = {RECEIVER: "ärendemottagare", CAREGIVER: "vårdgivare", ADMIN: "administratör", AUDITOR: "granskare"}
TITLES = ("läkare", "sjuksköterska", "sektionsledare", "medicinsk sekreterare", "undersköterska",
          "kurator", "administratör")

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The person (or the system itself) on whose behalf a use case runs."""

    username: str
    name: str
    title: str
    roles: frozenset[str]

    @property
    def is_system(self) -> bool:
        return self.username == SYSTEM

    def has(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_label(self) -> str:
        if self.is_system:
            return SYSTEM
        return ",".join(sorted(self.roles))


SYSTEM_ACTOR = Actor(SYSTEM, "Barncancercentrum", "", frozenset())

# Commands that are not about one errand, and the roles allowed to run them; the system actor
# (the database owner with no staff record) may run those marked True.
COMMANDS = {
    "import": ({RECEIVER, ADMIN}, True),
    "staff_import": ({ADMIN}, True),
    "schedule_import": ({ADMIN}, True),
    "outbound_export": ({ADMIN}, True),
    "check": ({ADMIN}, True),
    "backup": ({ADMIN}, True),
    "replicate": ({ADMIN}, True),
    "restore": ({ADMIN}, True),
    "list": ({RECEIVER, CAREGIVER}, False),
}


def require_command(actor: Actor, command: str) -> None:
    roles, system_ok = COMMANDS[command]
    if actor.is_system:
        if system_ok:
            return
        raise NotAllowed(
            "systemkontot får inte läsa ärenden; ange en person med --as ANVÄNDARE"
        )
    if not roles & actor.roles:
        wanted = " eller ".join(ROLES[r] for r in sorted(roles))
        raise NotAllowed(f"{actor.username} får inte göra detta (kräver {wanted})")


def require_action(actor: Actor, action: str, ref: str, assignee: str | None) -> None:
    """R2's table: receivers act on every errand; a caregiver only on their own."""
    if actor.is_system:
        if action == e.REMIND:
            return  # the reminders job (remind --due) reads no errand, it only reminds its assignee
        raise NotAllowed("systemkontot får inte ändra ärenden; ange en person med --as ANVÄNDARE")
    if actor.has(RECEIVER):
        return
    own = assignee is not None and assignee == actor.username
    if action in (e.PARTIAL_REPLY, e.REPLY, e.CLOSE, e.NOTE, e.ACUTE_HANDLED) and actor.has(CAREGIVER) and own:
        return
    if action in (e.ASSIGN, e.REASSIGN, e.URGENT, e.REMIND):
        raise NotAllowed(f"bara en ärendemottagare får {e.ACTION_NAMES[action]} ({ref})")
    raise NotAllowed(f"{actor.username} får inte {e.ACTION_NAMES[action]} {ref}: ärendet är inte ditt")


def check_assignable(username: str, roles: frozenset[str], active: bool) -> None:
    """Only an active caregiver can be given an errand."""
    if not active:
        raise InvalidInput(f"{username} är inte längre aktiv och kan inte få ärenden")
    if CAREGIVER not in roles:
        raise InvalidInput(f"{username} är inte vårdgivare och kan inte få ärenden")
