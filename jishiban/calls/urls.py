from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("seat/", views.seat, name="seat"),
    path("seat/sign/", views.seat_sign, name="seat_sign"),
    path("poll/", views.poll, name="poll"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
]
