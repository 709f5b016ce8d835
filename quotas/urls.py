from django.urls import path

from quotas import views

app_name = "quotas"

urlpatterns = [
    path("usage/services/<int:pk>/", views.service_usage, name="service_usage"),
    path("usage/addresses/<int:pk>/", views.address_usage, name="address_usage"),
]
