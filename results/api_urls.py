from django.urls import path

from allocations import results_api

urlpatterns = [
    path("rounds/<int:round_id>/close/", results_api.close_round_view, name="api-round-close"),
    path("rounds/<int:round_id>/results/", results_api.round_results_view, name="api-round-results"),
    path("rounds/<int:round_id>/export/results.csv", results_api.export_results, name="api-export-results"),
    path("rounds/<int:round_id>/export/allocations.csv", results_api.export_allocations, name="api-export-allocations"),
    path("rounds/<int:round_id>/export/envelopes.csv", results_api.export_envelopes, name="api-export-envelopes"),
]
