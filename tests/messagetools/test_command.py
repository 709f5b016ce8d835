"""`manage.py check_message FILE --json`."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.messagetools import builders as b

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out = StringIO()
    call_command("check_message", *args, stdout=out)
    return out.getvalue()


def test_json_output_for_a_rejected_message(tmp_path, spf):
    path = tmp_path / "nachricht.eml"
    inner = b.zip_bytes({"x/setup.exe": b"MZ"})
    path.write_bytes(b.message(attachments=[("paket.zip", b.zip_bytes({"inner.zip": inner}))]))
    data = json.loads(run(str(path), "--json"))
    assert data["verdict"] == "reject"
    codes = [f["code"] for f in data["findings"]]
    assert codes[0] == "forbidden_extension"
    assert "spf_pass" in codes and spf.domains == ["example.org"]
    for finding in data["findings"]:
        assert set(finding) == {"code", "severity", "detail", "location"}


def test_pass_and_no_spf(tmp_path, spf):
    path = tmp_path / "ok.eml"
    path.write_bytes(b.message())
    assert json.loads(run(str(path), "--json", "--no-spf")) == {"verdict": "pass", "findings": []}
    assert spf.domains == []


def test_english_details(tmp_path):
    path = tmp_path / "x.eml"
    path.write_bytes(b.message(attachments=[("a.bat", b"x")]))
    data = json.loads(run(str(path), "--json", "--no-spf", "--language", "en"))
    assert data["findings"][0]["detail"] == "The file “a.bat” has the blocked extension .bat."


def test_human_output(tmp_path):
    path = tmp_path / "x.eml"
    path.write_bytes(b.message(attachments=[("a.bat", b"x")]))
    out = run(str(path), "--no-spf")
    assert out.startswith("verdict: reject")
    assert "forbidden_extension" in out


@pytest.mark.parametrize("content", [bytes(range(256)) * 8, b"", b"nur Text\n"])
def test_not_a_message_is_an_error(tmp_path, content):
    path = tmp_path / "bild.png"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="bild.png"):
        run(str(path), "--json")


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "fehlt.eml"))


def test_exit_codes_of_the_real_command(tmp_path):
    """Exit 0 for any verdict (here: reject), non-zero with a message for a non-message."""
    good = tmp_path / "a.eml"
    good.write_bytes(b.message(attachments=[("a.exe", b"MZ")]))
    bad = tmp_path / "b.bin"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    command = [sys.executable, "manage.py", "check_message"]
    env = {"DJANGO_SETTINGS_MODULE": "portal.settings.test", "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([*command, str(good), "--json", "--no-spf"], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=60)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["verdict"] == "reject"
    failed = subprocess.run([*command, str(bad), "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert failed.returncode != 0
    assert "E-Mail" in failed.stderr and failed.stdout == ""
