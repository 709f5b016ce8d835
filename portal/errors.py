"""404 and 500 pages in the portal's design."""

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors, no database: the 500 page must render even when they fail.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render())
