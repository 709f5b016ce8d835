from django.urls import path

from mailservices.provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("domains/<int:pk>/dns/", views.zone_detail, name="zone_detail"),
    path("domains/<int:pk>/dns/correct/", views.zone_correct, name="zone_correct"),
    path("dns/records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("dns/records/<int:pk>/delete/", views.record_delete, name="record_delete"),
    path("dns/changes/<int:pk>/rollback/", views.change_rollback, name="change_rollback"),
    path("services/<int:pk>/dkim/", views.dkim_detail, name="dkim_detail"),
    path("services/<int:pk>/dkim/rotate/", views.dkim_rotate, name="dkim_rotate"),
    path("services/<int:pk>/dkim/ed25519/", views.dkim_ed25519, name="dkim_ed25519"),
    # Public: served for the host mta-sts.<domain> of every mail domain (RFC 8461).
    path(".well-known/mta-sts.txt", views.mta_sts_policy, name="mta_sts_policy"),
]
