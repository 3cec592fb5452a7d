from django.urls import path

from integrations import api

urlpatterns = [
    path("groups/<slug:slug>/webhooks/", api.WebhookList.as_view(), name="api-webhooks"),
    path("webhooks/<int:pk>/", api.WebhookDetail.as_view(), name="api-webhook"),
    path("webhooks/<int:pk>/deliveries/", api.DeliveryList.as_view(), name="api-webhook-deliveries"),
    path("me/calendar/", api.MyCalendar.as_view(), name="api-me-calendar"),
]
