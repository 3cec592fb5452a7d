from django.urls import path

from meetings import api

urlpatterns = [
    path("groups/<slug:slug>/meetings/", api.MeetingList.as_view(), name="api-meetings"),
    path("meetings/<int:pk>/", api.MeetingDetail.as_view(), name="api-meeting"),
    path("meetings/<int:pk>/attendance/", api.AttendanceView.as_view(), name="api-meeting-attendance"),
    path("meetings/<int:pk>/decisions/", api.DecisionList.as_view(), name="api-meeting-decisions"),
    path("meetings/<int:pk>/seal/", api.SealView.as_view(), name="api-meeting-seal"),
    path("meetings/<int:pk>/correct/", api.CorrectView.as_view(), name="api-meeting-correct"),
    path("meetings/<int:pk>/minutes.html", api.MinutesHtml.as_view(), name="api-meeting-minutes-html"),
    path("meetings/<int:pk>/minutes.pdf", api.MinutesPdf.as_view(), name="api-meeting-minutes-pdf"),
]
