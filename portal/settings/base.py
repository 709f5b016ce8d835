"""Settings shared by every environment.

The environment is read here and only here (with django-environ); the other modules of this
package adjust these values. Integrations each have a module of their own.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env is optional and never committed; real deployments set real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies in front of the portal that append to X-Forwarded-For (1 behind nginx).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "django_celery_beat",
    "django_celery_results",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "portal.core",
    "portal.accounts",
    "portal.dashboard",
    "portal.shop",
    "mailservices",
    "mailservices.diagnosis",
    "mailservices.provisioning",
    "mailservices.mailstack",
    "mailservices.dav",
    "mailservices.apppasswords",
    "mailservices.hosteddns",
    "mailservices.mailboxes",
    "quotas",
    "kb",
    "messagetools",
    "mailservices.maillog",
    "mailservices.reports",
    "portal.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.security.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.security.middleware.StaffSecondFactorMiddleware",
    "portal.accounts.middleware.CustomerMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "portal.shop.context_processors.cart",
            ],
        },
    },
]

# --- Database: SQLite by default, PostgreSQL (psycopg 3) with DATABASE_URL -----------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # SQLite (the embedded default) is shared by the dev server, the Celery worker and beat:
    # WAL lets readers work beside a writer, IMMEDIATE takes the write lock up front instead of
    # failing with "database is locked" when a read transaction turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker and results when REDIS_URL is set ---------------------------
# REDIS_URL: `redis://host:6379/0`, or a Sentinel set
# `sentinel://host1:26379,host2:26379,host3:26379/mymaster/0` (portal/core/redisconn.py).
REDIS_URL = env("REDIS_URL", default="")
# Replicas that must confirm each sending count before the policy service answers (WAIT).
QUOTAS_REDIS_WAIT_REPLICAS = env.int("QUOTAS_REDIS_WAIT_REPLICAS", default=0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.core.cache.SentinelRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Internationalisation: German (reference), French, Italian, English; Swiss formats -------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("fr", "Français"), ("it", "Italiano"), ("en", "English")]
LOCALE_PATHS = [
    BASE_DIR / "locale",
    # Formal (Lei) Italian wording for allauth's pages, kept apart from makemessages' catalogues.
    BASE_DIR / "portal" / "accounts" / "allauth_overrides" / "locale",
]
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Europe/Zurich"
USE_I18N = True
USE_TZ = True

# --- Static files (WhiteNoise) ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root by WhiteNoise: /favicon.ico (browsers ask for it unbidden).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media/"

# --- Sessions and cookies -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Email ---------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kundenportal <noreply@mailhost.example>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:overview"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

from portal.settings.allauth import *  # noqa: E402,F403
from portal.settings.celery import *  # noqa: E402,F403
from portal.settings.dav import *  # noqa: E402,F403
from portal.settings.dns import *  # noqa: E402,F403
from portal.settings.mailboxes import *  # noqa: E402,F403
from portal.settings.maillog import *  # noqa: E402,F403
from portal.settings.provider import *  # noqa: E402,F403
from portal.settings.security import *  # noqa: E402,F403
