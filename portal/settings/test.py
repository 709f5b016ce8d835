"""Test settings: fast hashing, in-memory email, Celery tasks run eagerly in-process."""

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# allauth's rate limits stay on in production; tests that hammer a form turn them off locally.
ALLOWED_HOSTS = ["*"]
LANGUAGE_CODE = env("TEST_LANGUAGE_CODE", default="de")
# Cheap mail-password hashes in tests (still Dovecot-verifiable; production keeps t=3, 64 MiB).
PORTAL_MAIL_PASSWORD_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
# No DNS from tests of other areas: tests/diagnosis turns it on against its own nsd.
PORTAL_DIAGNOSIS_ON_CREATE = False
