"""`manage.py load_guides`: loads kb/guides/<lang>/<slug>.md into the database (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.rendering import PLACEHOLDERS
from kb.services import guides_load
from kb.sources import GUIDES_DIR, GuideSourceError


class Command(BaseCommand):
    help = (
        "Loads the guide files into the database. A guide edited in the admin is kept "
        "(and reported as a conflict if its file changed too) unless --prefer-files is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", type=Path, default=GUIDES_DIR, help="Folder with categories.toml, de/, en/."
        )
        parser.add_argument(
            "--prefer-files",
            action="store_true",
            help="Overwrite guides edited in the admin with their files.",
        )
        parser.add_argument(
            "--list-placeholders", action="store_true", help="Print the placeholders and exit."
        )

    def handle(self, *args, **options):
        if options["list_placeholders"]:
            for name, (doc, _compute) in PLACEHOLDERS.items():
                self.stdout.write(f"{{{{ {name} }}}}  ->  {doc}")
            return
        try:
            report = guides_load(base=options["path"], prefer_files=options["prefer_files"])
        except GuideSourceError as exc:
            raise CommandError(f"No guide was loaded:\n{exc}") from exc
        self.stdout.write(
            f"Guides: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.rerendered)} re-rendered, "
            f"{len(report.kept_admin_edits)} admin edits kept, "
            f"{len(report.unpublished)} unpublished (file removed)."
        )
        for label in report.conflicts:
            self.stdout.write(
                self.style.WARNING(
                    f"Conflict: {label} was edited in the admin and its file changed too; "
                    "the admin copy stays (use --prefer-files to take the file)."
                )
            )
