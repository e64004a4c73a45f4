"""The command line (docs/routine.md §4.1). Importing this must not import Textual: scripts such as
`bcc-tui import` start fast; the dashboard commands import the UI only when they run."""

from __future__ import annotations

import argparse
import gc
import os
import sys

from bcc_tui.cli import app as _app
from bcc_tui.cli.argparse_sv import SwedishParser, integer
from bcc_tui.domain.errand import STATUS_WORDS
from bcc_tui.domain.errors import BccError
from bcc_tui.domain.text import clean, clean_line

# Positionals show in usage and in "det här saknas: …", so they get Swedish names (the
# attribute names stay): ÄRENDE, ANVÄNDARE, FIL, NAMN.
_REF, _USER, _FILE, _NAME = "ÄRENDE", "ANVÄNDARE", "FIL", "NAMN"
_Parser = SwedishParser


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bcc-tui", description="Ärendehantering för 1177 vid Barncancercentrum.")
    p.add_argument("--db", metavar="SÖKVÄG", help="databasfilen (annars $BCC_DB)")
    p.add_argument(
        "--as", dest="as_user", metavar="ANVÄNDARE", help="agera som denna person (bara databasens ägare)"
    )
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)

    d = sub.add_parser("demo", help="instrumentpanelen på en ny demodatabas")
    d.add_argument("--db", dest="demo_db", metavar="SÖKVÄG", help="behåll demodatabasen här")
    d.add_argument("--as", dest="demo_as", metavar="ANVÄNDARE", help="en annan demoperson")
    d.add_argument("--no-ui", action="store_true", help="skapa bara databasen och skriv var den finns")

    o = sub.add_parser("open", help="instrumentpanelen öppnad på ett ärende")
    o.add_argument("ref", metavar=_REF)

    i = sub.add_parser("import", help="läs in ärenden (JSON Lines; - för stdin)")
    i.add_argument("file", metavar=_FILE, help="en fil, - för stdin, eller med --move-to en inkorgsmapp")
    i.add_argument(
        "--move-to",
        metavar="MAPP",
        help="flytta varje inläst fil hit (och dess avvisade rader till MAPP/rejected/), "
        "så att nästa körning börjar rent; FIL får då vara en mapp (alla *.jsonl i den)",
    )
    for group in ("staff", "schedule"):
        g = sub.add_parser(group, help="personal" if group == "staff" else "schema och frånvaro")
        gs = g.add_subparsers(dest="subcommand", metavar="import", required=True, parser_class=_Parser)
        gs.add_parser("import", help="läs in från JSON Lines").add_argument("file", metavar=_FILE)

    pa = sub.add_parser("patients", help="vårdteam: PAL och kontaktsjuksköterska per patient")
    ps = pa.add_subparsers(dest="subcommand", metavar="import|set", required=True, parser_class=_Parser)
    ps.add_parser("import", help="läs in vårdteam från JSON Lines").add_argument("file", metavar=_FILE)
    pset = ps.add_parser("set", help="sätt PAL eller kontaktsjuksköterska för en patient")
    pset.add_argument("personnummer", metavar="PERSONNUMMER")
    pset.add_argument("--pal", metavar="ANVÄNDARE", help="patientansvarig läkare ('' tar bort)")
    pset.add_argument("--contact-nurse", metavar="ANVÄNDARE", help="kontaktsjuksköterska ('' tar bort)")

    ls = sub.add_parser("list", help="ärenden du får se")
    # The Swedish words (R32) beside the codes of the JSON contract; both mean the same.
    ls.add_argument(
        "--status",
        choices=(*STATUS_WORDS, "unassigned", "assigned", "closed"),
        metavar="ofördelad|fördelad|avslutad",
        help="ofördelad, fördelad eller avslutad (eller unassigned, assigned, closed)",
    )
    ls.add_argument("--json", action="store_true", help="ett JSON-objekt per rad")
    ls.add_argument("--limit", type=integer, metavar="N")

    sh = sub.add_parser("show", help="ett ärende med tråd och historik")
    sh.add_argument("ref", metavar=_REF)
    sh.add_argument("--json", action="store_true")

    a = sub.add_parser("assign", help="fördela ett ärende")
    a.add_argument("--reassign", action="store_true", help="omfördela ett redan fördelat ärende")
    a.add_argument("ref", metavar=_REF)
    a.add_argument("user", metavar=_USER)

    ra = sub.add_parser("reassign", help="flytta alla öppna ärenden från en person till en annan")
    ra.add_argument("--from", dest="from_user", metavar="ANVÄNDARE", required=True)
    ra.add_argument("--to", dest="to_user", metavar="ANVÄNDARE", required=True)
    ra.add_argument("--type", metavar="TYP", help="bara ärenden av denna typ")

    r = sub.add_parser("reply", help="besvara och avsluta")
    r.add_argument("ref", metavar=_REF)
    rt = r.add_mutually_exclusive_group(required=True)
    rt.add_argument("--text")
    rt.add_argument("--template", metavar="NAMN")

    pr = sub.add_parser("partial-reply", help="skicka delsvar")
    pr.add_argument("ref", metavar=_REF)
    pr.add_argument("--text", required=True)
    pr.add_argument("--consulted", metavar="ANVÄNDARE", help="läkaren du stämt av med")

    c = sub.add_parser("close", help="avsluta utan svar")
    c.add_argument("ref", metavar=_REF)
    c.add_argument("--reason", metavar="ORSAK", required=True)
    doc = c.add_mutually_exclusive_group()
    doc.add_argument(
        "--documented",
        dest="documented",
        action="store_true",
        default=None,
        help="det viktiga är dokumenterat i journalen",
    )
    doc.add_argument("--not-documented", dest="documented", action="store_false")

    n = sub.add_parser("note", help="intern anteckning")
    n.add_argument("ref", metavar=_REF)
    n.add_argument("--text", required=True)

    m = sub.add_parser("remind", help="påminn handläggaren om ett ärende som snart ska vara besvarat")
    mw = m.add_mutually_exclusive_group(required=True)
    mw.add_argument("ref", nargs="?", metavar=_REF)
    mw.add_argument(
        "--due",
        action="store_true",
        help="alla fördelade som snart förfaller, är försenade eller har passerat uppföljningen "
        "och inte påmints idag (jobbet)",
    )

    au = sub.add_parser("audit", help="granskningsloggen (administratör, granskare)")
    au.add_argument("--patient", metavar="PERSONNUMMER")
    au.add_argument("--user", metavar="ANVÄNDARE")
    au.add_argument("--from", dest="start", metavar="DATUM", help="från och med (ÅÅÅÅ-MM-DD)")
    au.add_argument("--to", dest="end", metavar="DATUM", help="till och med (ÅÅÅÅ-MM-DD)")
    au.add_argument("--csv", action="store_true", help="CSV med rubrikrad")
    au.add_argument("--limit", type=integer, metavar="N", help="högst N rader (nyast först)")

    ck = sub.add_parser("check", help="kontrollera databasen och granskningsloggens kedja")
    ck.add_argument(
        "--against",
        metavar="SÄKERHETSKOPIA",
        help="visa att granskningsloggen fortsätter en äldre säkerhetskopias oförändrad",
    )
    bk = sub.add_parser("backup", help="en kontrollerad kopia av databasen, även medan andra skriver")
    bk.add_argument("dest", metavar="MÅL", help="ny fil, eller mapp (MAPP/) där en tidsnamngiven fil skapas")
    bk.add_argument(
        "--keep",
        type=integer,
        metavar="N",
        help="behåll bara de N nyaste tidsnamngivna säkerhetskopiorna i mappen",
    )

    mg = sub.add_parser(
        "migrate",
        help="uppgradera databasen till denna versions schema (en kontrollerad säkerhetskopia först)",
    )
    mg.add_argument(
        "--backup",
        metavar="MÅL",
        help="säkerhetskopians nya fil, eller mapp (MAPP/); standard: databasens egen mapp",
    )

    # R27: continuity with Litestream (bcc_tui/services/replication.py; docs/replication.md).
    rp = sub.add_parser("replicate", help="strömma databasen till en replik med Litestream (administratör)")
    rp.add_argument(
        "--to",
        dest="replica",
        required=True,
        metavar="MAPP|URL",
        help="en mapp, file://, s3://, gs://, abs://, sftp://, webdav(s)://, nats:// eller oss://",
    )
    rp.add_argument(
        "--sync-interval", default="1s", metavar="TID", help="hur ofta ändringar skickas (standard 1s)"
    )
    rs = sub.add_parser(
        "restore", help="återställ en replik till en ny fil och kontrollera den (administratör)"
    )
    rs.add_argument("--from", dest="replica", required=True, metavar="MAPP|URL")
    rs.add_argument("dest", metavar="MÅL", help="den nya databasfilen")
    for x in (rp, rs):
        x.add_argument("--ssh-key", metavar="NYCKELFIL", help="för sftp://: den privata nyckeln")
        x.add_argument("--host-key", metavar="'TYP NYCKEL'", help="för sftp://: serverns publika nyckel")

    ob = sub.add_parser("outbound", help="svar på väg till 1177")
    obs = ob.add_subparsers(dest="subcommand", metavar="export", required=True, parser_class=_Parser)
    obs.add_parser("export", help="skriv köade svar som JSON Lines och markera dem exporterade").add_argument(
        "file", metavar=_FILE
    )

    obx = sub.add_parser("outbox", help="e-postaviseringar som väntar (administratör)")
    obx.add_argument(
        "--send",
        action="store_true",
        help="skicka det som väntar, med upp till en minut för en långsam e-postserver (jobbet)",
    )

    tp = sub.add_parser("template", help="mallar (administratör)")
    tps = tp.add_subparsers(
        dest="subcommand", metavar="list|add|edit|retire", required=True, parser_class=_Parser
    )
    tl = tps.add_parser("list", help="mallarna")
    tl.add_argument("--type", metavar="TYP")
    tl.add_argument("--all", action="store_true", help="även avvecklade")
    ta = tps.add_parser(
        "add", help="ny mall; platshållare: {förnamn} {patient} {vårdgivare} {titel} {enhet} {datum} {ärende}"
    )
    ta.add_argument("name", metavar=_NAME)
    ta.add_argument("--text", required=True)
    ta.add_argument("--type", metavar="TYP", help="bara för denna ärendetyp")
    te = tps.add_parser("edit", help="ändra en mall")
    te.add_argument("name", metavar=_NAME)
    te.add_argument("--text")
    te.add_argument("--rename", metavar="NYTT_NAMN")
    tr = tps.add_parser("retire", help="avveckla en mall")
    tr.add_argument("name", metavar=_NAME)

    ty = sub.add_parser("types", help="ärendetyper: visa, eller ändra med --set")
    ty.add_argument("--set", dest="code", metavar="TYP", help="typen som ska ändras")
    ty.add_argument("--days", type=integer, metavar="N", help="vardagar till förfallodatum")
    ty.add_argument("--name", metavar="NAMN")
    ty.add_argument(
        "--default",
        dest="default_assignee",
        metavar="top_doctor|ANVÄNDARE|none",
        help="föreslagen handläggare när kontinuitet saknas",
    )
    ty.add_argument(
        "--receivers-answer",
        choices=["på", "av"],
        help="besvaras av mottagare: ärendemottagare får själva besvara typens ärenden (R29)",
    )

    no = sub.add_parser("notice", help="driftinformation till alla (administratör)")
    no.add_argument("text", nargs="?", metavar="TEXT")
    no.add_argument("--until", metavar="DATUM", help="sista dag den visas")
    no.add_argument("--clear", action="store_true")

    st = sub.add_parser("settings", help="akuta tecken och uppföljningstid (administratör)")
    st.add_argument("--fever-threshold", metavar="GRADER", help="febergräns i °C, t.ex. 38,0 (37,0–40,0)")
    st.add_argument(
        "--acute-words",
        metavar="KATEGORI=ORD,ORD",
        action="append",
        help="egna ord och fraser för en kategori (ersätter kategorins egna; tomt efter = tar bort dem); "
        "* sist står för valfri ändelse; kan upprepas",
    )
    st.add_argument(
        "--acute-exceptions", metavar="FRAS,FRAS", help="fraser som aldrig är akuta tecken (ersätter listan)"
    )
    st.add_argument(
        "--acute-advice", choices=["på", "av"], help="automatiskt råd till familjen vid akuta tecken"
    )
    st.add_argument("--acute-advice-text", metavar="TEXT", help="rådets text, som kliniken skriver den")
    st.add_argument("--followup-days", type=integer, metavar="N")
    st.add_argument(
        "--import-max-file",
        type=integer,
        metavar="MB",
        help="största fil som import läser (1–1024 MB, 1 MB = 1 048 576 byte; standard 100)",
    )
    st.add_argument(
        "--import-max-line",
        type=integer,
        metavar="KB",
        help="längsta rad som import läser; en längre rad avvisas (1–102400 kB; standard 1024)",
    )

    ho = sub.add_parser("handover", help="överlämningen vid skiftbyte som Markdown")
    ho.add_argument("--json", action="store_true", help="ett JSON-objekt för skript och väggskärmar")
    ho.add_argument(
        "--give",
        action="store_true",
        help="lämna över: listan är genomgången; den och anteckningen väntar tills nästa mottagare tar över",
    )
    ho.add_argument(
        "--take",
        "--done",
        dest="take",
        action="store_true",
        help="ta över det som lämnats över (--done är samma sak)",
    )
    ho.add_argument(
        "--note",
        metavar="TEXT",
        help="med --give: anteckningen till nästa mottagare; annars en anteckning till nästa pass",
    )
    ho.add_argument("--log", action="store_true", help="överlämningarna: lämnad av, tagen av")
    ho.add_argument(
        "--remark", nargs=2, metavar=("ÄRENDE", "TEXT"), help="en anmärkning på ärendet till nästa pass"
    )

    sa = sub.add_parser("stats", help="statistik för ärenden som kom in under perioden")
    sa.add_argument("--from", dest="start", metavar="DATUM", help="från och med (standard: månadens första)")
    sa.add_argument("--to", dest="end", metavar="DATUM", help="till och med (standard: idag)")
    sa.add_argument("--csv", action="store_true", help="CSV med fast rubrikrad")
    sa.add_argument("--deviations", action="store_true", help="ärenden som bröt mot regeln (avvikelser)")

    dv = sub.add_parser(
        "deviations", help="avvikelseregistret: avvikelser från rutinen att rapportera i MedControl PRO"
    )
    dv.add_argument(
        "--open",
        dest="open_only",
        action="store_true",
        help="bara de som inte är rapporterade eller avfärdade",
    )
    dv.add_argument(
        "--csv", action="store_true", help="CSV med fast rubrikrad, utkasten till MedControl PRO med"
    )
    decide = dv.add_mutually_exclusive_group()
    decide.add_argument(
        "--report",
        type=integer,
        metavar="ID",
        help="markera avvikelsen rapporterad (administratör; med --medcontrol)",
    )
    decide.add_argument(
        "--dismiss", type=integer, metavar="ID", help="avfärda avvikelsen (administratör; med --reason)"
    )
    dv.add_argument("--medcontrol", metavar="NR", help="avvikelsens nummer i MedControl PRO")
    dv.add_argument("--reason", metavar="ORSAK", help="varför avvikelsen inte rapporteras")

    u = sub.add_parser("urgent", help="markera brådskande")
    u.add_argument("ref", metavar=_REF)
    u.add_argument("--off", action="store_true", help="ta bort markeringen")
    return p


# Arguments that name files or places: kept byte for byte (an undecodable name is still a real
# file) and refused by their command when unusable — never quietly changed into another place.
_PATH_ARGS = frozenset(
    {"db", "demo_db", "file", "dest", "replica", "move_to", "against", "ssh_key", "host_key", "backup"}
)


class _Cleaned:
    """A text stream through which no control or bidi character and no lone surrogate passes:
    whatever a command prints quotes input somewhere (a ref, a file name, an unknown option)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(clean(text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    # Everything the program creates (database, WAL, SHM, backups, exports, reports) is private.
    os.umask(0o077)
    if argv is None:
        # The program itself (not a caller in its own process, such as the tests): what the
        # imports made lives as long as the process, and out of the collector's sight the
        # collections that a long output's rows set off do not walk it each time (about 7 % of
        # `list --json` on 100,000 errands).
        gc.freeze()
    from bcc_tui.cli import terminal

    terminal.install()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Cleaned(sys.stdout), _Cleaned(sys.stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = streams


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    for key, value in vars(args).items():
        if isinstance(value, str) and key not in _PATH_ARGS:
            setattr(args, key, clean(value))
    try:
        return _app.run(args)
    except BccError as err:
        print(f"bcc-tui: {clean_line(err.for_cli())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:
        from bcc_tui import crash

        print(
            crash.message(crash.write_report(error, where=args.command or "instrumentpanel")), file=sys.stderr
        )
        return 1
