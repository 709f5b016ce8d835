"""Portal users and the customer accounts that own products."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in to the portal with their personal email address."""

    username = None
    email = models.EmailField(_("E-Mail-Adresse"), unique=True)
    # The language of the portal and of every mail and invoice sent to this person: detected
    # from the browser on the first visit, then what they choose in the header.
    language = models.CharField(
        _("Sprache"),
        max_length=8,
        blank=True,
        help_text=_("Sprache des Portals, der E-Mails und der Rechnungen (de, fr, it, en)."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("Benutzer")
        verbose_name_plural = _("Benutzer")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.email


class Customer(models.Model):
    """The customer account: it owns domains, mail services and orders.

    People reach it through memberships, so team members can be added later without moving
    any product; the user who signed up is its owner.
    """

    name = models.CharField(_("Name"), max_length=200)
    number = models.CharField(_("Kundennummer"), max_length=20, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Inhaber"),
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Kunde")
        verbose_name_plural = _("Kunden")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.name}"


class Membership(models.Model):
    """A user's access to a customer account."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Inhaber")
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Mitglied")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Kunde")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("Benutzer"),
    )
    role = models.CharField(_("Rolle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "admin", "member"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.customer} ({self.role})"
