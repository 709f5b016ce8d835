"""The import engine's pure parts: modified UTF-7, LIST parsing, folder mapping, security."""

import pytest

from mailservices.mailboxes.imap import utf7
from mailservices.mailboxes.imap.connection import Endpoint, plaintext_allowed
from mailservices.mailboxes.imap.engine import MessageInfo, _parse_fetch
from mailservices.mailboxes.imap.folders import parse_list, special_use, target_name


@pytest.mark.parametrize(
    ("decoded", "encoded"),
    [
        ("Entwürfe", "Entw&APw-rfe"),
        ("Éléments envoyés", "&AMk-l&AOk-ments envoy&AOk-s"),
        ("Übersicht & Pläne", "&ANw-bersicht &- Pl&AOQ-ne"),
        ("日本語", "&ZeVnLIqe-"),
        ("INBOX", "INBOX"),
    ],
)
def test_modified_utf7_both_ways(decoded, encoded):
    assert utf7.encode(decoded) == encoded
    assert utf7.decode(encoded) == decoded


def test_malformed_utf7_is_shown_as_it_came():
    assert utf7.decode("Kaputt&AP") == "Kaputt&AP"


@pytest.mark.parametrize(
    ("flags", "name", "use"),
    [
        (("\\HasNoChildren", "\\Sent"), "Gesendete Objekte", "\\Sent"),
        (("\\sent",), "Irgendwas", "\\Sent"),
        ((), "INBOX.Entw&APw-rfe", "\\Drafts"),
        ((), "INBOX.&AMk-l&AOk-ments envoy&AOk-s", "\\Sent"),
        ((), "INBOX.Corbeille", "\\Trash"),
        ((), "INBOX.Posta indesiderata", "\\Junk"),
        ((), "INBOX.Deleted Items", "\\Trash"),
        ((), "INBOX.Papierkorb", "\\Trash"),
        ((), "INBOX.Bozze", "\\Drafts"),
        ((), "INBOX.Projekte.Sent", ""),  # only top-level names count
        ((), "INBOX.Rechnungen", ""),
    ],
)
def test_special_folders_by_flag_or_common_name(flags, name, use):
    assert special_use(flags, name, ".", "INBOX.") == use


@pytest.mark.parametrize(
    ("name", "delimiter", "prefix", "special", "target"),
    [
        ("INBOX", ".", "INBOX.", "", "INBOX"),
        ("INBOX.Projekte.2024", ".", "INBOX.", "", "Projekte/2024"),
        ("Projekte/2024", "/", "", "", "Projekte/2024"),
        ("INBOX.a/b", ".", "INBOX.", "", "a_b"),  # our separator inside a name
        ("INBOX.Gesendet", ".", "INBOX.", "\\Sent", "Sent"),
        ("[Gmail]/Spam", "/", "", "\\Junk", "Junk"),
    ],
)
def test_target_names_keep_the_hierarchy(name, delimiter, prefix, special, target):
    assert target_name(name, delimiter, prefix, special) == target


def test_list_responses_with_quotes_nil_and_literals():
    data = [
        b'(\\HasNoChildren) "/" INBOX',
        b'(\\HasChildren \\Noselect) "/" "Projekte"',
        b'(\\HasNoChildren \\Sent) "/" "Gesendete \\"Objekte\\""',
        (b'(\\HasNoChildren) "/" {10}', b"Entw&APw-rfe"[:10]),
        b"() NIL Flach",
    ]
    assert parse_list(data) == [
        (("\\HasNoChildren",), "/", "INBOX"),
        (("\\HasChildren", "\\Noselect"), "/", "Projekte"),
        (("\\HasNoChildren", "\\Sent"), "/", 'Gesendete "Objekte"'),
        (("\\HasNoChildren",), "/", "Entw&APw-r"),
        ((), "", "Flach"),
    ]


def test_fetch_parsing_reads_metadata_and_flags_after_the_literal():
    data = [
        (
            b'1 (UID 7 RFC822.SIZE 1234 INTERNALDATE "14-Mar-2019 09:15:00 +0100" '
            b"BODY[HEADER.FIELDS (MESSAGE-ID SUBJECT)] {60}",
            b"Message-ID: <a@b>\r\nSubject: =?utf-8?q?Gr=C3=BCezi?=\r\n\r\n",
        ),
        b" FLAGS (\\Seen \\Recent $Forwarded \\Flagged))",
    ]
    (info, _body) = _parse_fetch(data, with_body=False)[7]
    assert info == MessageInfo(
        uid=7,
        size=1234,
        internaldate="14-Mar-2019 09:15:00 +0100",
        flags=("\\Seen", "\\Flagged"),
        message_id="<a@b>",
        subject="Grüezi",
    )
    assert info.key == ("<a@b>", 1234, 1552551300)


def test_plaintext_only_to_the_loopback_address():
    assert plaintext_allowed("127.0.0.1")
    assert not plaintext_allowed("localhost")
    assert not plaintext_allowed("192.0.2.1")
    assert "secret" not in repr(Endpoint("h", 993, "ssl", "u", "secret"))
