from django.urls import path

from results import api

urlpatterns = [
    path("rounds/<int:round_id>/close/", api.close_round_view, name="api-round-close"),
    path("rounds/<int:round_id>/results/", api.round_results_view, name="api-round-results"),
    path("rounds/<int:round_id>/export/results.csv", api.export_results, name="api-export-results"),
    path("rounds/<int:round_id>/export/allocations.csv", api.export_allocations, name="api-export-allocations"),
    path("rounds/<int:round_id>/export/envelopes.csv", api.export_envelopes, name="api-export-envelopes"),
    path("rounds/<int:round_id>/export/results.xlsx", api.export_results_xlsx, name="api-export-results-xlsx"),
    path("rounds/<int:round_id>/export/allocations.xlsx", api.export_allocations_xlsx,
         name="api-export-allocations-xlsx"),
    path("rounds/<int:round_id>/export/envelopes.xlsx", api.export_envelopes_xlsx, name="api-export-envelopes-xlsx"),
    path("rounds/<int:round_id>/export/expenses.csv", api.export_expenses, name="api-export-expenses"),
    path("rounds/<int:round_id>/export/expenses.xlsx", api.export_expenses_xlsx, name="api-export-expenses-xlsx"),
]
