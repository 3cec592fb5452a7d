from django.urls import path

from allocations import results_views

urlpatterns = [
    path("rounds/<int:round_id>/results/", results_views.results_page, name="round-results"),
    path("rounds/<int:round_id>/results/live/", results_views.results_live, name="round-results-live"),
    path("rounds/<int:round_id>/close/", results_views.close_round_page, name="round-close"),
    path("rounds/<int:round_id>/exports/", results_views.exports_page, name="round-exports"),
]
