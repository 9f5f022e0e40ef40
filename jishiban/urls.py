from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from jishiban.portal.views import root

admin.site.site_header = "济时办 · 社会治理服务中心"
admin.site.site_title = "济时办"
admin.site.index_title = "系统配置"

# A database outage answers 503 with a clear message instead of a 500 (core.errors).
handler500 = "jishiban.core.errors.server_error"

urlpatterns = [
    # One sign-in for the workbench and the admin: lockout and two-step verification apply to both.
    path("admin/login/", RedirectView.as_view(pattern_name="web:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("jishiban.api.urls")),
    path("open311/v2/", include("jishiban.open311.urls")),
    path("supervision/", include("jishiban.supervision.urls")),
    path("routing/", include("jishiban.routing.urls")),
    path("analytics/", include("jishiban.analytics.urls")),
    path("warnings/", include("jishiban.warnings.urls")),
    path("cockpit/", include("jishiban.cockpit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("jishiban.portal.urls")),
    path("knowledge/", include("jishiban.knowledge.urls")),
    path("calls/", include("jishiban.calls.urls")),
    path("grid/", include("jishiban.grid.urls")),
    # Visitors and citizens land on the portal; staff on their workbench home (web:home is "/" too).
    path("", root),
    path("", include("jishiban.web.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
