"""The dashboard's actions in one table (docs/routine.md 4.5): the app's bindings, the footer, the
command palette and the help screen's key list are all generated from it, and each shows a
person only what roles.may() lets them take, so the four never drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.errors import BccError
from bcc_tui.domain.roles import Actor


@dataclass(frozen=True)
class Action:
    id: str  # the binding's id
    key: str | None  # Textual's key name; None: reached through the palette only
    # The action's one name (docs/glossary.md): the footer's word, the title of the form it opens,
    # the start of its palette title and of its help line (tests/ui/test_forms_keys.py).
    label: str
    title: str | None  # the palette's title; None: not in the palette
    help: str  # the palette's line
    permission: str | None  # a name in roles.PERMISSIONS; None: everyone
    method: str | None = None  # the app's method; None: action_<id>
    show: bool = True  # in the footer (where it has room)
    key_label: str | None = None  # how help writes the key
    help_text: str | None = None  # help's longer line; None: not in help
    bind: bool = True  # False: a key some screen binds itself, listed here for help only
    # The glossary's short form, for the footer only, where a long name would push other keys
    # out of an 80-column line ("Utan svar" for "Avsluta utan svar"); None: the name itself.
    footer: str | None = None

    @property
    def app_method(self) -> str:
        return self.method or f"action_{self.id}"


A = Action
# In the order help lists them; the palette keeps it too.
ACTIONS: tuple[Action, ...] = (
    A("open", None, "", None, "", "list", key_label="enter", help_text="öppna ärendet", bind=False),
    A(
        "assign",
        "a",
        "Fördela",
        "Fördela / omfördela",
        "Ge det valda ärendet till en vårdgivare (a)",
        e.ASSIGN,
        help_text="fördela (förslaget är förvalt: a enter) · omfördela om det redan är fördelat",
    ),
    A(
        "assign_suggested",
        # Capital A: a without the form, for a receiver going down the unassigned pane.
        "A",
        "Förslaget",
        "Fördela till förslaget",
        "Ge det valda ärendet till förslaget (★) utan formulär och gå till nästa (A)",
        e.ASSIGN,
        help_text="fördela till förslaget utan formulär och gå vidare; är hen frånvarande öppnas formuläret",
    ),
    A(
        "mark",
        None,
        "",
        None,
        "",
        e.ASSIGN,
        key_label="mellanslag",
        help_text="i Ofördelade: markera raden (✓); a fördelar sedan alla markerade till en person, esc tar bort markeringarna",
        bind=False,  # the dashboard binds it: it marks a row of its own pane
    ),
    A(
        "reply",
        "r",
        "Besvara",
        "Besvara",
        "Skicka svar och avsluta ärendet (r)",
        e.REPLY,
        help_text="besvara — svaret skickas och ärendet avslutas",
    ),
    A(
        "partial_reply",
        "p",
        "Delsvar",
        "Delsvar",
        "Berätta att handläggning pågår (p)",
        e.PARTIAL_REPLY,
        help_text="delsvar — familjen får veta att handläggning pågår; ärendet förblir öppet",
    ),
    A(
        "close",
        "x",
        "Avsluta utan svar",
        "Avsluta utan svar",
        "Avsluta med orsak (x)",
        e.CLOSE,
        method="action_close_errand",
        help_text="avsluta utan svar — orsak krävs",
        footer="Utan svar",
    ),
    A(
        "note",
        "n",
        "Intern anteckning",
        "Intern anteckning",
        "En anteckning som patienten aldrig ser (n)",
        e.NOTE,
        help_text="intern anteckning — syns aldrig för patienten",
        footer="Anteckning",
    ),
    A(
        "urgent",
        "u",
        "Brådsk.",
        "Brådskande på/av",
        "Markera eller avmarkera brådskande (u)",
        e.URGENT,
        help_text="brådskande på/av",
    ),
    A(
        "remind",
        "m",
        "Påminn",
        "Påminn handläggaren",
        "E-post och markering till den som har ärendet (m)",
        e.REMIND,
        help_text="påminn handläggaren (när ärendet snart ska vara besvarat eller är försenat); "
        "är hen frånvarande erbjuds omfördelning i stället",
    ),
    A(
        "acute_handled",
        # Capital K ("kontaktad"): j and k move in the panes, as in less and vim.
        "K",
        "Akuta tecken hanterade",
        "Akuta tecken hanterade",
        "Markera att familjen är kontaktad; ärendet ligger inte längre överst (K)",
        e.ACUTE_HANDLED,
        show=False,
        help_text="akuta tecken hanterade — skriv kort vad som gjordes; ärendet ligger sedan inte överst",
    ),
    A(
        "care_team",
        "v",
        "Vårdteam",
        "Vårdteam för patienten",
        "Ange patientens PAL och kontaktsjuksköterska (v)",
        "care_team",
        show=False,
        help_text="vårdteam — patientens PAL och kontaktsjuksköterska; förslagen utgår från dem",
    ),
    A(
        "move_all",
        None,
        "Flytta alla",
        "Flytta alla ärenden från handläggaren",
        "Alla öppna ärenden hos den som har det valda ärendet, till någon annan",
        e.REASSIGN,
        key_label="ctrl+a",
        help_text="flytta alla — i omfördelningen: alla öppna ärenden hos samma person",
    ),
    A(
        "panes",
        None,
        "",
        None,
        "",
        "list",
        key_label="tab / shift+tab",
        help_text="byt ruta: Ofördelade, Fördelade, Avslutade",
        bind=False,
    ),
    A(
        "lines",
        None,
        "",
        None,
        "",
        None,
        key_label="j / k · g / G",
        help_text="en rad ned / upp · första / sista raden (som pilarna och home / end)",
        bind=False,
    ),
    A(
        "audit_filter",
        None,
        "",
        None,
        "",
        "audit",
        key_label="/",
        help_text="i granskningsloggen: filtrera på personnummer eller användarnamn",
        bind=False,
    ),
    A(
        "audit_row",
        None,
        "Visa raden",
        None,
        "",
        "audit",
        key_label="enter",
        help_text="i granskningsloggen: visa radens alla fält",
        bind=False,
    ),
    A(
        "filter",
        None,
        "",
        "Filtrera",
        "Sök på ärende, patient, ämne eller handläggare (/)",
        "list",
        method="screen_filter",
        key_label="/",
        help_text="filtrera på ärende, patient, personnummer, ämne eller handläggare",
    ),
    A(
        "handover",
        "h",
        "Överlämning",
        "Överlämning",
        "Skiftbytet: försenat, idag, obesvarat, delsvar, akut (h)",
        "handover",
        help_text="överlämning vid skiftbyte: mellanslag bockar av, enter öppnar, c anmärkning på "
        "ärendet, w anteckning till nästa pass, ctrl+s lämnar över, t tar över",
    ),
    # The handover screen's own keys (it binds them): here for their names, which the screen's
    # footer and the titles of their forms both take from this table.
    A("handover_remark", None, "Anmärkning", None, "", "handover", key_label="c", bind=False),
    A("handover_note", None, "Till nästa pass", None, "", "handover", key_label="w", bind=False),
    A(
        "stats",
        "s",
        "Statistik",
        "Statistik och avvikelser",
        "Per ärendetyp, vårdgivare och vecka (s)",
        "stats",
        help_text="statistik och avvikelser; [ och ] byter månad",
    ),
    A(
        "back",
        None,
        "",
        None,
        "",
        None,
        key_label="esc",
        help_text="tillbaka / avbryt / rensa filter",
        bind=False,
    ),
    A(
        "palette",
        None,
        "",
        None,
        "",
        None,
        key_label="ctrl+p",
        help_text="kommandopaletten: alla åtgärder",
        bind=False,
    ),
    A(
        "admin",
        "f2",
        "Administration",
        "Administration",
        "Ärendetyper, mallar, personal, schema, frånvaro, akuta tecken, vårdteam, information, avvikelser (F2)",
        "admin_change",
        show=False,
        key_label="F2",
        # Every tab (test_admin_ui keeps it so): help named six of the nine.
        help_text="administration: ärendetyper, mallar, personal, schema, frånvaro, akuta tecken, vårdteam, "
        "information, avvikelser",
    ),
    A(
        "audit",
        "f3",
        "Granskningslogg",
        "Granskningslogg",
        "Vem har öppnat eller ändrat vad (F3)",
        "audit",
        show=False,
        key_label="F3",
        help_text="granskningsloggen: vem har öppnat eller ändrat vad",
    ),
    A(
        "help",
        "question_mark",
        "Hjälp",
        "Hjälp",
        "Tangenterna och rutinen i korthet (?)",
        None,
        key_label="?",
        help_text="den här hjälpen",
    ),
    A("quit", "q", "Avsluta", None, "", None, help_text="avsluta programmet"),
    A(
        "toggle_email",
        None,
        "",
        "Mina inställningar: e-postavisering på/av",
        "Få e-post när ett ärende fördelas till dig",
        "own_settings",
    ),
    A(
        "toggle_bell",
        None,
        "",
        "Mina inställningar: ljudsignal på/av",
        "En ljudsignal när ett ärende fördelas till dig eller du blir påmind",
        "own_settings",
    ),
)

BY_METHOD = {a.app_method.removeprefix("action_"): a for a in ACTIONS}
BY_ID = {a.id: a for a in ACTIONS}


def name(action_id: str) -> str:
    """An action's one name: the footer's word and the title of the form it opens."""
    return BY_ID[action_id].label


def may(actor: Actor, action: Action) -> bool:
    return action.permission is None or roles.may(actor, action.permission)


# The footer's order: the errand actions, then help and quit, so that an 80-column footer keeps
# those two; the rest follow where there is room (all are in help and the palette).
FOOTER_FIRST = (
    "assign",
    "assign_suggested",
    "reply",
    "partial_reply",
    "close",
    "note",
    "urgent",
    "help",
    "quit",
)


def bindings() -> list[Binding]:
    """Every key of the table; check_action hides from each person what they may not take."""
    keyed = [(a.key, a) for a in ACTIONS if a.key and a.bind]
    keyed.sort(key=lambda k: FOOTER_FIRST.index(k[1].id) if k[1].id in FOOTER_FIRST else len(FOOTER_FIRST))
    return [
        Binding(key, a.app_method.removeprefix("action_"), a.footer or a.label, id=a.id, show=a.show)
        for key, a in keyed
    ]


def allowed(actor: Actor, app_action: str) -> bool:
    """For check_action: an app action not in the table (Textual's own) is not ours to refuse."""
    action = BY_METHOD.get(app_action)
    return action is None or may(actor, action)


# The app's errand actions and the moves of R2's table each may start (either will do: `a`
# assigns an unassigned errand and reassigns an assigned one).
MOVES = {
    "assign": (e.ASSIGN, e.REASSIGN),
    "assign_suggested": (e.ASSIGN,),
    "move_all": (e.REASSIGN,),
    "reply": (e.REPLY,),
    "partial_reply": (e.PARTIAL_REPLY,),
    "close_errand": (e.CLOSE,),
    "note": (e.NOTE,),
    "urgent": (e.URGENT,),
    "remind": (e.REMIND,),
    "acute_handled": (e.ACUTE_HANDLED,),
}


def fits_state(app_action: str, status: str, receivers_answer: bool = False) -> bool:
    """Whether an errand in `status` can take the app action, by the domain's one table
    (receivers_answer: its type is answered by receivers, R29)."""
    moves = MOVES.get(app_action)
    if moves is None:
        return True
    for move in moves:
        try:
            e.check_move(move, "", status, receivers_answer=receivers_answer)
        except BccError:
            continue
        return True
    return False


def palette(actor: Actor) -> list[Action]:
    return [a for a in ACTIONS if a.title and may(actor, a)]


# A caregiver's dashboard has no unassigned pane, and calls the assigned one hers.
CAREGIVER_PANES = "byt ruta: Mina ärenden, Avslutade"


def help_keys(actor: Actor) -> list[tuple[str, str]]:
    return [
        (
            a.key_label or a.key or "",
            CAREGIVER_PANES if a.id == "panes" and not actor.has(roles.RECEIVER) else a.help_text,
        )
        for a in ACTIONS
        if a.help_text and may(actor, a)
    ]
