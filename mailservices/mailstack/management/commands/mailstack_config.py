"""`manage.py mailstack_config --out DIR`: Postfix and Dovecot configuration for this database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from mailservices.mailstack import config

VIEWS = (
    "mailstack_domains",
    "mailstack_mailboxes",
    "mailstack_aliases",
    "mailstack_rejected_recipients",
    "mailstack_sender_logins",
    "mailstack_passdb",
    "mailstack_app_passdb",
    "mailstack_userdb",
)


class Command(BaseCommand):
    help = (
        "Writes the Postfix maps, the main.cf/master.cf/dovecot.conf snippets and the Sieve "
        "scripts that make Postfix and Dovecot read addresses from the portal's database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="directory to write into")
        parser.add_argument(
            "--install-dir",
            default=None,
            help="directory the files will be installed in, as named inside them "
            "(default: the --out directory)",
        )
        parser.add_argument(
            "--db-user",
            default="",
            help="database role for the mail servers (read-only on the mailstack_* views); "
            "default: the portal's own role",
        )
        parser.add_argument(
            "--db-password-file",
            default=None,
            help="file holding that role's password (not given on the command line)",
        )
        parser.add_argument("--mail-root", default="/var/vmail", help="Maildir root")
        parser.add_argument("--vmail-user", default="vmail", help="owner of the mailboxes")
        parser.add_argument(
            "--policy",
            default="inet:127.0.0.1:10040",
            help="policy service of the sending limits (`manage.py policyd`); '' for none",
        )

    def handle(
        self,
        *args,
        out,
        install_dir,
        db_user,
        db_password_file,
        mail_root,
        vmail_user,
        policy,
        **options,
    ):
        password = ""
        if db_password_file:
            try:
                password = Path(db_password_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise CommandError(f"cannot read {db_password_file}: {exc}") from exc
        try:
            database = config.Database.from_connection(user=db_user, password=password)
        except config.ConfigError as exc:
            raise CommandError(str(exc)) from exc
        self._check_views()
        target = Path(out).resolve()
        layout = config.Layout(
            database=database,
            out_dir=Path(install_dir).resolve() if install_dir else target,
            mail_root=mail_root,
            vmail_user=vmail_user,
            vmail_group=vmail_user,
            policy=policy,
        )
        try:
            written = config.write(config.render(layout), target)
        except OSError as exc:
            raise CommandError(f"cannot write to {target}: {exc}") from exc
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(
            self.style.SUCCESS(f"{len(written)} files for {database.driver}:{database.name}")
        )

    def _check_views(self):
        existing = set(connection.introspection.table_names(include_views=True))
        missing = [name for name in VIEWS if name not in existing]
        if missing:
            raise CommandError(
                "The lookup views are missing (" + ", ".join(missing) + "); run "
                "`manage.py migrate` first."
            )
