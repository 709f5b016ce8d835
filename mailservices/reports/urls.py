from django.urls import path

from mailservices.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/domains/<int:pk>/", views.domain_reports, name="domain_reports"),
]
