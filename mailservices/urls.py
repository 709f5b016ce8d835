from django.urls import path

from mailservices import autoconfig
from mailservices.views import addresses, mailservices

app_name = "mailservices"

urlpatterns = [
    path("services/", mailservices.product_list, name="product_list"),
    path("services/<int:pk>/", mailservices.service_detail, name="service_detail"),
    path("services/<int:pk>/settings/", mailservices.service_settings, name="service_settings"),
    path("services/<int:pk>/addresses/new/", addresses.address_create, name="address_create"),
    path(
        "services/<int:pk>/addresses/catchall/",
        addresses.catchall_create,
        name="catchall_create",
    ),
    path("addresses/<int:pk>/", addresses.address_detail, name="address_detail"),
    path("addresses/<int:pk>/edit/", addresses.address_edit, name="address_edit"),
    path("addresses/<int:pk>/enabled/", addresses.address_enable, name="address_enable"),
    path("addresses/<int:pk>/delete/", addresses.address_delete, name="address_delete"),
    path("addresses/<int:pk>/password/", addresses.address_password, name="address_password"),
    path("addresses/<int:pk>/responder/", addresses.address_responder, name="address_responder"),
    path("addresses/<int:pk>/aliases/", addresses.alias_add, name="alias_add"),
    path("aliases/<int:pk>/delete/", addresses.alias_delete, name="alias_delete"),
    path("addresses/<int:pk>/forwards/", addresses.forward_add, name="forward_add"),
    path("forwards/<int:pk>/delete/", addresses.forward_delete, name="forward_delete"),
    path(
        "addresses/<int:pk>/mobileconfig/",
        addresses.address_mobileconfig,
        name="address_mobileconfig",
    ),
    # Automatic client configuration (public, no login).
    path("mail/config-v1.1.xml", autoconfig.thunderbird, name="autoconfig_thunderbird"),
    path(
        ".well-known/autoconfig/mail/config-v1.1.xml",
        autoconfig.thunderbird,
        name="autoconfig_thunderbird_wellknown",
    ),
    path("autodiscover/autodiscover.xml", autoconfig.outlook, name="autodiscover"),
    path("Autodiscover/Autodiscover.xml", autoconfig.outlook, name="autodiscover_capitalised"),
]
