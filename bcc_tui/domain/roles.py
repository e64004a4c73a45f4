"""Roles, titles and who may do what (docs/routine.md R2 and 4.3)."""

from __future__ import annotations

from dataclasses import dataclass

from bcc_tui.domain import errand as e
from bcc_tui.domain.errors import InvalidInput, NotAllowed, NotFound

RECEIVER, CAREGIVER, ADMIN, AUDITOR = "receiver", "caregiver", "admin", "auditor"
ROLES = {RECEIVER: "ärendemottagare", CAREGIVER: "vårdgivare", ADMIN: "administratör", AUDITOR: "granskare"}
# Where a line is narrow (the dashboard's header) the receiver is "mottagare", as staff say it.
SHORT_ROLE_NAMES = {**ROLES, RECEIVER: "mottagare"}
TITLES = (
    "läkare",
    "sjuksköterska",
    "mottagningssjuksköterska",
    "sektionsledare",
    "medicinsk sekreterare",
    "undersköterska",
    "kurator",
    "administratör",
)

SYSTEM = "system"
# The reason a deactivated person is away: their access ended, their history stays.
INACTIVE = "avaktiverad"


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
    def shown(self) -> str:
        """How a message names the person: 'Erik Lindgren (erilin)'."""
        return f"{self.name} ({self.username})" if self.name and self.name != self.username else self.username

    @property
    def role_label(self) -> str:
        if self.is_system:
            return SYSTEM
        return ",".join(sorted(self.roles))


SYSTEM_ACTOR = Actor(SYSTEM, e.CLINIC, "", frozenset())


@dataclass(frozen=True)
class Permission:
    """Who may take an action: the roles, whether the system actor (the database owner with no
    staff record, e.g. a cron job) may, and the refusal, a template with {user} and {what}."""

    roles: frozenset[str]
    system: bool
    what: str
    refusal: str = "{user} får inte {what} (kräver {wanted})"


def _p(roles: set[str], system: bool, what: str, refusal: str | None = None) -> Permission:
    return Permission(frozenset(roles), system, what, refusal or Permission.refusal)


_ONLY_ADMIN = "bara administratören får {what}"
_ONLY_RECEIVER = "bara en ärendemottagare får {what}"

# The one table of who may do what: every command and every dashboard action. For an action on
# one errand this is whether the person may take it at all; whose errand it is, is
# require_action's question below. The UI asks may() what to offer; services call
# services.context.require(), which also logs a refusal (R15).
PERMISSIONS: dict[str, Permission] = {
    # the command line's commands that are not about one errand
    "import": _p({RECEIVER, ADMIN}, True, "importera ärenden"),
    "staff_import": _p({ADMIN}, True, "importera personal"),
    "schedule_import": _p({ADMIN}, True, "importera schema"),
    "outbound_export": _p({ADMIN}, True, "exportera svar"),
    "check": _p({ADMIN}, True, "kontrollera databasen"),
    "backup": _p({ADMIN}, True, "säkerhetskopiera"),
    "replicate": _p({ADMIN}, True, "replikera"),
    "restore": _p({ADMIN}, True, "återställa"),
    "outbox": _p({ADMIN}, True, "se e-postkön", _ONLY_ADMIN),
    "list": _p({RECEIVER, CAREGIVER}, False, "läsa ärenden"),
    "remind_due": _p({RECEIVER}, True, e.ACTION_NAMES[e.REMIND], _ONLY_RECEIVER),
    # actions on one errand
    e.ASSIGN: _p({RECEIVER}, False, e.ACTION_NAMES[e.ASSIGN], _ONLY_RECEIVER),
    e.REASSIGN: _p({RECEIVER}, False, "omfördela", _ONLY_RECEIVER),
    e.URGENT: _p({RECEIVER}, False, e.ACTION_NAMES[e.URGENT], _ONLY_RECEIVER),
    e.REMIND: _p({RECEIVER}, False, e.ACTION_NAMES[e.REMIND], _ONLY_RECEIVER),
    e.REPLY: _p({RECEIVER, CAREGIVER}, False, e.ACTION_NAMES[e.REPLY]),
    e.PARTIAL_REPLY: _p({RECEIVER, CAREGIVER}, False, e.ACTION_NAMES[e.PARTIAL_REPLY]),
    e.CLOSE: _p({RECEIVER, CAREGIVER}, False, e.ACTION_NAMES[e.CLOSE]),
    e.NOTE: _p({RECEIVER, CAREGIVER}, False, e.ACTION_NAMES[e.NOTE]),
    e.ACUTE_HANDLED: _p({RECEIVER, CAREGIVER}, False, e.ACTION_NAMES[e.ACUTE_HANDLED]),
    # the dashboard's other screens and the services behind them
    "handover": _p({RECEIVER}, False, "se överlämningen", "överlämningen är för ärendemottagare"),
    "handover_note": _p(
        {RECEIVER},
        False,
        "skriva överlämningsanteckningar",
        "bara ärendemottagare skriver överlämningsanteckningar",
    ),
    "stats": _p({RECEIVER, ADMIN}, False, "ta ut statistik"),
    "care_team": _p({RECEIVER, ADMIN}, False, "ändra vårdteam"),
    "patients_import": _p({ADMIN}, True, "importera vårdteam"),
    "deviations": _p({RECEIVER, ADMIN}, False, "läsa avvikelseregistret"),
    "deviation_decide": _p({ADMIN}, False, "rapportera eller avfärda avvikelser", _ONLY_ADMIN),
    "admin_change": _p({ADMIN}, False, "ändra inställningarna", _ONLY_ADMIN),
    "audit": _p({ADMIN, AUDITOR}, False, "läsa granskningsloggen"),
    "own_settings": _p({RECEIVER, CAREGIVER, ADMIN, AUDITOR}, False, "ändra sina inställningar"),
}


# How the audit log's codes read to a person (the command line's `audit`, the audit screen); the
# log itself keeps the codes, which scripts filter on. An action that a permission guards reads as
# that permission's words, so a refusal and its log row say the same thing.
AUDIT_ACTIONS: dict[str, str] = {
    **{code: p.what for code, p in PERMISSIONS.items()},
    **e.ACTION_NAMES,
    "view": "öppna ärende",
    "list": "lista ärenden",
    "search": "söka ärenden",
    "import": "importera",
    "export": "exportera svar",
    "login": "logga in",
    "draft": "öppna utkast",
    "remark": "skriva anmärkning till nästa pass",
    "handover": "överlämningen",
    "settings": "ändra sina inställningar",
    "deviation_report": "markera avvikelse som rapporterad",
    "deviation_dismiss": "avfärda avvikelse",
    "migrate": "uppgradera databasen",
    "baseline": "utgångsläge vid uppgradering",
}
AUDIT_OUTCOMES = {
    "ok": "ok",
    "refused": "nekad",
    "problems": "avvikelser",
    "partly refused": "delvis avvisad",
}


def may(actor: Actor, action: str) -> bool:
    """Whether the person may take `action` at all (what the dashboard offers)."""
    p = PERMISSIONS[action]
    if actor.is_system:
        return p.system
    return bool(p.roles & actor.roles)


def check(actor: Actor, action: str, what: str | None = None) -> None:
    """Raise NotAllowed unless may(actor, action); `what` names the thing refused more exactly."""
    if may(actor, action):
        return
    p = PERMISSIONS[action]
    if actor.is_system:
        raise NotAllowed(f"systemkontot får inte {what or p.what}; ange en person med --as ANVÄNDARE")
    wanted = " eller ".join(ROLES[r] for r in sorted(p.roles))
    raise NotAllowed(p.refusal.format(user=actor.shown, what=what or p.what, wanted=wanted))


def check_act(actor: Actor, action: str, ref: str) -> None:
    """The part of R2's table that does not depend on the errand (whose it is, whether it
    exists): asked before the errand is looked up, so that this refusal reads the same for every
    reference and tells nothing about one. `ref` is named as typed (errand.shown_ref)."""
    if actor.is_system:
        if action == e.REMIND:
            return  # the reminders job (remind --due) reads no errand, it only reminds its assignee
        raise NotAllowed("systemkontot får inte ändra ärenden; ange en person med --as ANVÄNDARE")
    if actor.has(RECEIVER) or may(actor, action):
        return
    if PERMISSIONS[action].roles == {RECEIVER}:
        raise NotAllowed(f"bara en ärendemottagare får {e.ACTION_NAMES[action]} ({e.shown_ref(ref)})")
    check(actor, action)


def require_action(actor: Actor, action: str, ref: str, assignee: str | None) -> None:
    """R2's table: receivers act on every errand; a caregiver only on their own. The errand is
    one the person may see (see `sight`): "not yours" tells them nothing they may not know."""
    check_act(actor, action, ref)
    if actor.is_system or actor.has(RECEIVER):
        return
    if assignee is not None and assignee == actor.username:
        return
    raise NotAllowed(f"{actor.shown} får inte {e.ACTION_NAMES[action]} {ref}: ärendet är inte ditt")


@dataclass(frozen=True)
class Sight:
    """Which errands a person may see (R2): `every` one, those involving `own` (need-to-know, the
    store's one rule), or — neither — none."""

    every: bool = False
    own: str | None = None


def sight(actor: Actor, action: str | None = None) -> Sight:
    """Whose errands the person may see when taking `action` on one (None: reading it). The
    system sees none, except the one it reminds the holder of (remind --due); an administrator
    and an auditor read no errands."""
    if actor.is_system:
        return Sight(every=action == e.REMIND)
    if actor.has(RECEIVER):
        return Sight(every=True)
    if actor.has(CAREGIVER):
        return Sight(own=actor.username)
    return Sight()


def unseen(ref: str) -> NotFound:
    """The one answer for an errand that does not exist and for one the person may not see: the
    same words, so that no reference tells whether it exists, whose it is or what type it is."""
    return NotFound(f"ärendet {e.shown_ref(ref)} finns inte eller får inte visas")


def need_to_know(actor: Actor) -> str | None:
    """R2: whose errands the person reads: None for every errand (a receiver); a caregiver's own
    user name (the errands assigned to them or answered by them, store.errands' rule)."""
    if actor.has(RECEIVER):
        return None
    if actor.has(CAREGIVER):
        return actor.username
    raise NotAllowed(f"{actor.shown} får inte läsa ärenden (kräver ärendemottagare eller vårdgivare)")


def assignable(roles: frozenset[str], active: bool, receivers_answer: bool = False) -> bool:
    """Only an active caregiver can be given an errand; a receiver too where the errand's type is
    answered by receivers (R29: rebooking, journal copies, handled by a medical secretary)."""
    return active and (CAREGIVER in roles or (receivers_answer and RECEIVER in roles))


def check_assignable(
    username: str, roles: frozenset[str], active: bool, receivers_answer: bool = False
) -> None:
    """assignable(), or why not."""
    if assignable(roles, active, receivers_answer):
        return
    if not active:
        raise InvalidInput(f"{username} är inte längre aktiv och kan inte få ärenden")
    if CAREGIVER not in roles:
        raise InvalidInput(f"{username} är inte vårdgivare och kan inte få ärenden")
