"""Reading a log file that grows, is rotated (renamed, then a new file) or truncated.

`LogReader.read_batch()` returns complete lines and the position (inode, byte offset) just
after them; the caller stores that position together with what it made of the lines, so a
restart continues exactly there: no line read twice, none skipped. A line without its
newline yet is left for the next read. No database here: `maillog_follow` wires this to
the parser and the services.
"""

import glob
import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    inode: int
    offset: int


def rotated_siblings(path: str) -> list[str]:
    """Where logrotate or `postfix logrotate` puts the previous file (`mail.log.1`,
    `maillog.20261206-101500`), uncompressed ones only."""
    names = [p for p in glob.glob(glob.escape(path) + "[.-]*") if not p.endswith((".gz", ".xz"))]
    return sorted(names, key=lambda p: os.stat(p).st_mtime, reverse=True)


class LogReader:
    """Complete lines of `path` from a saved position on, across rotations and truncation.

    `grace` is how long a rotated-away file must stay quiet before the reader moves on to
    the new file (the writer may still append to the old one until it reopens its log).
    """

    def __init__(
        self,
        path: str,
        *,
        position: Position | None = None,
        from_end: bool = False,
        grace: float = 1.0,
        chunk_bytes: int = 4 * 1024 * 1024,
        clock=time.monotonic,
    ):
        self.path = path
        self.grace = grace
        self.chunk_bytes = chunk_bytes
        self.clock = clock
        self.fd: int | None = None
        self.inode = 0
        self.offset = 0
        self._quiet_since: float | None = None
        self.notes: list[str] = []  # what happened (rotation, truncation), for the log
        self._open_start(position, from_end)

    # --- opening ----------------------------------------------------------------------
    def _open(self, path: str, offset: int) -> None:
        if self.fd is not None:
            os.close(self.fd)
        self.fd = os.open(path, os.O_RDONLY)
        self.inode = os.fstat(self.fd).st_ino
        self.offset = offset
        self._quiet_since = None

    def _open_start(self, position: Position | None, from_end: bool) -> None:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            stat = None
        if position is None:
            if stat is not None:
                self._open(self.path, stat.st_size if from_end else 0)
            return
        if stat is not None and stat.st_ino == position.inode:
            self._open(self.path, position.offset)
            self._check_truncated()
            return
        # Rotated while we were away: finish the old file first, if it is still there.
        for sibling in rotated_siblings(self.path):
            if os.stat(sibling).st_ino == position.inode:
                self._open(sibling, position.offset)
                self._check_truncated()
                self.notes.append(f"continuing in rotated file {sibling}")
                return
        self.notes.append(
            f"file {position.inode} (offset {position.offset}) is gone: lines written to it "
            "after the last stop could not be read"
        )
        if stat is not None:
            self._open(self.path, 0)

    def _check_truncated(self) -> bool:
        size = os.fstat(self.fd).st_size
        if size < self.offset:
            self.notes.append(f"truncated to {size} bytes: reading from the start")
            self.offset = 0
            return True
        return False

    @property
    def position(self) -> Position:
        return Position(self.inode, self.offset)

    # --- reading ----------------------------------------------------------------------
    def _read_complete(self, max_lines: int) -> list[bytes]:
        data = os.pread(self.fd, self.chunk_bytes, self.offset)
        end = data.rfind(b"\n")
        if end < 0:
            return []
        parts = data[:end].split(b"\n")
        if len(parts) > max_lines:
            parts = parts[:max_lines]
            self.offset += sum(len(p) for p in parts) + len(parts)
        else:
            self.offset += end + 1
        return parts

    def read_batch(self, max_lines: int = 5000) -> list[str]:
        """Up to `max_lines` new complete lines (without newlines); [] when there is none
        yet. `position` afterwards is just after the last line returned."""
        if self.fd is None:
            try:
                self._open(self.path, 0)
            except FileNotFoundError:
                return []
        parts = self._read_complete(max_lines)
        if parts:
            self._quiet_since = None
            return [p.decode("utf-8", "replace") for p in parts]
        if self._check_truncated():
            return self.read_batch(max_lines)
        try:
            current = os.stat(self.path)
        except FileNotFoundError:
            return []  # renamed, the new file not there yet
        if current.st_ino == self.inode:
            return []
        # The file was rotated: move on once the old one has been quiet for a while.
        now = self.clock()
        if self._quiet_since is None:
            self._quiet_since = now
            return []
        if now - self._quiet_since < self.grace:
            return []
        tail = os.pread(self.fd, self.chunk_bytes, self.offset)
        self.notes.append(f"rotated: continuing with the new {self.path}")
        self._open(self.path, 0)
        if tail:
            # A last line the old file got without its newline: the writer is gone.
            return [tail.decode("utf-8", "replace").rstrip("\n")]
        return self.read_batch(max_lines)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
