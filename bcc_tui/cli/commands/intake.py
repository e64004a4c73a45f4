"""Reading in: errands (`import`, and the intake job's `--move-to`), staff, schedules and care
teams."""

from __future__ import annotations

import argparse
import sys

from bcc_tui.cli.common import FILE, Parser, print_rejected
from bcc_tui.cli.registry import command
from bcc_tui.domain.errors import InvalidInput
from bcc_tui.domain.text import clean_line, count
from bcc_tui.services import intake, intake_files, patients, people
from bcc_tui.services.context import Ctx


def _stdin_reader():
    try:
        return sys.stdin.buffer.read
    except AttributeError:  # no byte stream behind stdin
        raise InvalidInput("kan inte läsa stdin: ingen indata") from None


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar=FILE, help="en fil, - för stdin, eller med --move-to en inkorgsmapp")
    p.add_argument(
        "--move-to",
        metavar="MAPP",
        help="flytta varje inläst fil hit (och dess avvisade rader till MAPP/rejected/), "
        "så att nästa körning börjar rent; FIL får då vara en mapp (alla *.jsonl i den)",
    )


@command("import", "läs in ärenden (JSON Lines; - för stdin)", _import_arguments, creates=True)
def _import(ctx: Ctx, args) -> int:
    if args.move_to is not None:
        return _intake_job(ctx, args.file, args.move_to)
    with intake_files.open_input(ctx, args.file, _stdin_reader) as data:
        try:
            report = intake.import_errands(ctx, data.lines)
        except InvalidInput as err:  # "filen är tom" named no file; the intake job's lines do
            raise InvalidInput(f"{data.name}: {err}") from None
    print_rejected(data.name, report.rejected)
    print(_import_counts(report))
    return 0 if report.ok else 1


def _import_counts(report) -> str:
    return (
        f"{count(report.added, 'nytt ärende', 'nya ärenden')}, "
        f"{count(report.skipped, 'redan inläst', 'redan inlästa')}, "
        f"{count(len(report.rejected), 'avvisad rad', 'avvisade rader')}"
    )


def _intake_job(ctx: Ctx, source: str, done_dir: str) -> int:
    """The intake job (services/intake_files.py): each file said as it is done, exit 1 when any
    file or line was refused."""
    done, files = intake_files.job_files(source, done_dir)
    failed = 0
    for file in intake_files.run_job(ctx, done, files):
        if file.refused:
            print(file.refused, file=sys.stderr)
        if file.report is not None:
            print_rejected(str(file.path), file.report.rejected)
        if file.not_moved:
            print(file.not_moved, file=sys.stderr)
        if file.report is not None:
            print(f"{file.path.name}: {_import_counts(file.report)}")
        failed += file.failed
    if not files:
        print(f"inga filer att läsa in i {source}")
    return 1 if failed else 0


def _import_file_argument(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="subcommand", metavar="import", required=True, parser_class=Parser)
    sub.add_parser("import", help="läs in från JSON Lines").add_argument("file", metavar=FILE)


@command("staff", "personal", _import_file_argument, creates=True)
# The schedule and the care teams name staff, so a database without them would refuse every line:
# a mistyped --db made a new, empty database (and refused them all) instead of saying it was wrong.
@command("schedule", "schema och frånvaro", _import_file_argument)
def _people_import(ctx: Ctx, args) -> int:
    fn = people.import_staff if args.command == "staff" else people.import_schedule
    return _imported(args.file, fn(ctx, intake_files.read_input(ctx, args.file, _stdin_reader)), neuter=False)


def _imported(file: str, report: people.ImportReport, *, neuter: bool) -> int:
    """An import's bad lines, one a line on stderr, and its counts; exit 1 when a line was bad.
    `neuter`: the counted word is an ett-word (vårdteam), so the counts agree with it."""
    print_rejected("stdin" if file == "-" else file, report.rejected)
    forms = (("nytt", "nya"), ("ändrat", "ändrade"), ("oförändrat", "oförändrade"))
    if not neuter:
        forms = (("ny", "nya"), ("ändrad", "ändrade"), ("oförändrad", "oförändrade"))
    (new1, new2), (ch1, ch2), (same1, same2) = forms
    print(
        f"{count(report.added, new1, new2)}, {count(report.changed, ch1, ch2)}, "
        f"{count(report.skipped, same1, same2)}, "
        f"{count(len(report.rejected), 'avvisad rad', 'avvisade rader')}"
    )
    return 0 if report.ok else 1


def _patients_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="subcommand", metavar="import|set", required=True, parser_class=Parser)
    sub.add_parser("import", help="läs in vårdteam från JSON Lines").add_argument("file", metavar=FILE)
    pset = sub.add_parser("set", help="sätt PAL eller kontaktsjuksköterska för en patient")
    pset.add_argument("personnummer", metavar="PERSONNUMMER")
    pset.add_argument("--pal", metavar="ANVÄNDARE", help="patientansvarig läkare ('' tar bort)")
    pset.add_argument("--contact-nurse", metavar="ANVÄNDARE", help="kontaktsjuksköterska ('' tar bort)")


@command("patients", "vårdteam: PAL och kontaktsjuksköterska per patient", _patients_arguments)
def _patients(ctx: Ctx, args) -> int:
    if args.subcommand == "set":
        kwargs = {}
        if args.pal is not None:
            kwargs["pal"] = args.pal
        if args.contact_nurse is not None:
            kwargs["contact_nurse"] = args.contact_nurse
        team = patients.set_team(ctx, args.personnummer, **kwargs)
        names = people.names(ctx)
        print(
            f"vårdteam: PAL {clean_line(people.who(names, team.pal))}, "
            f"kontaktsjuksköterska {clean_line(people.who(names, team.contact_nurse))}"
        )
        return 0
    return _imported(
        args.file,
        patients.import_patients(ctx, intake_files.read_input(ctx, args.file, _stdin_reader)),
        neuter=True,
    )
