"""The errand actions (docs/routine.md 4.5): each opens its form on the errand under the cursor and
sends it through the same service the command line uses.

The keys, labels and roles of these actions are in `bcc_tui.ui.actions` (the one table); this
module only does them. A form's send runs the service while the form is still open, so a refusal
or a busy database is shown in the form with everything typed still there (R21).

Every write runs off the UI thread (issue 30): in a thread worker of the "write" group, one at a
time in the order asked, its result handed back to the UI thread as a `Written` message (as the
feed's reads come back as `PanesFetched`). A database held by another writer then delays the
write, not the keys: the cursor keeps moving meanwhile. What must not move on is a key that
would act on the row the write changes: while a write is in flight the type-ahead holds an errand
action's key (and every key while a form is sending), until the write's answer has been drawn
(`holds`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.message import Message

from bcc_tui.domain import errand as e
from bcc_tui.domain import roles
from bcc_tui.domain.business_days import BREACHED, MET, OVERDUE, short_date
from bcc_tui.domain.deviations import SECTION_LEADER
from bcc_tui.domain.errors import BccError, Busy
from bcc_tui.domain.text import clean_line, count
from bcc_tui.services import acute as acute_settings
from bcc_tui.services import clinic, drafts, errands, patients, people
from bcc_tui.services.context import Ctx
from bcc_tui.services.errands import Choice
from bcc_tui.services.views import ErrandSummary
from bcc_tui.ui import actions, render
from bcc_tui.ui.screens.errand import ErrandScreen
from bcc_tui.ui.widgets.errand_table import categories_in

if TYPE_CHECKING:
    from bcc_tui.ui.app import BccApp
    from bcc_tui.ui.screens.forms import AssignResult, CloseResult, DraftHooks, Form, TextResult

# The app actions that act on the errand under the cursor: offered only on the dashboard and an
# errand's own screen, never behind an open form.
ERRAND_ACTIONS = {
    "assign",
    "assign_suggested",
    "reply",
    "partial_reply",
    "close_errand",
    "note",
    "urgent",
    "remind",
    "acute_handled",
    "care_team",
    "move_all",
}

# Their keys (the action table's): what waits while a write is in flight.
ERRAND_KEYS = frozenset(
    a.key
    for a in actions.ACTIONS
    if a.key and a.bind and a.app_method.removeprefix("action_") in ERRAND_ACTIONS
)


def _listed(refs: list[str], most: int = 8) -> str:
    return ", ".join(refs[:most]) + (f" och {len(refs) - most} till" if len(refs) > most else "")


def _reason(c: Choice) -> str:
    return f" ({c.absence_reason})" if c.absence_reason else ""


R = TypeVar("R")
T = TypeVar("T")
Then = Callable[[T | None, BccError | None], None]


class Written(Message, Generic[T]):
    """A write done in a worker, handed to the UI thread: its result, or the refusal, and what
    the UI does with them."""

    def __init__(self, then: Then[T], result: T | None, error: BccError | None) -> None:
        super().__init__()
        self.then, self.result, self.error = then, result, error


class ActionRunner:
    """Runs the person's errand actions for the app (the forms are imported when first used:
    the dashboard's start-up does not need them)."""

    def __init__(self, app: BccApp) -> None:
        self.app = app
        self.in_flight = 0  # writes asked for whose answer the UI has not had yet
        self.sending = False  # a form waits for its write (every key waits with it)
        self.opening = False  # an errand's audited read is in flight (every key waits for its screen)
        self._queue: deque[Callable[[], None]] = deque()  # writes waiting for the one running

    @property
    def ctx(self) -> Ctx:
        return self.app.ctx

    # -- plumbing ----------------------------------------------------------------------------
    def refused(self, error: BccError | None, *, reload: bool = False) -> None:
        """A write the service refused (or that answered nothing): said in one toast; `reload`
        when the panes may no longer be what the refusal was about."""
        text = error.for_ui() if error else ""
        self.app.notify(text, title="Gick inte", severity="error", timeout=8, markup=False)
        if reload:
            self.app.feed.request_reload()

    def write(self, call: Callable[[], T], then: Then[T], *, group: str = "write") -> None:
        """Run `call` (a service call, which may wait for the database) in a thread worker; then,
        on the UI thread, `then(result, None)` or `then(None, refusal)`. Writes run one at a time,
        in the order asked: a second waits for the first's answer."""
        app = self.app
        self.in_flight += 1

        def work() -> None:
            try:
                result, error = call(), None
            except BccError as err:  # a refusal or a busy database: said, not a crash
                result, error = None, err
            app.post_message(Written(then, result, error))

        def start() -> None:
            app.run_worker(work, name=group, group=group, thread=True)

        if self.in_flight > 1:
            self._queue.append(start)
        else:
            start()

    def written(self, message: Written[Any]) -> None:
        """The app's handler of `Written`: the answer drawn, then the next write started."""
        try:
            message.then(message.result, message.error)
        finally:
            self.in_flight -= 1
            if self._queue:
                self._queue.popleft()()

    def holds(self, event: events.Key | events.Paste) -> bool:
        """Whether a key from the terminal must wait for a write in flight: every key while a form
        sends (it is still open and may yet stay: R21), and a key of an errand action while any
        write is in flight (the row it would act on is about to change). Moving the cursor, or
        anything else, goes on."""
        if self.sending or self.opening:
            return True
        if not self.in_flight or not isinstance(event, events.Key):
            return False
        return event.key in ERRAND_KEYS

    def perform(
        self,
        done: str,
        fn: Callable[..., object],
        *args: Any,
        ok: Callable[[], None] | None = None,
        keep_position: bool = True,
        **kwargs: Any,
    ) -> None:
        """Run one service call for the person, off the UI thread, and say how it went, in plain
        words; `ok` is called when it went through. keep_position: the cursor stays on the same
        row number (Feed.reload_now); else on the same errand, wherever it moved."""
        app = self.app

        def then(_result: object, error: BccError | None) -> None:
            if isinstance(error, Busy):
                app.notify(str(error), title="Upptagen", severity="warning", timeout=8, markup=False)
            elif error is not None:
                self.refused(error, reload=True)
            else:
                app.notify(done, markup=False)
                app.feed.reload_now(keep_position=keep_position)
                if ok is not None:
                    ok()

        self.write(lambda: fn(self.ctx, *args, **kwargs), then)

    def ask(self, form: Form[R], submit: Callable[[R], str], errand: ErrandSummary | None = None) -> None:
        """Open a form whose send runs `submit` (the service call; it returns what to say when
        done) while the form is still open: a refusal, or a busy database, is shown in the form
        with everything typed still there (R21). With `errand`, the form keeps a draft."""
        app = self.app
        outcome: list[str] = []

        def hook(result: R, answer: Callable[[str | None], None]) -> None:
            # The form stays open, and every key waits, until the write has answered.
            self.sending = True

            def then(said: str | None, error: BccError | None) -> None:
                self.sending = False
                if isinstance(error, Busy):
                    answer(str(error))
                elif error is not None:
                    app.feed.request_reload()
                    answer(error.for_ui())
                else:
                    outcome.append(said or "")
                    answer(None)

            self.write(lambda: submit(result), then)

        def closed(result: R | None) -> None:
            if result is not None and outcome:
                app.notify(outcome[-1], markup=False)
                app.feed.reload_now(keep_position=True)

        form.submit_hook = hook
        if errand is not None:
            form.watched = (errand.ref, errand.version, errand.assignee, errand.status)
        if errand is not None and form.DRAFT_FORM:
            form.drafts = self.draft_hooks(errand.ref, form.DRAFT_FORM)
        app.push_screen(form, closed)

    def draft_hooks(self, ref: str, form: str) -> DraftHooks | None:
        """R21: the service calls a form keeps its draft with; None when drafts cannot be read
        now (a busy database), so that an empty form never overwrites a kept draft."""
        from bcc_tui.ui.screens.forms import DraftHooks

        app = self.app
        try:
            kept = drafts.load(self.ctx, ref, form)
        except BccError as err:
            app.notify(f"Utkast kan inte hämtas just nu: {err.for_ui()}", severity="warning", markup=False)
            return None

        def save(fields: dict) -> str | None:
            try:
                drafts.save(self.ctx, ref, form, fields)
            except BccError as err:
                return err.for_ui()
            return None

        def discard() -> None:
            try:
                drafts.discard(self.ctx, ref, form)
            except BccError as err:
                app.notify(f"Utkastet kunde inte slängas: {err.for_ui()}", severity="error", markup=False)

        return DraftHooks(
            save, discard, kept.fields if kept else None, render.short_moment(kept.saved_at) if kept else None
        )

    # -- what a form says about the errand ---------------------------------------------------
    def target(self) -> ErrandSummary | None:
        s = self.app.current()
        if s is None:
            self.app.notify("Inget ärende valt.", severity="warning", markup=False)
        return s

    @staticmethod
    def errand_line(s: ErrandSummary) -> Text:
        """One line naming the errand a form acts on: type, patient, subject (patient text inert)."""
        line = Text()
        line.append(f"{e.type_name(s.type)} · ", style="dim")
        line.append_text(render.safe(s.patient_name, one_line=True))
        if s.proxy_name:
            line.append(" (")
            line.append_text(render.safe(f"{s.proxy_relation} {s.proxy_name}", one_line=True))
            line.append(")")
        if s.subject:
            line.append(" · ", style="dim")
            line.append_text(render.safe(s.subject, "italic", one_line=True))
        return line

    def refused_early(self, s: ErrandSummary, action: str) -> bool:
        """Refuse before a form opens on an errand that cannot take the action (R21: nothing is
        typed in vain); the same rules the service applies when the form is sent."""
        screen = self.app.screen
        lost = screen.lost if isinstance(screen, ErrandScreen) else None
        if lost is not None:
            self.app.notify(
                f"Ärendet är inte längre ditt: {lost}", title="Går inte", severity="warning", markup=False
            )
            return True
        try:
            e.check_move(action, s.ref, s.status, s.assignee, receivers_answer=s.receivers_answer)
            roles.require_action(self.ctx.actor, action, s.ref, s.assignee)
        except BccError as err:
            self.app.notify(err.for_ui(), title="Går inte", severity="warning", timeout=8, markup=False)
            return True
        return False

    def person_name(self, username: str | None) -> str | None:
        data = self.app.last_data
        if not username or not data:
            return username
        return data.names.get(username, username)

    def top_doctor_name(self) -> str | None:
        data = self.app.last_data
        if not data or not data.today.top_doctor:
            return None
        return data.names.get(data.today.top_doctor, data.today.top_doctor)

    def absence_warning(self, s: ErrandSummary) -> Text | None:
        """R4: the errand's caregiver is absent today — say so and name the top doctor."""
        sentence = self.absent_sentence(s)
        if sentence is None:
            return None
        text = Text(f"{sentence}.", style="bold yellow")
        if self.gone(s):
            text.append(" Ärendet behöver fördelas till någon i tjänst.", style="yellow")
            return text
        top = self.top_doctor_name()
        if top:
            text.append(
                f" Stäm av med {top} (överst på schemat); kan ärendet vänta, skicka ett delsvar.",
                style="yellow",
            )
        return text

    @staticmethod
    def proxy_caution(s: ErrandSummary) -> Text | None:
        """R12, in the forms whose text goes to the family: a proxy writing for a patient of 13 or
        more may not be entitled to the answer. The errand said so; the reply form did not."""
        if not s.proxy_for_older_child:
            return None
        return Text("Ombud för patient 13+: kontrollera behörigheten.", style="bold yellow")

    @staticmethod
    def acute_caution(s: ErrandSummary) -> Text | None:
        """Acute signs not yet marked handled (R11, R25), in one line: in the forms that end an
        errand, and in the partial reply, which tells the family to wait (it said nothing)."""
        if not s.acute_pinned:
            return None
        line = Text("Akuta tecken, inte hanterade (K): ", style="bold red")
        line.append_text(render.safe(categories_in(s.acute_categories, 16), "red", one_line=True))
        return line

    def ending_caution(self, s: ErrandSummary) -> Text | None:
        """What the forms that end an errand (reply, close without reply) say first: acute signs
        not yet marked handled (R11, R25), and an errand held by someone else. A receiver replied
        to a doctor's acute errand with neither in sight, and the errand left the pinned rows
        unhandled (a helper trying the dashboard found it)."""
        # One line each at 60×20 (the form's send line stays in sight): the categories, as many as
        # fit in whole words (the quotes are in the errand), and the holder's short name.
        elsewhere = None
        if s.assignee and s.assignee != self.ctx.actor.username:
            names = self.app.last_data.names if self.app.last_data else {}
            holder = render.safe(render.person_short(s.assignee, names), one_line=True).plain
            elsewhere = Text(f"Fördelat till {holder}, inte till dig.", style="bold yellow")
        return _joined(self.acute_caution(s), elsewhere)

    @staticmethod
    def deadline(s: ErrandSummary) -> Text:
        """What a partial reply does for the rule on this errand, said truthfully (R3, docs/routine.md 5)."""
        c = s.countdown
        if c.level == OVERDUE:
            return Text(
                f"Svarstiden gick ut {short_date(s.due_date)} ({c.text}): delsvaret kommer för sent "
                "för regeln och ärendet räknas som en avvikelse, men familjen får veta att det "
                "hanteras. Ärendet förblir öppet.",
                style="bold yellow",
            )
        if c.level == BREACHED:
            return Text(f"Regeln bröts redan ({c.text}); ärendet förblir öppet.", style="yellow")
        if c.level == MET:
            return Text("Regeln är redan uppfylld; ärendet förblir öppet.", style="dim")
        return Text(
            f"Ärendet förblir öppet; ett delsvar nu uppfyller regeln (förfaller {short_date(s.due_date)}).",
            style="dim",
        )

    # -- the actions -------------------------------------------------------------------------
    def assign(self, notice: Text | None = None, move_all: bool = False) -> None:
        from bcc_tui.ui.screens.forms import AssignForm

        app = self.app
        s = self.target()
        if s is None:
            return
        if not roles.may(self.ctx.actor, e.ASSIGN):
            app.notify("Bara en ärendemottagare får fördela.", severity="error", markup=False)
            return
        if s.status == e.CLOSED:
            app.notify(f"{s.ref} är redan avslutat.", severity="error", markup=False)
            return
        reassign = s.status == e.ASSIGNED
        holder = s.assignee
        if move_all and (not reassign or holder is None):
            app.notify(
                f"{s.ref} är inte fördelat till någon; välj ett fördelat ärende.",
                severity="warning",
                markup=False,
            )
            return
        choices = self.choices(s.ref)
        if choices is None:
            return
        held = None
        if reassign and holder is not None:  # ctrl+a in the form may ask to move them all
            try:
                held = errands.open_held(self.ctx, holder)
            except BccError:
                held = None  # the question then says "alla öppna ärenden"

        def done(result: AssignResult | None) -> None:
            if result is None:
                return
            name = self.person_name(result.username)
            if result.move_all and holder is not None:
                self.move_all_from(holder, result.username)
                return
            verb = "omfördelat" if reassign else "fördelat"
            self.perform(
                f"{s.ref} {verb} till {name}",
                errands.assign,
                s.ref,
                result.username,
                reassign=reassign,
                expected_version=s.version,
            )

        app.push_screen(
            AssignForm(
                s.ref,
                choices,
                reassign=reassign,
                current=s.assignee,
                current_name=self.person_name(s.assignee),
                top_doctor=self.top_doctor_name(),
                context=self.errand_line(s),
                notice=notice,
                move_all=move_all,
                current_open=held,
            ),
            done,
        )

    def assign_marked(self, rows: list[ErrandSummary]) -> None:
        """`a` with rows marked in Ofördelade: all of them to one person chosen in the assign
        form (its second enter for someone absent as for one errand). Each is its own audited
        assignment; one refused (assigned meanwhile by someone else) is named, the others go."""
        from bcc_tui.ui.screens.forms import AssignForm

        app = self.app
        if not roles.may(self.ctx.actor, e.ASSIGN):
            app.notify("Bara en ärendemottagare får fördela.", severity="error", markup=False)
            return
        # The suggestion is preselected when every marked row shows the same one.
        shown = {s.suggestion.username if s.suggestion else None for s in rows}
        try:
            choices = errands.assign_choices(
                self.ctx, rows[0].ref if len(shown) == 1 and None not in shown else None
            )
        except BccError as err:
            app.notify(err.for_ui(), severity="warning", markup=False)
            return
        refs = [s.ref for s in rows]

        def done(result: AssignResult | None) -> None:
            if result is None:
                return
            self.write(
                lambda: errands.assign_each(self.ctx, [(s.ref, s.version) for s in rows], result.username),
                lambda outcome, error: assigned(result.username, outcome, error),
            )

        def assigned(username: str, outcome: errands.AssignedEach | None, error: BccError | None) -> None:
            if error is not None or outcome is None:
                self.refused(error, reload=True)
                return
            name = self.person_name(username)
            given = [d.ref for d in outcome.done]
            if given:
                app.notify(
                    f"{len(given)} {'ärende' if len(given) == 1 else 'ärenden'} fördelade till {name}: "
                    + _listed(given),
                    timeout=12,
                    markup=False,
                )
            for ref, why in outcome.refused:
                app.notify(
                    f"{ref} fördelades inte: {why}",
                    title="Gick inte",
                    severity="error",
                    timeout=15,
                    markup=False,
                )
            if app.dashboard is not None:
                app.dashboard.unmark(given)
            app.feed.reload_now(keep_position=True)

        complaints = [s for s in rows if s.type == e.COMPLAINT and s.suggestion is not None]

        def second_look(choice: errands.Choice) -> str | None:
            """R5: an urgent complaint goes to a section leader, any other to the nurse responsible
            for MedControl PRO; marked with other errands and given to someone else, it went
            without a word (a keyboard trial found it)."""
            urgent = [s for s in complaints if s.urgent and choice.title != SECTION_LEADER]
            other = [
                s
                for s in complaints
                if not s.urgent and s.suggestion is not None and s.suggestion.username != choice.username
            ]
            parts = []
            if urgent:
                parts.append(f"{_listed([s.ref for s in urgent])} (brådskande) till en sektionsledare")
            if other and other[0].suggestion is not None:
                who = self.person_name(other[0].suggestion.username) or other[0].suggestion.username
                parts.append(f"{_listed([s.ref for s in other])} till {who} (MedControl PRO)")
            if not parts:
                return None
            return (
                f"Enligt klagomålsregeln ska {' och '.join(parts)}. "
                f"Tryck enter igen för att ändå fördela till {choice.name}."
            )

        context = Text(f"{count(len(rows), 'markerat', 'markerade')}: ", style="dim")
        context.append_text(render.safe(_listed(refs), one_line=True))
        app.push_screen(
            AssignForm(
                count(len(rows), "markerat ärende", "markerade ärenden"),
                choices,
                top_doctor=self.top_doctor_name(),
                context=context,
                second_look=second_look if complaints else None,
            ),
            done,
        )

    def assign_suggested(self) -> None:
        """`A`: the errand under the cursor to its suggestion, without the form; the cursor stays
        on its row number, where the next errand now is. It assigns only to the suggestion the row
        shows, read again now and on duty today: otherwise (someone absent, whom R22 gives an
        errand only after a second enter; a suggestion changed since the list was read; none) the
        assign form opens and says why."""
        app = self.app
        s = self.target()
        if s is None or self.refused_early(s, e.ASSIGN):
            return
        choices = self.choices(s.ref)
        if choices is None:
            return
        pick = next((c for c in choices if c.suggested), None)
        # Where the doctor concerned is away the row shows that, not the suggestion (R4: the
        # receiver decides whether the errand waits): `A` gave it to someone the row never named.
        shown = s.suggestion.username if s.suggestion and s.concerned_absent is None else None
        names = self.app.last_data.names if self.app.last_data else {}
        wait = (
            "välj vem som tar över"
            if s.concerned_absent and s.concerned_absent.gone
            else "vänta på hen (delsvar) eller välj vem"
        )
        why_not = (
            f"{s.concerned_absent.text(names)}: {wait}."
            if s.concerned_absent is not None
            else self._not_silently(pick, shown, {c.username: c for c in choices})
        )
        if why_not is not None or pick is None:
            self.assign(notice=Text(clean_line(why_not or ""), style="bold yellow"))
            return

        def then(done: errands.Assigned | None, error: BccError | None) -> None:
            if isinstance(error, Busy):
                app.notify(str(error), title="Upptagen", severity="warning", timeout=8, markup=False)
                return
            if error is not None or done is None:
                self.refused(error, reload=True)
                return
            name = done.name or pick.name
            if done.absent:  # absent from the moment between the suggestion and the assignment
                app.notify(
                    f"{s.ref} fördelat till {name}, som är frånvarande idag.",
                    severity="warning",
                    timeout=12,
                    markup=False,
                )
            else:
                app.notify(f"{s.ref} fördelat till {name}", markup=False)
            app.feed.reload_now(keep_position=True)

        self.write(lambda: errands.assign(self.ctx, s.ref, pick.username, expected_version=s.version), then)

    def _not_silently(self, pick: Choice | None, shown: str | None, by_name: dict[str, Choice]) -> str | None:
        """Why `A` may not assign without the form; None when it may."""
        if pick is not None and pick.absent:
            return (
                f"Förslaget {pick.name} är frånvarande idag{_reason(pick)}: tryck enter två gånger "
                "för att ändå fördela, eller välj någon annan."
            )
        was = by_name.get(shown) if shown else None
        if was is not None and was.absent:
            now = f" Nu föreslås {pick.name}." if pick is not None else ""
            return f"{was.name}, förslaget i listan, är frånvarande idag{_reason(was)}.{now} Välj vem."
        if pick is None:
            return "Ärendet har inget förslag: välj vem."
        if shown != pick.username:
            return f"Förslaget har ändrats sedan listan lästes: nu {pick.name}. Välj vem."
        return None

    def choices(self, ref: str) -> list[errands.Choice] | None:
        """Who the errand may go to; None (said in a toast) when the database is busy or the
        errand went away: the dashboard stays."""
        try:
            return errands.assign_choices(self.ctx, ref)
        except BccError as err:
            self.app.notify(err.for_ui(), severity="warning", markup=False)
            return None

    def move_all_from(self, from_user: str, to_user: str) -> None:
        """R22: every open errand of one person to another, each its own audited reassignment."""
        self.write(
            lambda: errands.reassign_all(self.ctx, from_user, to_user),
            lambda result, error: self._moved(from_user, to_user, result, error),
        )

    def _moved(
        self, from_user: str, to_user: str, result: errands.Moved | None, error: BccError | None
    ) -> None:
        app = self.app
        if error is not None or result is None:
            self.refused(error)
            return
        shown = ", ".join(result.moved[:8]) + (
            f" och {len(result.moved) - 8} till" if len(result.moved) > 8 else ""
        )
        app.notify(
            f"{count(len(result.moved), 'ärende flyttat', 'ärenden flyttade')} från {self.person_name(from_user)} till {self.person_name(to_user)}"
            + (f": {shown}" if shown else ""),
            timeout=12,
            markup=False,
        )
        for ref, why in result.refused:
            app.notify(f"{ref} flyttades inte: {why}", severity="error", timeout=12, markup=False)
        app.feed.reload_now(keep_position=True)

    def move_all(self) -> None:
        s = self.app.current()
        name = self.person_name(s.assignee) if s is not None else None
        self.assign(
            notice=Text(f"Alla öppna ärenden hos {name} flyttas till den du väljer.", style="bold")
            if name
            else None,
            move_all=True,
        )

    def reply(self) -> None:
        from bcc_tui.ui.screens.forms import ReplyForm

        s = self.target()
        if s is None or self.refused_early(s, e.REPLY):
            return
        actor = self.ctx.actor
        signature = f"{actor.name}{', ' + actor.title if actor.title else ''}, Barncancercentrum"
        try:
            filled = clinic.templates_for(self.ctx, s.ref)
        except BccError:
            filled = []

        def send(r: TextResult) -> str:
            errands.reply(self.ctx, s.ref, r.text, expected_version=s.version)
            return f"{s.ref} besvarat och avslutat"

        form = ReplyForm(
            s.ref,
            signature,
            filled,
            warning=_joined(self.proxy_caution(s), self.ending_caution(s), self.absence_warning(s)),
            context=self.errand_line(s),
        )
        self.ask(form, send, errand=s)

    def partial_reply(self) -> None:
        from bcc_tui.ui.screens.forms import PartialReplyForm

        s = self.target()
        if s is None or self.refused_early(s, e.PARTIAL_REPLY):
            return
        doctors = []
        top = None
        data = self.app.last_data
        if data:
            today = data.today
            top = today.top_doctor
            doctors = [
                (data.names.get(d, d) + (" (överst)" if d == top else ""), d)
                for d in today.doctors
                if d not in today.absent
            ]

        def send(r: TextResult) -> str:
            errands.partial_reply(self.ctx, s.ref, r.text, consulted=r.consulted, expected_version=s.version)
            return f"Delsvar skickat för {s.ref}"

        concerned = s.concerned_absent
        form = PartialReplyForm(
            s.ref,
            doctors,
            top,
            warning=self.absence_warning(s),
            caution=_joined(self.acute_caution(s), self.proxy_caution(s)),
            deadline=self.deadline(s),
            consult=roles.RECEIVER in self.ctx.actor.roles
            and s.assignee != self.ctx.actor.username
            and not s.receivers_answer,
            back_text=short_date(concerned.back_on) if concerned and concerned.back_on else None,
            waits=not self.gone(s),
            acute_advice=self.acute_advice() if s.acute_pinned else None,
            context=self.errand_line(s),
        )
        self.ask(form, send, errand=s)

    def acute_advice(self) -> str:
        """What a partial reply on an errand with acute signs not yet handled says at first: the
        clinic's own advice to the family when it has it on (its settings), else ACUTE_PARTIAL."""
        from bcc_tui.ui.screens.forms import ACUTE_PARTIAL

        try:
            advice = acute_settings.settings_now(self.ctx).advice
        except BccError:
            return ACUTE_PARTIAL
        # Its text only while the clinic has the advice on: a text left from before may be stale.
        return advice.text.strip() if advice.enabled and advice.text.strip() else ACUTE_PARTIAL

    def close_errand(self) -> None:
        from bcc_tui.ui.screens.forms import CloseForm

        s = self.target()
        if s is None or self.refused_early(s, e.CLOSE):
            return

        def send(r: CloseResult) -> str:
            errands.close(self.ctx, s.ref, r.reason, documented=r.documented, expected_version=s.version)
            return f"{s.ref} avslutat utan svar"

        caution = _joined(self.ending_caution(s), self.unsent_drafts(s)) or ""
        self.ask(CloseForm(s.ref, caution, context=self.errand_line(s)), send, errand=s)

    def unsent_drafts(self, s: ErrandSummary) -> Text | None:
        """A reply or partial reply kept as a draft is never sent once the errand is closed without
        reply, and goes with it: said first (a keyboard trial found it dropped without a word)."""
        try:
            kept = drafts.kept_replies(self.ctx, s.ref)
        except BccError:
            return None
        if not kept:
            return None
        if len(kept) == 1:
            return Text(f"Ditt utkast till {kept[0]} skickas inte; det tas bort.", style="bold yellow")
        return Text(f"Dina utkast till {' och '.join(kept)} skickas inte; de tas bort.", style="bold yellow")

    def note(self) -> None:
        from bcc_tui.ui.screens.forms import NoteForm

        s = self.target()
        if s is None or self.refused_early(s, e.NOTE):
            return

        def send(r: TextResult) -> str:
            errands.note(self.ctx, s.ref, r.text)
            return f"Anteckning sparad för {s.ref}"

        self.ask(NoteForm(s.ref, context=self.errand_line(s)), send, errand=s)

    def care_team(self) -> None:
        """R29: the receiver sets the patient's PAL and contact nurse from the errand (v)."""
        from bcc_tui.ui.screens.fields import Field, FieldsForm

        s = self.target()
        if s is None:
            return
        try:
            doctors, nurses, team = patients.candidates(self.ctx, s.personnummer)
        except BccError as err:
            self.app.notify(err.for_ui(), severity="warning", markup=False)
            return

        def submit(v: dict[str, Any]) -> str:
            patients.set_team(
                self.ctx, s.personnummer, pal=v["pal"] or None, contact_nurse=v["nurse"] or None
            )
            return "Vårdteamet sparat"

        def done(message: str | None) -> None:
            if message:
                self.app.notify(message, markup=False)
                self.app.feed.reload_now(keep_position=True)

        self.app.push_screen(
            FieldsForm(
                actions.name("care_team"),
                s.ref,
                [
                    Field("pal", "Patientansvarig läkare (PAL)", team.pal, "select", doctors),
                    Field("nurse", "Kontaktsjuksköterska", team.contact_nurse, "select", nurses),
                ],
                submit,
                context=self.errand_line(s),
            ),
            done,
        )

    def acute_handled(self, chosen: ErrandSummary | None = None) -> None:
        """R25: mark the acute banner handled, with a short note; the errand is then not pinned.
        `chosen`: the errand, where the screen is no pane or errand (the handover's list)."""
        from bcc_tui.ui.screens.forms import AcuteHandledForm

        app = self.app
        s = chosen or self.target()
        if s is None or self.refused_early(s, e.ACUTE_HANDLED):
            return
        if not s.acute:
            app.notify(f"{s.ref} har inga akuta tecken.", severity="warning", markup=False)
            return
        if s.acute_handled_at is not None:
            app.notify(
                f"De akuta tecknen i {s.ref} är redan markerade som hanterade.",
                severity="warning",
                markup=False,
            )
            return

        def send(r: TextResult) -> str:
            errands.acute_handled(self.ctx, s.ref, r.text, expected_version=s.version)
            return f"Akuta tecken i {s.ref} markerade som hanterade"

        self.ask(AcuteHandledForm(s.ref, s.acute_text, context=self.errand_line(s)), send, errand=s)

    def urgent(self) -> None:
        s = self.target()
        if s is None:
            return
        on = not s.urgent
        # The cursor goes with the errand as it moves: u again undoes it. It stayed on the row
        # number, and the second u marked the errand that had taken the place, unseen.
        self.perform(
            f"{s.ref} {'markerat' if on else 'inte längre'} brådskande",
            errands.set_urgent,
            s.ref,
            on,
            keep_position=False,
            expected_version=s.version,
        )

    def absent_sentence(self, s: ErrandSummary) -> str | None:
        """'Emma Ström är frånvarande idag (Sjuk)' when the errand's holder is absent today; for an
        errand nobody holds, the caregiver concerned (the PAL, the last to reply): 'PAL Johanna
        Westin frånv. t.o.m. 10 dec'."""
        data = self.app.last_data
        if not s.assignee and s.concerned_absent is not None and data:
            return clean_line(s.concerned_absent.text(data.names))
        if not s.assignee or not data or s.assignee not in data.today.absent:
            return None
        name = data.names.get(s.assignee, s.assignee)
        if s.holder_gone:
            return clean_line(f"{name} är avaktiverad")
        reason = data.today.absent.get(s.assignee)
        return clean_line(f"{name} är frånvarande idag{' (' + reason + ')' if reason else ''}")

    def gone(self, s: ErrandSummary) -> bool:
        """The caregiver the errand waits for was deactivated: nobody to wait for (a partial reply
        had told the family to wait until a doctor who has left "is back")."""
        if s.assignee:
            return s.holder_gone
        return s.concerned_absent is not None and s.concerned_absent.gone

    def remind(self) -> None:
        s = self.target()
        if s is None:
            return
        name = self.person_name(s.assignee)
        if s.holder_absent and roles.may(self.ctx.actor, e.ASSIGN):
            # R22: a reminder would wait unread; offer to give the errand to someone on duty.
            sentence = self.absent_sentence(s) or clean_line(f"{name} är frånvarande idag")
            self.assign(
                notice=Text(
                    f"{sentence}; en påminnelse når "
                    "inte fram. Omfördela ärendet i stället (ctrl+a flyttar alla hens öppna ärenden).",
                    style="bold yellow",
                )
            )
            return
        self.perform(f"Påminnelse skickad till {name} för {s.ref}", errands.remind, s.ref)

    def toggle_bell(self) -> None:
        on = not self.app.bell_on

        def ok() -> None:
            self.app.bell_on = on

        self.perform("Ljudsignal för nya ärenden är nu " + ("på" if on else "av"), people.set_bell, on, ok=ok)

    def toggle_email(self) -> None:
        try:
            on = not people.email_notify(self.ctx)
        except BccError as err:
            self.app.notify(err.for_ui(), severity="warning", markup=False)
            return
        self.perform("E-postavisering är nu " + ("på" if on else "av"), people.set_email_notify, on)


def _joined(*lines: Text | None) -> Text | None:
    given = [line for line in lines if line is not None]
    return Text("\n").join(given) if given else None
