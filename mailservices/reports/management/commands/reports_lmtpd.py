"""`manage.py reports_lmtpd --bind 127.0.0.1:10027`: Postfix delivers report mails here
(LMTP); each is stored and ingested in the background. Run it under systemd."""

import asyncio
import signal
from concurrent.futures import ThreadPoolExecutor

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from mailservices.reports.app_settings import app_settings
from mailservices.reports.lmtp import LmtpSession, serve
from mailservices.reports.services import report_mail_receive
from portal.core.app_settings import app_settings as portal_settings


def deliver(raw: bytes, recipients: list[str]) -> bool:
    """Stores one report mail; False (-> 451, Postfix retries) when the database is away."""
    close_old_connections()
    try:
        report_mail_receive(raw=raw, recipient=recipients[0] if recipients else "")
    except DatabaseError:
        close_old_connections()
        return False
    return True


class Command(BaseCommand):
    help = "LMTP intake of DMARC and TLS-RPT report mails (Postfix transport)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=app_settings.LMTP_BIND)

    def handle(self, *args, **options):
        host, _sep, port = options["bind"].rpartition(":")
        executor = ThreadPoolExecutor(max_workers=1)

        async def main():
            loop = asyncio.get_running_loop()

            async def run_sync(fn, *fn_args):
                return await loop.run_in_executor(executor, fn, *fn_args)

            server = await serve(
                host or "127.0.0.1",
                int(port),
                make_session=lambda: LmtpSession(
                    hostname=portal_settings.MAIL_HOST,
                    deliver=deliver,
                    max_bytes=app_settings.MAX_MAIL_BYTES,
                ),
                run_sync=run_sync,
            )
            stop = asyncio.Event()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            self.stdout.write(f"reports_lmtpd listening on {options['bind']}")
            self.stdout.flush()
            await stop.wait()
            server.close()
            await server.wait_closed()

        asyncio.run(main())
        executor.shutdown(wait=True)
