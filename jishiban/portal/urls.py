from django.urls import path

from . import review, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("done/<str:number>/", views.done, name="done"),
    path("held/<int:pk>/", views.held, name="held"),
    path("review/", review.queue, name="review"),
    path("review/<int:pk>/<str:decision>/", review.decide, name="review_decide"),
    path("follow/", views.follow, name="follow"),
    path("appeals/<str:number>/", views.appeal_page, name="appeal"),
    path("appeals/<str:number>/add/", views.add, name="add"),
    path("appeals/<str:number>/rate/", views.rate, name="rate"),
    path("appeals/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("privacy/", views.privacy, name="privacy"),
    path("replies/", views.replies, name="replies"),
    path("categories/", views.categories, name="categories"),
    path("suggest/", views.suggest, name="suggest"),
    path("locate/", views.locate, name="locate"),
    path("towns/", views.towns, name="towns"),
    path("point/", views.point, name="point"),
    path("grid-shapes/", views.grid_shapes, name="grid_shapes"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("mine/", views.mine, name="mine"),
    path("mine/earlier/", views.claim, name="claim"),
    path("mine/addresses/", views.address_add, name="address_add"),
    path("mine/addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
]
