"""Chinese first: the interface language is the deployment's ``LANGUAGE_CODE`` unless the user
chose another one with the language switch (cookie). A browser's Accept-Language alone does not
switch an office PC set up in English to a half-translated English interface."""

from django.conf import settings


class ConfiguredLanguageFirst:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
