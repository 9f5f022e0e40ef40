"""Chinese first: the interface language is the deployment's ``LANGUAGE_CODE`` unless the user
chose another one with the language switch (cookie). A browser's Accept-Language alone does not
switch an office PC set up in English to a half-translated English interface."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class ConfiguredLanguageFirst:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RefuseNul:
    """A path or query string with a NUL character is a 400 before any view runs: no text column
    of PostgreSQL can hold one, so it could only end in an error in a lookup (``?text=%00``,
    ``/api/v1/appeals/%00``). Forms refuse it in their fields already (Django's CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any("\x00" in key or "\x00" in value
                                                for key, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest(_("请求地址中含有 NUL 字符"), content_type="text/plain; charset=utf-8")
        return self.get_response(request)
