from django.urls import path

from messagetools import views

app_name = "messagetools"

urlpatterns = [
    path("tools/", views.index, name="index"),
    path("tools/check/", views.message_check, name="message_check"),
    path("tools/bounce/", views.bounce, name="bounce"),
    path("tools/phishing/", views.phishing_list, name="phishing_list"),
    path("tools/phishing/new/", views.phishing_new, name="phishing_new"),
    path("tools/phishing/<int:pk>/", views.phishing_detail, name="phishing_detail"),
]
