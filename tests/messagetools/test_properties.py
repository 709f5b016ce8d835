"""Property-based: mutated messages and archives never make the engine raise, hang or bloat."""

import time
import tracemalloc

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from messagetools.engine import NotAMessage, check_message
from messagetools.engine.bounce import explain_bounce
from messagetools.engine.report import extract_report
from tests.messagetools import builders as b

MiB = 1024 * 1024
TIME_BOUND = 5.0  # seconds per run, generous for slow CI machines
MEMORY_BOUND = 100 * MiB

_NESTED = b.zip_bytes({"a/b.zip": b.zip_bytes({"c.exe": b"MZ", "d.txt": b"text " * 200})})
_TGZ = b.gzip_bytes(b.tar_bytes({"run.bat": b"echo", "doc.txt": b"x" * 3000}))
_BOMB = b.nested_zip_bomb(levels=3, width=4, inner_size=256 * MiB)

SEEDS = [
    b.message(),
    b.message(
        html='<a href="http//.domain.xyz">x</a><a href="https://evil.example">www.bank.ch</a>'
        "<p>Sie haben gewonnen! Klicken Sie hier</p>",
    ),
    b.message(attachments=[("docs.zip", _NESTED), ("backup.tar.gz", _TGZ)]),
    b.message(attachments=[("42.zip", _BOMB)]),
    b.raw_attachment_message(
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename*=utf-8''Rechnung%E2%80%AEfdp.exe",
        b"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=",
    ),
]
ARCHIVES = [_NESTED, _TGZ, _BOMB, b.encrypted_zip(), b.tar_bytes({"x.js": b"1"})]


@st.composite
def mutated(draw, seeds):
    """A seed with random byte flips, cuts, insertions and duplicated slices."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 8))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
        if kind == "flip":
            data[position] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[position : position + draw(st.integers(1, 64))]
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=32))
        elif kind == "repeat":
            piece = data[position : position + draw(st.integers(1, 256))]
            data[position:position] = piece * draw(st.integers(1, 8))
        else:
            del data[position:]
    return bytes(data)


def bounded(function, data):
    """Runs `function(data)`; returns (result, seconds, peak bytes)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        try:
            result = function(data)
        except NotAMessage:
            result = None
        return result, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


COMMON = settings(
    max_examples=40,
    deadline=None,  # the bound is checked explicitly below, with tracemalloc running
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@COMMON
@given(mutated(SEEDS))
def test_mutated_messages(data):
    report, seconds, peak = bounded(check_message, data)
    assert seconds < TIME_BOUND
    assert peak < MEMORY_BOUND
    if report is not None:
        assert report.verdict in ("pass", "warn", "reject")
        # every rule ran to its end: no stage was cut short by an exception
        assert "check_incomplete" not in {f.code for f in report.findings}, report.findings


@COMMON
@given(mutated(ARCHIVES), st.sampled_from(["a.zip", "a.tar", "a.tar.gz", "daten.bin", "a.gz"]))
def test_mutated_archives_as_attachments(archive, name):
    message = b.message(attachments=[(name, archive)])
    report, seconds, peak = bounded(check_message, message)
    assert report is not None
    assert seconds < TIME_BOUND
    assert peak < MEMORY_BOUND
    assert "check_incomplete" not in {f.code for f in report.findings}, report.findings


@COMMON
@given(mutated(SEEDS))
def test_mutated_messages_for_reports_and_bounces(data):
    _result, seconds, peak = bounded(extract_report, data)
    assert seconds < TIME_BOUND and peak < MEMORY_BOUND
    explanation, seconds, peak = bounded(explain_bounce, data)
    assert explanation is not None
    assert seconds < TIME_BOUND and peak < MEMORY_BOUND


@COMMON
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    report, seconds, _peak = bounded(check_message, data)
    assert seconds < TIME_BOUND
    if report is not None:
        assert "check_incomplete" not in {f.code for f in report.findings}
