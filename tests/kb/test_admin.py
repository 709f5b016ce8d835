"""Staff edit guides in the admin (the edit pins the guide) and see the readers' ratings."""

from django.urls import reverse

from kb.models import Guide, GuidePage
from kb.services import guide_vote, guides_load


def test_guide_list_shows_ratings(staff_client, guide_tree, make_user):
    guides_load(base=guide_tree)
    guide = Guide.objects.get(slug="erste", language="de")
    guide_vote(guide=guide, helpful=True, session_key="a" * 32)
    guide_vote(guide=guide, helpful=False, session_key="b" * 32, comment="Zu kurz")
    guide_vote(guide=guide, helpful=True, user=make_user())
    response = staff_client.get(reverse("admin:kb_guide_changelist"))
    assert response.status_code == 200
    row = next(r for r in response.context["cl"].result_list if r.pk == guide.pk)
    assert (row.helpful_count, row.unhelpful_count) == (2, 1)
    votes = staff_client.get(reverse("admin:kb_guidevote_changelist"))
    assert "Zu kurz" in votes.content.decode()


def test_admin_edit_rerenders_and_pins_the_guide(staff_client, guide_tree):
    guides_load(base=guide_tree)
    guide = Guide.objects.get(slug="zweite", language="de")
    url = reverse("admin:kb_guide_change", args=[guide.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(
        {
            "title": "Korrigiert",
            "body": "## Neu\n\nServer `{{ mail_host }}`\n",
            "portal_pages": "mailservices:service_settings\nquotas:address_usage",
            "tags": '["a"]',
            "related": "[]",
            "category": guide.category_id,
            "is_published": "on",
            "edited_in_admin": "",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    guide.refresh_from_db()
    assert guide.title == "Korrigiert" and guide.edited_in_admin
    assert 'id="neu"' in guide.body_html and "{{" not in guide.body_html
    assert set(GuidePage.objects.filter(guide=guide).values_list("view_name", flat=True)) == {
        "mailservices:service_settings",
        "quotas:address_usage",
    }


def test_admin_rejects_an_unknown_placeholder(staff_client, guide_tree):
    guides_load(base=guide_tree)
    guide = Guide.objects.get(slug="zweite", language="de")
    url = reverse("admin:kb_guide_change", args=[guide.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update({"body": "{{ mail_hots }}", "tags": "[]", "related": "[]", "portal_pages": ""})
    data["category"] = guide.category_id
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "mail_hots" in str(response.context["adminform"].form.errors)
    guide.refresh_from_db()
    assert not guide.edited_in_admin


def test_unticking_edited_in_admin_gives_the_guide_back_to_its_file(staff_client, guide_tree):
    guides_load(base=guide_tree)
    guide = Guide.objects.get(slug="zweite", language="de")
    guide.title = "Von Hand"
    from kb.services import guide_save_from_admin

    guide_save_from_admin(guide=guide)
    url = reverse("admin:kb_guide_change", args=[guide.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update({"tags": "[]", "related": "[]", "category": guide.category_id})
    data.pop("edited_in_admin")  # unticked checkbox
    data["is_published"] = "on"
    assert staff_client.post(url, data).status_code == 302
    report = guides_load(base=guide_tree)
    assert report.updated == ["de/zweite"]
    assert Guide.objects.get(pk=guide.pk).title == "Titel zweite"
