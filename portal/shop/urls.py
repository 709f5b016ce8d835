from django.urls import path

from portal.shop import views

app_name = "shop"

urlpatterns = [
    path("", views.index, name="index"),
    path("cart/", views.cart, name="cart"),
    path("cart/lines/<int:pk>/", views.cart_line_update, name="cart_line_update"),
    path("cart/lines/<int:pk>/remove/", views.cart_line_remove, name="cart_line_remove"),
    path("add/service/", views.add_service, name="add_service"),
    path("add/service/check/", views.domain_check, name="domain_check"),
    path("add/addresses/<int:service_pk>/", views.add_addresses, name="add_addresses"),
    path("add/plan/<int:service_pk>/", views.change_plan, name="change_plan"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("invoices/<int:pk>.pdf", views.invoice_pdf, name="invoice_pdf"),
]
