"""`mailstack_config`: the files it writes, for PostgreSQL and SQLite."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from mailservices.mailstack import config, lookups, sieve
from tests.conftest import require_service


def _layout(tmp_path, driver="pgsql"):
    database = config.Database(
        driver=driver,
        name="portal" if driver == "pgsql" else "/srv/portal/db.sqlite3",
        host="db.internal",
        port="5432",
        user="mailstack",
        password="geheim-123",
    )
    return config.Layout(database=database, out_dir=tmp_path / "etc")


def test_render_writes_every_map_snippet_and_script(tmp_path):
    files = config.render(_layout(tmp_path))
    expected = (
        {f"postfix/{m.name}.cf" for m in lookups.POSTFIX_MAPS}
        | {
            "postfix/recipient_syntax.regexp",
            "postfix/main.cf.portal",
            "postfix/master.cf.portal",
            "dovecot/dovecot-sql.conf.ext",
            "dovecot/dovecot-sql-app.conf.ext",
            "dovecot/auth-policy.conf.ext",
            "dovecot/portal.conf",
            "dovecot/dovecot-dict-usage.conf.ext",
            "dovecot/master-users",
        }
        | {f"sieve/{s.filename}" for s in sieve.SCRIPTS}
    )
    assert set(files) == expected
    alias_map = files["postfix/virtual_alias_maps.cf"]
    assert "hosts = db.internal:5432" in alias_map and "dbname = portal" in alias_map
    assert "query = SELECT destination FROM mailstack_aliases WHERE source = '%s'" in alias_map
    main = files["postfix/main.cf.portal"]
    assert f"virtual_alias_maps = pgsql:{tmp_path}/etc/postfix/virtual_alias_maps.cf" in main
    assert "recipient_delimiter = +" in main
    assert "check_policy_service inet:127.0.0.1:10040" in main
    assert "lmtp unix - - n - - lmtp flags=O" in files["postfix/master.cf.portal"]
    sql = files["dovecot/dovecot-sql.conf.ext"]
    assert "driver = pgsql" in sql and "password=geheim-123" in sql
    assert "default_pass_scheme = ARGON2ID" in sql
    # The password only in the files that need it (written 0640).
    holders = {name for name, text in files.items() if "geheim-123" in text}
    # (master-users holds the import's master password hash, auth-policy.conf.ext the
    # report token: also 0640.)
    assert holders == config.SECRET_FILES - {"dovecot/master-users", "dovecot/auth-policy.conf.ext"}


def test_sqlite_database_gets_sqlite_maps(tmp_path):
    files = config.render(_layout(tmp_path, driver="sqlite"))
    assert "dbpath = /srv/portal/db.sqlite3" in files["postfix/virtual_mailbox_maps.cf"]
    assert "sqlite:" in files["postfix/main.cf.portal"]
    assert "connect = /srv/portal/db.sqlite3" in files["dovecot/dovecot-sql.conf.ext"]


def test_generated_postfix_and_dovecot_files_parse(tmp_path):
    require_service(
        "postconf/doveconf", bool(shutil.which("postconf") and shutil.which("doveconf"))
    )
    layout = _layout(tmp_path)
    config.write(config.render(layout), layout.out_dir)
    main = tmp_path / "pf"
    main.mkdir()
    (main / "main.cf").write_text((layout.out_dir / "postfix/main.cf.portal").read_text())
    (main / "master.cf").write_text((layout.out_dir / "postfix/master.cf.portal").read_text())
    result = subprocess.run(
        ["postconf", "-c", str(main), "-n", "virtual_transport", "smtpd_recipient_restrictions"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "virtual_transport = lmtp:unix:private/dovecot-lmtp" in result.stdout
    assert "mailstack_local_syntax" in result.stdout or "local_domain_class" in result.stdout
    master = subprocess.run(
        ["postconf", "-c", str(main), "-M"], capture_output=True, text=True, check=True
    )
    assert "submissions" in master.stdout and "flags=O" in master.stdout
    dovecot = tmp_path / "dovecot.conf"
    dovecot.write_text(f"!include {layout.out_dir / 'dovecot/portal.conf'}\n")
    parsed = subprocess.run(
        ["doveconf", "-c", str(dovecot), "-h", "mail_home"], capture_output=True, text=True
    )
    assert parsed.returncode == 0, parsed.stderr
    assert parsed.stdout.strip() == "/var/vmail/%d/%n"


@pytest.mark.django_db
def test_command_writes_files_for_the_current_database(tmp_path):
    if connection.vendor == "sqlite":
        # pytest's SQLite database lives in memory: nothing a mail server could open.
        with pytest.raises(CommandError, match="in-memory SQLite"):
            call_command("mailstack_config", out=str(tmp_path))
        return
    call_command("mailstack_config", out=str(tmp_path), policy="")
    sql = (tmp_path / "dovecot/dovecot-sql.conf.ext").read_text()
    assert f"dbname={connection.settings_dict['NAME']}" in sql
    assert (tmp_path / "dovecot/dovecot-sql.conf.ext").stat().st_mode & 0o777 == 0o640
    assert "check_policy_service" not in (tmp_path / "postfix/main.cf.portal").read_text()


def test_command_refuses_an_unreadable_password_file(tmp_path, db):
    with pytest.raises(CommandError, match="cannot read"):
        call_command(
            "mailstack_config", out=str(tmp_path), db_password_file=str(Path(tmp_path) / "nope")
        )


def test_app_password_passdb_and_login_reports(tmp_path):
    from mailservices.apppasswords import keys

    layout = _layout(tmp_path)
    files = config.render(layout)
    portal = files["dovecot/portal.conf"]
    # The mail password first, then the app passwords; no cache (revocation is immediate).
    assert portal.index("dovecot-sql.conf.ext") < portal.index("dovecot-sql-app.conf.ext")
    assert "auth_cache_size = 0" in portal
    assert f"!include {layout.dovecot_dir / 'auth-policy.conf.ext'}" in portal
    app_sql = files["dovecot/dovecot-sql-app.conf.ext"]
    secret = layout.app_lookup_secret
    assert keys.dovecot_key_expression(secret) in app_sql
    assert "FROM mailstack_app_passdb WHERE username = '%u' AND service = '%s'" in app_sql
    policy = files["dovecot/auth-policy.conf.ext"]
    assert f"auth_policy_server_url = {layout.auth_report_url}" in policy
    assert f"Authorization: Bearer {layout.auth_report_token}" in policy
    assert "auth_policy_check_before_auth = no" in policy
    assert "app_password=%{passdb:app_password_id}" in policy
    # Without a report URL, no policy at all.
    quiet = config.Layout(database=layout.database, out_dir=layout.out_dir, auth_report_url="")
    files = config.render(quiet)
    assert "dovecot/auth-policy.conf.ext" not in files
    assert "auth_policy" not in files["dovecot/portal.conf"]
