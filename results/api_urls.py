from django.urls import path

from results import api

urlpatterns = [
    path("rounds/<int:round_id>/close/", api.close_round_view, name="api-round-close"),
    path("rounds/<int:round_id>/results/", api.round_results_view, name="api-round-results"),
    path("rounds/<int:round_id>/export/results.csv", api.export_results, name="api-export-results"),
    path("rounds/<int:round_id>/export/allocations.csv", api.export_allocations, name="api-export-allocations"),
    path("rounds/<int:round_id>/export/envelopes.csv", api.export_envelopes, name="api-export-envelopes"),
]
