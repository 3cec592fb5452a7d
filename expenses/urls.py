from django.urls import path

from expenses import views

urlpatterns = [
    path("buckets/<int:pk>/expenses/", views.add_expense, name="bucket-expense-add"),
    path("g/<slug:slug>/expenses/", views.queue, name="group-expenses"),
    path("expenses/<int:pk>/approve/", views.approve, name="expense-approve"),
    path("expenses/<int:pk>/reject/", views.reject, name="expense-reject"),
    path("expenses/<int:pk>/pay/", views.pay, name="expense-pay"),
]
