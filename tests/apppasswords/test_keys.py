"""The pure part: generated passwords, lookup keys as Dovecot computes them, the report."""

import hashlib
import re

from mailservices.apppasswords import keys


def test_generated_passwords_are_four_groups_without_ambiguous_characters():
    seen = {keys.generate_password() for _ in range(200)}
    assert len(seen) == 200
    for password in seen:
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
        assert not set(password) & set("01ilo")


def test_lookup_key_is_dovecots_truncated_salted_sha256():
    # Dovecot: %{sha256;truncate=16,salt=S:password} = first 16 bits of SHA-256(S || value).
    expected = hashlib.sha256(b"geheim" + b"k7dm-xq2p-9fhw-ta4c").hexdigest()[:4]
    assert keys.lookup_key("k7dm-xq2p-9fhw-ta4c", "geheim") == expected
    assert keys.lookup_key("k7dm-xq2p-9fhw-ta4c", "anders") != expected
    # The SQL drivers escape the value before Dovecot hashes it: a quote is doubled.
    doubled = hashlib.sha256(b"geheim" + b"Berg''see").hexdigest()[:4]
    assert keys.lookup_key("Berg'see", "geheim") == doubled
    assert keys.dovecot_key_expression("geheim") == "%{sha256;truncate=16,salt=geheim:password}"


def test_report_of_a_successful_app_password_login():
    use = keys.parse_report(
        {
            "login": "Anna@Beispiel.ch",
            "remote": "192.0.2.7",
            "protocol": "imap",
            "app_password": "42",
            "success": True,
            "policy_reject": False,
        }
    )
    assert use == keys.Use(
        app_password_id=42, login="anna@beispiel.ch", ip="192.0.2.7", service="imap"
    )


def test_reports_that_are_not_app_password_successes_are_ignored():
    base = {"login": "anna@beispiel.ch", "remote": "192.0.2.7", "protocol": "smtp"}
    assert keys.parse_report({**base, "app_password": "", "success": True}) is None  # mail pw
    assert keys.parse_report({**base, "app_password": "3", "success": False}) is None
    assert keys.parse_report({**base, "app_password": "3", "success": "true"}) is None
    assert keys.parse_report({**base, "app_password": "3; DROP", "success": True}) is None
    assert keys.parse_report([1, 2]) is None
    odd_ip = keys.parse_report({**base, "remote": "nonsense", "app_password": "3", "success": True})
    assert odd_ip is not None and odd_ip.ip is None
