"""Folders of the source mailbox: listed, decoded for display and mapped to ours.

Special folders (Sent, Drafts, Trash, Junk) are recognised by their SPECIAL-USE flag, else by
their common names in German, French, Italian and English, and land in our folders of the
same use. The hierarchy is kept; our separator is `/`.
"""

import imaplib
import re
from dataclasses import dataclass

from mailservices.mailboxes.imap import utf7

TARGET_SEPARATOR = "/"
OUR_SPECIAL = {"\\Sent": "Sent", "\\Drafts": "Drafts", "\\Trash": "Trash", "\\Junk": "Junk"}

COMMON_NAMES = {
    "\\Sent": (
        "sent", "sent items", "sent messages", "sent mail", "gesendet", "gesendete objekte",
        "gesendete elemente", "gesendete nachrichten", "envoyés", "éléments envoyés",
        "messages envoyés", "inviati", "posta inviata", "elementi inviati", "messaggi inviati",
    ),
    "\\Drafts": ("drafts", "draft", "entwürfe", "brouillons", "bozze"),
    "\\Trash": (
        "trash", "deleted items", "deleted messages", "bin", "papierkorb", "gelöschte objekte",
        "gelöschte elemente", "corbeille", "éléments supprimés", "cestino", "posta eliminata",
        "elementi eliminati",
    ),
    "\\Junk": (
        "junk", "spam", "junk e-mail", "junk-e-mail", "junk email", "courrier indésirable",
        "indésirables", "pourriel", "posta indesiderata", "indesiderata",
    ),
}  # fmt: skip
_BY_NAME = {name: use for use, names in COMMON_NAMES.items() for name in names}

_LIST_RE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delim>"(?:[^"\\]|\\.)*"|NIL) ?(?P<name>.*)$')


@dataclass
class Folder:
    name: str  # as on the wire (modified UTF-7)
    delimiter: str
    flags: tuple[str, ...]
    target: str  # our folder (modified UTF-7, separator /)
    special: str = ""  # "\\Sent" ... or ""
    messages: int = 0
    bytes: int = 0
    prefix: str = ""  # the personal namespace prefix (`INBOX.`), not shown

    @property
    def display(self) -> str:
        """The name as the customer knows it: decoded, without the namespace prefix."""
        name = self.name
        if self.prefix and name.startswith(self.prefix) and name != self.prefix:
            name = name[len(self.prefix) :]
        return utf7.decode(name)

    @property
    def target_display(self) -> str:
        return utf7.decode(self.target)

    @property
    def selectable(self) -> bool:
        lowered = {f.lower() for f in self.flags}
        return not ({"\\noselect", "\\nonexistent"} & lowered)


def _unquote(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def parse_list(data: list) -> list[tuple[tuple[str, ...], str, str]]:
    """imaplib's LIST data -> [(flags, delimiter, name)] (names may come as literals)."""
    entries = []
    for item in data:
        if item is None:
            continue
        if isinstance(item, tuple):  # `(...) "/" {12}` + the literal name
            head, literal = item[0], item[1]
            match = _LIST_RE.match(head)
            if not match:
                continue
            name = literal.decode("utf-8", "replace")
        else:
            match = _LIST_RE.match(item)
            if not match:
                continue
            name = _unquote(match.group("name").strip())
        delim = match.group("delim")
        delimiter = "" if delim == b"NIL" else _unquote(delim)
        flags = tuple(f for f in match.group("flags").decode("ascii", "replace").split() if f)
        entries.append((flags, delimiter, name))
    return entries


def _personal_prefix(client: imaplib.IMAP4) -> str:
    """The personal namespace prefix (`INBOX.` on Courier-style servers), or ''."""
    if "NAMESPACE" not in client.capabilities:
        return ""
    typ, data = client.namespace()
    if typ != "OK" or not data or not data[0]:
        return ""
    match = re.match(rb'\(\("((?:[^"\\]|\\.)*)"', data[0])
    return _unquote(b'"' + match.group(1) + b'"') if match else ""


def special_use(flags: tuple[str, ...], name: str, delimiter: str, prefix: str) -> str:
    by_lower = {use.lower(): use for use in OUR_SPECIAL}
    for flag in flags:
        if flag.lower() in by_lower:
            return by_lower[flag.lower()]
    relative = name[len(prefix) :] if prefix and name.startswith(prefix) else name
    if delimiter and delimiter in relative:
        return ""  # only top-level folders are recognised by name
    return _BY_NAME.get(utf7.decode(relative).strip().lower(), "")


def target_name(name: str, delimiter: str, prefix: str, special: str) -> str:
    """Our folder for a source folder: INBOX stays, special folders map, the rest keeps its
    hierarchy with our separator."""
    if name.upper() == "INBOX":
        return "INBOX"
    if special:
        return OUR_SPECIAL[special]
    relative = name[len(prefix) :] if prefix and name.startswith(prefix) else name
    parts = relative.split(delimiter) if delimiter else [relative]
    parts = [p.replace(TARGET_SEPARATOR, "_") for p in parts if p != ""]
    target = TARGET_SEPARATOR.join(parts) or "INBOX"
    return "INBOX" if target.upper() == "INBOX" else target


def list_folders(client: imaplib.IMAP4) -> list[Folder]:
    """Every folder of the source with its target; INBOX first, parents before children."""
    if "SPECIAL-USE" in client.capabilities or "LIST-EXTENDED" in client.capabilities:
        typ, data = client._simple_command("LIST", '""', '"*"', "RETURN", "(SPECIAL-USE)")
        typ, data = client._untagged_response(typ, data, "LIST")
    else:
        typ, data = client.list('""', '"*"')
    if typ != "OK":
        typ, data = client.list('""', '"*"')
    prefix = _personal_prefix(client)
    folders = []
    for flags, delimiter, name in parse_list(data):
        use = special_use(flags, name, delimiter, prefix) if name.upper() != "INBOX" else ""
        folders.append(
            Folder(
                name=name,
                delimiter=delimiter,
                flags=flags,
                special=use,
                target=target_name(name, delimiter, prefix, use),
                prefix=prefix,
            )
        )
    folders.sort(key=lambda f: (f.target != "INBOX", f.target.count("/"), f.target, f.name))
    return folders
