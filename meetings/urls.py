from django.urls import path

from meetings import views

urlpatterns = [
    path("g/<slug:slug>/meetings/", views.meeting_list, name="meeting-list"),
    path("g/<slug:slug>/meetings/new/", views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/projector/", views.meeting_projector, name="meeting-projector"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/decisions/", views.meeting_decision, name="meeting-decision"),
    path("meetings/<int:pk>/seal/", views.meeting_seal, name="meeting-seal"),
    path("meetings/<int:pk>/correct/", views.meeting_correct, name="meeting-correct"),
]
