from django.urls import path

from trust import views

urlpatterns = [
    path("g/<slug:slug>/audit/", views.audit_page, name="group-audit"),
]
