from django.urls import path

import cobudget.converters  # noqa: F401  (the `token` converter)
from integrations import views

urlpatterns = [
    path("g/<slug:slug>/webhooks/", views.webhook_list, name="group-webhooks"),
    path("g/<slug:slug>/webhooks/<int:pk>/delete/", views.webhook_delete, name="group-webhook-delete"),
    path("me/calendar/", views.my_calendar, name="my-calendar"),
    path("calendar/<token:token>.ics", views.calendar_feed, name="calendar-feed"),
]
