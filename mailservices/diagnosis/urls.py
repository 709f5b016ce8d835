from django.urls import path

from mailservices.diagnosis import views

app_name = "diagnosis"

urlpatterns = [
    path("services/<int:pk>/diagnosis/", views.service_diagnosis, name="service_diagnosis"),
    path("services/<int:pk>/diagnosis/run/", views.run, name="run"),
    path("diagnosis/runs/<int:pk>/", views.status, name="status"),
    path("services/<int:pk>/zone.txt", views.zone_export, name="zone_export"),
]
