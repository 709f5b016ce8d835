from django.urls import path

from mailservices.apppasswords import views

app_name = "apppasswords"

urlpatterns = [
    path(
        "addresses/<int:pk>/app-passwords/",
        views.address_app_passwords,
        name="address_app_passwords",
    ),
    path(
        "addresses/<int:pk>/app-passwords/only/",
        views.address_app_passwords_only,
        name="address_app_passwords_only",
    ),
    path("app-passwords/<int:pk>/revoke/", views.app_password_revoke, name="revoke"),
    path("app-passwords/auth-report/", views.auth_report, name="auth_report"),
]
