from django.urls import path

from . import views

app_name = "cockpit"

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("panels/", views.panels, name="panels"),
    path("due-today/", views.due_today, name="due_today"),
]
