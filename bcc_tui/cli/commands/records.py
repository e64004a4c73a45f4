"""The records and their safety: the audit log, `check`, backups, migration, replication, and
what waits to go out (replies to 1177, e-mail notices)."""

from __future__ import annotations

import argparse
import sys

from bcc_tui.cli.argparse_sv import integer
from bcc_tui.cli.common import Parser, day, limit, local_text, open_ctx, seconds
from bcc_tui.cli.registry import command
from bcc_tui.domain import audit_text, exports
from bcc_tui.domain.business_days import STOCKHOLM
from bcc_tui.domain.errors import InvalidInput, os_reason
from bcc_tui.domain.text import clean_line, count
from bcc_tui.domain.validation import parse_utc
from bcc_tui.services import audit_log, notify, outbound, people
from bcc_tui.services.context import Ctx
from bcc_tui.settings import Settings


def _audit_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--patient",
        metavar="PERSONNUMMER",
        help="en patients rader (ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN eller utan -)",
    )
    p.add_argument("--user", metavar="ANVÄNDARE", help="en persons rader")
    p.add_argument("--from", dest="start", metavar="DATUM", help="från och med (ÅÅÅÅ-MM-DD)")
    p.add_argument("--to", dest="end", metavar="DATUM", help="till och med (ÅÅÅÅ-MM-DD)")
    p.add_argument("--csv", action="store_true", help="CSV med rubrikrad")
    p.add_argument("--limit", type=integer, metavar="N", help="högst N rader (nyast först)")


@command("audit", "granskningsloggen (administratör, granskare)", _audit_arguments)
def _audit(ctx: Ctx, args) -> int:
    start = day(args.start, "--from")
    end = day(args.end, "--to")
    rows = audit_log.read(
        ctx, patient=args.patient, user=args.user, start=start, end=end, limit=limit(args.limit)
    )
    names = people.names(ctx)
    if args.csv:
        # The codes stay in their columns for scripts that filter on them; the last three say the
        # same in Swedish for whoever opens the file in a spreadsheet, where no cell may act
        # (a remark "=HYPERLINK(…)" in `detail`): every cell goes through exports.cell.
        out = exports.csv_writer(sys.stdout)
        # Swedish headers (R32); the code columns keep the log's codes for scripts, and the
        # columns after them say the same in words.
        out.writerow(
            [
                "id",
                "tid_utc",
                "användare",
                "roll",
                "åtgärd",
                "ärende",
                "personnummer",
                "utfall",
                "detaljer",
                "namn",
                "roll_text",
                "åtgärd_text",
                "utfall_text",
                "detaljer_text",
            ]
        )
        for r in rows:
            out.writerow(
                [
                    r.id,
                    *(
                        clean_line(v or "")
                        for v in (
                            r.at,
                            r.actor,
                            r.role,
                            r.action,
                            r.ref,
                            r.personnummer,
                            r.outcome,
                            r.detail,
                            names.get(r.actor, ""),
                            audit_text.role_name(r.role or ""),
                            audit_text.action_name(r.action),
                            audit_text.outcome_name(r.outcome),
                            audit_text.detail_text(r.detail, names, r.outcome),
                        )
                    ),
                ]
            )
        return 0
    table = [
        (
            local_text(r.at),
            clean_line(people.who(names, r.actor)),
            clean_line(audit_text.action_name(r.action)),
            clean_line(r.ref or "–"),
            clean_line(r.personnummer or "–"),
            clean_line(audit_text.outcome_name(r.outcome)),
            clean_line(audit_text.detail_text(r.detail, names, r.outcome)),
        )
        for r in rows
    ]
    widths = [max((len(row[i]) for row in table), default=0) for i in range(6)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[6])
    return 0


def _check_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--against",
        metavar="SÄKERHETSKOPIA",
        help="visa att granskningsloggen fortsätter en äldre säkerhetskopias oförändrad",
    )


@command("check", "kontrollera databasen och granskningsloggens kedja", _check_arguments)
def _check(ctx: Ctx, args) -> int:
    problems = audit_log.check(ctx, args.against)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return 1
    print(
        "Databasen är hel: integritet, främmande nycklar, granskningsloggens kedja, schemats alla "
        "objekt, varje ärendes innehåll och historik, personalen och inställningarna stämmer."
    )
    if args.against:
        print(f"Granskningsloggen fortsätter säkerhetskopians {clean_line(args.against)} oförändrad.")
    return 0


def _backup_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("dest", metavar="MÅL", help="ny fil, eller mapp (MAPP/) där en tidsnamngiven fil skapas")
    p.add_argument(
        "--keep",
        type=integer,
        metavar="N",
        help="behåll bara de N nyaste tidsnamngivna säkerhetskopiorna i mappen",
    )


@command("backup", "en kontrollerad kopia av databasen, även medan andra skriver", _backup_arguments)
def _backup(ctx: Ctx, args) -> int:
    from bcc_tui.services.backup import backup

    try:
        info = backup(ctx, args.dest, keep=args.keep)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva säkerhetskopian: {os_reason(err)}") from None
    print(
        f"säkerhetskopia {info['path']}: {count(info['errands'], 'ärende', 'ärenden')}, "
        f"{info['bytes'] // 1024} KiB, kontrollerad"
        + (f"; {count(len(info['pruned']), 'äldre borttagen', 'äldre borttagna')}" if info["pruned"] else "")
    )
    return 0


def _migrate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backup",
        metavar="MÅL",
        help="säkerhetskopians nya fil, eller mapp (MAPP/); standard: databasens egen mapp",
    )


# The one command that opens a file at an older schema.
@command(
    "migrate",
    "uppgradera databasen till denna versions schema (en kontrollerad säkerhetskopia först)",
    _migrate_arguments,
    opens="settings",
)
def _migrate(settings: Settings, args) -> int:
    from bcc_tui.services import migration
    from bcc_tui.services.clock import FixedClock, SystemClock

    if settings.as_user is not None:
        raise InvalidInput("migrate görs av systemet självt; --as gäller inte här")
    clock = FixedClock(settings.frozen_now) if settings.frozen_now else SystemClock()

    def backed_up(info: dict) -> None:
        print(
            f"säkerhetskopia {info['path']}: {count(info['errands'], 'ärende', 'ärenden')}, "
            f"{info['bytes'] // 1024} KiB, kontrollerad",
            flush=True,
        )

    def stepped(step: migration.Step) -> None:
        print(
            f"schemaversion {step.number}: {count(step.statements, 'steg', 'steg')} i "
            f"{count(step.transactions, 'transaktion', 'transaktioner')}, {seconds(step.seconds)}, "
            f"längsta skrivlås {seconds(step.longest_lock)}",
            flush=True,
        )

    try:
        done = migration.migrate(settings.db_path, clock, args.backup, on_backup=backed_up, on_step=stepped)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva säkerhetskopian: {os_reason(err)}") from None
    if done.resumed is not None:
        print(
            f"en avbruten migrering slutfördes (schemaversion {done.before} → {done.after}); "
            "säkerhetskopian från när den började gäller"
        )
    if done.created:
        print(f"ny databas {settings.db_path}: schemaversion {done.after}")
    elif not done.steps:
        print(f"databasen {settings.db_path} har redan schemaversion {done.after}; inget att göra")
    else:
        print(
            f"klart: {settings.db_path} har schemaversion {done.after} (förut {done.before}); "
            f"längsta skrivlås {seconds(done.longest_lock)}"
        )
    return 0


def _sftp_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ssh-key", metavar="NYCKELFIL", help="för sftp://: den privata nyckeln")
    p.add_argument("--host-key", metavar="'TYP NYCKEL'", help="för sftp://: serverns publika nyckel")


# R27: continuity with Litestream (bcc_tui/services/replication.py; docs/replication.md).
def _replicate_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--to",
        dest="replica",
        required=True,
        metavar="MAPP|URL",
        help="en mapp, file://, s3://, gs://, abs://, sftp://, webdav(s)://, nats:// eller oss://",
    )
    p.add_argument(
        "--sync-interval", default="1s", metavar="TID", help="hur ofta ändringar skickas (standard 1s)"
    )
    _sftp_arguments(p)


def _replica(args, must_exist: bool):
    from bcc_tui.services import replication

    return replication.parse_replica(
        args.replica,
        "--to" if args.command == "replicate" else "--from",
        must_exist=must_exist,
        ssh_key=args.ssh_key,
        host_key=args.host_key,
    )


@command("replicate", "strömma databasen till en replik med Litestream (administratör)", _replicate_arguments)
def _replicate(ctx: Ctx, args) -> int:
    from bcc_tui.services import replication

    replica, interval = _replica(args, must_exist=False), replication.parse_interval(args.sync_interval)
    return replication.replicate(
        ctx,
        replica,
        interval,
        on_start=lambda: print(
            f"bcc-tui: replikerar {ctx.store.path} till {replica} (Litestream; Ctrl+C avslutar)",
            file=sys.stderr,
            flush=True,
        ),
    )


def _restore_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from", dest="replica", required=True, metavar="MAPP|URL", help="repliken att återställa från"
    )
    p.add_argument("dest", metavar="MÅL", help="den nya databasfilen")
    _sftp_arguments(p)


# A new machine may have no database yet: the restored one is used.
@command(
    "restore",
    "återställ en replik till en ny fil och kontrollera den (administratör)",
    _restore_arguments,
    opens="settings",
)
def _restore(settings: Settings, args) -> int:
    import dataclasses

    from bcc_tui.services import replication

    done = replication.restore(
        _replica(args, must_exist=True),
        args.dest,
        # The restored copy is private until it is checked: an older schema is brought forward.
        lambda path: open_ctx(dataclasses.replace(settings, db_path=path), create=False, migrate=True),
        protect=[settings.db_path],
    )
    reach = "inga ändringar"
    if done.last_change:
        moment = parse_utc(done.last_change)
        reach = (
            "senaste ändring " + moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M:%S") + " (svensk tid)"
        )
    print(
        f"återställd till {done.path}: {count(done.errands, 'ärende', 'ärenden')}, {reach}; kontrollerad, databasen är hel"
    )
    return 0


def _outbound_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="subcommand", metavar="export", required=True, parser_class=Parser)
    sub.add_parser("export", help="skriv köade svar som JSON Lines och markera dem exporterade").add_argument(
        "file", metavar="MÅL", help="ny fil, eller mapp (MAPP/) där en tidsnamngiven fil skapas"
    )


@command("outbound", "svar på väg till 1177", _outbound_arguments)
def _outbound(ctx: Ctx, args) -> int:
    try:
        n, written = outbound.export(ctx, args.file)
    except OSError as err:
        raise InvalidInput(f"kan inte skriva {args.file}: {os_reason(err)}") from None
    print(
        f"{count(n, 'svar exporterat', 'svar exporterade')} till {written}"
        if written
        else "0 svar att exportera; ingen fil skrevs"
    )
    return 0


# The mail job's time for the outbox: every other command and every dashboard gives it 2 s (docs/routine.md 4.6),
# which a slow server (seconds per reply) never fits; this job, run by cron, waits for it.
SEND_BUDGET = 50.0


def _outbox_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--send",
        action="store_true",
        help="skicka det som väntar, med upp till 50 s för en långsam e-postserver (jobbet)",
    )


@command("outbox", "e-postaviseringar som väntar (administratör)", _outbox_arguments)
def _outbox(ctx: Ctx, args) -> int:
    if args.send:
        settings = Settings.load(args.db, args.as_user)
        done = notify.send_waiting(ctx, settings.smtp, settings.mail_from, SEND_BUDGET)
        if done is None:
            # The mail job without a mail server: quiet while nothing waits, loud (cron mails the
            # line) once notices pile up that nobody will ever receive (issue 31).
            waiting = notify.count_waiting(ctx)
            if waiting:
                print(
                    f"bcc-tui: {count(waiting, 'avisering väntar', 'aviseringar väntar')} men BCC_SMTP är "
                    "inte satt; ange BCC_SMTP=värd:port (och BCC_MAIL_FROM) för jobbet",
                    file=sys.stderr,
                )
                return 1
            print("BCC_SMTP är inte satt; inga aviseringar väntar")
            return 0
        print(f"{count(done.sent, 'skickad', 'skickade')}, {count(done.failed, 'misslyckad', 'misslyckade')}")
        if done.failed and not done.sent:
            # The job failed: said on stderr, which cron mails, with why (it said nothing there).
            print(f"bcc-tui: ingen avisering kunde skickas: {clean_line(done.error or '')}", file=sys.stderr)
            return 1
        if not done.sent:
            # Notices that failed wait for their next try: the minutes between tries had exited 0,
            # so cron was quiet every other minute of an outage.
            waiting, why = notify.failing(ctx)
            if waiting:
                print(
                    f"bcc-tui: {count(waiting, 'avisering väntar', 'aviseringar väntar')} efter ett misslyckat "
                    f"försök: {clean_line(why or '')}",
                    file=sys.stderr,
                )
                return 1
        return 0

    rows = notify.waiting(ctx)
    names = people.names(ctx)
    if not rows:
        print("Inga aviseringar väntar.")
    for r in rows:
        print(
            f"{r.created_at}  {r.kind:<7} {r.ref or '–':<14} till {clean_line(people.who(names, r.recipient))} "
            f"försök {r.attempts}{'  fel: ' + r.last_error if r.last_error else ''}"
        )
    return 0
