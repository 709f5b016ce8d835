"""Values every page's layout needs."""

from portal.core.app_settings import app_settings


def portal(request):
    return {
        "provider_name": app_settings.PROVIDER_NAME,
        "mail_host": app_settings.MAIL_HOST,
    }
