"""Fixtures of the signer tests: OpenDKIM signing with the files `manage.py dkim_keys`
exports, behind the real Postfix of the mail-stack harness (PostgreSQL run: Postfix reads
the test database), and a PowerDNS serving the keys the portal publishes.

The mail-stack harness is used as it is; `SigningMailStack` only adds the milter lines to
Postfix's main.cf and keeps the raw bytes of what reaches the sink (a signature is checked
on the bytes, not on a re-serialised message).
"""

import os
import threading

import pytest
from django.db import connection

from tests.conftest import require_service


def _signing_stack_class():
    from tests.mailstack.harness import MailStack

    class RawSink:
        def __init__(self):
            self.messages: list[tuple[str, list[str], bytes]] = []
            self.lock = threading.Lock()

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            with self.lock:
                self.messages.append(
                    (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
                )
            return "250 OK"

    class SigningMailStack(MailStack):
        """The harness's Postfix with OpenDKIM as its milter (every smtpd and the local
        submission path); a signer that does not answer holds mail back (tempfail)."""

        def __init__(self, *args, milter: str, **kwargs):
            super().__init__(*args, **kwargs)
            self.milter = milter
            self.sink = RawSink()

        def _postfix_base(self) -> str:
            return super()._postfix_base() + (
                f"smtpd_milters = {self.milter}\n"
                "non_smtpd_milters = $smtpd_milters\n"
                "milter_default_action = tempfail\n"
                "milter_protocol = 6\n"
            )

    return SigningMailStack


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory, django_db_setup, django_db_blocker):
    """The signer's directory, exported once so that OpenDKIM finds its tables."""
    from django.core.management import call_command

    out = tmp_path_factory.mktemp("dkim-keys")
    with django_db_blocker.unblock():
        call_command("dkim_keys", out=str(out), stdout=open(os.devnull, "w"))  # noqa: SIM115
    return out


@pytest.fixture(scope="module")
def opendkim(keys_dir):
    """Two OpenDKIM instances, as on a mail host: RSA, then Ed25519 (one algorithm each)."""
    from tests.dkimsign.signer import OpenDkim, missing_binaries

    missing = missing_binaries()
    require_service("OpenDKIM (" + ", ".join(missing) + ")", not missing)
    signers = [
        OpenDkim(keys_dir, "opendkim.conf.portal"),
        OpenDkim(keys_dir, "opendkim-ed25519.conf.portal"),
    ]
    try:
        for signer in signers:
            signer.start()
    except Exception:
        for signer in signers:
            signer.stop()
        raise
    yield signers
    for signer in signers:
        signer.stop()


@pytest.fixture(scope="module")
def signing_stack(request, django_db_setup, django_db_blocker):
    from mailservices.mailstack import config
    from tests.mailstack.harness import missing_binaries

    if connection.vendor != "postgresql":
        pytest.skip("Postfix reads PostgreSQL; the SQLite test database is in memory")
    opendkim = request.getfixturevalue("opendkim")
    missing = missing_binaries()
    require_service("postfix/dovecot (" + ", ".join(missing) + ")", not missing)
    require_service("root (Postfix's master runs as root)", os.geteuid() == 0)
    with django_db_blocker.unblock():
        database = config.Database.from_connection()
    milters = ", ".join(signer.milter for signer in opendkim)
    stack = _signing_stack_class()(database, milter=milters)
    try:
        stack.start()
    except Exception:
        stack.stop()
        raise
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def name_server(django_db_setup, django_db_blocker):
    """PowerDNS (gpgsql) serving the test database's hosted zones: where dkimpy looks up
    the published keys."""
    from mailservices.hosteddns import server
    from tests.hosteddns.harness import PowerDns
    from tests.hosteddns.harness import missing_binaries as pdns_missing

    missing = pdns_missing()
    require_service("PowerDNS (" + ", ".join(missing) + ")", not missing)
    with django_db_blocker.unblock():
        database = server.Database.from_connection()
    pdns = PowerDns(database)
    try:
        pdns.start()
    except Exception:
        pdns.stop()
        raise
    yield pdns
    pdns.stop()
