"""A tiny DNS responder on 127.0.0.1 (UDP and TCP) for failures nsd will not produce.

Modes: "servfail" answers SERVFAIL, "timeout" never answers, "records" answers from a dict
`{(name, type): [text, ...]}` (NXDOMAIN otherwise). The dict may change between queries.
`truncate_udp = True` answers every UDP question with an empty, truncated (TC) reply, so that
the full answer comes only over TCP.
"""

from __future__ import annotations

import socketserver
import struct
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

from tests.diagnosis.nsd import free_port


class FakeDns:
    def __init__(self, mode: str = "servfail"):
        self.mode = mode
        self.records: dict[tuple[str, str], list[str]] = {}
        self.queries: list[tuple[str, str]] = []
        self.udp_sources: list[tuple[int, int]] = []  # (client port, message id) per UDP question
        self.port = 0
        self.truncate_udp = False
        self._servers = []

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def answer(self, wire: bytes) -> bytes | None:
        query = dns.message.from_wire(wire)
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        if self.mode == "timeout":
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if self.mode == "servfail":
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        values = self.records.get((name, rdtype))
        if values is None:
            known = {n for n, _t in self.records}
            if name not in known:
                response.set_rcode(dns.rcode.NXDOMAIN)
            return response.to_wire()
        response.answer.append(dns.rrset.from_text_list(question.name, 60, "IN", rdtype, values))
        return response.to_wire()

    def start(self) -> FakeDns:
        fake = self

        class Udp(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                fake.udp_sources.append((self.client_address[1], int.from_bytes(data[:2], "big")))
                reply = fake.answer(data)
                if reply is not None and fake.truncate_udp:
                    truncated = dns.message.make_response(dns.message.from_wire(data))
                    truncated.flags |= dns.flags.TC
                    reply = truncated.to_wire()
                if reply is not None:
                    sock.sendto(reply, self.client_address)

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                head = self.request.recv(2)
                if len(head) < 2:
                    return
                (length,) = struct.unpack("!H", head)
                reply = fake.answer(self.request.recv(length))
                if reply is not None:
                    self.request.sendall(struct.pack("!H", len(reply)) + reply)

        for _attempt in range(20):
            port = free_port()
            try:
                udp = socketserver.ThreadingUDPServer(("127.0.0.1", port), Udp)
            except OSError:
                continue
            try:
                tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), Tcp)
            except OSError:
                udp.server_close()
                continue
            break
        else:
            raise RuntimeError("no free port for the fake DNS server")
        self.port = port
        for server in (udp, tcp):
            server.daemon_threads = True
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            thread.start()
            self._servers.append(server)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []
