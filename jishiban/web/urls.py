from django.contrib.auth import views as auth_views
from django.urls import path

from .views import home

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", home.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
