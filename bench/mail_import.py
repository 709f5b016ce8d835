"""Mail import speed: our IMAP import vs Dovecot's own `doveadm backup` (dsync over imapc).

Two local Dovecots on 127.0.0.1 (temp dirs, free ports): the "old provider" holds N messages
of mixed sizes in five folders; the target has one user per contender. Both copy the same
data in the same run; the script prints messages/s, MB/s and our ratio to Dovecot's speed,
and our peak memory for a fifth of the messages and for all of them (flat = no growth with
the number of messages; bodies are held one batch at a time).

Usage: python bench/mail_import.py [--messages 5000]   (as root: Dovecot drops to nobody)
"""

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

FOLDERS = ["INBOX", "Archiv", "Projekte", "Projekte.2024", "Gesendete Objekte"]
SOURCE_USER, SOURCE_PASSWORD = "alt@bench.example", "Bench-Quelle-1"
TARGET_PASSWORD = "Bench-Ziel-1"


def sizes(count: int, seed: int = 12) -> list[int]:
    """Mixed sizes like a real mailbox: mostly small, some attachments, a few large."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        roll = rnd.random()
        if roll < 0.70:
            out.append(rnd.randint(2_000, 20_000))
        elif roll < 0.95:
            out.append(rnd.randint(20_000, 200_000))
        else:
            out.append(rnd.randint(200_000, 2_000_000))
    return out


def write_maildir(base: Path, count: int) -> int:
    """Writes the source mailbox as Maildir files (much faster than APPEND); returns bytes."""
    total = 0
    line = b"z" * 74 + b"\r\n"
    for n, size in enumerate(sizes(count)):
        folder = FOLDERS[n % len(FOLDERS)]
        directory = base if folder == "INBOX" else base / ("." + folder)
        for sub in ("cur", "new", "tmp"):
            (directory / sub).mkdir(parents=True, exist_ok=True)
        head = (
            f"From: Bench <bench@alt.example>\r\nTo: anna@bench.example\r\n"
            f"Subject: Nachricht {n}\r\nMessage-ID: <bench-{n}@alt.example>\r\n"
            f"Date: Mon, 01 Apr 2019 10:00:00 +0200\r\n\r\n"
        ).encode()
        body = line * max(1, (size - len(head)) // len(line))
        data = (head + body).replace(b"\r\n", b"\n")  # Maildir stores LF
        flags = "S" if n % 3 else ""
        path = directory / "cur" / f"{1554105600 + n}.M{n}P1.bench:2,{flags}"
        path.write_bytes(data)
        os.utime(path, (1554105600 + n, 1554105600 + n))
        total += len(head) + len(body)
    subprocess.run(["chown", "-R", "nobody:nogroup", str(base)], check=True)
    return total


def child_ours(args) -> None:
    """Runs in a child process so its peak memory is its own."""
    import django

    django.setup()
    from mailservices.mailboxes.imap import connection, engine

    def endpoint(port, login, password):
        return connection.Endpoint(
            host="127.0.0.1", port=port, security="none", login=login, password=password
        )

    source = connection.connect(endpoint(args.source_port, SOURCE_USER, SOURCE_PASSWORD))
    target = connection.connect(endpoint(args.target_port, args.target_user, TARGET_PASSWORD))
    only = set(args.only.split(",")) if args.only else None
    if only:  # a subset of folders, for the memory comparison
        original = engine.list_folders

        def some_folders(client):
            return [f for f in original(client) if f.display in only]

        engine.list_folders = some_folders
    start = time.perf_counter()
    result = engine.run_import(source, target, max_message_bytes=50 * 1024 * 1024)
    seconds = time.perf_counter() - start
    connection.close(source)
    connection.close(target)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"copied": result.copied, "seconds": seconds, "peak_kib": peak_kib,
                      "status": result.status, "error": result.error}))  # fmt: skip


def run_ours(source, target, user, only="") -> dict:
    command = [
        sys.executable, __file__, "--child-ours", "--source-port", str(source.imap_port),
        "--target-port", str(target.imap_port), "--target-user", user, "--only", only,
    ]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_doveadm(source, target, user) -> dict:
    command = [
        "doveadm", "-c", str(target.conf),
        "-o", "imapc_host=127.0.0.1", "-o", f"imapc_port={source.imap_port}",
        "-o", f"imapc_user={SOURCE_USER}", "-o", f"imapc_password={SOURCE_PASSWORD}",
        "-o", "imapc_features=rfc822.size fetch-headers", "-o", "mail_prefetch_count=20",
        "-o", "imapc_list_prefix=",
        "backup", "-R", "-u", user, "imapc:",
    ]  # fmt: skip
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"doveadm backup failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return {"seconds": seconds}


def count(target, user) -> int:
    client = target.client(user)
    total = 0
    typ, data = client.list('""', '"*"')
    for line in data:
        name = line.decode().split(' "/" ', 1)[1].strip()
        typ, status = client.status(name if name.startswith('"') else f'"{name}"', "(MESSAGES)")
        total += int(status[0].decode().rsplit("MESSAGES ", 1)[1].rstrip(")"))
    client.logout()
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--child-ours", action="store_true")
    parser.add_argument("--source-port", type=int)
    parser.add_argument("--target-port", type=int)
    parser.add_argument("--target-user")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    if args.child_ours:
        return child_ours(args)

    from tests.mailboxes.source_server import SourceDovecot

    for binary in ("dovecot", "doveadm"):
        if not shutil.which(binary):
            raise SystemExit(f"{binary} is not installed")
    source = SourceDovecot(users={SOURCE_USER: SOURCE_PASSWORD})
    users = {f"{name}@bench.example": TARGET_PASSWORD for name in ("ours", "dsync", "small")}
    target = SourceDovecot(users=users, namespace_prefix="")
    try:
        megabytes = write_maildir(source.base / "mail" / SOURCE_USER, args.messages)
        megabytes /= 1024 * 1024
        source.start()
        target.start()
        print(f"{args.messages} messages, {megabytes:.1f} MB in {len(FOLDERS)} folders")

        dsync = run_doveadm(source, target, "dsync@bench.example")
        ours = run_ours(source, target, "ours@bench.example")
        small = run_ours(source, target, "small@bench.example", only="Archiv")
        copied = {u: count(target, u) for u in ("ours@bench.example", "dsync@bench.example")}
        for name, figures in (("doveadm backup (dsync/imapc)", dsync), ("ours (IMAP)", ours)):
            seconds = figures["seconds"]
            print(
                f"{name:30s} {seconds:7.2f} s  {args.messages / seconds:8.0f} msg/s  "
                f"{megabytes / seconds:7.1f} MB/s"
            )
        print(f"messages in the target: {copied}")
        print(f"ratio ours / doveadm: {dsync['seconds'] / ours['seconds']:.2f}x (target >= 0.8x)")
        print(
            f"our peak memory: {small['peak_kib'] / 1024:.0f} MiB for {small['copied']} "
            f"messages, {ours['peak_kib'] / 1024:.0f} MiB for {ours['copied']}"
        )
    finally:
        source.stop()
        target.stop()


if __name__ == "__main__":
    main()
