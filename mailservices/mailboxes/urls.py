from django.urls import path

from mailservices.mailboxes import views

app_name = "mailboxes"

urlpatterns = [
    path("addresses/<int:pk>/import/", views.import_new, name="import_new"),
    path("imports/previews/<int:pk>/", views.import_preview, name="import_preview"),
    path(
        "imports/previews/<int:pk>/cancel/",
        views.import_preview_cancel_view,
        name="import_preview_cancel",
    ),
    path("imports/previews/<int:pk>/start/", views.import_start_view, name="import_start"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/cancel/", views.import_cancel_view, name="import_cancel"),
]
