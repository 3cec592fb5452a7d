from django.urls import path

from expenses import views

urlpatterns = [
    path("buckets/<int:pk>/expenses/", views.add_expense, name="bucket-expense-add"),
    path("g/<slug:slug>/expenses/", views.queue, name="group-expenses"),
    path("buckets/<int:pk>/files/", views.add_attachment, name="bucket-file-add"),
    path("buckets/<int:pk>/files/<int:fid>/", views.attachment_file, name="bucket-file"),
    path("buckets/<int:pk>/files/<int:fid>/thumbnail/", views.attachment_thumbnail, name="bucket-file-thumbnail"),
    path("buckets/<int:pk>/files/<int:fid>/remove/", views.remove_attachment, name="bucket-file-remove"),
    path("expenses/<int:pk>/approve/", views.approve, name="expense-approve"),
    path("expenses/<int:pk>/reject/", views.reject, name="expense-reject"),
    path("expenses/<int:pk>/pay/", views.pay, name="expense-pay"),
]
