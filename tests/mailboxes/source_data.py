"""Test mail for the old provider: folders (UTF-7, nested, special use), flags, dates."""

import imaplib
import uuid
from dataclasses import dataclass

from mailservices.mailboxes.imap import utf7
from mailservices.mailboxes.imap.connection import quote


@dataclass(frozen=True)
class Msg:
    folder: str  # decoded, below the namespace, `.` as separator
    subject: str
    flags: tuple[str, ...] = ()
    date: str = "14-Mar-2019 09:15:00 +0100"
    size: int = 0  # body padding

    def raw(self, message_id: str) -> bytes:
        body = b"Hallo, das ist ein Test.\r\n"
        if self.size:
            line = b"y" * 76 + b"\r\n"
            body += line * (self.size // len(line))
        return (
            f"From: Max Muster <max@alt-anbieter.example>\r\nTo: Anna <anna@example.ch>\r\n"
            f"Subject: {self.subject}\r\nMessage-ID: <{message_id}>\r\n"
            f"Date: Thu, 14 Mar 2019 09:15:00 +0100\r\n\r\n"
        ).encode() + body


# (folder as the customer sees it at the old provider, our folder)
FOLDERS = {
    "INBOX": "INBOX",
    "Gesendete Objekte": "Sent",  # SPECIAL-USE \Sent
    "Entwürfe": "Drafts",  # common German name
    "Corbeille": "Trash",  # common French name
    "Posta indesiderata": "Junk",  # common Italian name
    "Projekte": "Projekte",
    "Projekte.2024": "Projekte/2024",
    "Projekte.2024.Übersicht & Pläne": "Projekte/2024/Übersicht & Pläne",
    "Archiv": "Archiv",
}

MESSAGES = [
    Msg("INBOX", "Willkommen", ("\\Seen",), "01-Feb-2019 08:00:00 +0100"),
    Msg("INBOX", "Rechnung März", ("\\Seen", "\\Answered"), "02-Mar-2019 10:30:00 +0100"),
    Msg("INBOX", "Wichtig", ("\\Flagged",), "03-Apr-2019 12:00:00 +0200"),
    Msg("INBOX", "Ungelesen", (), "04-May-2019 18:45:10 +0200"),
    Msg("Gesendete Objekte", "Antwort", ("\\Seen",), "02-Mar-2019 11:00:00 +0100"),
    Msg("Gesendete Objekte", "Offerte", ("\\Seen",), "05-Jun-2019 09:00:00 +0200"),
    Msg("Entwürfe", "Entwurf", ("\\Draft", "\\Seen"), "06-Jul-2019 07:07:07 +0200"),
    Msg("Corbeille", "Alt", ("\\Seen",), "07-Aug-2018 10:00:00 +0200"),
    Msg("Posta indesiderata", "Gewinn!!!", (), "08-Sep-2019 23:59:59 +0200"),
    Msg("Projekte", "Projektstart", ("\\Seen",), "09-Oct-2019 10:00:00 +0200"),
    Msg("Projekte.2024", "Budget 2024", ("\\Seen", "\\Flagged"), "10-Jan-2024 10:00:00 +0100"),
    Msg("Projekte.2024.Übersicht & Pläne", "Plan", ("\\Seen",), "11-Feb-2024 10:00:00 +0100"),
    Msg("Archiv", "Grosser Anhang", ("\\Seen",), "12-Mar-2019 10:00:00 +0100", 3_000_000),
]


def populate(client: imaplib.IMAP4, prefix: str, messages=MESSAGES, folders=FOLDERS) -> None:
    for folder in folders:
        if folder != "INBOX":
            client.create(quote(prefix + utf7.encode(folder)))
    for msg in messages:
        name = "INBOX" if msg.folder == "INBOX" else prefix + utf7.encode(msg.folder)
        flags = "(" + " ".join(msg.flags) + ")" if msg.flags else None
        typ, data = client.append(
            quote(name), flags, f'"{msg.date}"', msg.raw(f"{uuid.uuid4().hex}@alt.example")
        )
        assert typ == "OK", data


def populate_many(client: imaplib.IMAP4, prefix: str, folder: str, count: int) -> None:
    name = prefix + folder
    client.create(quote(name))
    for n in range(count):
        msg = Msg(folder, f"Nachricht {n}", ("\\Seen",) if n % 2 else (), size=(n % 7) * 1500)
        typ, data = client.append(
            quote(name), msg.flags and "(\\Seen)" or None, f'"{msg.date}"', msg.raw(f"m{n}@viele")
        )
        assert typ == "OK", data
