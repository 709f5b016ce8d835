"""`manage.py dkim_keys --out DIR`: the signer's key files and tables (OpenDKIM), from the
portal's sealed DKIM keys. Run it on the mail host from a timer (every minute) and after a
rotation step; it writes a new set only when a key changed, and then, given
`--reload-pid-file` (once per OpenDKIM instance), tells OpenDKIM to reload (SIGUSR1)."""

import grp
import os
import pwd
import signal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from mailservices.provisioning import signing
from mailservices.provisioning.selectors import dkim_signing_keys
from mailservices.provisioning.services import dkim_keys_reseal


def _owner(value: str) -> tuple[int, int] | None:
    if not value:
        return None
    user, _sep, group = value.partition(":")
    try:
        entry = pwd.getpwnam(user)
        gid = grp.getgrnam(group).gr_gid if group else entry.pw_gid
    except KeyError as exc:
        raise CommandError(f"unknown user or group in --owner {value!r}") from exc
    return entry.pw_uid, gid


class Command(BaseCommand):
    help = (
        "Writes OpenDKIM's KeyTable, SigningTable and key files for the active DKIM keys "
        "(opened from their sealed form) into DIR/current, and opendkim.conf.portal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", help="directory of the key sets (e.g. /etc/opendkim/portal)")
        parser.add_argument(
            "--owner", default="", help="USER[:GROUP] owning the files (OpenDKIM's user)"
        )
        parser.add_argument(
            "--reload-pid-file",
            action="append",
            default=[],
            help="an OpenDKIM PidFile (repeatable): SIGUSR1 when the keys changed",
        )
        parser.add_argument(
            "--reseal",
            action="store_true",
            help="seal every key again with the first sealing key, then stop",
        )

    def handle(self, *args, out, owner, reload_pid_file, reseal, **options):
        if reseal:
            self.stdout.write(f"{dkim_keys_reseal()} key row(s) sealed again")
            return
        if not out:
            raise CommandError("--out DIR is needed")
        keys = dkim_signing_keys()
        try:
            directory, changed = signing.export(keys, Path(out).resolve(), owner=_owner(owner))
        except OSError as exc:
            raise CommandError(f"cannot write to {out}: {exc}") from exc
        state = "new set" if changed else "unchanged"
        self.stdout.write(f"{directory} ({len(keys)} key(s), {state})")
        if changed:
            for pid_file in reload_pid_file:
                self._reload(Path(pid_file))

    def _reload(self, pid_file: Path) -> None:
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, signal.SIGUSR1)
        except (OSError, ValueError, IndexError) as exc:
            raise CommandError(f"could not signal OpenDKIM ({pid_file}): {exc}") from exc
        self.stdout.write(f"OpenDKIM (pid {pid}) asked to reload")
