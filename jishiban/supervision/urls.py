from django.urls import path

from .views import batch_callbacks, callbacks, disputes, misc, orders, urging

app_name = "supervision"

urlpatterns = [
    path("", orders.index, name="index"),
    path("orders/", orders.order_list, name="orders"),
    path("orders/new/", orders.order_new, name="order_new"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path("orders/<int:pk>/<slug:action>/", orders.order_action, name="order_action"),
    path("figures/", orders.figures, name="figures"),
    path("callbacks/", callbacks.callback_list, name="callbacks"),
    path("callbacks/<int:pk>/", callbacks.callback_detail, name="callback_detail"),
    path("callbacks/<int:pk>/<slug:action>/", callbacks.callback_action, name="callback_action"),
    path("callback/<str:token>/", callbacks.public_callback, name="public_callback"),
    path("public-replies/", callbacks.public_reply_list, name="public_replies"),
    path("public-replies/<int:pk>/", callbacks.public_reply_edit, name="public_reply_edit"),
    path("follow-ups/", callbacks.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:pk>/<slug:action>/", callbacks.follow_up_action, name="follow_up_action"),
    path("extensions/", callbacks.extension_list, name="extensions"),
    path("extensions/<int:pk>/decide/", callbacks.extension_decide, name="extension_decide"),
    path("disputes/", disputes.dispute_list, name="disputes"),
    path("disputes/contest/", disputes.dispute_contest, name="dispute_contest"),
    path("disputes/<int:pk>/withdraw/", disputes.dispute_withdraw, name="dispute_withdraw"),
    path("meetings/", disputes.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", disputes.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/disputes/<int:dispute_pk>/decide/", disputes.meeting_decide, name="meeting_decide"),
    path("meetings/<int:pk>/minutes/", disputes.meeting_minutes, name="meeting_minutes"),
    path("decisions/", disputes.decision_list, name="decisions"),
    path("decisions/<int:pk>/deactivate/", disputes.decision_deactivate, name="decision_deactivate"),
    path("notifications/", misc.notification_list, name="notifications"),
    path("notifications/read/", misc.notification_read, name="notifications_read"),
    path("notifications/<int:pk>/read/", misc.notification_read, name="notification_read"),
    path("letters/", misc.letter_list, name="letters"),
    path("letters/<int:pk>/download/", misc.letter_download, name="letter_download"),
    # From the appeal page: 催办, 督办, 领导批示
    path("appeals/<int:pk>/urge/", urging.urge, name="appeal_urge"),
    path("appeals/<int:pk>/supervise/", urging.supervise, name="appeal_supervise"),
    path("appeals/<int:pk>/instruct/", urging.instruct, name="appeal_instruct"),
    path("callbacks/batch/", batch_callbacks.callback_batch, name="callback_batch"),
    path("letters/<int:pk>/", misc.letter_preview, name="letter_preview"),
    path("letters/<int:pk>/send/", misc.letter_send, name="letter_send"),
    path("letters/runs/<int:pk>/", misc.letter_run, name="letter_run"),
    # 领导批示 on a report page (analytics reports)
    path("reports/instruct/", urging.instruct_report, name="report_instruct"),
]
