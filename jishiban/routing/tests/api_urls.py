"""URLconf for the API tests: the project's URLs, plus the routing router on its own NinjaAPI
(same authentication and error shape) while the project's API does not mount it yet."""

from django.urls import include, path
from ninja import NinjaAPI

from jishiban.api import urls as api_urls
from jishiban.api.auth import API_AUTH
from jishiban.api.errors import install
from jishiban.routing.api import router


def _mounted() -> bool:
    return any(r is router for _prefix, r in getattr(api_urls.api, "_routers", []))


urlpatterns = []
if not _mounted():
    test_api = NinjaAPI(title="routing test", auth=API_AUTH, urls_namespace="routing-test-api")
    install(test_api)
    test_api.add_router("/", router)
    urlpatterns.append(path("api/v1/", test_api.urls))
urlpatterns.append(path("", include("jishiban.urls")))
