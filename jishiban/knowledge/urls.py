from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.entries, name="entries"),
    path("new/", views.entry_new, name="entry_new"),
    path("<int:pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/confirm/", views.entry_confirm, name="entry_confirm"),
    path("figures/", views.figures, name="figures"),
    path("desk/suggest/", views.suggest, name="suggest"),
    path("desk/answer/", views.answer, name="answer"),
]
