"""A tiny SMTP server on 127.0.0.1 that offers STARTTLS with a fixed certificate
(`zones/smtp-test.pem`, whose TLSA digests the DANE zones of the corpus publish)."""

from __future__ import annotations

import socketserver
import ssl
import threading
from pathlib import Path

PEM = Path(__file__).parent / "zones" / "smtp-test.pem"


class SmtpServer:
    def __init__(self, pem: Path = PEM, *, starttls: bool = True):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(pem)
        self.connections = 0
        server = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 5

            def handle(self):
                server.connections += 1
                self.wfile.write(b"220 relay.test ESMTP\r\n")
                for line in self.rfile:
                    command = line.strip().upper()
                    if command.startswith(b"EHLO"):
                        extra = b"250-SIZE 10240000\r\n250 STARTTLS\r\n" if starttls else b""
                        self.wfile.write(b"250-relay.test\r\n" + (extra or b"250 8BITMIME\r\n"))
                    elif command == b"STARTTLS":
                        self.wfile.write(b"220 2.0.0 go ahead\r\n")
                        self.wfile.flush()
                        try:
                            with context.wrap_socket(self.connection, server_side=True) as tls:
                                tls.recv(64)  # QUIT
                        except OSError:  # the client hung up without closing TLS: fine
                            pass
                        return
                    else:
                        self.wfile.write(b"221 bye\r\n")
                        return

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> SmtpServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
