from django.urls import path

from results import views

urlpatterns = [
    path("rounds/<int:round_id>/results/", views.results_page, name="round-results"),
    path("rounds/<int:round_id>/results/live/", views.results_live, name="round-results-live"),
    path("rounds/<int:round_id>/close/", views.close_round_page, name="round-close"),
    path("rounds/<int:round_id>/exports/", views.exports_page, name="round-exports"),
]
