"""The clinic's settings and the administrator's use cases: errand types (R1, R14), templates,
the follow-up delay (R19) and the information notice (R17). The acute-sign rules (R11) are
services/acute.py."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from sqlite3 import Connection

from bcc_tui.domain import errand as e
from bcc_tui.domain import flags, history, roles, templates
from bcc_tui.domain.business_days import due_date
from bcc_tui.domain.errors import InvalidInput, NotFound
from bcc_tui.domain.routing import TOP_DOCTOR
from bcc_tui.domain.text import clean, clean_line, count
from bcc_tui.services import batches
from bcc_tui.services.context import Ctx, require, visible_row
from bcc_tui.store import audit, ledger
from bcc_tui.store import errands as q
from bcc_tui.store import staff as staff_q
from bcc_tui.store import templates as tq
from bcc_tui.store.errands import Errand

FOLLOWUP_KEY, NOTICE_KEY = "followup_days", "notice"
NOTICE_MAX = 300  # characters: a short notice (R17); the header also cuts a longer stored one


# -- settings read by everyone -------------------------------------------------------------------
def followup_days(conn: Connection) -> int:
    return int(staff_q.get_setting(conn, FOLLOWUP_KEY, flags.DEFAULT_FOLLOWUP_DAYS))


@dataclass(frozen=True)
class Notice:
    text: str
    until: dt.date
    author: str


def current_notice(conn: Connection, today: dt.date) -> Notice | None:
    """R17: the administrator's notice, until (and including) its last day."""
    raw = staff_q.get_setting(conn, NOTICE_KEY)
    if not raw:
        return None
    notice = Notice(raw["text"], dt.date.fromisoformat(raw["until"]), raw["author"])
    return notice if notice.until >= today else None


def followup_days_now(ctx: Ctx) -> int:
    """The follow-up delay in business days after a partial reply (R19)."""
    with ctx.store.read() as conn:
        return followup_days(conn)


def notice_now(ctx: Ctx) -> Notice | None:
    with ctx.store.read() as conn:
        return current_notice(conn, ctx.today())


# -- the administrator's changes -----------------------------------------------------------------
def check_followup_days(days: int) -> None:
    if not 1 <= days <= 30:
        raise InvalidInput("uppföljningen ska ligga 1–30 vardagar efter delsvaret")


def set_followup_days(ctx: Ctx, days: int) -> None:
    require(ctx, "admin_change", what="ändra uppföljningstiden")
    check_followup_days(days)
    with ctx.change("admin_change") as conn:
        text = staff_q.set_setting(conn, FOLLOWUP_KEY, days)
        audit.append(
            conn,
            [
                ctx.entry(
                    "admin_change",
                    detail=f"uppföljning efter delsvar: {count(days, 'vardag', 'vardagar')}",
                    data=ledger.setting_change(FOLLOWUP_KEY, text),
                )
            ],
        )


def post_notice(ctx: Ctx, text: str, until: dt.date) -> None:
    require(ctx, "admin_change", what="lägga ut driftinformation")
    body = clean_line(text or "").strip()
    if not body:
        raise InvalidInput("informationen är tom")
    if len(body) > NOTICE_MAX:
        raise InvalidInput(f"informationen är för lång (högst {NOTICE_MAX} tecken)")
    if until < ctx.today():
        raise InvalidInput("slutdatumet har redan passerat")
    with ctx.change("admin_change") as conn:
        text = staff_q.set_setting(
            conn, NOTICE_KEY, {"text": body, "until": until.isoformat(), "author": ctx.actor.name}
        )
        audit.append(
            conn,
            [
                ctx.entry(
                    "admin_change",
                    detail=f"driftinformation till {until}: {body}",
                    data=ledger.setting_change(NOTICE_KEY, text),
                )
            ],
        )


def clear_notice(ctx: Ctx) -> None:
    require(ctx, "admin_change", what="ta bort driftinformation")
    with ctx.change("admin_change") as conn:
        text = staff_q.set_setting(conn, NOTICE_KEY, None)
        audit.append(
            conn,
            [
                ctx.entry(
                    "admin_change",
                    detail="driftinformation borttagen",
                    data=ledger.setting_change(NOTICE_KEY, text),
                )
            ],
        )


# -- errand types ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TypeInfo:
    code: str
    name: str
    business_days: int
    enabled: bool
    default_assignee: str | None
    units: tuple[str, ...]
    receivers_answer: bool = False  # R29: "besvaras av mottagare"


def list_types(ctx: Ctx) -> list[TypeInfo]:
    with ctx.store.read() as conn:
        rows = q.types(conn)
    return [
        TypeInfo(
            r.code,
            r.name,
            r.business_days,
            bool(r.enabled),
            r.default_assignee,
            e.TYPES[r.code].units if r.code in e.TYPES else (),
            bool(r.receivers_answer),
        )
        for r in rows
    ]


def update_type(
    ctx: Ctx,
    code: str,
    *,
    name: str | None = None,
    days: int | None = None,
    default_assignee: str | None = None,
    enabled: bool | None = None,
    receivers_answer: bool | None = None,
    follow: bool = True,
) -> int:
    """Change a type; a new number of days recomputes the due dates of its open errands (R14):
    the change and its audit row commit first, then the errands follow in short batches (unless
    the caller runs `redate` itself, in a thread: `follow=False`). receivers_answer (R29): whether
    receivers answer its errands themselves. Returns how many open errands got a new due date
    here."""
    require(ctx, "admin_change", what="ändra ärendetyper")
    if enabled is False:
        raise InvalidInput(
            f"{e.type_name(code)} ingår i basutbudet för 1177 som mottagningen måste erbjuda och kan inte stängas av"
        )
    with ctx.change("admin_change") as conn:
        row = q.type_row(conn, code)
        if row is None:
            raise NotFound(f"ärendetypen '{code}' finns inte")
        fields = _type_fields(conn, code, row, name, days, receivers_answer, default_assignee)
        fields = {k: v for k, v in fields.items() if getattr(row, k) != v}
        if not fields:
            return 0
        q.update_type(conn, code, fields)
        if "business_days" in fields:
            # R14: the open errands of the type follow, in batches after this commit (issue 28);
            # until they all have, readers compute their due dates from the rule (due_days).
            batches.start(conn, DUES_KEY, _fingerprint(q.type_days(conn)))
        audit.append(
            conn,
            [
                ctx.entry(
                    "admin_change",
                    data=ledger.type_change(code, fields),
                    detail=f"ärendetyp {code}: {json.dumps(fields, ensure_ascii=False)}",
                )
            ],
        )
    return redate(ctx) if "business_days" in fields and follow else 0


def _type_fields(
    conn: Connection,
    code: str,
    row: q.ErrandTypeRow,
    name: str | None,
    days: int | None,
    receivers_answer: bool | None,
    default_assignee: str | None,
) -> dict[str, object]:
    """The columns a type change sets, each checked; refused with the first problem."""
    fields: dict = {}
    if name is not None:
        name = clean_line(name).strip()
        if not name or len(name) > 60:
            raise InvalidInput("namnet ska vara 1–60 tecken")
        fields["name"] = name
    if days is not None:
        if not 1 <= days <= 30:
            raise InvalidInput("antalet vardagar ska vara 1–30")
        fields["business_days"] = days
    if receivers_answer is not None:
        if code == e.COMPLAINT and receivers_answer:
            raise InvalidInput("klagomål följer klagomålsregeln (R5) och besvaras inte av mottagare")
        fields["receivers_answer"] = int(receivers_answer)
    by_receivers = bool(fields.get("receivers_answer", row.receivers_answer))
    if default_assignee is not None:
        fields["default_assignee"] = _type_default(conn, default_assignee, by_receivers)
    return fields


def _type_default(conn: Connection, default_assignee: str, by_receivers: bool) -> str | None:
    """A type's default assignee: top_doctor, nobody, or someone who may be given its errands."""
    value = default_assignee.strip() or None
    if value not in (None, TOP_DOCTOR):
        person = staff_q.by_username(conn, value)
        if person is None or not roles.assignable(
            frozenset(person.roles.split()), bool(person.active), by_receivers
        ):
            raise InvalidInput(
                f"{value} är ingen vårdgivare"
                + (" eller ärendemottagare" if by_receivers else "")
                + " i personallistan"
            )
    return value


# -- due dates that follow a type's days (R14) ------------------------------------------------------
DUES_KEY = "due_dates"  # the marker of services/batches.py


def _fingerprint(days: dict[str, int]) -> str:
    return json.dumps(days, sort_keys=True)


class _Redate:
    """Each open errand's due date following its type's days (services/batches.py)."""

    key = DUES_KEY

    def state(self, conn: Connection) -> tuple[str, dict[str, int]]:
        days = q.type_days(conn)
        return _fingerprint(days), days

    def rows(self, conn: Connection, after: int, limit: int) -> list[q.OpenDue]:
        return q.open_dues(conn, after, limit)

    def row(self, conn: Connection, errand_id: int) -> q.OpenDue | None:
        return q.open_due(conn, errand_id)

    def compute(self, row: q.OpenDue, state: dict[str, int]) -> tuple[str, int]:
        return rule_due(row.type, row.received_on, row.due_date, state), state.get(row.type, 0)

    def same(self, row: q.OpenDue, value: tuple[str, int]) -> bool:
        return value[0] == row.due_date

    def apply(self, ctx: Ctx, conn: Connection, row: q.OpenDue, value: tuple[str, int]) -> bool:
        due, days = value
        if not q.set_due(conn, row.id, row.version, due):
            return False
        q.add_event(
            conn,
            row.id,
            history.DUE_DATE,
            ctx.now_text(),
            ctx.actor.username,
            ctx.actor.name,
            ctx.actor.title,
            text=f"Förfaller {due} (var {row.due_date}): ärendetypen har nu {count(days, 'vardag', 'vardagar')}",
            detail={"due_date": due, "was": row.due_date},
        )
        return True

    def finished(self, changed: int) -> str:
        return f"förfallodatum omräknade: {count(changed, 'öppet ärende', 'öppna ärenden')} fick nytt förfallodatum"


REDATE = _Redate()


def rule_due(type_code: str, received_on: str, stored: str, days: dict[str, int]) -> str:
    """The due date R14 gives an open errand of `type_code` received on `received_on` (ISO) under
    the types' days (its `stored` one for a type the table does not know)."""
    if type_code not in days:
        return stored
    return due_date(dt.date.fromisoformat(received_on), days[type_code]).due.isoformat()


def due_days(conn: Connection) -> dict[str, int] | None:
    """The types' days while some open errand may still carry a due date from before a change
    (the batches have not reached it yet, or were cut short): readers then show the date the rule
    gives, never the stale one. None when every open errand agrees (nearly always: one read)."""
    now = batches.marker(conn, DUES_KEY)
    if now is None:
        return None  # no change of days since this program: every change before was whole
    days = q.type_days(conn)
    return None if now.get("done") and now.get("fingerprint") == _fingerprint(days) else days


def dues_stale(ctx: Ctx) -> bool:
    with ctx.store.read() as conn:
        return due_days(conn) is not None


def redate(ctx: Ctx, *, progress: Callable[[int, int], None] | None = None) -> int:
    """Give every open errand the due date of its type's days, batch by batch; returns how many
    changed here (the audit row of the last batch counts those of every process)."""
    return batches.run(ctx, REDATE, progress=progress)


# -- templates -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Template:
    id: int
    name: str
    type: str | None
    body: str
    active: bool


def list_templates(ctx: Ctx, type_code: str | None = None, *, active_only: bool = True) -> list[Template]:
    with ctx.store.read() as conn:
        rows = tq.listing(conn, type_code=type_code, active_only=active_only)
    return [Template(r.id, r.name, r.type, r.body, bool(r.active)) for r in rows]


def save_template(
    ctx: Ctx, name: str, body: str, type_code: str | None = None, *, template_id: int | None = None
) -> int:
    """Create a template, or edit one (by id). Unknown placeholders are refused here."""
    require(ctx, "admin_change", what="ändra mallar")
    name, body = templates.check(clean_line(name or ""), clean(body or ""))
    if type_code is not None and type_code not in e.TYPES:
        raise InvalidInput(f"okänd ärendetyp '{type_code}'")
    with ctx.change("admin_change") as conn:
        # "Provsvar klara" and "provsvar klara" were two templates: a name is one whatever its case
        # (the clinic's few templates, read whole).
        folded = name.casefold()
        other = next(
            (
                t
                for t in tq.listing(conn, active_only=False)
                if t.name.casefold() == folded and t.id != template_id
            ),
            None,
        )
        if other is not None:
            raise InvalidInput(f"det finns redan en mall som heter '{other.name}'")
        fields = {
            "name": name,
            "type": type_code,
            "body": body,
            "updated_at": ctx.now_text(),
            "updated_by": ctx.actor.username,
        }
        if template_id is None:
            template_id = tq.insert(conn, {**fields, "active": 1})
            what = "ny mall"
        else:
            tq.update(conn, template_id, fields)
            what = "ändrad mall"
        audit.append(conn, [ctx.entry("admin_change", detail=f"{what}: {name}")])
    return template_id


def retire_template(ctx: Ctx, name: str) -> None:
    require(ctx, "admin_change", what="ändra mallar")
    with ctx.change("admin_change") as conn:
        row = tq.by_name(conn, name)
        if row is None:
            raise NotFound(f"mallen '{name}' finns inte")
        if not row.active:
            # Said and logged again at each d, as if retired twice.
            raise InvalidInput(f"mallen '{name}' är redan avvecklad")
        tq.update(conn, row.id, {"active": 0, "updated_at": ctx.now_text(), "updated_by": ctx.actor.username})
        audit.append(conn, [ctx.entry("admin_change", detail=f"mall avvecklad: {name}")])


def template_values(conn: Connection, ctx: Ctx, errand_row: Errand) -> dict[str, str]:
    from bcc_tui.domain.business_days import short_date

    def first_name(name: str | None) -> str:
        parts = clean_line(name or "").split()
        return parts[0] if parts else ""

    # R26: greet the person who wrote: the proxy (a parent) when there is one.
    patient = first_name(errand_row.patient_name)
    return {
        "förnamn": first_name(errand_row.proxy_name) or patient,
        "patient": patient,
        "vårdgivare": ctx.actor.name,
        "titel": ctx.actor.title,
        "enhet": e.UNITS.get(errand_row.unit, errand_row.unit),
        "datum": short_date(ctx.today()),
        "ärende": errand_row.ref,
    }


def templates_for(ctx: Ctx, ref: str) -> list[tuple[str, str]]:
    """The active templates that fit an errand the person may see, each filled in for it:
    (name, text); none for an errand they may not see."""
    with ctx.store.read() as conn:
        errand = visible_row(ctx, conn, ref, e.REPLY)
        if errand is None:
            return []
        values = template_values(conn, ctx, errand)
        return [(r.name, templates.fill(r.body, values)) for r in tq.listing(conn, type_code=errand.type)]


def fill_template(conn: Connection, ctx: Ctx, name: str, errand: Errand) -> str:
    """A template filled in for one errand, ready for the reply. The caller has found the errand
    among those the person may see (services.errands.reply): only then may a refusal name its
    type."""
    row = tq.by_name(conn, name)
    if row is None or not row.active:
        raise NotFound(f"mallen '{name}' finns inte")
    if row.type and row.type != errand.type:
        raise InvalidInput(f"mallen '{name}' är för {e.type_name(row.type)}, inte {e.type_name(errand.type)}")
    return templates.fill(row.body, template_values(conn, ctx, errand))
