from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from portal import errors, health
from portal.accounts import views as accounts_views

admin.site.site_header = _("Kundenportal – Verwaltung (Mitarbeitende)")
admin.site.site_title = _("Kundenportal Verwaltung")
admin.site.index_title = _("Übersicht für Mitarbeitende")

urlpatterns = [
    path("health/", health.health, name="health"),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("shop/", include("portal.shop.urls")),
    path("", include("portal.dashboard.urls")),
    path("", include("mailservices.urls")),
    path("", include("mailservices.dav.urls")),
    path("", include("mailservices.apppasswords.urls")),
    path("", include("mailservices.diagnosis.urls")),
    path("", include("mailservices.provisioning.urls")),
    path("", include("quotas.urls")),
    path("", include("kb.urls")),
    path("", include("messagetools.urls")),
    path("", include("mailservices.maillog.urls")),
    path("", include("mailservices.reports.urls")),
    path("", include("mailservices.mailboxes.urls")),
    path("", include("portal.security.urls")),
]

handler404 = errors.page_not_found
handler500 = errors.server_error

if settings.DEBUG:
    urlpatterns += [
        path("__preview__/404/", errors.page_not_found, {"exception": None}),
        path("__preview__/500/", errors.server_error),
    ]
