"""Production: every secret from the environment, HTTPS everywhere, SMTP email.

Refuses to start (ImproperlyConfigured at import, so gunicorn, Celery and manage.py all stop)
without SECRET_KEY or ALLOWED_HOSTS, with DEBUG on, or with the mail import's development
secrets (PORTAL_MAILBOXES_IMPORT_KEY, PORTAL_MAILBOXES_MASTER_PASSWORD).
"""

from django.core.exceptions import ImproperlyConfigured

from portal.settings.base import *  # noqa: F403
from portal.settings.base import env

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Production needs SECRET_KEY (at least 50 characters).")
if DEBUG:
    raise ImproperlyConfigured("Production refuses to run with DEBUG on.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS.")
for _name, _dev_default in MAILBOXES_DEV_DEFAULTS.items():  # noqa: F405
    if globals()[_name] == _dev_default:
        raise ImproperlyConfigured(f"Production needs {_name} (not the development default).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 60 * 60 * 12

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
