from django.urls import path

from expenses import api

urlpatterns = [
    path("buckets/<int:pk>/expenses/", api.BucketExpenses.as_view(), name="api-bucket-expenses"),
    path("expenses/<int:pk>/approve/", api.approve_view, name="api-expense-approve"),
    path("expenses/<int:pk>/reject/", api.reject_view, name="api-expense-reject"),
    path("expenses/<int:pk>/pay/", api.pay_view, name="api-expense-pay"),
    path("expenses/<int:pk>/receipt/", api.receipt_view, name="api-expense-receipt"),
]
