from django.urls import path

from trust import api

urlpatterns = [
    path("groups/<slug:slug>/audit/", api.AuditList.as_view(), name="api-audit"),
    path("groups/<slug:slug>/audit.csv", api.AuditCsv.as_view(), name="api-audit-csv"),
    path("me/", api.Me.as_view(), name="api-me"),
    path("me/export/", api.MyExport.as_view(), name="api-me-export"),
]
