"""Builders for test messages and archives (zip, nested zip, tar, gzip, bombs)."""

import gzip
import io
import struct
import tarfile
import zipfile
import zlib
from email.message import EmailMessage

MiB = 1024 * 1024


def message(
    *,
    subject="Unterlagen für Freitag",
    sender="Anna Muster <anna@example.org>",
    to="bruno@example.net",
    text="Hallo Bruno\n\nim Anhang die Unterlagen.\n\nGruss Anna\n",
    html=None,
    attachments=(),
    headers=None,
) -> bytes:
    """A message as bytes. `attachments` are (filename, bytes[, maintype/subtype]) tuples."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = "Fri, 27 Nov 2026 10:00:00 +0100"
    msg["Message-ID"] = "<test-1@example.org>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for attachment in attachments:
        name, data = attachment[0], attachment[1]
        maintype, subtype = (
            attachment[2] if len(attachment) > 2 else "application/octet-stream"
        ).split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


def raw_attachment_message(part_headers: str, body: bytes = b"AAAA") -> bytes:
    """A multipart message whose attachment headers are written by hand (encoding tricks)."""
    return (
        b"From: anna@example.org\r\nTo: bruno@example.net\r\nSubject: Test\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BOUND\r\n\r\n"
        b"--BOUND\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n"
        b"--BOUND\r\n" + part_headers.encode("utf-8") + b"\r\n\r\n" + body + b"\r\n--BOUND--\r\n"
    )


def zip_bytes(files: dict, *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_bytes(files: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def gzip_bytes(data: bytes, *, name: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename=name or "", fileobj=buffer, mode="wb", mtime=0) as stream:
        stream.write(data)
    return buffer.getvalue()


def encrypted_zip(name: str = "geheim.pdf") -> bytes:
    """A zip whose entry carries the 'encrypted' flag (traditional PKWARE encryption)."""
    data = bytearray(zip_bytes({name: b"%PDF-1.4 secret"}, compression=zipfile.ZIP_STORED))
    # Set bit 0 of the general purpose flags in the local and the central header.
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 6] |= 0x01
    data[central + 8] |= 0x01
    return bytes(data)


# -- bombs -----------------------------------------------------------------------------------
def _deflated_zeros(size: int, block: int = MiB) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes, built from one repeated full-flush block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    full = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(size, block)
    tail = compressor.compress(bytes(rest)) + compressor.flush(zlib.Z_FINISH)
    crc = 0
    zeros = bytes(block)
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    crc = zlib.crc32(bytes(rest), crc)
    return full * count + tail, crc


def _raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip (zip64 where needed) from already deflated entries: (name, data, size, crc)."""
    out = io.BytesIO()
    central = []
    for name, data, size, crc in entries:
        offset = out.tell()
        encoded = name.encode()
        extra = struct.pack("<HHQQ", 1, 16, size, len(data))
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, 8, 0, 0, crc,
                0xFFFFFFFF, 0xFFFFFFFF, len(encoded), len(extra),
            )
        )  # fmt: skip
        out.write(encoded + extra + data)
        central.append((encoded, crc, size, len(data), offset))
    start = out.tell()
    for encoded, crc, size, compressed, offset in central:
        extra = struct.pack("<HHQQQ", 1, 24, size, compressed, offset)
        out.write(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 45, 45, 0, 8, 0, 0, crc,
                0xFFFFFFFF, 0xFFFFFFFF, len(encoded), len(extra), 0, 0, 0, 0, 0xFFFFFFFF,
            )
        )  # fmt: skip
        out.write(encoded + extra)
    end = out.tell()
    out.write(
        struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central),
                    end - start, start, 0)
    )  # fmt: skip
    return out.getvalue()


def nested_zip_bomb(*, levels: int = 5, width: int = 16, inner_size: int = 4 * 1024 * MiB):
    """A 42.zip-style bomb: `levels` of zips each holding `width` copies of the zip below,
    above bottom zips that hold one file of `inner_size` zero bytes (42.zip: 5 levels of 16,
    4.3 GB at the bottom, 4.5 PB in all). Returns the bytes."""
    data, crc = _deflated_zeros(inner_size)
    layer = _raw_zip([("0.dat", data, inner_size, crc)])
    for level in range(1, levels + 1):
        compressed = zlib.compressobj(9, zlib.DEFLATED, -15)
        deflated = compressed.compress(layer) + compressed.flush()
        crc = zlib.crc32(layer)
        layer = _raw_zip([(f"lib{level}_{i}.zip", deflated, len(layer), crc) for i in range(width)])
    return layer
