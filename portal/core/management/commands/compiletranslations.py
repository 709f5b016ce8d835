"""Compiles every .po file of the project into .mo, without needing GNU gettext.

Django's `compilemessages` calls `msgfmt`, which a fresh machine may not have; polib writes
the same binary catalogues in pure Python, so `make run` works anywhere Python does.
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compiles the project's .po translation files to .mo (pure Python)."

    def handle(self, *args, **options):
        base = Path(settings.BASE_DIR)
        skip = {".venv", "node_modules", ".git", "var"}
        count = 0
        for po_path in sorted(base.rglob("locale/*/LC_MESSAGES/*.po")):
            if skip.intersection(po_path.relative_to(base).parts):
                continue
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        self.stdout.write(f"Compiled {count} translation catalogue(s).")
