from django.urls import path

from . import mapview, town, views

app_name = "grid"

urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/done/", views.complete_task, name="complete_task"),
    path("report/", views.report, name="report"),
    path("events/<uuid:pk>/", views.event, name="event"),
    path("events/<uuid:pk>/<str:action>/", views.act, name="act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("appeals/<str:number>/assign/", views.assign, name="assign"),
    path("town/", town.inbox, name="town"),
    path("county/", town.county, name="county"),
    path("map/", mapview.page, name="map"),
    path("map/data/", mapview.data, name="map_data"),
    path("map/towns/", mapview.towns, name="map_towns"),
    path("map/towns/counts/", mapview.town_counts, name="map_town_counts"),
]
