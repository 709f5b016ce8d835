"""Values every page's layout needs."""

from django.conf import settings


def portal(request):
    return {
        "provider_name": settings.PORTAL_PROVIDER_NAME,
        "mail_host": settings.PORTAL_MAIL_HOST,
    }
