"""Looks inside archives (zip, tar, gzip, bzip2, xz; nested) for forbidden files.

Every byte is decompressed through one budget: total output, output/input ratio per archive,
nesting depth and number of entries are bounded, so a bomb ends the inspection with a clear
finding instead of exhausting memory or time. Declared sizes are never trusted: data is read
in small chunks and counted as it comes out.
"""

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from messagetools.engine.filenames import (
    ARCHIVE_EXTENSIONS,
    UNSUPPORTED_ARCHIVE_EXTENSIONS,
    display_name,
    effective_name,
    extension,
    forbidden_extension,
    has_invisible_characters,
)
from messagetools.engine.findings import Finding, Severity

MiB = 1024 * 1024
SEP = " › "


@dataclass(frozen=True)
class Limits:
    """Bounds for one message's archives (all archives of a message share them)."""

    max_depth: int = 5  # archives inside archives
    max_members: int = 5000  # entries over all archives
    max_total_bytes: int = 64 * MiB  # decompressed bytes over all archives
    max_ratio: int = 200  # decompressed / compressed of one archive ...
    ratio_floor: int = 4 * MiB  # ... judged once this much came out of it
    max_nested_bytes: int = 32 * MiB  # an inner archive held in memory to be opened
    max_zip_directory: int = 2 * MiB  # central directory of a zip
    max_findings: int = 25  # forbidden-file findings reported one by one
    chunk: int = 64 * 1024


class _LimitHit(Exception):
    def __init__(self, kind: str, path: str, value: int = 0):
        super().__init__(kind)
        self.kind = kind
        self.path = path
        self.value = value


ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def sniff(head: bytes, name: str = "") -> str | None:
    """The archive kind of some data, from its first bytes (and its name for old tar files)."""
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(head) > 3 and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if head.startswith((b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07")):
        return "unsupported"
    ext = extension(name)
    if ext == "tar" and len(head) >= 512:
        return "tar"
    if ext in UNSUPPORTED_ARCHIVE_EXTENSIONS:
        return "unsupported"
    return None


def _gzip_original_name(data: bytes) -> str:
    """The file name stored in a gzip header (FNAME), if any."""
    if len(data) < 10 or not data[3] & 0x08:
        return ""
    pos = 10
    if data[3] & 0x04:  # FEXTRA
        if len(data) < 12:
            return ""
        pos += 2 + struct.unpack("<H", data[10:12])[0]
    end = data.find(b"\x00", pos, pos + 1024)
    return data[pos:end].decode("latin-1") if end > pos else ""


def _stripped_name(name: str) -> str:
    """`a.tar.gz` → `a.tar`, `a.tgz` → `a.tar`: the name of what a compressed file holds."""
    base = effective_name(name)
    lower = base.casefold()
    for suffix, replacement in ((".tgz", ".tar"), (".tbz2", ".tar"), (".txz", ".tar")):
        if lower.endswith(suffix):
            return base[: -len(suffix)] + replacement
    for suffix in (".gz", ".gzip", ".bz2", ".xz"):
        if lower.endswith(suffix):
            return base[: -len(suffix)]
    return ""


def _zip_directory_size(data: bytes) -> tuple[int, int] | None:
    """(entries, bytes) of a zip's central directory read from its end record, or None."""
    tail_start = max(0, len(data) - 22 - 65535)
    pos = data.rfind(b"PK\x05\x06", tail_start)
    if pos < 0 or pos + 22 > len(data):
        return None
    entries, size = struct.unpack("<HI", data[pos + 10 : pos + 16])
    locator = pos - 20
    if locator >= 0 and data[locator : locator + 4] == b"PK\x06\x07":
        (z64_pos,) = struct.unpack("<Q", data[locator + 8 : locator + 16])
        record = data[z64_pos : z64_pos + 56] if z64_pos < len(data) else b""
        if record[:4] == b"PK\x06\x06" and len(record) >= 56:
            entries, size = struct.unpack("<QQ", record[32:48])
    return entries, size


class ArchiveInspector:
    """Walks the archives of one message under one shared budget."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self.findings: list[Finding] = []
        self.total_bytes = 0
        self.members = 0
        self.suppressed: dict[str, int] = {}
        self.stopped = False
        self._names_seen: set[tuple[str, str]] = set()

    # -- public -------------------------------------------------------------------------
    def inspect(self, data: bytes, *, name: str, location: str) -> None:
        """Inspects one attachment (already known or suspected to be an archive)."""
        if self.stopped:
            return
        try:
            self._container(data, name=name, path=location, depth=1)
        except _LimitHit as hit:
            self.stopped = True
            self.findings.append(self._limit_finding(hit))
        except RecursionError:  # defensive: depth is bounded, this should not happen
            self.stopped = True
            self.findings.append(self._limit_finding(_LimitHit("depth", location)))

    def finish(self) -> list[Finding]:
        """The findings, with a summary line for each kind reported too often to list."""
        for code, count in self.suppressed.items():
            severity = next(f.severity for f in self.findings if f.code == code)
            self.findings.append(
                Finding(
                    code,
                    severity,
                    _("… und %(count)s weitere gleichartige Befunde.") % {"count": count},
                )
            )
        self.suppressed = {}
        return self.findings

    def _add(self, finding: Finding) -> None:
        if sum(1 for f in self.findings if f.code == finding.code) >= self.limits.max_findings:
            self.suppressed[finding.code] = self.suppressed.get(finding.code, 0) + 1
        else:
            self.findings.append(finding)

    # -- names ---------------------------------------------------------------------------
    def check_name(self, raw_name: str, path: str) -> None:
        """Reports a forbidden extension (and names built to deceive the reader)."""
        key = (path, effective_name(raw_name))
        if key in self._names_seen:  # the same name read two ways (e.g. RFC 2231 and raw)
            return
        self._names_seen.add(key)
        ext = forbidden_extension(raw_name)
        if ext:
            self._add(
                Finding(
                    "forbidden_extension",
                    Severity.REJECT,
                    _("Die Datei „%(name)s“ hat die gesperrte Endung .%(ext)s.")
                    % {"name": display_name(raw_name), "ext": ext},
                    path,
                )
            )
        if has_invisible_characters(raw_name):
            self._add(
                Finding(
                    "deceptive_filename",
                    Severity.WARN,
                    _(
                        "Der Dateiname „%(name)s“ enthält unsichtbare Steuerzeichen (z. B. "
                        "Rechts-nach-links-Umkehr), die die wahre Endung verbergen; "
                        "tatsächlich heisst die Datei „%(real)s“."
                    )
                    % {"name": display_name(raw_name), "real": effective_name(raw_name)},
                    path,
                )
            )

    # -- budget --------------------------------------------------------------------------
    def _count(self, produced: int, container: dict, path: str) -> None:
        limits = self.limits
        self.total_bytes += produced
        container["out"] += produced
        if self.total_bytes > limits.max_total_bytes:
            raise _LimitHit("size", path, limits.max_total_bytes)
        out = container["out"]
        if out > limits.ratio_floor and out > limits.max_ratio * max(container["in"], 1):
            raise _LimitHit("ratio", path, out // max(container["in"], 1))

    def _count_member(self, path: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise _LimitHit("count", path, self.limits.max_members)

    def _limit_finding(self, hit: _LimitHit) -> Finding:
        limits = self.limits
        if hit.kind == "ratio":
            detail = _(
                "Ein Archiv entpackt sich auf mehr als das %(ratio)s-Fache seiner Grösse "
                "(Archivbombe). Die Prüfung wurde abgebrochen; Filter weisen solche "
                "Anhänge ab."
            ) % {"ratio": limits.max_ratio}
        elif hit.kind == "depth":
            detail = _(
                "Archive sind tiefer als %(depth)s Ebenen ineinander verschachtelt "
                "(Archivbombe?). Die Prüfung wurde abgebrochen; Filter weisen solche "
                "Anhänge ab."
            ) % {"depth": limits.max_depth}
        elif hit.kind == "count":
            detail = _(
                "Die Archive enthalten mehr als %(count)s Dateien. Die Prüfung wurde "
                "abgebrochen; Filter weisen solche Anhänge ab."
            ) % {"count": limits.max_members}
        else:
            detail = _(
                "Die Archive enthalten entpackt mehr als %(mb)s MB (Archivbombe oder zu gross "
                "zum Prüfen). Die Prüfung wurde abgebrochen; Filter weisen solche Anhänge ab."
            ) % {"mb": limits.max_total_bytes // MiB}
        return Finding("archive_bomb", Severity.REJECT, detail, hit.path)

    # -- containers ----------------------------------------------------------------------
    def _container(self, data: bytes, *, name: str, path: str, depth: int) -> None:
        if depth > self.limits.max_depth:
            raise _LimitHit("depth", path, self.limits.max_depth)
        kind = sniff(data[:512], name)
        try:
            if kind == "zip":
                self._zip(data, path, depth)
            elif kind == "tar":
                self._tar(data, path, depth)
            elif kind in ("gzip", "bzip2", "xz"):
                self._compressed(kind, data, name, path, depth)
            elif kind == "unsupported":
                self._add(
                    Finding(
                        "archive_not_inspectable",
                        Severity.WARN,
                        _(
                            "Das Archiv „%(name)s“ hat ein Format, das nicht geprüft werden "
                            "kann (z. B. 7z oder RAR); Filter können es abweisen."
                        )
                        % {"name": display_name(name)},
                        path,
                    )
                )
        except _LimitHit:
            raise
        except Exception:  # any parser error means "corrupt"
            self._corrupt(name, path)

    def _corrupt(self, name: str, path: str) -> None:
        self._add(
            Finding(
                "archive_corrupt",
                Severity.WARN,
                _(
                    "„%(name)s“ ist beschädigt oder unvollständig und lässt sich nicht "
                    "vollständig prüfen."
                )
                % {"name": display_name(name)},
                path,
            )
        )

    def _member(self, stream, *, name: str, path: str, container: dict, depth: int) -> None:
        """Reads one member in chunks; opens it as an archive if it is one."""
        chunk = self.limits.chunk
        first = stream.read(chunk)
        if not first:
            return
        self._count(len(first), container, path)
        keep = extension(name) in ARCHIVE_EXTENSIONS or sniff(first[:512], name) is not None
        buffer = bytearray(first) if keep else None
        while True:
            block = stream.read(chunk)
            if not block:
                break
            self._count(len(block), container, path)
            if buffer is not None:
                if len(buffer) + len(block) > self.limits.max_nested_bytes:
                    raise _LimitHit("size", path, self.limits.max_nested_bytes)
                buffer += block
        if buffer is not None:
            self._container(bytes(buffer), name=name, path=path, depth=depth + 1)

    def _zip(self, data: bytes, path: str, depth: int) -> None:
        directory = _zip_directory_size(data)
        if directory is not None:
            entries, size = directory
            if self.members + entries > self.limits.max_members:
                raise _LimitHit("count", path, self.limits.max_members)
            if size > self.limits.max_zip_directory:
                raise _LimitHit("count", path, self.limits.max_members)
        container = {"in": len(data), "out": 0}
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            encrypted = [i for i in infos if i.flag_bits & 0x1]
            if encrypted:
                self._add(
                    Finding(
                        "archive_encrypted",
                        Severity.WARN,
                        _(
                            "Das Archiv ist verschlüsselt (%(count)s Dateien): sein Inhalt kann "
                            "nicht geprüft werden. Viele Filter weisen verschlüsselte Archive "
                            "ab; die Dateinamen wurden trotzdem geprüft."
                        )
                        % {"count": len(encrypted)},
                        path,
                    )
                )
            for info in infos:
                member_path = f"{path}{SEP}{display_name(info.filename)}"
                self._count_member(member_path)
                self.check_name(info.filename, member_path)
                if info.is_dir() or info.flag_bits & 0x1:
                    continue
                try:
                    with archive.open(info) as stream:
                        self._member(
                            stream,
                            name=info.filename,
                            path=member_path,
                            container=container,
                            depth=depth,
                        )
                except _LimitHit:
                    raise
                except NotImplementedError:
                    self._add(
                        Finding(
                            "archive_not_inspectable",
                            Severity.WARN,
                            _("Die Datei ist mit einem unbekannten Verfahren komprimiert."),
                            member_path,
                        )
                    )
                except Exception:  # CRC errors, truncated data
                    self._corrupt(info.filename, member_path)

    def _tar(self, data: bytes, path: str, depth: int) -> None:
        container = {"in": len(data), "out": 0}
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            while True:
                member = archive.next()
                if member is None:
                    break
                member_path = f"{path}{SEP}{display_name(member.name)}"
                self._count_member(member_path)
                self.check_name(member.name, member_path)
                if not member.isfile():
                    continue
                stream = archive.extractfile(member)
                if stream is not None:
                    self._member(
                        stream, name=member.name, path=member_path, container=container, depth=depth
                    )
                # Keep memory flat for tar files with many entries.
                archive.members = []

    def _compressed(self, kind: str, data: bytes, name: str, path: str, depth: int) -> None:
        opener = {"gzip": gzip.GzipFile, "bzip2": bz2.BZ2File, "xz": lzma.LZMAFile}[kind]
        inner_names = {n for n in (_stripped_name(name),) if n}
        if kind == "gzip":
            stored = _gzip_original_name(data)
            if stored:
                inner_names.add(stored)
        inner_name = next(iter(sorted(inner_names)), "")
        for candidate in sorted(inner_names):
            self.check_name(candidate, f"{path}{SEP}{display_name(candidate)}")
        self._count_member(path)
        container = {"in": len(data), "out": 0}
        inner_path = f"{path}{SEP}{display_name(inner_name)}" if inner_name else path
        with opener(fileobj=io.BytesIO(data)) as stream:
            self._member(stream, name=inner_name, path=inner_path, container=container, depth=depth)
