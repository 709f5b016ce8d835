"""report_parse: DMARC aggregate (RFC 7489, DMARCbis) and TLS-RPT, plain/gz/zip/eml; hostile
files give {"error": ...}, exit 1, bounded time and memory."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailservices.reports.parser import MAX_UNPACKED, ReportError, parse_report
from tests.reports.conftest import gz, report_mail, sample, zipped

ROOT = Path(__file__).resolve().parents[2]

DMARC_EXPECTED = {
    "kind": "dmarc",
    "org": "receiver.example",
    "report_id": "17330543210987654321",
    "domain": "kunde-a.ch",
    "begin": "2024-12-01T00:00:00+00:00",
    "end": "2024-12-01T23:59:59+00:00",
    "rows": [
        {
            "source_ip": "192.0.2.10",
            "count": 42,
            "disposition": "none",
            "dkim": "pass",
            "spf": "pass",
            "header_from": "kunde-a.ch",
        },
        {
            "source_ip": "198.51.100.77",
            "count": 7,
            "disposition": "none",
            "dkim": "fail",
            "spf": "fail",
            "header_from": "kunde-a.ch",
        },
    ],
}


@pytest.mark.parametrize(
    "data",
    [
        sample("dmarc_rfc7489.xml"),
        gz(sample("dmarc_rfc7489.xml")),
        zipped(
            "receiver.example!kunde-a.ch!1733011200!1733097599.xml", sample("dmarc_rfc7489.xml")
        ),
        report_mail(gz(sample("dmarc_rfc7489.xml")), "report.xml.gz", "application/gzip"),
        report_mail(zipped("r.xml", sample("dmarc_rfc7489.xml")), "report.zip", "application/zip"),
    ],
    ids=["xml", "gz", "zip", "eml-gz", "eml-zip"],
)
def test_dmarc_aggregate_in_every_wrapping(data):
    assert parse_report(data).as_json() == DMARC_EXPECTED


def test_dmarc_keeps_auth_results_and_policy_for_the_dashboard():
    report = parse_report(sample("dmarc_rfc7489.xml"))
    assert report.policy["p"] == "none"
    assert report.rows[1]["auth"] == [
        {"method": "spf", "domain": "bounces.newsletter-tool.example", "result": "pass"}
    ]


def test_dmarcbis_namespace():
    report = parse_report(sample("dmarc_bis.xml")).as_json()
    assert (report["kind"], report["domain"], report["org"]) == (
        "dmarc",
        "kunde-b.ch",
        "Other Receiver",
    )
    assert report["rows"] == [
        {
            "source_ip": "2001:db8:25::1",
            "count": 3,
            "disposition": "quarantine",
            "dkim": "fail",
            "spf": "fail",
            "header_from": "kunde-b.ch",
        }
    ]


TLS_EXPECTED = {
    "kind": "tlsrpt",
    "org": "Receiver Example Mail",
    "report_id": "2026-12-05T00:00:00Z_kunde-a.ch",
    "domain": "kunde-a.ch",
    "begin": "2026-12-05T00:00:00+00:00",
    "end": "2026-12-05T23:59:59+00:00",
    "rows": [
        {"policy_type": "sts", "policy_domain": "kunde-a.ch", "success": 120, "failure": 4},
        {
            "policy_type": "no-policy-found",
            "policy_domain": "kunde-a.ch",
            "success": 10,
            "failure": 0,
        },
    ],
}


@pytest.mark.parametrize(
    "data",
    [
        sample("tlsrpt.json"),
        gz(sample("tlsrpt.json")),
        report_mail(gz(sample("tlsrpt.json")), "r.json.gz", "application/tlsrpt+gzip"),
        report_mail(sample("tlsrpt.json"), "r.json", "application/tlsrpt+json"),
    ],
    ids=["json", "gz", "eml-gz", "eml-json"],
)
def test_tlsrpt(data):
    report = parse_report(data)
    assert report.as_json() == TLS_EXPECTED
    assert report.rows[0]["failure_details"][0]["result_type"] == "certificate-expired"


def _bomb_gz() -> bytes:
    return gz(b"<feedback>" + b" " * (200 * 1024 * 1024))


def _bomb_zip() -> bytes:
    return zipped("r.xml", b"<feedback>" + b" " * (200 * 1024 * 1024))


HOSTILE = {
    "xxe": lambda: sample("xxe.xml"),
    "entity-expansion": lambda: sample("laughs.xml"),
    "gzip-bomb": _bomb_gz,
    "zip-bomb": _bomb_zip,
    "truncated-gz": lambda: gz(sample("dmarc_rfc7489.xml"))[:200],
    "truncated-zip": lambda: zipped("r.xml", sample("dmarc_rfc7489.xml") * 20)[:300],
    "not-a-report-text": lambda: b"Hello, this is just a letter.\n",
    "not-a-report-xml": lambda: b"<html><body>hi</body></html>",
    "not-a-report-json": lambda: b'{"hello": "world"}',
    "broken-xml": lambda: sample("dmarc_rfc7489.xml")[:500],
    "eml-without-report": lambda: report_mail(b"just text", "note.txt", "text/plain"),
    "empty": lambda: b"",
    "deep-json": lambda: b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_raise_report_error(name):
    with pytest.raises(ReportError):
        parse_report(HOSTILE[name]())


def test_the_ceiling_is_the_unpacked_size():
    assert MAX_UNPACKED <= 32 * 1024 * 1024


# The child's own high-water mark (ru_maxrss would include the forked pytest's memory).
_CHILD = (
    "import atexit, sys, os;"
    "atexit.register(lambda: sys.stderr.write(next(line for line in "
    "open('/proc/self/status') if line.startswith('VmHWM')).replace(' ', '')));"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings.test');"
    "from django.core.management import execute_from_command_line;"
    "execute_from_command_line(['manage.py', 'report_parse', sys.argv[1], '--json'])"
)


def _command(path: Path):
    """report_parse in a child process: its output, seconds and peak memory (KB)."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    seconds = time.monotonic() - started
    peak = [
        int(line[6:].rstrip("kB"))
        for line in result.stderr.splitlines()
        if line.startswith("VmHWM:")
    ]
    return result, seconds, peak[0] if peak else 0


def test_command_prints_the_report(tmp_path):
    path = tmp_path / "report.xml.gz"
    path.write_bytes(gz(sample("dmarc_rfc7489.xml")))
    result, _seconds, _peak = _command(path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == DMARC_EXPECTED


@pytest.mark.parametrize(
    "name",
    ["xxe", "entity-expansion", "gzip-bomb", "zip-bomb", "truncated-zip", "not-a-report-text"],
)
def test_command_on_hostile_files(tmp_path, name):
    path = tmp_path / f"{name}.bin"
    path.write_bytes(HOSTILE[name]())
    result, seconds, peak_kb = _command(path)
    assert result.returncode == 1
    assert set(json.loads(result.stdout)) == {"error"}
    assert "Traceback" not in result.stderr
    # The whole child: Python and the portal's Django start-up (~100 MB, a few seconds on
    # a loaded machine) plus the parse; the parse alone is held to < 2 s, < 100 MB below.
    assert seconds < 20
    assert 0 < peak_kb < 200 * 1024


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_parse_is_fast_and_small(name):
    import tracemalloc

    data = HOSTILE[name]()
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ReportError):
        parse_report(data)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 2
    assert peak < 100 * 1024 * 1024
