"""Modified UTF-7 (RFC 3501 §5.1.3), the encoding of IMAP mailbox names."""

import base64


def decode(name: str) -> str:
    """`Entw&APw-rfe` -> `Entwürfe`; malformed input is returned as it came."""
    out, i = [], 0
    try:
        while i < len(name):
            if name[i] == "&":
                end = name.index("-", i)
                chunk = name[i + 1 : end]
                if chunk == "":
                    out.append("&")
                else:
                    raw = chunk.replace(",", "/")
                    raw += "=" * (-len(raw) % 4)
                    out.append(base64.b64decode(raw).decode("utf-16-be"))
                i = end + 1
            else:
                out.append(name[i])
                i += 1
    except (ValueError, UnicodeDecodeError):
        return name
    return "".join(out)


def encode(text: str) -> str:
    """`Entwürfe` -> `Entw&APw-rfe`."""
    out, pending = [], []

    def flush():
        if pending:
            raw = base64.b64encode("".join(pending).encode("utf-16-be")).decode("ascii")
            out.append("&" + raw.rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in text:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)
