"""The DNS editor: list, add, change, delete, protected mail records, history, rollback,
tenant isolation and the page's query count."""

import pytest
from django.urls import reverse

from mailservices.provisioning.models import ZoneChange, ZoneRecord
from mailservices.provisioning.services import zone_record_create

pytestmark = pytest.mark.django_db


def _add(client, domain, **data):
    payload = {"name": "www", "type": "A", "ttl": 3600, "value": "192.0.2.10"} | data
    return client.post(reverse("provisioning:zone_detail", args=[domain.pk]), payload)


def test_the_zone_page_lists_mail_records_protected_and_the_ds(customer_client, hosted):
    response = customer_client.get(reverse("provisioning:zone_detail", args=[hosted.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "mx1.alpenpost.example." in text
    assert "E-Mail-Dienst" in text  # the lock badge of managed records
    assert "IN DS" in text and " 13 2 " in text


def test_the_zone_page_query_count_does_not_grow_with_records(
    customer_client, hosted, django_assert_max_num_queries
):
    url = reverse("provisioning:zone_detail", args=[hosted.pk])
    customer_client.get(url)
    with django_assert_max_num_queries(12) as before:
        customer_client.get(url)
    for i in range(15):
        zone_record_create(domain=hosted, name=f"h{i}", type="A", ttl=3600, value=f"192.0.2.{i}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        customer_client.get(url)


def test_adding_a_record_saves_it_and_writes_history(customer_client, hosted, customer):
    response = _add(customer_client, hosted)
    assert response.status_code == 302
    record = ZoneRecord.objects.get(domain=hosted, name="www", type="A")
    assert record.value == "192.0.2.10" and not record.managed
    change = ZoneChange.objects.get(domain=hosted, action="add")
    assert change.after["value"] == "192.0.2.10" and change.user == customer.owner


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "192.0.2.300"}, "value", "keine IPv4-Adresse"),
        ({"ttl": 5}, "ttl", ""),
        ({"type": "CNAME", "name": "@", "value": "x.example."}, "name", "kein CNAME"),
        ({"type": "MX", "value": "mx.example.net"}, "value", "10 mx.example.ch"),
        ({"name": "bad..name"}, "name", "kein gültiger Name"),
    ],
)
def test_bad_records_are_refused_with_field_errors(customer_client, hosted, data, field, message):
    response = _add(customer_client, hosted, **data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not ZoneRecord.objects.filter(domain=hosted, managed=False).exists()


def test_a_cname_beside_other_data_is_refused(customer_client, hosted):
    _add(customer_client, hosted, name="shop", value="192.0.2.1")
    response = _add(customer_client, hosted, name="shop", type="CNAME", value="shops.example.net")
    assert "Neben einem CNAME" in " ".join(response.context["form"].errors["name"])


def test_htmx_posts_get_the_editor_partial(customer_client, hosted):
    url = reverse("provisioning:zone_detail", args=[hosted.pk])
    payload = {"name": "www", "type": "A", "ttl": 3600, "value": "nope"}
    response = customer_client.post(url, payload, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="zone-editor">') and "<html" not in text
    payload["value"] = "192.0.2.4"
    response = customer_client.post(url, payload, HTTP_HX_REQUEST="true")
    assert "192.0.2.4" in response.content.decode()


def test_a_mail_record_changes_only_with_i_know_what_i_am_doing(customer_client, hosted):
    mx = ZoneRecord.objects.filter(domain=hosted, type="MX", managed=True).first()
    url = reverse("provisioning:record_edit", args=[mx.pk])
    data = {"name": "@", "type": "MX", "ttl": 3600, "value": "10 mx.other.example"}
    response = customer_client.post(url, data)
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    mx.refresh_from_db()
    assert mx.value.startswith("10 mx1.")
    response = customer_client.post(url, data | {"confirm": "on"})
    assert response.status_code == 302
    mx.refresh_from_db()
    assert mx.value == "10 mx.other.example." and not mx.managed


def test_a_mail_record_is_deleted_only_with_confirmation(customer_client, hosted):
    dmarc = ZoneRecord.objects.get(domain=hosted, name="_dmarc")
    url = reverse("provisioning:record_delete", args=[dmarc.pk])
    assert customer_client.post(url).status_code == 200
    assert ZoneRecord.objects.filter(pk=dmarc.pk).exists()
    assert customer_client.post(url, {"confirm": "on"}).status_code == 302
    assert not ZoneRecord.objects.filter(pk=dmarc.pk).exists()


def test_changes_roll_back(customer_client, hosted):
    _add(customer_client, hosted)
    record = ZoneRecord.objects.get(domain=hosted, name="www")
    customer_client.post(
        reverse("provisioning:record_edit", args=[record.pk]),
        {"name": "www", "type": "A", "ttl": 600, "value": "192.0.2.99"},
    )
    customer_client.post(reverse("provisioning:record_delete", args=[record.pk]))
    assert not ZoneRecord.objects.filter(domain=hosted, name="www").exists()

    delete, change, add = ZoneChange.objects.filter(domain=hosted)[:3]
    assert (delete.action, change.action, add.action) == ("delete", "change", "add")
    rollback = reverse("provisioning:change_rollback", args=[delete.pk])
    assert customer_client.post(rollback).status_code == 302
    assert ZoneRecord.objects.get(domain=hosted, name="www").value == "192.0.2.99"
    customer_client.post(reverse("provisioning:change_rollback", args=[change.pk]))
    restored = ZoneRecord.objects.get(domain=hosted, name="www")
    assert (restored.value, restored.ttl) == ("192.0.2.10", 3600)
    customer_client.post(rollback)  # twice: refused, nothing changes
    assert ZoneRecord.objects.filter(domain=hosted, name="www").count() == 1
    page = customer_client.get(reverse("provisioning:zone_detail", args=[hosted.pk]))
    assert "zurückgenommen" in page.content.decode()


def test_another_customers_zone_answers_404_on_every_url(client, make_customer, hosted):
    record = ZoneRecord.objects.filter(domain=hosted).first()
    change = ZoneChange.objects.create(domain=hosted, action="add", after={"name": "x"})
    intruder = make_customer("intruder@example.org")
    client.force_login(intruder.owner)
    urls = [
        reverse("provisioning:zone_detail", args=[hosted.pk]),
        reverse("provisioning:record_edit", args=[record.pk]),
        reverse("provisioning:record_delete", args=[record.pk]),
        reverse("provisioning:change_rollback", args=[change.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"confirm": "on", "name": "a", "type": "A", "ttl": 3600,
                                 "value": "192.0.2.1"}).status_code == 404, url  # fmt: skip
    assert ZoneRecord.objects.filter(pk=record.pk).exists()


def test_an_external_domain_has_no_editor(customer_client, customer):
    from mailservices.models import Domain

    domain = Domain.objects.create(customer=customer, name="ext.test", source="external")
    assert (
        customer_client.get(reverse("provisioning:zone_detail", args=[domain.pk])).status_code
        == 404
    )


def test_the_service_page_links_to_the_editor(customer_client, hosted):
    service = hosted.mail_service
    page = customer_client.get(reverse("mailservices:service_detail", args=[service.pk]))
    assert reverse("provisioning:zone_detail", args=[hosted.pk]) in page.content.decode()
