"""A local SMTP sink for tests: accepts every message and keeps it (EHLO, MAIL, RCPT, DATA, QUIT).

    with SmtpSink() as sink:
        ... send to 127.0.0.1:sink.port ...
        sink.messages      # [email.message.Message, ...]
"""

from __future__ import annotations

import email
import socketserver
import threading


class SmtpSink:
    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"220 sink ready\r\n")
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    command = line.decode("ascii", "replace").strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.wfile.write(b"250 sink\r\n")
                    elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                        self.wfile.write(b"250 ok\r\n")
                    elif command == "DATA":
                        self.wfile.write(b"354 go on\r\n")
                        lines = []
                        while True:
                            data = self.rfile.readline()
                            if data in (b".\r\n", b".\n", b""):
                                break
                            lines.append(data[1:] if data.startswith(b"..") else data)
                        with outer.lock:
                            outer.messages.append(email.message_from_bytes(b"".join(lines)))
                        self.wfile.write(b"250 queued\r\n")
                    elif command == "QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"502 not here\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
