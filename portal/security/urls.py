from django.urls import path

from portal.security import views

app_name = "security"

urlpatterns = [
    path("activity/", views.activity_list, name="activity_list"),
]
