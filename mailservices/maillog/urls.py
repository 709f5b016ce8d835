from django.urls import path

from mailservices.maillog import views

app_name = "maillog"

urlpatterns = [
    path("maillog/addresses/<int:pk>/", views.address_log, name="address_log"),
    path("maillog/services/<int:pk>/", views.service_log, name="service_log"),
]
