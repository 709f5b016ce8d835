from django.urls import path

from mailservices.dav import views

app_name = "dav"

urlpatterns = [
    path(".well-known/caldav", views.well_known, {"kind": "caldav"}, name="well_known_caldav"),
    path(".well-known/carddav", views.well_known, {"kind": "carddav"}, name="well_known_carddav"),
]
