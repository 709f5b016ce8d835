"""Infrastructure hooks: Django's login signal starts the session clock (portal.security.staff)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.security import staff


@receiver(user_logged_in, dispatch_uid="security_session_started")
def _session_started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        staff.session_started(request, user)
