from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new/", views.rule_new, name="rule_new"),
    path("<int:pk>/", views.rule_detail, name="rule_detail"),
    path("<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("<int:pk>/active/", views.rule_active, name="rule_active"),
    path("learned/", views.learned, name="learned"),
    path("try/", views.try_appeal, name="try"),
]
