"""Every translation catalogue of the repository is complete, reviewed and consistent.

German is the reference text (the msgids); every app with a `locale/` folder carries English,
French and Italian, 100 % translated, nothing fuzzy, plural forms right for the language and
the same placeholders as the German text.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", ".git", "var"}
CATALOGUES = sorted(
    p
    for p in BASE.rglob("locale/*/LC_MESSAGES/django.po")
    if not SKIP.intersection(p.relative_to(BASE).parts)
)
PLURAL_FORMS = {
    "de": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "it": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _name(path: Path) -> str:
    return str(path.relative_to(BASE))


def test_every_app_catalogue_has_english_french_and_italian():
    # allauth_overrides holds only the Italian wording that replaces allauth's informal one
    folders = {p.parents[2] for p in CATALOGUES if "allauth_overrides" not in p.parts}
    assert len(folders) >= 7
    for folder in folders:
        languages = {p.parents[1].name for p in CATALOGUES if p.parents[2] == folder}
        assert {"en", "fr", "it"} <= languages, f"{_name(folder)} has only {sorted(languages)}"


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_catalogue_is_complete_and_reviewed(path):
    po = polib.pofile(str(path))
    language = path.parents[1].name
    untranslated = [e.msgid[:60] for e in po.untranslated_entries()]
    fuzzy = [e.msgid[:60] for e in po.fuzzy_entries()]
    assert not untranslated, f"{_name(path)}: untranslated {untranslated[:5]}"
    assert not fuzzy, f"{_name(path)}: fuzzy {fuzzy[:5]}"
    if language in PLURAL_FORMS:
        forms = po.metadata.get("Plural-Forms", "").replace(" ", "")
        assert forms == PLURAL_FORMS[language].replace(" ", ""), f"{_name(path)}: {forms}"


@pytest.mark.parametrize("path", CATALOGUES, ids=_name)
def test_translations_keep_the_placeholders_and_every_plural_form(path):
    po = polib.pofile(str(path))
    problems = []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            wanted = set(PLACEHOLDER.findall(entry.msgid_plural))
            forms = [entry.msgstr_plural.get(i, "") for i in range(2)]
            if not all(f.strip() for f in forms):
                problems.append(f"missing plural form: {entry.msgid[:50]}")
            if set(PLACEHOLDER.findall(forms[1])) != wanted:
                problems.append(f"plural placeholders: {entry.msgid[:50]}")
        elif set(PLACEHOLDER.findall(entry.msgstr)) != set(PLACEHOLDER.findall(entry.msgid)):
            problems.append(f"placeholders: {entry.msgid[:50]} -> {entry.msgstr[:50]}")
    assert not problems, f"{_name(path)}: {problems[:5]}"


@pytest.mark.parametrize("language", ["fr", "it", "en"])
def test_the_register_is_formal(language):
    """Sie in German, vous in French, Lei in Italian: no informal address slips in."""
    informal = {
        "fr": re.compile(r"\b(tu|ton|ta|tes|toi)\b", re.IGNORECASE),
        "it": re.compile(r"\b(tuo|tua|tuoi|tue|ti)\b"),
        "en": re.compile(r"\bthou\b"),
    }[language]
    hits = []
    for path in CATALOGUES:
        if path.parents[1].name != language:
            continue
        for entry in polib.pofile(str(path)).translated_entries():
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                if informal.search(text):
                    hits.append(f"{_name(path)}: {text[:70]}")
    assert not hits, hits[:5]
