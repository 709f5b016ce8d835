"""Throughput and latency of `manage.py policyd` against policyd-rate-limit (the baseline).

Both services run as their own process on 127.0.0.1 with the same limit (1440 recipients per
24 hours per SASL login) and get the same traffic: per message 1-3 RCPT requests and one
end-of-message request (END-OF-MESSAGE for ours, DATA for policyd-rate-limit in its
count_mode 1), from 1, 10 and 100 persistent connections with no think time (closed loop:
decisions/s is the saturation throughput, and latency there is connections / throughput).
A second run paces 100 connections at a fixed offered load (open loop) for the latency a
busy Postfix sees below saturation. Ours runs with 1 and with 2 worker processes
(`--workers`, SO_REUSEPORT) and counts in a redis-server the bench starts for itself on a
free port; policyd-rate-limit uses its SQLite backend (its default; it has no Redis backend).
The ceiling is Redis itself: `redis-benchmark` runs our commit script (EVALSHA) from 100
connections against the same server, in the same run.

Usage: .venv/bin/python bench/policyd.py [--seconds 3] [--workers 1,2]
"""

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.ports import free_port, wait_port  # noqa: E402

PYTHON = sys.executable
LIMIT = 1440
SENDERS = 200
LEVELS = (1, 10, 100)


def senders() -> list[str]:
    return [f"user{i}@bench-{i % 20}.example" for i in range(SENDERS)]


# --- the two servers -------------------------------------------------------------------------


def prepare_portal_db(env: dict) -> None:
    """A fresh SQLite portal database with one customer and 200 addresses on kSuite Pro."""
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = textwrap.dedent(
        f"""
        from mailservices.models import Address
        from mailservices.services import domain_create, mailservice_create
        from portal.accounts.models import User
        from portal.accounts.services import customer_create
        owner = User.objects.create_user(email="bench@example.org", password="x")
        customer = customer_create(owner=owner)
        for d in range(20):
            domain = domain_create(customer=customer, name=f"bench-{{d}}.example")
            service = mailservice_create(domain=domain, plan="ksuite_pro", address_quota=20)
            for i in range(d, {SENDERS}, 20):
                Address.objects.create(service=service, local_part=f"user{{i}}")
        """
    )
    subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_ours(tmp: Path, redis_url: str, workers: int = 1) -> tuple[subprocess.Popen, int]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp}/portal.sqlite3",
        "DEBUG": "false",
    }
    if not (tmp / "portal.sqlite3").exists():
        prepare_portal_db(env)
    port = free_port()
    argv = [PYTHON, "manage.py", "policyd", "--bind", f"127.0.0.1:{port}"]
    argv += ["--redis-url", redis_url, "--workers", str(workers)]
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "ours.log", "w"),  # noqa: SIM115
    )
    wait_port(port, 30, proc=proc)
    return proc, port


def start_baseline(tmp: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    config = tmp / "policyd-rate-limit.yaml"
    config.write_text(
        textwrap.dedent(
            f"""
            debug: False
            pidfile: "{tmp}/prl.pid"
            backend: 0
            sqlite_config:
                database: "{tmp}/prl.sqlite3"
            SOCKET: ["127.0.0.1", {port}]
            limits:
                - [{LIMIT}, 86400]
            limits_by_id: {{}}
            sql_limits_by_id: ""
            limit_by_sasl: True
            limit_by_sender: False
            limit_by_ip: False
            limited_networks: []
            success_action: "dunno"
            fail_action: "defer_if_permit Rate limit reached, retry later"
            db_error_action: "dunno"
            report: False
            delay_to_close: 300
            count_mode: 1
            """
        )
    )
    # Its own entry point drops root privileges first; the server loop is what we measure.
    code = (
        "from policyd_rate_limit.policyd import Policyd\n"
        "from policyd_rate_limit import utils\n"
        "from policyd_rate_limit.utils import config\n"
        f"config.setup({str(config)!r})\n"
        "utils.database_init()\n"
        "p = Policyd(); p.socket(); p.run()\n"
    )
    proc = subprocess.Popen(
        [PYTHON, "-c", code],
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "prl.log", "w"),  # noqa: SIM115
    )
    wait_port(port, 30, proc=proc)
    return proc, port


# --- the load --------------------------------------------------------------------------------


def request(state: str, sender: str, instance: str, count: int) -> bytes:
    return (
        "request=smtpd_access_policy\n"
        f"protocol_state={state}\nprotocol_name=ESMTP\nclient_address=192.0.2.10\n"
        "client_name=client.example\nhelo_name=client.example\n"
        f"sender={sender}\nrecipient=someone{count}@recipient.example\n"
        f"recipient_count={count}\nqueue_id=\ninstance={instance}\n"
        f"sasl_method=PLAIN\nsasl_username={sender}\nsize=2048\n\n"
    ).encode()


async def one_connection(conn, end_state, stop_at, latencies, tag, rng):
    reader, writer = conn
    pool = senders()
    seq = 0
    try:
        while time.perf_counter() < stop_at:
            sender = rng.choice(pool)
            n = rng.randint(1, 3)
            instance = f"{tag}.{seq}"
            seq += 1
            blocks = [request("RCPT", sender, instance, 0) for _ in range(n)]
            blocks.append(request(end_state, sender, instance, n))
            for block in blocks:
                started = time.perf_counter()
                writer.write(block)
                answer = await reader.readuntil(b"\n\n")
                latencies.append(time.perf_counter() - started)
                if not answer.startswith(b"action="):
                    raise RuntimeError(answer)
    finally:
        writer.close()


async def paced_connection(conn, end_state, start, interval, stop_at, latencies, tag, rng):
    """Open loop: one request every `interval` seconds; latency counts from the planned time,
    so a slow server is not hidden by requests that were sent late."""
    reader, writer = conn
    pool = senders()
    planned = start
    seq = 0
    try:
        while planned < stop_at:
            sender = rng.choice(pool)
            n = rng.randint(1, 3)
            instance = f"{tag}.{seq}"
            seq += 1
            blocks = [request("RCPT", sender, instance, 0) for _ in range(n)]
            blocks.append(request(end_state, sender, instance, n))
            for block in blocks:
                delay = planned - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                writer.write(block)
                await reader.readuntil(b"\n\n")
                latencies.append(time.perf_counter() - planned)
                planned += interval
    finally:
        writer.close()


async def paced_load(port, end_state, connections, rate, seconds):
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(connections)]
    rng = random.Random(rate)
    interval = connections / rate
    start = time.perf_counter() + 0.05
    latencies: list[float] = []
    await asyncio.gather(
        *[
            paced_connection(
                conn,
                end_state,
                start + i * interval / connections,
                interval,
                start + seconds,
                latencies,
                f"p{i}",
                rng,
            )
            for i, conn in enumerate(conns)
        ]
    )
    latencies.sort()
    return {
        "rate": rate,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "n": len(latencies),
    }


async def load(port, end_state, connections, seconds):
    latencies: list[float] = []
    rng = random.Random(connections)
    # Connect one by one first (policyd-rate-limit listens with a backlog of 5), then measure.
    conns = [await asyncio.open_connection("127.0.0.1", port) for _ in range(connections)]
    stop_at = time.perf_counter() + seconds
    started = time.perf_counter()
    await asyncio.gather(
        *[
            one_connection(conn, end_state, stop_at, latencies, f"c{connections}.{i}", rng)
            for i, conn in enumerate(conns)
        ]
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rate": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "n": len(latencies),
    }


async def warm_up(port):
    """One request per sender first, so both services have looked up every sender once."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i, sender in enumerate(senders()):
        writer.write(request("RCPT", sender, f"warm.{i}", 0))
        await reader.readuntil(b"\n\n")
    writer.close()


def run(coro):
    """Runs the load generator on uvloop when installed, so the client is not the bottleneck."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def start_redis(tmp: Path) -> tuple[subprocess.Popen, str]:
    """A redis-server of the bench's own (nothing on the machine's shared Redis is touched)."""
    import redis

    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
        + ["--appendonly", "no", "--dir", str(tmp)],
        stdout=subprocess.DEVNULL,
    )
    wait_port(port, 30, proc=proc)
    redis.Redis(port=port).ping()
    return proc, f"redis://127.0.0.1:{port}/0"


def redis_ceiling(redis_url: str, seconds: float) -> float:
    """EVALSHA calls/s of our commit script that Redis itself serves from 100 connections
    (redis-benchmark, written in C: the load generator is not the limit)."""
    import redis

    sys.path.insert(0, str(ROOT))
    from quotas.counters import _COMMIT

    client = redis.Redis.from_url(redis_url)
    sha = client.script_load(_COMMIT)
    port = str(client.connection_pool.connection_kwargs["port"])
    requests = str(int(60_000 * seconds))
    out = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", port, "-c", "100", "-n", requests, "-q"]
        + ["EVALSHA", sha, "3", "q:{c}:log", "q:{c}:state", "q:{c}:res"]
        + [str(int(time.time() * 1000)), "86400000", "86460000", "1000000000", "i", "1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # "EVALSHA ...: 51234.56 requests per second, p50=..." (the last figure on the line)
    figure = out.strip().splitlines()[-1].split(":")[-1].split("requests per second")[0]
    return float(figure.strip().split()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", default="1,2", help="worker counts of ours to measure")
    parser.add_argument(
        "--paced-rate",
        type=int,
        default=2000,
        help="offered decisions/s for the open-loop latency run at 100 connections",
    )
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-policyd-") as tmp:
        tmp = Path(tmp)
        redis_proc, redis_url = start_redis(tmp)
        runs = [
            (f"ours {w}w", lambda w=w: start_ours(tmp, redis_url, w), "END-OF-MESSAGE")
            for w in worker_counts
        ]
        runs.append(("policyd-rate-limit", lambda: start_baseline(tmp), "DATA"))
        try:
            for name, start, end_state in runs:
                proc, port = start()
                try:
                    run(warm_up(port))
                    for level in LEVELS:
                        result = run(load(port, end_state, level, args.seconds))
                        results[(name, level)] = result
                        print(
                            f"  {name:<18} {level:>3} conns: {result['rate']:.0f}/s",
                            file=sys.stderr,
                        )
                    result = run(paced_load(port, end_state, 100, args.paced_rate, args.seconds))
                    results[(name, "paced")] = result
                except Exception:
                    for log in tmp.glob("*.log"):
                        print(f"--- {log.name}\n{log.read_text()[-2000:]}", file=sys.stderr)
                    raise
                finally:
                    proc.terminate()
                    proc.wait(10)
            ceiling = redis_ceiling(redis_url, args.seconds)
        finally:
            redis_proc.terminate()
            redis_proc.wait(10)

    base = "policyd-rate-limit"
    print(f"policy decisions, limit {LIMIT}/24h, {SENDERS} senders, {args.seconds:.0f} s per run")
    print(
        f"{'server':<10} {'conns':>5} | {'dec/s':>8} {'p50 ms':>7} {'p99 ms':>7} | "
        f"{'baseline dec/s':>14} {'p50 ms':>7} {'p99 ms':>7} | {'ratio':>6}"
    )
    for w in worker_counts:
        for level in LEVELS:
            o, b = results[(f"ours {w}w", level)], results[(base, level)]
            print(
                f"{f'ours {w}w':<10} {level:>5} | {o['rate']:>8.0f} {o['p50']:>7.2f} "
                f"{o['p99']:>7.2f} | {b['rate']:>14.0f} {b['p50']:>7.2f} {b['p99']:>7.2f} | "
                f"{o['rate'] / b['rate']:>5.1f}x"
            )
    b = results[(base, "paced")]
    for w in worker_counts:
        o = results[(f"ours {w}w", "paced")]
        print(
            f"open loop, 100 connections, {args.paced_rate} decisions/s offered, ours {w}w: "
            f"p50 {o['p50']:.2f} ms p99 {o['p99']:.2f} ms | "
            f"baseline p50 {b['p50']:.2f} ms p99 {b['p99']:.2f} ms"
        )
    print(f"ceiling: Redis serves {ceiling:.0f} EVALSHA/s of the commit script (redis-benchmark)")
    best = max(worker_counts, key=lambda w: results[(f"ours {w}w", 100)]["rate"])
    o100 = results[(f"ours {best}w", 100)]
    ratio = o100["rate"] / results[(base, 100)]["rate"]
    print(
        f"targets at 100 connections (best: {best} workers): >= 10x baseline ({ratio:.1f}x: "
        f"{'met' if ratio >= 10 else 'NOT met'}), p99 < 5 ms ({o100['p99']:.2f} ms: "
        f"{'met' if o100['p99'] < 5 else 'NOT met'}); "
        f"ours reaches {100 * o100['rate'] / ceiling:.0f} % of the Redis ceiling"
    )


if __name__ == "__main__":
    main()
