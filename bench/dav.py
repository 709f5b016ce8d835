"""Latency of the DAV server (`manage.py davserver`: Radicale + the portal's login) against
Radicale with its stock htpasswd authentication, on the same data in the same run.

The servers run side by side as their own processes on 127.0.0.1 (the same threaded HTTP
server, only the authentication differs), requests alternating between them so that the load
of a shared machine hits them alike, on the same storage folder, with the same argon2id
hashes (the portal's production cost, t=3, 64 MiB: the htpasswd file holds exactly what
Dovecot's passdb holds) and the same limits (20 parallel requests, WARNING logging).
Two measurements:

A. one address with a calendar of 10,000 events: PROPFIND Depth 1 (list with etags),
   REPORT calendar-query (every event with its data) and REPORT sync-collection with the
   token of the unchanged calendar, sequential, median of several runs;
B. 100 concurrent clients (100 addresses, each with a calendar of 100 events) syncing as a
   phone does when nothing changed: PROPFIND Depth 0 for the sync token, then REPORT
   sync-collection with it, in a closed loop, in alternating rounds: p50/p95, syncs/s
   (against the cached htpasswd only: without its cache, stock runs a 64 MiB Argon2 per
   request and 100 clients measure nothing but that).

The portal's auth must cost less than 20 % on top: the printed ratios are ours / stock.
Radicale's htpasswd is measured in its default configuration (verifies the hash on every
request) and with its own login cache switched on (`cache_logins`), the fairer comparison
for our verification cache.

Usage: .venv/bin/python bench/dav.py [--seconds 8] [--events 10000] [--clients 100]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from base64 import b64encode
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.ports import free_port, wait_port  # noqa: E402

PYTHON = sys.executable
PASSWORD = "Bench-Kalender-Passwort-2026"
BIG = "gross@bench.example"


def logins(clients: int) -> list[str]:
    return [f"user{i}@bench.example" for i in range(clients)]


def prepare_portal(env: dict, clients: int) -> str:
    """A fresh SQLite portal with the addresses; returns their shared argon2id hash."""
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = textwrap.dedent(
        f"""
        from mailservices.models import Address
        from mailservices.passwords import hash_mail_password
        from mailservices.services import domain_create, mailservice_create
        from portal.accounts.models import User
        from portal.accounts.services import customer_create
        owner = User.objects.create_user(email="bench@example.org", password="x")
        customer = customer_create(owner=owner)
        service = mailservice_create(
            domain=domain_create(customer=customer, name="bench.example"),
            plan="ksuite_pro", address_quota={clients + 10})
        stored = hash_mail_password({PASSWORD!r})
        for i in range({clients}):
            Address.objects.create(service=service, local_part=f"user{{i}}", password_hash=stored)
        Address.objects.create(service=service, local_part="gross", password_hash=stored)
        print(stored)
        """
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.strip().splitlines()[-1]


class Client:
    def __init__(self, port: int, login: str):
        self.port = port
        self.auth = "Basic " + b64encode(f"{login}:{PASSWORD}".encode()).decode()

    def request(self, method, path, body=None, headers=None):
        # A new connection per request: Radicale's server closes after each (HTTP/1.0).
        conn = HTTPConnection("127.0.0.1", self.port, timeout=600)
        hdrs = {"Authorization": self.auth, **(headers or {})}
        conn.request(method, path, body=body, headers=hdrs)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data


def vcalendar(n: int, prefix: str) -> str:
    events = []
    for i in range(n):
        day = 1 + i % 28
        events.append(
            "BEGIN:VEVENT\r\n"
            f"UID:{prefix}-{i}@bench\r\nDTSTAMP:20261201T080000Z\r\n"
            f"DTSTART:2026{1 + i % 12:02d}{day:02d}T{8 + i % 10:02d}0000Z\r\n"
            f"DTEND:2026{1 + i % 12:02d}{day:02d}T{9 + i % 10:02d}0000Z\r\n"
            f"SUMMARY:Termin {i}\r\nLOCATION:Sitzungszimmer {i % 7}\r\nEND:VEVENT\r\n"
        )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//dav//DE\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


PROPFIND_ETAGS = (
    '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'
)
PROPFIND_TOKEN = (
    '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/">'
    "<d:prop><d:sync-token/><cs:getctag/></d:prop></d:propfind>"
)
QUERY_ALL = (
    '<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    '<d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR">'
    '<c:comp-filter name="VEVENT"/></c:comp-filter></c:filter></c:calendar-query>'
)


def sync_report(token: str) -> str:
    return (
        '<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:">'
        f"<d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )


def token_of(body: bytes) -> str:
    text = body.decode()
    start = text.index("sync-token>") + len("sync-token>")
    return text[start : text.index("<", start)]


def load_data(port: int, clients: int, events: int) -> None:
    """Through our server (first log-in creates Kalender/Kontakte), then PUT whole calendars."""

    def load(login):
        client = Client(port, login)
        status, _ = client.request("PROPFIND", f"/{login}/", PROPFIND_TOKEN, {"Depth": "0"})
        assert status == 207, status
        n = events if login == BIG else 100
        status, _ = client.request(
            "PUT",
            f"/{login}/kalender/",
            vcalendar(n, login.split("@")[0]),
            {"Content-Type": "text/calendar; charset=utf-8"},
        )
        assert status in (201, 204), (login, status)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(load, [BIG, *logins(clients)]))


BIG_CASES = {
    "PROPFIND Depth 1 (etags)": ("PROPFIND", PROPFIND_ETAGS, {"Depth": "1"}),
    "REPORT calendar-query (all data)": ("REPORT", QUERY_ALL, {"Depth": "1"}),
}


def measure_big(servers: dict[str, int], runs: int) -> dict:
    """Sequential requests on the 10,000-event calendar, alternating between the servers
    request by request, so that the load of a shared machine hits all of them alike."""
    path = f"/{BIG}/kalender/"
    clients = {name: Client(port, BIG) for name, port in servers.items()}
    tokens = {}
    for name, client in clients.items():  # warm Radicale's item cache and sync state
        client.request("REPORT", path, QUERY_ALL, {"Depth": "1"})
        _s, data = client.request("PROPFIND", path, PROPFIND_TOKEN, {"Depth": "0"})
        tokens[name] = token_of(data)
    times = {name: {} for name in servers}
    cases = {**BIG_CASES}
    for run in range(runs):
        for case, (method, body, headers) in cases.items():
            order = list(clients.items())
            order = order[run % len(order) :] + order[: run % len(order)]
            for name, client in order:
                t0 = time.perf_counter()
                status, _data = client.request(method, path, body, headers)
                times[name].setdefault(case, []).append(time.perf_counter() - t0)
                assert status == 207, (name, case, status)
            for name, client in order:
                t0 = time.perf_counter()
                status, _data = client.request(
                    "REPORT", path, sync_report(tokens[name]), {"Depth": "0"}
                )
                times[name].setdefault("REPORT sync-collection (token, no change)", []).append(
                    time.perf_counter() - t0
                )
                assert status == 207, (name, status)
    return {
        name: {case: statistics.median(values) for case, values in cases_.items()}
        for name, cases_ in times.items()
    }


def measure_concurrent(port: int, clients: int, seconds: float) -> tuple[list[float], int]:
    """`clients` threads, each its own address, syncing in a closed loop for `seconds`."""
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(login):
        client = Client(port, login)
        path = f"/{login}/kalender/"
        mine = []
        try:
            _s, data = client.request("PROPFIND", path, PROPFIND_TOKEN, {"Depth": "0"})
            token = token_of(data)
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                s1, data = client.request("PROPFIND", path, PROPFIND_TOKEN, {"Depth": "0"})
                s2, _ = client.request("REPORT", path, sync_report(token), {"Depth": "0"})
                mine.append(time.perf_counter() - t0)
                if (s1, s2) != (207, 207):
                    errors.append((s1, s2))
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(repr(exc))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(login,)) for login in logins(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"  ({len(errors)} errors on port {port}, e.g. {errors[0]})", flush=True)
    return latencies, len(errors)


def measure_concurrent_rounds(servers: dict[str, int], clients: int, seconds: float) -> dict:
    """Alternating rounds of `seconds / rounds` per server (after a warm-up round each)."""
    rounds = 4
    for port in servers.values():
        measure_concurrent(port, clients, 2.0)  # first log-ins, caches
    found = {name: ([], 0, 0.0) for name in servers}
    for _ in range(rounds):
        for name, port in servers.items():
            t0 = time.monotonic()
            latencies, errors = measure_concurrent(port, clients, seconds / rounds)
            old = found[name]
            found[name] = (old[0] + latencies, old[1] + errors, old[2] + time.monotonic() - t0)
    results = {}
    for name, (latencies, errors, elapsed) in found.items():
        latencies.sort()
        results[name] = {
            "syncs_per_s": len(latencies) / elapsed,
            "p50": latencies[len(latencies) // 2] if latencies else float("nan"),
            "p95": latencies[int(len(latencies) * 0.95)] if latencies else float("nan"),
            "errors": errors,
        }
    return results


def start_ours(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [PYTHON, "manage.py", "davserver", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port, 60, proc=proc)
    return proc


def start_stock(tmp: Path, storage: Path, port: int, stored: str, clients: int, cache: bool):
    """Radicale's own htpasswd auth (same hashes), served by the same HTTP server as ours so
    that only the authentication differs (Radicale's bundled server has a listen backlog of
    5 and resets connections under 100 clients)."""
    htpasswd = tmp / "htpasswd"
    digest = stored.removeprefix("{ARGON2ID}")
    htpasswd.write_text("".join(f"{login}:{digest}\n" for login in [BIG, *logins(clients)]))
    auth = {
        "type": "htpasswd",
        "htpasswd_filename": str(htpasswd),
        "htpasswd_encryption": "autodetect",
        "cache_logins": str(cache),
        "cache_successful_logins_expiry": "300",
    }
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.dev"}
    env.update(PORTAL_DAV_STORAGE_DIR=str(storage), BENCH_DAV_AUTH=json.dumps(auth))
    proc = subprocess.Popen(
        [PYTHON, __file__, "--serve-stock", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_port(port, 60, proc=proc)
    return proc


def serve_stock(port: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from mailservices.dav.server import make_server, radicale_configuration

    auth = json.loads(os.environ["BENCH_DAV_AUTH"])
    server = make_server("127.0.0.1", port, configuration=radicale_configuration(auth=auth))
    server.serve_forever()


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--serve-stock", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_stock:
        serve_stock(args.serve_stock)
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-dav-"))
    storage = tmp / "dav"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        PORTAL_DAV_STORAGE_DIR=str(storage),
        PORTAL_DIAGNOSIS_ON_CREATE="false",
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    try:
        print(f"preparing {args.clients + 1} addresses, {args.events} events ...", flush=True)
        stored = prepare_portal(env, args.clients)
        port = free_port()
        proc = start_ours(env, port)
        try:
            load_data(port, args.clients, args.events)
        finally:
            stop(proc)
        ports = {"ours": free_port(), "stock": free_port(), "stock+cache": free_port()}
        procs = [
            start_ours(env, ports["ours"]),
            start_stock(tmp, storage, ports["stock"], stored, args.clients, cache=False),
            start_stock(tmp, storage, ports["stock+cache"], stored, args.clients, cache=True),
        ]
        try:
            big = measure_big(ports, args.runs)
            # Stock htpasswd without its cache runs Argon2 (64 MiB) on every request: with
            # 100 clients it only measures Argon2, so the sync phase compares the cached one.
            concurrent = measure_concurrent_rounds(
                {"ours": ports["ours"], "stock+cache": ports["stock+cache"]},
                args.clients,
                args.seconds,
            )
        finally:
            for proc in procs:
                stop(proc)
        names = {
            "ours": "portal auth (manage.py davserver)",
            "stock": "stock Radicale htpasswd (default: verify every request)",
            "stock+cache": "stock Radicale htpasswd + cache_logins",
        }
        print(f"\nA. calendar of {args.events} events, median of {args.runs} (ms)")
        print(f"  {'':<44}" + "".join(f"{n:>14}" for n in names))
        for case in big["ours"]:
            print(f"  {case:<44}" + "".join(f"{big[n][case] * 1000:14.1f}" for n in names))
        print(
            f"\nB. {args.clients} clients syncing ({args.seconds:.0f} s each, alternating rounds)"
        )
        for name, row in concurrent.items():
            print(
                f"  {names[name]:<44} {row['syncs_per_s']:7.1f} syncs/s, "
                f"p50 {row['p50'] * 1000:.1f} ms, p95 {row['p95'] * 1000:.1f} ms, "
                f"errors {row['errors']}"
            )
        print("\nratio ours / stock Radicale (below 1.20: the portal's auth costs < 20 % on top)")
        for base in ("stock", "stock+cache"):
            for case in big["ours"]:
                print(f"  vs {base:<12} {case:<44} {big['ours'][case] / big[base][case]:.2f}")
        for key in ("p50", "p95"):
            ratio = concurrent["ours"][key] / concurrent["stock+cache"][key]
            label = f"{args.clients} clients sync latency {key}"
            print(f"  vs {'stock+cache':<12} {label:<44} {ratio:.2f}")
        ratio = concurrent["stock+cache"]["syncs_per_s"] / concurrent["ours"]["syncs_per_s"]
        label = f"{args.clients} clients time per sync (1/throughput)"
        print(f"  vs {'stock+cache':<12} {label:<44} {ratio:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
