from django.contrib.auth import views as auth_views
from django.urls import path, re_path
from django.views.generic import RedirectView

from jishiban.accounts.two_factor import two_factor

from .views import act, dashboard, detail, dispatch, home, inbox, intake, lists, oversight, returns

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("notices/calendar/dismiss/", home.dismiss_calendar_warning, name="dismiss_calendar_warning"),
    path("accounts/login/", home.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor, name="two_factor"),
    # Call desk
    path("intake/", intake.intake, name="intake"),
    path("intake/caller/", intake.caller, name="intake_caller"),
    path("intake/assist/", intake.assist, name="intake_assist"),
    path("intake/locate/", intake.locate, name="intake_locate"),
    path("intake/towns/", intake.towns, name="intake_towns"),
    path("intake/categories/", intake.category_search, name="intake_categories"),
    path("intake/category-label/", intake.category_label, name="intake_label"),
    # Dispatch desk, unit inbox, centre lists
    path("dispatch/", dispatch.queue, name="dispatch"),
    path("dispatch/bulk/", dispatch.bulk, name="dispatch_bulk"),
    path("dispatch/units/", dispatch.unit_options, name="unit_options"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("oversight/", oversight.oversight, name="oversight"),
    # Callbacks and extension approvals are supervision's pages; the old addresses lead there.
    path("callbacks/", RedirectView.as_view(pattern_name="supervision:callbacks", permanent=True)),
    path("extensions/", RedirectView.as_view(pattern_name="supervision:extensions", permanent=True)),
    # Appeals
    path("appeals/", lists.appeal_list, name="appeal_list"),
    re_path(r"^appeals/export\.(?P<fmt>csv|xlsx)$", lists.export_list, name="appeal_export"),
    path("appeals/exports/<int:pk>/", lists.export_job, name="export_job"),
    path("appeals/exports/<int:pk>/download/", lists.export_download, name="export_download"),
    path("appeals/filters/", lists.save_filter, name="save_filter"),
    path("appeals/filters/<int:pk>/delete/", lists.delete_filter, name="delete_filter"),
    path("appeals/<int:pk>/", detail.detail, name="appeal_detail"),
    path("appeals/<int:pk>/reveal/", detail.reveal_phone, name="reveal"),
    path("appeals/<int:pk>/notes/", detail.note, name="note"),
    path("appeals/<int:pk>/attachments/<int:attachment_id>/", detail.attachment, name="attachment"),
    path("appeals/<int:pk>/act/<str:action>/", act.act, name="act"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("returns/", returns.queue, name="returns"),
]
