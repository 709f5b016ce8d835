"""The policy service's connection hygiene: idle connections closed, a cap on open ones
that lets new Postfix connections in first (issue 17, item 3)."""

import asyncio
import time

from quotas.counters import AsyncSendingCounters
from quotas.policyd import ConnectionTable, start_server
from tests.quotas.test_policy import _service, request_block


class FakeWriter:
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


def test_table_closes_only_connections_idle_past_the_timeout():
    table = ConnectionTable(idle_timeout=10, limit=100)
    old, busy, fresh = (FakeWriter() for _ in range(3))
    a = table.open(old)
    b = table.open(busy)
    b.busy = True
    c = table.open(fresh)
    a.last_active = b.last_active = time.monotonic() - 60
    table.touch(c)
    assert table.close_idle(time.monotonic()) == 1
    assert (old.closed, busy.closed, fresh.closed) == (True, False, False)
    assert len(table) == 2 and table.timed_out == 1


def test_table_at_the_cap_evicts_the_longest_idle_not_the_newcomer():
    table = ConnectionTable(idle_timeout=300, limit=3)
    writers = [FakeWriter() for _ in range(4)]
    first, second, third = (table.open(w) for w in writers[:3])
    first.busy = True  # mid-request: never evicted
    table.touch(second)  # second became the most recently active
    table.open(writers[3])
    assert [w.closed for w in writers] == [False, False, True, False]
    assert len(table) == 3 and table.evicted == 1


def _serve(redis_server, prefix, scenario, **kw):
    async def main():
        client = AsyncSendingCounters.from_url(redis_server.url, prefix=prefix)
        service = _service(client)
        service.connections.idle_timeout = kw.get("idle_timeout", 300)
        service.connections.limit = kw.get("limit", 4000)
        server = await start_server(service, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            return await scenario(port, service)
        finally:
            server.close()
            await server.wait_closed()
            service.limits.close()
            await client.aclose()

    return asyncio.run(main())


# Mail from the internet: answered without counting, so a connection can talk forever.
INBOUND = request_block(client_address="203.0.113.7", sender="a@example.net")


async def _answer(reader, writer, block=INBOUND):
    writer.write(block)
    await writer.drain()
    return await asyncio.wait_for(reader.readuntil(b"\n\n"), 5)


def test_an_idle_connection_is_closed_an_active_one_kept(redis_server, quota_redis, settings):
    async def scenario(port, service):
        idle = await asyncio.open_connection("127.0.0.1", port)
        active = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(8):  # 0.8 s: the idle one passes its 0.3 s, the active one never does
            await asyncio.sleep(0.1)
            assert await _answer(*active) == b"action=DUNNO\n\n"
        at_eof = await asyncio.wait_for(idle[0].read(), 5) == b""
        still = await _answer(*active)
        for _, writer in (idle, active):
            writer.close()
        return at_eof, still, service.connections.timed_out

    at_eof, still, timed_out = _serve(
        redis_server, settings.QUOTAS_KEY_PREFIX, scenario, idle_timeout=0.3
    )
    assert at_eof and still == b"action=DUNNO\n\n" and timed_out >= 1


def test_a_new_connection_gets_in_at_the_cap(redis_server, quota_redis, settings):
    async def scenario(port, service):
        stale = []
        for _ in range(3):
            stale.append(await asyncio.open_connection("127.0.0.1", port))
            await asyncio.sleep(0.05)
        newcomer = await asyncio.open_connection("127.0.0.1", port)
        answer = await _answer(*newcomer)
        oldest_closed = await asyncio.wait_for(stale[0][0].read(), 5) == b""
        for _, writer in [*stale, newcomer]:
            writer.close()
        return answer, oldest_closed, service.connections.evicted

    answer, oldest_closed, evicted = _serve(
        redis_server, settings.QUOTAS_KEY_PREFIX, scenario, limit=3
    )
    assert answer == b"action=DUNNO\n\n" and oldest_closed and evicted == 1
