"""Guides of the knowledge base ("Wissensdatenbank"), their categories and readers' votes.

Guides are written as Markdown files under `kb/guides/<lang>/<slug>.md` and loaded into these
tables by `manage.py load_guides`; staff may edit them in the admin afterwards.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    GERMAN = "de", _("Deutsch")
    FRENCH = "fr", _("Französisch")
    ITALIAN = "it", _("Italienisch")
    ENGLISH = "en", _("Englisch")


def kb_language(language: str | None) -> str:
    """The guide language for a portal language code ("fr-ch" -> "fr"); German otherwise."""
    code = (language or "").lower()[:2]
    return code if code in Language.values else Language.GERMAN


class Category(models.Model):
    """A shelf of the knowledge base, named in every language (German when one is missing)."""

    slug = models.SlugField(_("Kürzel"), unique=True)
    name_de = models.CharField(_("Name (Deutsch)"), max_length=120)
    name_en = models.CharField(_("Name (Englisch)"), max_length=120)
    name_fr = models.CharField(_("Name (Französisch)"), max_length=120, blank=True)
    name_it = models.CharField(_("Name (Italienisch)"), max_length=120, blank=True)
    description_de = models.CharField(_("Beschreibung (Deutsch)"), max_length=300, blank=True)
    description_en = models.CharField(_("Beschreibung (Englisch)"), max_length=300, blank=True)
    description_fr = models.CharField(_("Beschreibung (Französisch)"), max_length=300, blank=True)
    description_it = models.CharField(_("Beschreibung (Italienisch)"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("Reihenfolge"), default=100)

    class Meta:
        verbose_name = _("Kategorie")
        verbose_name_plural = _("Kategorien")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name

    def _in_language(self, field: str) -> str:
        language = kb_language(get_language())
        return getattr(self, f"{field}_{language}") or getattr(self, f"{field}_de")

    @property
    def name(self) -> str:
        return self._in_language("name")

    @property
    def description(self) -> str:
        return self._in_language("description")


class GuideQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Guide(models.Model):
    """One guide in one language; `slug` joins the language versions of the same guide."""

    slug = models.SlugField(_("Kürzel"), max_length=80)
    language = models.CharField(
        _("Sprache"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    title = models.CharField(_("Titel"), max_length=200)
    summary = models.CharField(_("Zusammenfassung"), max_length=400)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="guides", verbose_name=_("Kategorie")
    )
    tags = models.JSONField(_("Stichwörter"), default=list, blank=True)
    related = models.JSONField(
        _("Verwandte Anleitungen"),
        default=list,
        blank=True,
        help_text=_('Kürzel anderer Anleitungen, z. B. ["catchall", "dns-eintraege"].'),
    )
    body = models.TextField(
        _("Text (Markdown)"),
        help_text=_("Markdown mit Platzhaltern wie {{ mail_host }}; siehe README."),
    )
    body_html = models.TextField(_("Text (HTML, erzeugt)"), blank=True, editable=False)
    body_text = models.TextField(_("Text (für die Suche, erzeugt)"), blank=True, editable=False)
    toc = models.JSONField(_("Inhaltsverzeichnis (erzeugt)"), default=list, editable=False)
    updated = models.DateField(_("Zuletzt aktualisiert"))
    priority = models.SmallIntegerField(
        _("Gewichtung"), default=0, help_text=_("Höher = weiter oben bei gleich vielen Aufrufen.")
    )
    is_published = models.BooleanField(_("Veröffentlicht"), default=True)
    view_count = models.PositiveIntegerField(_("Aufrufe"), default=0, editable=False)

    source_path = models.CharField(_("Quelldatei"), max_length=300, blank=True, editable=False)
    source_hash = models.CharField(
        _("Prüfsumme der Quelldatei"), max_length=64, blank=True, editable=False
    )
    edited_in_admin = models.BooleanField(
        _("In der Verwaltung bearbeitet"),
        default=False,
        help_text=_(
            "Solange gesetzt, überschreibt load_guides diese Anleitung nicht mit der Datei. "
            "Entfernen, damit wieder die Datei gilt."
        ),
    )
    file_conflict = models.BooleanField(
        _("Datei seit der Bearbeitung geändert"), default=False, editable=False
    )
    search_vector = SearchVectorField(null=True, editable=False)
    # Title, summary and tags only: the cheap first filter for single words of a query.
    search_head = SearchVectorField(null=True, editable=False)
    modified_at = models.DateTimeField(_("Geändert"), auto_now=True)

    objects = GuideQuerySet.as_manager()

    class Meta:
        verbose_name = _("Anleitung")
        verbose_name_plural = _("Anleitungen")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "language"], name="kb_guide_slug_language"),
            models.CheckConstraint(
                condition=models.Q(language__in=["de", "en", "fr", "it"]),
                name="kb_guide_language",
            ),
        ]
        indexes = [models.Index(fields=["language", "is_published"], name="kb_guide_lang_pub")]

    def __str__(self):
        return f"{self.title} ({self.language})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("kb:guide", args=[self.slug])


class GuidePage(models.Model):
    """A portal page (URL name) on which a guide is offered as help."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="pages")
    view_name = models.CharField(_("URL-Name"), max_length=120, db_index=True)

    class Meta:
        verbose_name = _("Portalseite")
        verbose_name_plural = _("Portalseiten")
        constraints = [
            models.UniqueConstraint(fields=["guide", "view_name"], name="kb_guidepage_unique")
        ]

    def __str__(self):
        return self.view_name


class SearchTerm(models.Model):
    """A word that occurs in the guides: the vocabulary that typo correction matches against."""

    word = models.CharField(max_length=60, unique=True)

    class Meta:
        verbose_name = _("Suchwort")
        verbose_name_plural = _("Suchwörter")

    def __str__(self):
        return self.word


class GuideVote(models.Model):
    """A reader's answer to "War diese Anleitung hilfreich?": one per user, or per session."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="votes", verbose_name=_("Anleitung")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="guide_votes",
        verbose_name=_("Benutzer"),
    )
    session_key = models.CharField(_("Sitzung"), max_length=40, blank=True)
    helpful = models.BooleanField(_("Hilfreich"))
    comment = models.TextField(_("Kommentar"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Bewertung")
        verbose_name_plural = _("Bewertungen")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guide", "user"],
                condition=models.Q(user__isnull=False),
                name="kb_vote_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["guide", "session_key"],
                condition=models.Q(user__isnull=True),
                name="kb_vote_one_per_session",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(session_key=""),
                name="kb_vote_has_voter",
            ),
        ]

    def __str__(self):
        return f"#{self.guide_id}: {'+' if self.helpful else '-'}"
