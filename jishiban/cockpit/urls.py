from django.urls import path

from . import views

app_name = "cockpit"

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("panels/", views.panels, name="panels"),
    path("live/<slug:what>/", views.live, name="live"),
]
