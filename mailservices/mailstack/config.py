"""Renders the Postfix and Dovecot configuration that reads the portal's lookup views.

`render(layout)` returns {relative path: file text}; `manage.py mailstack_config --out DIR`
writes it for production, and the test harness writes it (with its own ports and
directories) to run a real Postfix and Dovecot. Both use the same text.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from mailservices.mailstack import lookups, sieve
from portal.core.app_settings import app_settings as portal_settings


class ConfigError(ValueError):
    """The database or an option cannot be served to the mail stack."""


@dataclass(frozen=True)
class Database:
    """How Postfix and Dovecot reach the portal's database (read-only access is enough)."""

    driver: str  # "pgsql" | "sqlite"
    name: str  # database name, or the SQLite file
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_connection(cls, *, user: str = "", password: str = "") -> "Database":
        """The database Django is connected to (under pytest: the test database)."""
        params = connection.settings_dict
        if connection.vendor == "postgresql":
            return cls(
                driver="pgsql",
                name=params["NAME"],
                host=params.get("HOST") or "localhost",
                port=str(params.get("PORT") or "5432"),
                user=user or params.get("USER") or "",
                password=password if user else (params.get("PASSWORD") or ""),
            )
        if connection.vendor == "sqlite":
            name = str(params["NAME"])
            if name == ":memory:" or "mode=memory" in name:
                raise ConfigError("An in-memory SQLite database cannot be shared with Postfix.")
            return cls(driver="sqlite", name=str(Path(name).resolve()))
        raise ConfigError(f"The mail stack reads PostgreSQL or SQLite, not {connection.vendor}.")


@dataclass(frozen=True)
class Layout:
    """Where things live and how the daemons talk to each other.

    Socket addresses are Postfix-style: `inet:HOST:PORT` or a Unix socket path (relative
    paths are relative to Postfix's queue directory, e.g. `private/dovecot-lmtp`).
    """

    database: Database
    out_dir: Path  # where the files are meant to be installed (paths inside the files)
    mail_host: str = field(default_factory=lambda: portal_settings.MAIL_HOST)
    mail_root: str = "/var/vmail"
    vmail_user: str = "vmail"
    vmail_group: str = "vmail"
    postfix_queue_dir: str = "/var/spool/postfix"
    lmtp: str = "private/dovecot-lmtp"
    auth: str = "private/auth"
    policy: str = "inet:127.0.0.1:10040"
    submission_listen: str = "submissions"  # master.cf service name or HOST:PORT (465)
    submission_host: str = "127.0.0.1:25"  # where Dovecot sends responder replies
    tls_cert: str = "/etc/ssl/certs/mail.pem"
    tls_key: str = "/etc/ssl/private/mail.key"
    # Dovecot master user the mail import logs in as (`address*user`); "" for none.
    import_master_user: str = field(default_factory=lambda: _mailboxes_settings().MASTER_USER)
    import_master_hash: str = field(default_factory=lambda: _import_master_hash())
    # DMARC/TLS-RPT report addresses and the portal's LMTP intake they go to ("" for none).
    report_addresses: tuple = field(default_factory=lambda: _report_addresses())
    reports_lmtp: str = field(default_factory=lambda: _reports_lmtp())
    # App passwords: the lookup-key secret, and where Dovecot reports logins ("" for none).
    app_lookup_secret: str = field(default_factory=lambda: _apppasswords_settings().LOOKUP_SECRET)
    auth_report_url: str = field(default_factory=lambda: _apppasswords_settings().REPORT_URL)
    auth_report_token: str = field(default_factory=lambda: _apppasswords_settings().REPORT_TOKEN)

    @property
    def postfix_dir(self) -> Path:
        return self.out_dir / "postfix"

    @property
    def dovecot_dir(self) -> Path:
        return self.out_dir / "dovecot"

    @property
    def sieve_dir(self) -> Path:
        return self.out_dir / "sieve"


def _mailboxes_settings():
    from mailservices.mailboxes.app_settings import app_settings

    return app_settings


def _apppasswords_settings():
    from mailservices.apppasswords.app_settings import app_settings

    return app_settings


def _import_master_hash() -> str:
    """Dovecot hash of the import's master password from the settings ("" if unset)."""
    password = _mailboxes_settings().MASTER_PASSWORD
    if not password:
        return ""
    from mailservices.passwords import hash_mail_password

    return hash_mail_password(password)


def _one_line(query: str) -> str:
    return re.sub(r"\s+", " ", query).strip()


def _map_ref(layout: Layout, name: str) -> str:
    return f"{layout.database.driver}:{layout.postfix_dir / f'{name}.cf'}"


def _postfix_map(layout: Layout, query: str) -> str:
    db = layout.database
    head = "# Written by `manage.py mailstack_config`; reads a view of the portal's database.\n"
    if db.driver == "sqlite":
        return f"{head}dbpath = {db.name}\nquery = {_one_line(query)}\n"
    return (
        f"{head}hosts = {db.host}:{db.port}\nuser = {db.user}\npassword = {db.password}\n"
        f"dbname = {db.name}\nquery = {_one_line(query)}\n"
    )


def _inet(address: str) -> tuple[str, str] | None:
    if address.startswith("inet:"):
        host, _, port = address[len("inet:") :].rpartition(":")
        return host, port
    return None


def _postfix_socket(address: str) -> str:
    return address if _inet(address) else f"unix:{address}"


def _dovecot_listener(layout: Layout, name: str, address: str, *, postfix_owned: bool) -> str:
    inet = _inet(address)
    if inet:
        host, port = inet
        return f"  inet_listener {name} {{\n    address = {host}\n    port = {port}\n  }}\n"
    path = address if address.startswith("/") else f"{layout.postfix_queue_dir}/{address}"
    owner = "    user = postfix\n    group = postfix\n" if postfix_owned else ""
    return f"  unix_listener {path} {{\n    mode = 0600\n{owner}  }}\n"


def main_cf(layout: Layout) -> str:
    maps = {m.name: _map_ref(layout, m.name) for m in lookups.POSTFIX_MAPS}
    syntax = layout.postfix_dir / "recipient_syntax.regexp"
    policy = f"check_policy_service {layout.policy}" if layout.policy else ""
    submission_rcpt = ", ".join(
        part
        for part in (
            f"check_recipient_access {maps['local_domain_class']}",
            f"check_recipient_access {maps['recipient_access']}",
            policy,
            "permit_sasl_authenticated",
            "reject",
        )
        if part
    )
    return f"""\
# Written by `manage.py mailstack_config`: the portal's database decides which domains and
# addresses exist. Append to main.cf (a later line wins over an earlier one).
myhostname = {layout.mail_host}
mydestination =
recipient_delimiter = +
# Domains arrive as A-labels (punycode), the form the portal stores.
smtputf8_enable = no
strict_rfc821_envelopes = yes

virtual_mailbox_domains = {maps["virtual_mailbox_domains"]}
virtual_mailbox_maps = {maps["virtual_mailbox_maps"]}
virtual_alias_maps = {maps["virtual_alias_maps"]}
virtual_transport = lmtp:{_postfix_socket(layout.lmtp)}
# One recipient per LMTP delivery, so X-Original-To (flags=O in master.cf) is exact.
lmtp_destination_recipient_limit = 1

smtpd_sasl_type = dovecot
smtpd_sasl_path = {layout.auth}
# AUTH also on port 25 (only after STARTTLS), so sender-login checks work there too.
smtpd_sasl_auth_enable = yes
smtpd_tls_auth_only = yes
smtpd_sender_login_maps = {maps["sender_login_maps"]}
smtpd_tls_chain_files = {layout.tls_key}, {layout.tls_cert}
smtpd_tls_security_level = may
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
# Malformed local parts and disabled addresses at our domains are refused before the
# catch-all could take them.
smtpd_restriction_classes = mailstack_local_syntax
mailstack_local_syntax = check_recipient_access regexp:{syntax}
smtpd_recipient_restrictions = check_recipient_access {maps["local_domain_class"]},
    check_recipient_access {maps["recipient_access"]}, permit_mynetworks,
    permit_sasl_authenticated, reject_unauth_destination
# A forward gets the plain destination, not destination+tag.
propagate_unmatched_extensions = canonical
# Nobody sends as one of our addresses without logging in as its owner.
smtpd_sender_restrictions = reject_unauthenticated_sender_login_mismatch

# Used by the submission service in master.cf (port 465).
mailstack_submission_recipient_restrictions = {submission_rcpt}
mailstack_submission_end_of_data_restrictions = {policy}
{_reports_main_cf(layout)}"""


def _report_addresses() -> tuple:
    from mailservices.reports.app_settings import app_settings

    return tuple(app_settings.ADDRESSES)


def _reports_lmtp() -> str:
    from mailservices.reports.app_settings import app_settings

    return f"inet:{app_settings.LMTP_BIND}"


def _reports_main_cf(layout: Layout) -> str:
    """Report mail (DMARC rua=, TLS-RPT) to the portal's LMTP intake `reports_lmtpd`."""
    if not (layout.report_addresses and layout.reports_lmtp):
        return ""
    domains = " ".join(sorted({a.rpartition("@")[2] for a in layout.report_addresses}))
    transport = ", ".join(f"{{{a} = lmtp:{layout.reports_lmtp}}}" for a in layout.report_addresses)
    accepted = ", ".join(f"{{{a} = OK}}" for a in layout.report_addresses)
    return f"""
# DMARC and TLS-RPT reports go to the portal (`manage.py reports_lmtpd`); their domain is
# relayed, only the report addresses are accepted.
relay_domains = {domains}
relay_recipient_maps = inline:{{ {accepted} }}
transport_maps = inline:{{ {transport} }}
"""


def master_cf(layout: Layout) -> str:
    return f"""\
# Written by `manage.py mailstack_config`. Add to master.cf; replace an existing `lmtp` line.
# Submission with implicit TLS (client settings: port 465, SSL/TLS, authentication).
{layout.submission_listen} inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_sender_restrictions=reject_sender_login_mismatch
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=$mailstack_submission_recipient_restrictions
  -o smtpd_end_of_data_restrictions=$mailstack_submission_end_of_data_restrictions
# Delivery to Dovecot; flags=O adds X-Original-To (what the sender wrote) for the responder.
lmtp unix - - n - - lmtp flags=O
"""


def _dovecot_connect(db: Database) -> str:
    if db.driver == "sqlite":
        return db.name
    return f"host={db.host} port={db.port} dbname={db.name} user={db.user}" + (
        f" password={db.password}" if db.password else ""
    )


def dovecot_sql_conf(layout: Layout) -> str:
    connect = _dovecot_connect(layout.database)
    return f"""\
# Written by `manage.py mailstack_config`: Dovecot's passdb and userdb from the portal.
driver = {layout.database.driver}
connect = {connect}
default_pass_scheme = ARGON2ID
password_query = {_one_line(lookups.PASSDB_QUERY)}
user_query = {_one_line(lookups.userdb_query())}
iterate_query = {_one_line(lookups.USERDB_ITERATE_QUERY)}
"""


def dovecot_app_sql_conf(layout: Layout) -> str:
    """The app-password passdb (a second sql passdb: one row per typed password at most)."""
    query = lookups.app_passdb_query(layout.app_lookup_secret)
    return f"""\
# Written by `manage.py mailstack_config`: app passwords (mailservices.apppasswords).
driver = {layout.database.driver}
connect = {_dovecot_connect(layout.database)}
default_pass_scheme = ARGON2ID
password_query = {_one_line(query)}
"""


def dovecot_auth_policy_conf(layout: Layout) -> str:
    """Dovecot's auth policy, used only to report each login to the portal afterwards (last
    use of an app password); it never asks the portal for permission, and a portal that
    does not answer changes nothing for the login."""
    nonce = hashlib.sha256(f"nonce:{layout.auth_report_token}".encode()).hexdigest()[:32]
    attributes = (
        "login=%{requested_username} remote=%{rip} protocol=%s "
        "app_password=%{passdb:app_password_id}"
    )
    return f"""\
# Written by `manage.py mailstack_config`: Dovecot reports logins to the portal.
auth_policy_server_url = {layout.auth_report_url}
auth_policy_server_api_header = Authorization: Bearer {layout.auth_report_token}
auth_policy_hash_nonce = {nonce}
auth_policy_request_attributes = {attributes}
auth_policy_check_before_auth = no
auth_policy_check_after_auth = no
auth_policy_report_after_auth = yes
auth_policy_reject_on_fail = no
"""


def dovecot_usage_dict_conf(layout: Layout) -> str:
    """Dovecot's dict map that writes each mailbox's quota usage into `mailboxes_usage`."""
    maps = "".join(
        f"""
map {{
  pattern = priv/quota/{key}
  table = mailboxes_usage
  username_field = username
  value_field = {column}
  value_type = uint
}}
"""
        for key, column in (("storage", "used_bytes"), ("messages", "messages"))
    )
    return (
        "# Written by `manage.py mailstack_config`: quota_clone writes usage to the portal.\n"
        f"connect = {_dovecot_connect(layout.database)}\n{maps}"
    )


def _import_master_passdb(layout: Layout) -> str:
    if not (layout.import_master_user and layout.import_master_hash):
        return ""
    return f"""# The mail import logs in as `address*{layout.import_master_user}` (master user).
auth_master_user_separator = *
passdb {{
  driver = passwd-file
  args = {layout.dovecot_dir / "master-users"}
  master = yes
  result_success = continue
}}
"""


def dovecot_conf(layout: Layout) -> str:
    sql = layout.dovecot_dir / "dovecot-sql.conf.ext"
    app_sql = layout.dovecot_dir / "dovecot-sql-app.conf.ext"
    policy = (
        f"!include {layout.dovecot_dir / 'auth-policy.conf.ext'}"
        if layout.auth_report_url
        else "# Logins are not reported (no app-password report URL)."
    )
    usage_dict = layout.dovecot_dir / "dovecot-dict-usage.conf.ext"
    before = "\n".join(
        f"  {script.purpose} = {layout.sieve_dir / script.filename}" for script in sieve.SCRIPTS
    )
    lmtp_listener = _dovecot_listener(layout, "lmtp", layout.lmtp, postfix_owned=True)
    auth_listener = _dovecot_listener(layout, "auth", layout.auth, postfix_owned=True)
    return f"""\
# Written by `manage.py mailstack_config`: include at the end of dovecot.conf
# (`!include_try /etc/dovecot/portal/dovecot/portal.conf`) and disable other passdb/userdb.
mail_home = {layout.mail_root}/%d/%n
mail_location = maildir:~/Maildir
mail_uid = {layout.vmail_user}
mail_gid = {layout.vmail_group}
auth_username_format = %Lu
auth_mechanisms = plain login
disable_plaintext_auth = yes
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
mail_plugins = $mail_plugins quota quota_clone
protocol lmtp {{
  mail_plugins = $mail_plugins sieve
}}
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
}}
submission_host = {layout.submission_host}

namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox {sieve.JUNK_MAILBOX} {{
    special_use = \\Junk
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}

# No auth cache: a changed or revoked password is refused at the next login.
auth_cache_size = 0
{policy}
{_import_master_passdb(layout)}passdb {{
  driver = sql
  args = {sql}
}}
# App passwords, when the mail password did not match (or is locked: only app passwords).
passdb {{
  driver = sql
  args = {app_sql}
}}
userdb {{
  driver = sql
  args = {sql}
}}

plugin {{
  quota = count:User quota
  quota_vsizes = yes
  quota_clone_dict = proxy::mailboxes_usage
  sieve = file:~/sieve;active=~/.dovecot.sieve
{before}
  sieve_global_extensions = +vnd.dovecot.environment
  sieve_extensions = +editheader
}}

dict {{
  mailboxes_usage = {layout.database.driver}:{usage_dict}
}}
service dict {{
  unix_listener dict {{
    mode = 0660
    user = {layout.vmail_user}
    group = {layout.vmail_group}
  }}
}}

service lmtp {{
{lmtp_listener}}}
service auth {{
{auth_listener}}}
"""


def render(layout: Layout) -> dict[str, str]:
    """Every file of the configuration, by path relative to the output directory."""
    files = {f"postfix/{m.name}.cf": _postfix_map(layout, m.query) for m in lookups.POSTFIX_MAPS}
    files["postfix/recipient_syntax.regexp"] = (
        "# Written by `manage.py mailstack_config`: recipient syntax at our domains.\n"
        + "".join(f"{rule.line}\n" for rule in lookups.RECIPIENT_SYNTAX)
    )
    files["postfix/main.cf.portal"] = main_cf(layout)
    files["postfix/master.cf.portal"] = master_cf(layout)
    files["dovecot/dovecot-sql.conf.ext"] = dovecot_sql_conf(layout)
    files["dovecot/dovecot-sql-app.conf.ext"] = dovecot_app_sql_conf(layout)
    if layout.auth_report_url:
        files["dovecot/auth-policy.conf.ext"] = dovecot_auth_policy_conf(layout)
    files["dovecot/portal.conf"] = dovecot_conf(layout)
    files["dovecot/dovecot-dict-usage.conf.ext"] = dovecot_usage_dict_conf(layout)
    if layout.import_master_user and layout.import_master_hash:
        files["dovecot/master-users"] = f"{layout.import_master_user}:{layout.import_master_hash}\n"
    for script in sieve.SCRIPTS:
        files[f"sieve/{script.filename}"] = script.text
    return files


# Files holding the database password: readable by root and the daemons only.
SECRET_FILES = {f"postfix/{m.name}.cf" for m in lookups.POSTFIX_MAPS} | {
    "dovecot/dovecot-sql.conf.ext",
    "dovecot/dovecot-sql-app.conf.ext",
    "dovecot/auth-policy.conf.ext",
    "dovecot/dovecot-dict-usage.conf.ext",
    "dovecot/master-users",
}


def write(files: dict[str, str], target: Path) -> list[Path]:
    """Writes the files below `target` (each atomically: temp file, then rename)."""
    written = []
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o640 if relative in SECRET_FILES else 0o644)
        tmp.replace(path)
        written.append(path)
    return written
