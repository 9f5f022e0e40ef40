from django.urls import path

from . import views

app_name = "warnings"

urlpatterns = [
    path("", views.warning_list, name="list"),
    path("<int:pk>/", views.warning_detail, name="detail"),
    path("<int:pk>/<str:step>/", views.warning_step, name="step"),
]
