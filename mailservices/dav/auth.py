"""Radicale auth plugin (`[auth] type = mailservices.dav.auth`): the portal decides.

Radicale calls `_login_ext` with the client's address in the context (set by
`mailservices.dav.server`, which resolves it behind our proxies); the decision itself is
`mailservices.dav.login.Authenticator`. Radicale adds its constant-time delay on failure.
"""

import logging

from django.core.cache import cache
from radicale import auth

from mailservices.dav.app_settings import app_settings
from mailservices.dav.login import Authenticator, FailureLimiter, parse_rules
from mailservices.dav.selectors import passdb_hash
from mailservices.passwords import verify_mail_password

logger = logging.getLogger("mailservices.dav")


class CacheFailureStore:
    """Failed-login windows in the Django cache (Redis in production, like the portal's
    rate limits), so they survive a restart of the DAV server."""

    def counts(self, keys):
        found = cache.get_many(keys)
        return {k: int(found.get(k, 0)) for k in keys}

    def add_distinct(self, key, member, ttl):
        if cache.add(f"{key}:{member[:32]}", 1, timeout=ttl):
            cache.add(key, 0, timeout=ttl)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=ttl)


def build_authenticator(*, store=None) -> Authenticator:
    return Authenticator(
        lookup=passdb_hash,
        verify=verify_mail_password,
        limiter=FailureLimiter(
            parse_rules(app_settings.FAILED_LOGIN_LIMITS), store or CacheFailureStore()
        ),
        cache_seconds=app_settings.VERIFY_CACHE_SECONDS,
    )


class Auth(auth.BaseAuth):
    def __init__(self, configuration):
        super().__init__(configuration)
        self.authenticator = build_authenticator()

    def _login_ext(self, login, password, context):
        outcome = self.authenticator.login(login, password, client=context.remote_addr or "")
        if not outcome.user:
            logger.info("DAV login refused (%s) from %s", outcome.reason, context.remote_addr)
        return outcome.user

    def _login(self, login, password):
        return self._login_ext(login, password, auth.AuthContext())
