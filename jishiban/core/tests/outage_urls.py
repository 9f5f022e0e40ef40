"""URLs whose views fail as they do when the database is away (for test_database_outage)."""

from django.db import InterfaceError, OperationalError
from django.urls import path

from jishiban import urls


def _down(request, **kwargs):
    raise OperationalError("could not connect to server: Connection refused")


def _closed(request, **kwargs):
    raise InterfaceError("connection already closed")


def _bug(request, **kwargs):
    raise ValueError("a bug, not an outage")


urlpatterns = [
    path("appeals/", _down),
    path("api/v1/appeals", _closed),
    path("open311/v2/requests.<str:fmt>", _down),
    path("bug/", _bug),
    *urls.urlpatterns,
]
handler500 = "jishiban.core.errors.server_error"
