"""`manage.py maillog_follow --file PATH`: follows Postfix's log into the delivery log.

Long-lived (run it under systemd beside Postfix). Each batch of lines and the position after
it are stored in one transaction; a restart continues at the stored position, also in the
rotated file when the log was rotated meanwhile.
"""

import signal
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand

from mailservices.maillog.app_settings import app_settings
from mailservices.maillog.follow import LogReader, Position
from mailservices.maillog.models import FollowPosition
from mailservices.maillog.parser import MaillogParser
from mailservices.maillog.services import AddressDirectory, batch_commit, message_lookup


class Command(BaseCommand):
    help = "Follows Postfix's log file into the delivery log (rotation and truncation safe)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=None, help="log file (default: the setting)")
        parser.add_argument(
            "--once", action="store_true", help="read what is there, then stop (cron, tests)"
        )
        parser.add_argument(
            "--from-end",
            action="store_true",
            help="on the very first start, skip what the file already holds",
        )
        parser.add_argument("--batch", type=int, default=None, help="lines per transaction")

    def handle(self, *args, **options):
        path = options["file"] or app_settings.FILE
        batch = options["batch"] or app_settings.BATCH_LINES
        saved = FollowPosition.objects.filter(path=path).first()
        reader = LogReader(
            path,
            position=Position(saved.inode, saved.offset) if saved else None,
            from_end=options["from_end"],
            grace=0.0 if options["once"] else 1.0,
        )
        tz = ZoneInfo(app_settings.TIMEZONE)
        parser = MaillogParser(now=datetime.now(UTC), tz=tz, lookup=message_lookup)
        if saved:
            parser.restore(saved.pending)
        directory = AddressDirectory()
        stop = []
        previous = {
            sig: signal.signal(sig, lambda *_: stop.append(True))
            for sig in (signal.SIGTERM, signal.SIGINT)
        }
        total_lines = total_rows = 0
        idle = 0
        while not stop:
            lines = reader.read_batch(batch)
            for note in reader.notes:
                self.stderr.write(f"maillog_follow: {path}: {note}")
            reader.notes.clear()
            if not lines:
                idle += 1
                if options["once"]:
                    if idle > 1:  # twice nothing: also no rotation left to finish
                        break
                    continue
                time.sleep(app_settings.POLL_SECONDS)
                continue
            idle = 0
            parser.now = datetime.now(UTC).astimezone(tz)
            for line in lines:
                parser.feed(line)
            position = reader.position
            total_rows += batch_commit(
                path=path,
                inode=position.inode,
                offset=position.offset,
                lines=len(lines),
                outcomes=parser.drain(),
                directory=directory,
                pending=parser.pending(),
            )
            total_lines += len(lines)
        reader.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        self.stdout.write(f"{total_lines} lines read, {total_rows} rows written")
