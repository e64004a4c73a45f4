"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import socket
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        end = time.monotonic() + timeout
        while time.monotonic() < end and len(self.inbox.messages) < count:
            time.sleep(0.05)
        return self.inbox.messages


class SlowSmtpServer:
    """A plain-socket SMTP server on loopback that answers every command after `delay` seconds,
    or never (`silent`: it accepts the connection and says nothing). It counts what it accepted,
    by Message-ID, so a test can see a notice that went twice."""

    def __init__(self, delay: float = 1.0, silent: bool = False) -> None:
        import socketserver
        import threading

        self.delay, self.silent = delay, silent
        self.accepted: list[str] = []
        self.connections = 0
        self._lock = threading.Lock()
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                with owner._lock:
                    owner.connections += 1
                if owner.silent:
                    self.request.settimeout(30)
                    try:
                        while self.request.recv(1024):
                            pass
                    except OSError:
                        pass
                    return
                self.reply("220 slow.example ESMTP")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    verb = line.strip().split(b" ")[0].upper()
                    if verb == b"DATA":
                        self.reply("354 go ahead")
                        data = b""
                        while not data.endswith(b"\r\n.\r\n"):
                            chunk = self.rfile.readline()
                            if not chunk:
                                return
                            data += chunk
                        self.reply("250 accepted")
                        message = message_from_bytes(data[:-3], policy=policy.default)
                        with owner._lock:
                            owner.accepted.append(message["Message-ID"])
                    elif verb == b"QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

            def reply(self, text: str) -> None:
                time.sleep(owner.delay)
                self.wfile.write(text.encode() + b"\r\n")
                self.wfile.flush()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> SlowSmtpServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
