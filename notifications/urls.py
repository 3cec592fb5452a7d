from django.urls import path

import cobudget.converters  # noqa: F401  (the `token` converter)
from notifications import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/preferences/", views.preferences, name="notification-preferences"),
    path("notifications/unsubscribe/<token:token>/", views.unsubscribe, name="notification-unsubscribe"),
]
