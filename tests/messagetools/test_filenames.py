import pytest

from messagetools.engine.filenames import (
    FORBIDDEN_EXTENSIONS,
    effective_name,
    forbidden_extension,
    has_invisible_characters,
)

# docs/product.md §5, verbatim.
SPEC_LIST = (
    ".exe .com .cmd .cpl .hta .scf .sct .lnk .bat .js .jse .wsh .ws .wsf .wsc .vbe .vb .vbs "
    ".shs .pif .scr"
)


def test_forbidden_list_is_exactly_the_spec_list():
    assert {e.lstrip(".") for e in SPEC_LIST.split()} == FORBIDDEN_EXTENSIONS


@pytest.mark.parametrize("ext", sorted(FORBIDDEN_EXTENSIONS))
def test_every_forbidden_extension_is_found_in_any_case(ext):
    assert forbidden_extension(f"datei.{ext}") == ext
    assert forbidden_extension(f"DATEI.{ext.upper()}") == ext


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rechnung.pdf.exe", "exe"),  # double extension
        ("rechnung.exe.", "exe"),  # trailing dot (Windows drops it)
        ("rechnung.exe . . ", "exe"),  # trailing dots and spaces
        ("Rechnung\u202efdp.exe", "exe"),  # right-to-left override: shows as "Rechnungexe.pdf"
        ("foto\u200b.scr", "scr"),  # zero-width space
        ("ordner/unter/start.BAT", "bat"),
        ("C:\\Users\\x\\run.cmd", "cmd"),
        ("virus.exe\x00.txt", "exe"),  # C strings end at NUL
        ("example.com", "com"),
        ("example.com.txt", None),  # exact: only the last extension counts
        ("script.js.txt", None),
        ("bericht.pdf", None),
        ("archiv.tar.gz", None),
        ("vbs", None),  # no extension at all
        (".exe", None),  # a hidden file named ".exe" has no extension
        ("noext.", None),
        ("word.docx", None),
        ("app.exe1", None),
        ("x.vbscript", None),
    ],
)
def test_effective_extension(name, expected):
    assert forbidden_extension(name) == expected


def test_effective_name_removes_invisible_characters_and_directories():
    assert effective_name("a/b/Rechnung\u202efdp.exe. ") == "Rechnungfdp.exe"
    assert has_invisible_characters("Rechnung\u202efdp.exe")
    assert not has_invisible_characters("Bücher – Übersicht.pdf")
