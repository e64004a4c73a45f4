#!/usr/bin/env python3
"""The deployment drill (issues 18 and 31): docs/deployment.md followed literally on a fresh
Debian 12, then exercised over real SSH on 127.0.0.1; last, docs/upgrade.md with dashboards open.
Run as root: deploy/drill.sh [--keep] (a fresh Debian root in namespaces of its own), or
deploy/drill.sh --here on a throwaway machine (this script, directly).

The guide's `sh` blocks are extracted and run in order (so the guide and the drill cannot
disagree); `sh person` blocks once per member of staff, `sh offboard` when one leaves, and the
`sh reload` block is replaced by a second sshd on 127.0.0.1:2222 (a container has no systemd).
The mail relay the guide asks for is a small SMTP server of the drill's on 127.0.0.1:2525. Cron
lines are read from /etc/cron.d/bcc-tui and run the way cron runs them. The upgrade installs a
"next version": this checkout with one migration more. Everything the drill creates is recorded
and removed at the start of the next run (and at the end, without --keep).
Standard library only: it runs with the system's python3.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import shutil
import signal
import socketserver
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "deployment.md"
STATE = Path("/var/lib/bcc-drill")
KEYS = STATE / "keys"
PORT = 2222
SSHD_PID = Path("/run/bcc-drill-sshd.pid")
ACCOUNTS = ["bcc", "bcc-feed", "rita", "doris", "olle"]
GROUPS = ["bcc-staff", "bcc-feed"]
FILES = [
    "/etc/sudoers.d/bcc-tui",
    "/etc/ssh/sshd_config.d/bcc-tui.conf",
    "/etc/cron.d/bcc-tui",
    "/etc/logrotate.d/bcc-tui",
    "/etc/msmtprc",
    "/etc/bcc-tui",
    "/var/log/bcc-tui",
    "/root/staff.jsonl",
]
SMTP_PORT = 2525
# What the guide asks for at its top, as the drill answers it.
GUIDE_ENV = {
    "BCC_SMTP": f"127.0.0.1:{SMTP_PORT}",
    "BCC_MAIL_FROM": "bcc-tui@drill.invalid",
    "BCC_ADMIN_MAIL": "drift@drill.invalid",
}
UPGRADED = "uppdaterats"  # from the dashboard's line "bcc-tui har uppdaterats — …"
NEEDS = "bcc-tui behöver en terminal"
REFUSED = "bara instrumentpanelen"

STAFF = [
    {"username": "rita", "name": "Rita Mottagare", "title": "medicinsk sekreterare", "roles": ["receiver"]},
    {
        "username": "doris",
        "name": "Doris Doktor",
        "title": "läkare",
        "roles": ["caregiver"],
        "email": "doris@drill.invalid",
        "email_notify": True,
    },
    {"username": "olle", "name": "Olle Slutar", "title": "medicinsk sekreterare", "roles": ["receiver"]},
]

results: list[tuple[str, bool, str]] = []


def report(name: str, ok: bool, detail: str = "") -> bool:
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f"  [{detail}]" if detail else ""), flush=True)
    return ok


def skip(name: str, why: str) -> None:
    results.append((name, None, why))
    print(f"SKIP  {name}  [{why}]", flush=True)


def run(cmd, *, input=None, env=None, timeout=120, check=False):
    proc = subprocess.run(cmd, check=False, input=input, capture_output=True, env=env, timeout=timeout)
    if check and proc.returncode != 0:
        raise SystemExit(f"drill: {cmd!r} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return proc


# -- the guide ---------------------------------------------------------------------------------
def guide_blocks() -> list[tuple[str, str]]:
    text = GUIDE.read_text(encoding="utf-8")
    return [
        (m.group(1).strip(), m.group(2)) for m in re.finditer(r"^```(sh[^\n]*)\n(.*?)^```", text, re.M | re.S)
    ]


def run_block(body: str, **env) -> subprocess.CompletedProcess:
    full = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "BCC_SRC": str(REPO),
        **GUIDE_ENV,
        **env,
    }
    return run(["/bin/sh", "-e", "-c", body], env=full, timeout=900)


def cron_env_and_jobs() -> tuple[dict, dict]:
    env, jobs = {}, {}
    for line in Path("/etc/cron.d/bcc-tui").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^([A-Z_]+)=(.*)$", line)
        if m:
            env[m.group(1)] = m.group(2)
            continue
        fields = line.split(None, 6)
        user, command = fields[5], fields[6]
        name = re.search(r"bcc-job (\S+)", command).group(1)
        jobs[name] = (user, command)
    return env, jobs


def cron(name: str) -> subprocess.CompletedProcess:
    """One cron line, as cron runs it: its user, its environment, /bin/sh, from the home folder."""
    env, jobs = cron_env_and_jobs()
    user, command = jobs[name]
    home = Path(os.path.expanduser(f"~{user}"))
    return run(
        [
            "runuser",
            "-u",
            user,
            "--",
            "env",
            "-i",
            *[f"{k}={v}" for k, v in env.items()],
            f"HOME={home}",
            f"LOGNAME={user}",
            "/bin/sh",
            "-c",
            f"cd {home} && {command}",
        ]
    )


# -- clean slate -------------------------------------------------------------------------------
def processes_of(uids: set[int]) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    out.append(int(entry.name))
            except FileNotFoundError:
                pass
    return out


def cleanup() -> None:
    created = json.loads((STATE / "created.json").read_text()) if (STATE / "created.json").exists() else {}
    if SSHD_PID.exists():
        try:
            os.kill(int(SSHD_PID.read_text().split()[0]), signal.SIGTERM)
        except (ProcessLookupError, ValueError):
            pass
        SSHD_PID.unlink(missing_ok=True)
    uids = set()
    for name in created.get("accounts", []):
        try:
            uids.add(int(run(["id", "-u", name]).stdout))
        except ValueError:
            pass
    for pid in processes_of(uids):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.3)
    for name in created.get("accounts", []):
        run(["userdel", "--remove", name])
    for group in created.get("groups", []):
        run(["groupdel", group])
    for path in created.get("files", []):
        if Path(path).is_dir() and not Path(path).is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            Path(path).unlink(missing_ok=True)
    if created.get("aliases"):
        Path("/etc/aliases").unlink(missing_ok=True)
    if created.get("srv"):
        run(["rm", "-rf", "--one-file-system", "/srv/bcc"])
    run(["rm", "-rf", str(STATE)])


def refuse_foreign_names() -> None:
    """Only a machine without these names is a throwaway one for this drill."""
    clash = [a for a in ACCOUNTS if run(["id", a]).returncode == 0]
    clash += [g for g in GROUPS if run(["getent", "group", g]).returncode == 0]
    clash += [f for f in FILES if Path(f).exists()] + (["/srv/bcc"] if Path("/srv/bcc").exists() else [])
    if clash:
        raise SystemExit(f"drill: these exist and were not made by a drill: {', '.join(clash)}")


# -- the mail relay ----------------------------------------------------------------------------
class Relay(socketserver.ThreadingTCPServer):
    """The clinic's mail relay, as far as the drill needs one: it takes every message and keeps
    the envelope and the text (SMTP without extensions, loopback only)."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self) -> None:
        self.messages: list[dict] = []
        super().__init__(("127.0.0.1", SMTP_PORT), _SmtpSession)

    def start(self) -> Relay:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def to(self, address: str) -> list[dict]:
        return [m for m in self.messages if address in m["rcpt"]]


class _SmtpSession(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"220 drill relay\r\n")
        sender, rcpt = "", []
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            verb = line[:4].upper()
            if verb in (b"HELO", b"EHLO"):
                self.wfile.write(b"250 drill\r\n")
            elif verb == b"MAIL":
                sender, rcpt = line.decode(errors="replace").strip(), []
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"RCPT":
                rcpt.append(line.decode(errors="replace").strip())
                self.wfile.write(b"250 ok\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                data = bytearray()
                while (chunk := self.rfile.readline(65536)) not in (b".\r\n", b".\n", b""):
                    data += chunk
                self.server.messages.append(  # type: ignore[attr-defined]
                    {"from": sender, "rcpt": " ".join(rcpt), "data": data.decode(errors="replace")}
                )
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


# -- SSH sessions ------------------------------------------------------------------------------
def ssh_argv(user: str, *command: str, tty: bool = True) -> list[str]:
    return [
        "ssh",
        "-p",
        str(PORT),
        "-i",
        str(KEYS / user),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "BatchMode=yes",
        "-o",
        "LogLevel=ERROR",
        "-o",
        "ConnectTimeout=10",
        "-tt" if tty else "-T",
        f"{user}@127.0.0.1",
        *command,
    ]


class Session:
    """An ssh client in a pseudo-terminal of its own, as a person at a terminal runs it."""

    def __init__(
        self, user: str, *command: str, rows: int = 30, cols: int = 100, env: dict | None = None
    ) -> None:
        self.user = user
        self.out = bytearray()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "xterm-256color"
            os.environ.update(env or {})
            # SendEnv: what a client with that locale forwards (Debian's sshd accepts LANG, LC_*).
            os.execvp("ssh", ["ssh", "-o", "SendEnv=LANG LC_*", *ssh_argv(user, *command)[1:]])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.status = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self.out += chunk

    def wait_for(self, needle: bytes, timeout: float = 30.0, start: int = 0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in bytes(self.out[start:]):
                return True
            if self.exited():
                return needle in bytes(self.out[start:])
            time.sleep(0.05)
        return False

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def exited(self, timeout: float = 0.0) -> bool:
        end = time.monotonic() + timeout
        while True:
            if self.status is None:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.status = os.waitstatus_to_exitcode(status)
            if self.status is not None:
                return True
            if time.monotonic() >= end:
                return False
            time.sleep(0.05)

    def kill_client(self) -> None:
        """The person's laptop dies: the client is gone without a word to the server."""
        os.kill(self.pid, signal.SIGKILL)
        self.exited(5)

    def close(self) -> None:
        if not self.exited():
            self.kill_client()
        try:
            os.close(self.fd)
        except OSError:
            pass


def server_processes(person: str) -> list[int]:
    """Processes on the server acting for this person: their own account's, and bcc's with
    SUDO_USER=person."""
    uid_person = int(run(["id", "-u", person]).stdout or -1)
    uid_bcc = int(run(["id", "-u", "bcc"]).stdout)
    found = []
    for pid in processes_of({uid_person, uid_bcc}):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            owner = Path(f"/proc/{pid}").stat().st_uid
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if owner == uid_person or f"SUDO_USER={person}".encode() in environ:
            found.append(pid)
    return found


def none_left(person: str, timeout: float = 5.0) -> tuple[bool, float]:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if not server_processes(person):
            return True, time.monotonic() - start
        time.sleep(0.05)
    return False, timeout


def sftp(user: str, batch: str) -> subprocess.CompletedProcess:
    return run(
        [
            "sftp",
            "-P",
            str(PORT),
            "-i",
            str(KEYS / user),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            "-b",
            "-",
            f"{user}@127.0.0.1",
        ],
        input=batch.encode(),
        timeout=60,
    )


def errand(ref: str, **over) -> dict:
    line = {
        "ref": ref,
        "type": "fornya_recept",
        "unit": "oppenvard",
        "received_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600)),
        "patient": {"name": "Elsa Andersson", "personnummer": "20150315-1233"},
        "subject": "Förnya recept",
        "message": "Hej, receptet på Bactrim tar slut. Tack!",
    }
    line.update(over)
    return line


# -- the drill ---------------------------------------------------------------------------------
def setup() -> None:
    if not Path("/usr/sbin/sshd").exists() or not Path("/usr/bin/sudo").exists():
        run(["apt-get", "update", "-qq"], timeout=600)
        run(
            ["apt-get", "install", "-y", "-qq", "openssh-server", "sudo"],
            timeout=900,
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # systemd makes it on a real machine
    STATE.mkdir(mode=0o700, parents=True)
    KEYS.mkdir(mode=0o700)
    (STATE / "created.json").write_text(
        json.dumps(
            {
                "accounts": ACCOUNTS,
                "groups": GROUPS,
                "files": FILES,
                "srv": True,
                "aliases": not Path("/etc/aliases").exists(),  # the guide makes it then
            }
        )
    )
    Path("/root/staff.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in STAFF))
    for user in ["rita", "doris", "olle", "bcc-feed"]:
        run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"drill-{user}", "-f", str(KEYS / user)],
            check=True,
        )

    blocks = guide_blocks()
    schedule_written = False
    for info, body in blocks:
        if info == "sh":
            if "schedule import /srv/bcc/schedule/schedule.jsonl" in body and not schedule_written:
                # The administrator's rota, written where the guide says, before the block reads it.
                Path("/srv/bcc/schedule").mkdir(parents=True, exist_ok=True)
                today = time.strftime("%Y-%m-%d")
                Path("/srv/bcc/schedule/schedule.jsonl").write_text(
                    json.dumps({"date": today, "receiver": "rita", "outpatient_doctors": ["doris"]}) + "\n"
                )
                schedule_written = True
            proc = run_block(body)
            first = body.strip().splitlines()[0][:70]
            if not report(
                f"guide: {first}",
                proc.returncode == 0,
                proc.stderr.decode(errors="replace").strip()[-300:] if proc.returncode else "",
            ):
                raise SystemExit("drill: the guide failed as written; stopping")
            if "cron.d/bcc-tui" in body:
                # The integration's key, where the guide says to put it.
                key = (KEYS / "bcc-feed.pub").read_text()
                auth = Path("/srv/bcc/feed/.ssh/authorized_keys")
                auth.write_text(key)
                run(["chown", "bcc-feed:bcc-feed", str(auth)], check=True)
                auth.chmod(0o600)
        elif info == "sh person":
            for person in ["rita", "doris", "olle"]:
                proc = run_block(body, person=person, pubkey=(KEYS / f"{person}.pub").read_text().strip())
                if not report(
                    f"guide: staff account {person}",
                    proc.returncode == 0,
                    proc.stderr.decode(errors="replace").strip()[-300:],
                ):
                    raise SystemExit("drill: the guide failed as written; stopping")
        elif info == "sh reload":
            proc = run(
                ["/usr/sbin/sshd", "-o", f"ListenAddress=127.0.0.1:{PORT}", "-o", f"PidFile={SSHD_PID}"]
            )
            ok = proc.returncode == 0
            for _ in range(50):
                if run(["ssh-keyscan", "-p", str(PORT), "127.0.0.1"]).returncode == 0:
                    break
                time.sleep(0.1)
            report(
                f"sshd on 127.0.0.1:{PORT} (in place of: {body.strip()})", ok, proc.stderr.decode().strip()
            )


def exercise(relay: Relay) -> None:
    # Errands waiting, so the dashboards have something to show.
    first = [errand("1177-100001"), errand("1177-100002", type="kontakta_mig")]
    run(
        ["/srv/bcc/bin/bcc-admin", "import", "-"],
        input="".join(json.dumps(x, ensure_ascii=False) + "\n" for x in first).encode(),
        check=True,
    )

    # A session without a terminal: refused in one line, nothing left behind.
    proc = run(ssh_argv("rita", tty=False), input=b"", timeout=60)
    left, _ = none_left("rita")
    report(
        "no terminal (ssh -T): refused in one line",
        proc.returncode == 1 and NEEDS in proc.stderr.decode() and left,
        f"rc={proc.returncode} {proc.stderr.decode().strip()[:120]}",
    )
    proc = run(ssh_argv("rita", "open", "1177-100001", tty=False), input=b"", timeout=60)
    report(
        "no terminal (ssh host open REF): refused",
        proc.returncode == 1 and NEEDS in proc.stderr.decode(),
        f"rc={proc.returncode}",
    )
    proc = sftp("rita", "ls /\n")
    left, _ = none_left("rita")
    report("sftp by staff: refused, nothing left", proc.returncode != 0 and left, f"rc={proc.returncode}")

    # Arguments smuggled through the forced command.
    for name, command in [
        ("an option", "open 1177-100001 --db /tmp/other.db"),
        ("a second line", "open 1177-100001\nid"),
        ("a shell", "bash -i"),
        ("another command", "list"),
        ("a shell metacharacter", "open 1177-100001;id"),
    ]:
        s = Session("rita", command)
        ok = (
            s.exited(20)
            and s.status == 1
            and REFUSED.encode() in bytes(s.out)
            and b"uid=" not in bytes(s.out)
        )
        report(
            f"smuggled {name}: refused", ok, f"status={s.status} {bytes(s.out)[-120:]!r}" if not ok else ""
        )
        s.close()
    report("smuggled: nothing left behind", none_left("rita")[0])
    report("smuggled: no --db file made", not Path("/tmp/other.db").exists())

    # The sudo rule: the wrapper with no arguments, and nothing else (as if a person had a shell).
    for name, argv in [
        ("the wrapper with an argument", ["/srv/bcc/bin/bcc-tui-session", "--db", "/tmp/other.db"]),
        ("the program itself", ["/srv/bcc/venv/bin/bcc-tui", "list"]),
        ("a shell", ["/bin/sh", "-c", "id"]),
    ]:
        proc = run(["runuser", "-u", "rita", "--", "sudo", "-n", "-u", "bcc", *argv], input=b"", timeout=30)
        report(
            f"sudo refuses {name}",
            proc.returncode != 0 and b"uid=" not in proc.stdout,
            f"rc={proc.returncode} {proc.stderr.decode(errors='replace').strip()[:100]}",
        )
    proc = run(["sudo", "-l", "-U", "rita"], timeout=30)
    ok = b'(bcc) NOPASSWD: /srv/bcc/bin/bcc-tui-session ""' in proc.stdout
    report(
        "sudo -l: rita may run exactly the wrapper, no arguments",
        ok,
        "" if ok else proc.stdout.decode()[-200:],
    )

    # A receiver and a doctor at once; the e-mail link's `open REF`.
    rita = Session("rita")
    doris = Session("doris")
    try:
        report(
            "receiver's dashboard over ssh -t",
            rita.wait_for(b"1177-100001") and rita.wait_for("Ofördelade".encode()),
        )
        report("doctor's dashboard at the same time", doris.wait_for("Mina ärenden".encode()))
        link = Session("rita", "open", "1177-100002")
        report(
            "ssh -t server open REF opens the errand",
            link.wait_for("Ärende 1177-100002".encode()) or link.wait_for(b"1177-100002"),
        )
        link.send(b"\x1b")
        link.kill_client()
        link.close()

        # A Latin-1 or C locale forwarded by the client: the wrapper's UTF-8 locale wins.
        latin = Session("rita", env={"LANG": "sv_SE.ISO-8859-1", "LC_ALL": "C"})
        ok = (
            latin.wait_for(b"1177-100001")
            and latin.wait_for("│".encode())
            and b"\\u25" not in bytes(latin.out)
        )
        report("client's Latin-1/C locale: box drawing and å/ä/ö still drawn", ok)
        latin.kill_client()
        latin.close()

        # The feed drops a file; the intake job reads it; the receiver sees it.
        Path("/tmp/bcc-drill-new.jsonl").write_text(
            json.dumps(errand("1177-100003"), ensure_ascii=False) + "\n"
        )
        proc = sftp(
            "bcc-feed",
            "put /tmp/bcc-drill-new.jsonl /srv/bcc/inbox/new.jsonl.part\n"
            "rename /srv/bcc/inbox/new.jsonl.part /srv/bcc/inbox/new.jsonl\n",
        )
        report(
            "feed drops a file into the inbox (sftp)",
            proc.returncode == 0,
            proc.stderr.decode().strip()[:200],
        )
        proc = cron("intake")
        report(
            "intake job: quiet on success",
            proc.returncode == 0 and proc.stdout == b"" and proc.stderr == b"",
            f"rc={proc.returncode} {proc.stdout.decode()[:200]}",
        )
        report(
            "intake job: the file was moved aside",
            not Path("/srv/bcc/inbox/new.jsonl").exists() and Path("/srv/bcc/processed/new.jsonl").exists(),
        )
        report("new errand reaches the receiver's open dashboard", rita.wait_for(b"1177-100003", 15))

        # The receiver assigns it to the doctor, with keys; the doctor's dashboard shows it.
        mark = len(doris.out)
        rita.send(b"/")
        time.sleep(0.5)
        rita.send(b"1177-100003\r")
        time.sleep(1.0)
        rita.send(b"a")
        time.sleep(1.0)
        rita.send(b"doris")
        time.sleep(0.5)
        rita.send(b"\r")
        report(
            "assigned by the receiver reaches the doctor's dashboard",
            doris.wait_for(b"1177-100003", 20, mark),
        )

        # Idle: a dashboard that nobody touches sends (almost) nothing.
        time.sleep(2.0)
        before = len(doris.out)
        time.sleep(10.0)
        idle = len(doris.out) - before
        report(f"idle dashboard over ssh: {idle} bytes in 10 s", idle < 1000)

        # A dropped client leaves no process.
        report("doctor's server processes exist while connected", bool(server_processes("doris")))
        doris.kill_client()
        ok, took = none_left("doris", 10)
        report(f"dropped client: no process left ({took:.2f} s)", ok)
        rita.send(b"q")
        report("receiver quits with q", rita.exited(10) and none_left("rita")[0], f"status={rita.status}")
    finally:
        rita.close()
        doris.close()

    # Jobs: replies out, collected by the feed; reminders; rota; check; backup.
    run(
        ["/srv/bcc/bin/bcc-admin", "--as", "doris", "reply", "1177-100003", "--text", "Receptet är förnyat."],
        check=True,
    )
    proc = cron("export")
    report(
        "export job: quiet on success",
        proc.returncode == 0 and proc.stdout == b"",
        proc.stdout.decode()[:200],
    )
    collected = Path("/tmp/bcc-drill-replies")
    shutil.rmtree(collected, ignore_errors=True)
    collected.mkdir()
    proc = sftp(
        "bcc-feed", f"get /srv/bcc/outbox/replies-*.jsonl {collected}/\nrm /srv/bcc/outbox/replies-*.jsonl\n"
    )
    got = list(collected.glob("replies-*.jsonl"))
    report(
        "feed collects the replies (sftp)",
        proc.returncode == 0
        and len(got) == 1
        and "1177-100003" in got[0].read_text()
        and not list(Path("/srv/bcc/outbox").iterdir()),
        proc.stderr.decode().strip()[:200],
    )
    for job in ("remind", "schedule", "check"):
        proc = cron(job)
        report(
            f"{job} job: quiet on success",
            proc.returncode == 0 and proc.stdout == b"",
            f"rc={proc.returncode} {proc.stdout.decode()[:200]}",
        )
    help_text = run(["/srv/bcc/venv/bin/bcc-tui", "backup", "--help"]).stdout.decode()
    if "--keep" in help_text:
        proc = cron("backup")
        report(
            "backup job: quiet on success",
            proc.returncode == 0 and proc.stdout == b"",
            proc.stdout.decode()[:200],
        )
    else:
        skip("backup job", "this build has no `backup --keep` yet (issue 12's part)")
    Path("/tmp/bcc-drill-bad.jsonl").write_text(
        json.dumps(errand("1177-100004")) + "\n" + '{"ref": "1177-100005", "type": "nope"}\n'
    )
    sftp("bcc-feed", "put /tmp/bcc-drill-bad.jsonl /srv/bcc/inbox/bad.jsonl\n")
    proc = cron("intake")
    lines = proc.stdout.decode().splitlines()
    report(
        "intake with a bad line: one line, non-zero",
        proc.returncode != 0 and len(lines) == 1 and not proc.stderr,
        f"rc={proc.returncode} {lines!r}"[:200],
    )
    report("the bad line kept in processed/rejected/", Path("/srv/bcc/processed/rejected/bad.jsonl").exists())
    proc = cron("intake")
    report(
        "the next intake run is clean",
        proc.returncode == 0 and proc.stdout == b"",
        proc.stdout.decode()[:200],
    )

    mail_logs_and_reports(relay)

    # Offboarding: the open dashboard closes; the next login is refused.
    olle = Session("olle")
    try:
        report("olle's dashboard open", olle.wait_for(b"1177-100001"))
        staff = [dict(p, active=False) if p["username"] == "olle" else p for p in STAFF]
        Path("/root/staff.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in staff))
        offboard = next(body for info, body in guide_blocks() if info == "sh offboard")
        proc = run_block(offboard, person="olle")
        report("guide: offboarding block", proc.returncode == 0, proc.stderr.decode().strip()[-200:])
        closed = olle.wait_for("inte längre aktiv".encode(), 10) and olle.exited(10)
        report("deactivated person's open dashboard closes with a message", closed, f"status={olle.status}")
        report("deactivated person: no process left", none_left("olle")[0])
    finally:
        olle.close()
    proc = run(ssh_argv("olle", "id", tty=False), input=b"", timeout=60)
    report(
        "deactivated person: login refused (no shell)",
        proc.returncode == 255 and b"uid=" not in proc.stdout,
        f"rc={proc.returncode}",
    )
    proc = run(ssh_argv("olle", tty=True), input=b"", timeout=60)
    report("deactivated person: no dashboard either", proc.returncode == 255, f"rc={proc.returncode}")


def until(predicate, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def sql(query: str) -> list[tuple]:
    """A read of the live database as the service account (root would leave a -shm of its own)."""
    proc = run(
        [
            "runuser",
            "-u",
            "bcc",
            "--",
            "/srv/bcc/venv/bin/python",
            "-I",
            "-c",
            "import json, sqlite3, sys; c = sqlite3.connect('/srv/bcc/data/bcc.db', timeout=10);"
            " print(json.dumps(c.execute(sys.argv[1]).fetchall()))",
            query,
        ],
        check=True,
    )
    return [tuple(r) for r in json.loads(proc.stdout)]


def mail_logs_and_reports(relay: Relay) -> None:
    """The mail transport, the mail job with and without a relay, the logs' rotation and the
    folder of crash reports, as the guide set them up (issue 31)."""
    # The assignment above queued a notice for doris; the mail job hands it to the relay.
    proc = cron("mail")
    report(
        "mail job: quiet on success", proc.returncode == 0 and proc.stdout == b"", proc.stdout.decode()[:200]
    )
    report("a notice reaches the mail relay", until(lambda: bool(relay.to("doris@drill.invalid"))))
    # Without a relay, the job fails loudly while notices wait.
    env_file, aside = Path("/etc/bcc-tui/mail.env"), Path("/etc/bcc-tui/mail.env.drill")
    env_file.rename(aside)
    try:
        run(["/srv/bcc/bin/bcc-admin", "--as", "rita", "assign", "1177-100002", "doris"], check=True)
        proc = cron("mail")
        lines = proc.stdout.decode().splitlines()
        report(
            "mail job without a relay while a notice waits: one line, non-zero",
            proc.returncode != 0 and len(lines) == 1 and "BCC_SMTP" in lines[0],
            f"rc={proc.returncode} {lines!r}"[:200],
        )
    finally:
        aside.rename(env_file)
    before = len(relay.to("doris@drill.invalid"))
    proc = cron("mail")
    report(
        "mail job with the relay back: quiet, the waiting notice sent",
        proc.returncode == 0
        and proc.stdout == b""
        and until(lambda: len(relay.to("doris@drill.invalid")) > before),
        proc.stdout.decode()[:200],
    )
    # cron mails a failing job's line through sendmail: the transport the guide installed.
    proc = run(["/usr/sbin/sendmail", "root"], input=b"Subject: bcc-job\n\nbcc-job mail misslyckades\n")
    report(
        "sendmail to root reaches the administrators through the relay",
        proc.returncode == 0 and until(lambda: bool(relay.to("drift@drill.invalid"))),
        proc.stderr.decode(errors="replace")[:200],
    )
    # The jobs' logs are rotated by the guide's logrotate file.
    proc = run(["logrotate", "-f", "/etc/logrotate.d/bcc-tui"])
    report(
        "logrotate rotates the jobs' logs",
        proc.returncode == 0 and Path("/srv/bcc/log/intake.log.1").exists(),
        proc.stderr.decode(errors="replace")[-200:],
    )
    # A crash report lands where the administrators (adm) read it and staff do not.
    proc = run(
        [
            "runuser",
            "-u",
            "bcc",
            "--",
            "env",
            "BCC_REPORT_DIR=/var/log/bcc-tui",
            "/srv/bcc/venv/bin/python",
            "-I",
            "-c",
            "from bcc_tui import crash; print(crash.write_report(RuntimeError('drill'), 'drill'))",
        ]
    )
    path = Path(proc.stdout.decode().strip() or "/nonexistent")
    st = path.stat() if path.exists() else None
    import grp

    report(
        "a crash report in /var/log/bcc-tui, readable by adm, not by staff",
        st is not None
        and path.parent == Path("/var/log/bcc-tui")
        and grp.getgrgid(st.st_gid).gr_name == "adm"
        and st.st_mode & 0o777 == 0o640
        and run(["runuser", "-u", "rita", "--", "cat", str(path)]).returncode != 0,
        f"{path} {oct(st.st_mode) if st else ''}",
    )
    path.unlink(missing_ok=True)


def next_version() -> Path:
    """The version after this one: the checkout with one migration more (a full-table UPDATE, as
    the costly ones were) and a version number of its own."""
    target = STATE / "next"
    shutil.copytree(
        REPO,
        target,
        ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".ruff_cache", ".mypy_cache"),
    )
    schema = target / "bcc_tui" / "store" / "schema.py"
    schema.write_text(
        schema.read_text()
        + "\n# The drill's next version (deploy/drill.py): one migration more.\n"
        + 'MIGRATIONS = (*MIGRATIONS, "ALTER TABLE errands ADD COLUMN drill_next TEXT;\\n'
        + 'UPDATE errands SET drill_next = ref;")\nCURRENT = len(MIGRATIONS)\n'
    )
    project = target / "pyproject.toml"
    project.write_text(re.sub(r'(?m)^version = "([^"]+)"', r'version = "\1+drill.next"', project.read_text()))
    return target


def upgrade_blocks() -> dict[str, str]:
    text = (REPO / "docs" / "upgrade.md").read_text(encoding="utf-8")
    return {
        m.group(1).strip(): m.group(2) for m in re.finditer(r"^```(sh [^\n]*)\n(.*?)^```", text, re.M | re.S)
    }


def upgrade() -> None:
    """docs/upgrade.md with three dashboards open (issue 31): one with a note typed and not sent,
    then `s`; one that gets `?`; one left alone through the migration. Each says so, keeps its
    draft, writes nothing more and ends cleanly on its next key; then the way back."""
    blocks = upgrade_blocks()
    old_version = sql("PRAGMA user_version")[0][0]
    typed = Session("rita")
    asked = Session("doris")
    idle = Session("rita")
    sessions = [typed, asked, idle]
    try:
        report(
            "upgrade: three dashboards open",
            typed.wait_for(b"1177-100001")
            and asked.wait_for("Mina ärenden".encode())
            and idle.wait_for(b"1177-100001"),
        )
        typed.send(b"n")
        report("upgrade: a note form open", typed.wait_for(b"Intern anteckning", 15))
        typed.send("Ringde mamman före uppgraderingen".encode())
        time.sleep(0.3)
        marks = [len(x.out) for x in sessions]
        proc = run_block(blocks["sh upgrade"], BCC_SRC=str(next_version()))
        out = proc.stdout.decode(errors="replace")
        report(
            "upgrade: docs/upgrade.md's block as written",
            proc.returncode == 0,
            (proc.stderr.decode(errors="replace") + out).strip()[-400:],
        )
        lines = out.strip().splitlines()
        backup = re.match(r"säkerhetskopia (\S+): ", lines[0]) if lines else None
        report(
            "upgrade: migrate took a verified backup first",
            backup is not None and "kontrollerad" in lines[0],
            out[:300],
        )
        report(
            "upgrade: migrate reported its step and the longest write lock",
            any(x.startswith(f"schemaversion {old_version + 1}:") for x in lines)
            and "längsta skrivlås" in lines[-1],
            out[-300:],
        )
        report(
            "upgrade: the database is at the new schema", sql("PRAGMA user_version")[0][0] == old_version + 1
        )
        for name, sess, mark in zip(("typing", "asked", "idle"), sessions, marks, strict=True):
            report(f"upgrade: the {name} dashboard says so", sess.wait_for(UPGRADED.encode(), 20, mark))
        (migrated,) = sql("SELECT max(id) FROM audit WHERE action = 'migrate'")[0]
        for name, sess, key in (
            ("typing (s)", typed, b"s"),
            ("asked (?)", asked, b"?"),
            ("idle (j)", idle, b"j"),
        ):
            sess.send(key)
            ended = sess.exited(15)
            report(
                f"upgrade: the {name} dashboard ends cleanly on the next key",
                ended and sess.status == 0 and "oväntat fel".encode() not in bytes(sess.out),
                f"status={sess.status}",
            )
        report("upgrade: no crash report", not any(Path("/var/log/bcc-tui").glob("krasch-*")))
        drafts = sql("SELECT fields FROM drafts WHERE username = 'rita'")
        report("upgrade: the typed note kept as a draft", any("före uppgraderingen" in f for (f,) in drafts))
        wrote = sql(f"SELECT count(*) FROM audit WHERE id > {migrated} AND actor IN ('rita', 'doris')")[0][0]
        report("upgrade: the old dashboards wrote nothing after the migration", wrote == 0, f"{wrote} rows")
        report("upgrade: none left running", none_left("rita")[0] and none_left("doris")[0])
        # The new version, and the draft offered again.
        again = Session("rita")
        sessions.append(again)
        ok = again.wait_for(b"1177-100001")
        again.send(b"n")
        report(
            "upgrade: the new version starts, the draft is offered again",
            ok and again.wait_for(b"utkast", 15),
        )
        again.kill_client()

        # The way back, with a dashboard of the new version open.
        newer = Session("doris")
        sessions.append(newer)
        newer.wait_for("Mina ärenden".encode())
        mark = len(newer.out)
        proc = run_block(
            blocks["sh rollback"], BCC_SRC=str(REPO), BCC_BACKUP=backup.group(1) if backup else "/nonexistent"
        )
        report(
            "rollback: docs/upgrade.md's block as written",
            proc.returncode == 0,
            (proc.stderr.decode(errors="replace") + proc.stdout.decode(errors="replace")).strip()[-400:],
        )
        report("rollback: the new version's dashboard says so", newer.wait_for(UPGRADED.encode(), 20, mark))
        newer.send(b"j")
        report(
            "rollback: and ends cleanly on the next key",
            newer.exited(15) and newer.status == 0,
            f"status={newer.status}",
        )
        report(
            "rollback: the database is the backup, at the old schema",
            sql("PRAGMA user_version")[0][0] == old_version,
        )
        back = Session("rita")
        sessions.append(back)
        report("rollback: the old version's dashboard works", back.wait_for(b"1177-100001"))
        back.send(b"q")
        back.exited(10)
    finally:
        for sess in sessions:
            sess.close()


def main() -> int:
    if os.geteuid() != 0:
        print("drill: run as root on a throwaway machine", file=sys.stderr)
        return 2
    keep = "--keep" in sys.argv[1:]
    started = time.monotonic()
    cleanup()
    refuse_foreign_names()
    relay = None
    try:
        relay = Relay().start()
        setup()
        exercise(relay)
        upgrade()
    except SystemExit as stop:
        if stop.code not in (None, 0):
            print(stop.code, file=sys.stderr)
            report("drill ran to the end", False)
    finally:
        if relay is not None:
            relay.shutdown()
            relay.server_close()
        if not keep:
            cleanup()
    failed = [r for r in results if r[1] is False]
    skipped = [r for r in results if r[1] is None]
    passed = [r for r in results if r[1]]
    print(
        f"\nDRILL {'FAIL' if failed else 'PASS'}: {len(passed)} passed, {len(failed)} failed, "
        f"{len(skipped)} skipped in {time.monotonic() - started:.0f} s"
    )
    for name, _, detail in failed:
        print(f"  FAIL {name} {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
