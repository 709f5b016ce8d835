"""The admin: staff see app passwords (never a hash), cannot add or edit them, and revoke
through the service (activity log and the customer's email, as from the portal)."""

import pytest
from django.core import mail
from django.urls import reverse

from mailservices.apppasswords.models import AppPassword
from mailservices.apppasswords.services import app_password_create
from portal.security.models import Activity

pytestmark = pytest.mark.django_db


def test_staff_see_the_list_but_not_the_hash_and_cannot_add_or_edit(staff_client, address):
    created = app_password_create(address=address, name="iPhone Anna", protocols=["imap"])
    row = created.app_password
    page = staff_client.get(reverse("admin:apppasswords_apppassword_changelist"))
    assert page.status_code == 200 and "iPhone Anna" in page.content.decode()
    detail = staff_client.get(reverse("admin:apppasswords_apppassword_change", args=[row.pk]))
    assert row.password_hash not in detail.content.decode()
    assert staff_client.get(reverse("admin:apppasswords_apppassword_add")).status_code == 403
    posted = staff_client.post(
        reverse("admin:apppasswords_apppassword_change", args=[row.pk]), {"name": "Anders"}
    )
    assert posted.status_code == 403
    assert AppPassword.objects.get(pk=row.pk).name == "iPhone Anna"


def test_staff_revoke_through_the_service(
    staff_client, address, django_capture_on_commit_callbacks
):
    keep = app_password_create(address=address, name="Büro", protocols=["smtp"]).app_password
    gone = app_password_create(address=address, name="Verloren", protocols=["imap"]).app_password
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:apppasswords_apppassword_changelist"),
            {"action": "revoke", "_selected_action": [gone.pk]},
        )
    assert response.status_code == 302
    assert list(AppPassword.objects.values_list("pk", flat=True)) == [keep.pk]
    activity = Activity.objects.get(kind=Activity.Kind.APP_PASSWORD_REVOKED)
    assert activity.by_staff and "Verloren" in activity.target
    assert [m.to for m in mail.outbox] == [[address.service.domain.customer.owner.email]]
