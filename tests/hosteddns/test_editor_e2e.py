"""A record added in the DNS editor is the name server's next answer (PostgreSQL run)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_record_added_in_the_editor_is_answered_at_once(powerdns, client, make_customer):
    from mailservices.models import Domain

    customer = make_customer()
    domain = Domain.objects.create(customer=customer, name="editor.test", source="registered")
    client.force_login(customer.owner)
    serial = int(powerdns.answer("editor.test", "SOA")[0].split()[2])
    response = client.post(
        reverse("provisioning:zone_detail", args=[domain.pk]),
        {"name": "shop", "type": "AAAA", "ttl": 300, "value": "2001:db8::42"},
    )
    assert response.status_code == 302
    assert powerdns.answer("shop.editor.test", "AAAA") == ["2001:db8::42"]
    assert int(powerdns.answer("editor.test", "SOA")[0].split()[2]) > serial
    response = client.post(
        reverse("provisioning:zone_detail", args=[domain.pk]),
        {"name": "bücher", "type": "TXT", "ttl": 300, "value": "grüezi " * 60},
    )
    assert response.status_code == 302
    answer = powerdns.query("xn--bcher-kva.editor.test", "TXT").answer[0]
    assert b"".join(next(iter(answer)).strings).decode() == ("grüezi " * 60).strip()
