from django.urls import path

from kb import views

app_name = "kb"

urlpatterns = [
    path("kb/", views.index, name="index"),
    path("kb/search/", views.search, name="search"),
    path("kb/c/<slug:slug>/", views.category, name="category"),
    path("kb/<slug:slug>/", views.guide, name="guide"),
    path("kb/<slug:slug>/vote/", views.vote, name="vote"),
    path("api/kb/search", views.api_search, name="api_search"),
]
