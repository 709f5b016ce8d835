"""Attachment names as Windows would treat them, and the extensions the filters refuse."""

import unicodedata

# docs/product.md §5: the filters reject these extensions, also inside archives.
FORBIDDEN_EXTENSIONS = frozenset(
    {
        "exe", "com", "cmd", "cpl", "hta", "scf", "sct", "lnk", "bat", "js", "jse",
        "wsh", "ws", "wsf", "wsc", "vbe", "vb", "vbs", "shs", "pif", "scr",
    }
)  # fmt: skip

# Extensions of archives the engine can open (checked by content too, not only by name).
ARCHIVE_EXTENSIONS = frozenset({"zip", "tar", "gz", "tgz", "gzip", "jar"})
# Archives the engine cannot open; they are reported as not inspectable.
UNSUPPORTED_ARCHIVE_EXTENSIONS = frozenset({"7z", "rar", "arj", "cab", "ace", "lzh", "iso"})


def _is_invisible(char: str) -> bool:
    """Format characters (bidi overrides, zero-width joiners, soft hyphens) are not shown."""
    return unicodedata.category(char) == "Cf"


def has_invisible_characters(name: str) -> bool:
    return any(_is_invisible(c) for c in name)


def effective_name(raw: str) -> str:
    """The name the receiving system ends up with.

    Drops everything after a NUL (C strings end there), invisible format characters such as
    the right-to-left override, any directory part, and the trailing dots and spaces that
    Windows silently removes (`virus.exe. ` is `virus.exe`).
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.split("\x00", 1)[0]
    name = "".join(c for c in name if not _is_invisible(c))
    name = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name.strip().rstrip(". \t\r\n")


def extension(raw: str) -> str:
    """The last extension, lower case, without the dot; '' when there is none."""
    name = effective_name(raw)
    if "." not in name.lstrip("."):
        return ""
    return name.rsplit(".", 1)[1].strip().casefold()


def forbidden_extension(raw: str) -> str | None:
    """The forbidden extension of a name, matched exactly (`a.com.txt` is fine)."""
    ext = extension(raw)
    return ext if ext in FORBIDDEN_EXTENSIONS else None


def display_name(raw: str) -> str:
    """A name safe to show: invisible characters made visible as <U+hex code>, e.g. <U+202E>."""
    out = []
    for char in (raw or "")[:300]:
        if _is_invisible(char) or (unicodedata.category(char) == "Cc"):
            out.append(f"<U+{ord(char):04X}>")
        else:
            out.append(char)
    return "".join(out)
