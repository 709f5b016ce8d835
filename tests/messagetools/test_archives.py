"""Archives at any depth: zip (nested), tar, gzip, tar.gz; encrypted; bombs bounded."""

import time
import tracemalloc

import pytest

from messagetools.engine import Limits, check_message
from messagetools.engine.archives import ArchiveInspector
from tests.messagetools import builders as b

MiB = 1024 * 1024


def codes(report):
    return [f.code for f in report.findings]


def with_attachment(name, data):
    return check_message(b.message(attachments=[(name, data)]))


def test_forbidden_file_in_zip():
    report = with_attachment("unterlagen.zip", b.zip_bytes({"setup.exe": b"MZ", "a.txt": b"x"}))
    assert report.verdict == "reject"
    [finding] = [f for f in report.findings if f.code == "forbidden_extension"]
    assert finding.location.endswith("setup.exe")
    assert "unterlagen.zip" in finding.location


def test_forbidden_file_three_zips_deep():
    inner = b.zip_bytes({"tief/drin/start.vbs": b"x"})
    middle = b.zip_bytes({"b.zip": inner, "readme.txt": b"hi"})
    outer = b.zip_bytes({"a.zip": middle})
    report = with_attachment("paket.zip", outer)
    assert report.verdict == "reject"
    [finding] = [f for f in report.findings if f.code == "forbidden_extension"]
    assert finding.location.count("›") == 3


def test_nested_zip_is_found_by_content_even_without_zip_name():
    inner = b.zip_bytes({"x.pif": b"x"})
    report = with_attachment("daten.bin", b.zip_bytes({"daten.dat": inner}))
    assert "forbidden_extension" in codes(report)


def test_forbidden_file_in_tar_and_tar_gz_and_gzip():
    tar = b.tar_bytes({"bin/run.bat": b"@echo off"})
    assert "forbidden_extension" in codes(with_attachment("a.tar", tar))
    assert "forbidden_extension" in codes(with_attachment("a.tar.gz", b.gzip_bytes(tar)))
    assert "forbidden_extension" in codes(with_attachment("a.tgz", b.gzip_bytes(tar)))
    # gzip of a single file: the name comes from the gzip header or the outer name
    assert "forbidden_extension" in codes(
        with_attachment("daten.gz", b.gzip_bytes(b"x", name="tool.exe"))
    )
    assert "forbidden_extension" in codes(with_attachment("tool.exe.gz", b.gzip_bytes(b"x")))


def test_zip_inside_tar_gz_inside_zip():
    innermost = b.zip_bytes({"Rechnung.PDF.JS": b"x"})
    tgz = b.gzip_bytes(b.tar_bytes({"docs/inner.zip": innermost}))
    report = with_attachment("alles.zip", b.zip_bytes({"backup.tar.gz": tgz}))
    assert "forbidden_extension" in codes(report)


def test_clean_archives_pass():
    data = b.zip_bytes(
        {"bericht.pdf": b"%PDF", "example.com.txt": b"x", "b.zip": b.zip_bytes({"c.txt": b"y"})}
    )
    report = with_attachment("ok.zip", data)
    assert report.verdict == "pass", report.findings


def test_encrypted_zip_is_flagged_as_not_inspectable_and_names_still_checked():
    report = with_attachment("geheim.zip", b.encrypted_zip("vertrag.pdf"))
    assert codes(report) == ["archive_encrypted"]
    assert report.verdict == "warn"
    report = with_attachment("geheim.zip", b.encrypted_zip("vertrag.pdf.exe"))
    assert set(codes(report)) == {"archive_encrypted", "forbidden_extension"}


def test_corrupt_archive_is_reported_not_raised():
    data = b.zip_bytes({"a.txt": b"x" * 1000})
    report = with_attachment("kaputt.zip", data[: len(data) // 2])
    assert "archive_corrupt" in codes(report)


def test_unsupported_formats_are_named():
    report = with_attachment("daten.rar", b"Rar!\x1a\x07\x00" + b"\x00" * 100)
    assert "archive_not_inspectable" in codes(report)


def test_42_zip_style_bomb_is_stopped_fast_with_little_memory():
    bomb = b.nested_zip_bomb(levels=5, width=16, inner_size=64 * MiB)
    message = b.message(attachments=[("42.zip", bomb)])
    tracemalloc.start()
    started = time.perf_counter()
    try:
        report = check_message(message)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [f.code for f in report.findings] == ["archive_bomb"]
    assert report.verdict == "reject"
    assert elapsed < 5
    assert peak < 100 * MiB


@pytest.mark.parametrize(
    ("limits", "data", "reason"),
    [
        # total size: a zip holding a lot of zeros (ratio kept low by padding)
        (Limits(max_total_bytes=8 * MiB, max_ratio=10_000), None, "MB"),
        # ratio: a small zip of zeros
        (Limits(max_ratio=50, ratio_floor=MiB), None, "-Fache"),
    ],
)
def test_size_and_ratio_limits(limits, data, reason):
    bomb = b.nested_zip_bomb(levels=0, inner_size=512 * MiB)
    report = check_message(b.message(attachments=[("gross.zip", bomb)]), limits=limits)
    [finding] = [f for f in report.findings if f.code == "archive_bomb"]
    assert reason in finding.detail


def test_depth_limit():
    data = b.zip_bytes({"x.txt": b"x"})
    for level in range(8):
        data = b.zip_bytes({f"ebene{level}.zip": data})
    report = with_attachment("tief.zip", data)
    [finding] = [f for f in report.findings if f.code == "archive_bomb"]
    assert "verschachtelt" in finding.detail


def test_file_count_limit():
    data = b.zip_bytes({f"f{i}.txt": b"" for i in range(300)})
    report = check_message(
        b.message(attachments=[("viele.zip", data)]), limits=Limits(max_members=100)
    )
    [finding] = [f for f in report.findings if f.code == "archive_bomb"]
    assert "100" in finding.detail


def test_output_is_counted_while_streaming_not_taken_from_headers():
    """The inspector stops one chunk after the limit, whatever the archive declares."""
    bomb = b.nested_zip_bomb(levels=0, inner_size=1024 * MiB)  # declares 1 GiB
    limits = Limits(max_total_bytes=16 * MiB, max_ratio=10**9)
    inspector = ArchiveInspector(limits)
    inspector.inspect(bomb, name="gross.zip", location="Anhang")
    assert [f.code for f in inspector.finish()] == ["archive_bomb"]
    assert 16 * MiB < inspector.total_bytes <= 16 * MiB + limits.chunk


def test_many_forbidden_files_are_summarised():
    data = b.zip_bytes({f"f{i}.exe": b"" for i in range(60)})
    report = with_attachment("viele.zip", data)
    forbidden = [f for f in report.findings if f.code == "forbidden_extension"]
    assert len(forbidden) == 26  # 25 listed, one summary line
    assert "35" in forbidden[-1].detail
