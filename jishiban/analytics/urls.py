from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.figures, name="figures"),
    path("appeals/", views.appeals, name="appeals"),
    path("ranking/", views.ranking, name="ranking"),
    path("reports/", views.report, name="reports"),
    path("reports/kept/", views.kept, name="kept"),
    path("reports/kept/<int:pk>/", views.kept_download, name="kept_download"),
]
