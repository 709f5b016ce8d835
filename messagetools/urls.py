from django.urls import path

from messagetools import views

app_name = "messagetools"

urlpatterns = [
    path("tools/", views.index, name="index"),
    path("tools/check/", views.message_check, name="message_check"),
    path("tools/check/<int:pk>/", views.check_detail, name="check_detail"),
    path("tools/check/<int:pk>/run/", views.check_run, name="check_run"),
    path("tools/check/<int:pk>/delete/", views.check_delete, name="check_delete"),
    path("tools/bounce/", views.bounce, name="bounce"),
    path("tools/phishing/", views.phishing_list, name="phishing_list"),
    path("tools/phishing/new/", views.phishing_new, name="phishing_new"),
    path("tools/phishing/<int:pk>/", views.phishing_detail, name="phishing_detail"),
]
