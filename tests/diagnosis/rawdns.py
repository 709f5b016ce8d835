"""A DNS responder on 127.0.0.1 (UDP and TCP) that sends back prepared replies, byte for byte.

`RawDns().start()`; set `reply` to a reply in wire form: every question, whatever it asks,
gets it with the question's message id put in. For replies nsd would never send (odd case,
escaped names, long CNAME chains), to compare the batch client with dnspython's resolver.
"""

from __future__ import annotations

import socketserver
import struct
import threading

from tests.diagnosis.nsd import free_port


class RawDns:
    def __init__(self):
        self.reply = b""
        self.port = 0
        self._servers = []

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def answer(self, query: bytes) -> bytes:
        return query[:2] + self.reply[2:]

    def start(self) -> RawDns:
        raw = self

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                sock.sendto(raw.answer(data), self.client_address)

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                head = self.request.recv(2)
                if len(head) == 2:
                    reply = raw.answer(self.request.recv(struct.unpack("!H", head)[0]))
                    self.request.sendall(struct.pack("!H", len(reply)) + reply)

        for _attempt in range(20):
            port = free_port()
            try:
                udp = socketserver.UDPServer(("127.0.0.1", port), Udp)
            except OSError:
                continue
            try:
                tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), Tcp)
            except OSError:
                udp.server_close()
                continue
            break
        else:
            raise RuntimeError("no free port for the raw DNS server")
        self.port = port
        for server in (udp, tcp):
            server.daemon_threads = True
            threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ).start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []
