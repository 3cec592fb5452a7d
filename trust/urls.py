from django.urls import path

from trust import views

urlpatterns = [
    path("g/<slug:slug>/audit/", views.audit_page, name="group-audit"),
    path("g/<slug:slug>/archive.zip", views.group_archive, name="group-archive"),
    path("me/data/", views.my_data, name="my-data"),
]
