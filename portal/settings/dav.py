"""Calendars and contacts (mailservices.dav): the DAV server's public URL, storage, limits.

Defaults are the embedded ones of `make run` (server on 127.0.0.1:5232, data in var/dav).
"""

from portal.settings.base import BASE_DIR, env

PORTAL_DAV_PUBLIC_URL = env("PORTAL_DAV_PUBLIC_URL", default="http://127.0.0.1:5232/")
PORTAL_DAV_STORAGE_DIR = env.path("PORTAL_DAV_STORAGE_DIR", default=BASE_DIR / "var" / "dav")
PORTAL_DAV_MAX_UPLOAD_BYTES = env.int("PORTAL_DAV_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
PORTAL_DAV_MAX_CONNECTIONS = env.int("PORTAL_DAV_MAX_CONNECTIONS", default=20)
PORTAL_DAV_DELETED_GRACE_DAYS = env.int("PORTAL_DAV_DELETED_GRACE_DAYS", default=30)
if "PORTAL_DAV_FAILED_LOGIN_LIMITS" in env.ENVIRON:
    PORTAL_DAV_FAILED_LOGIN_LIMITS = env("PORTAL_DAV_FAILED_LOGIN_LIMITS")
