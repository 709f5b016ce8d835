"""RFC 6764 discovery on the portal's host: /.well-known/caldav and /.well-known/carddav."""

from django.http import HttpResponsePermanentRedirect
from django.views.decorators.csrf import csrf_exempt

from mailservices.dav.app_settings import app_settings


@csrf_exempt  # clients send PROPFIND here; nothing is read or changed
def well_known(request, kind):
    """Any method: 301 to the DAV server, whose root finds the user's principal."""
    return HttpResponsePermanentRedirect(app_settings.PUBLIC_URL)
