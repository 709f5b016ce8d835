"""A DNS responder on 127.0.0.1 (UDP and TCP) that sends back prepared replies, byte for byte.

`RawDns().start()`; set `reply` to a reply in wire form: every question, whatever it asks,
gets it with the question's message id put in. For replies nsd would never send (odd case,
escaped names, long CNAME chains), to compare the batch client with dnspython's resolver.
The servers, ports and shutdown are `FakeDns`'s; only the answer differs.
"""

from __future__ import annotations

from tests.diagnosis.fakedns import FakeDns


class RawDns(FakeDns):
    def __init__(self):
        super().__init__(mode="records")
        self.reply = b""

    def answer(self, query: bytes) -> bytes:
        return query[:2] + self.reply[2:]
