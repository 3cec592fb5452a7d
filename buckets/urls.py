from django.urls import path

from buckets import views

urlpatterns = [
    path("g/<slug:slug>/rounds/new/", views.round_new, name="round-new"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round-edit"),
    path("rounds/<int:pk>/buckets/new/", views.bucket_new, name="bucket-new"),
    path("buckets/<int:pk>/edit/", views.bucket_edit, name="bucket-edit"),
    path("buckets/<int:pk>/publish/", views.bucket_publish, name="bucket-publish"),
    path("buckets/<int:pk>/accept-funding/", views.bucket_accept_funding, name="bucket-accept-funding"),
    path("buckets/<int:pk>/follow/", views.bucket_follow, name="bucket-follow"),
    path("buckets/<int:pk>/comments/", views.comment_add, name="comment-add"),
    path("buckets/<int:pk>/comments/<int:cid>/edit/", views.comment_edit, name="comment-edit"),
    path("buckets/<int:pk>/comments/<int:cid>/delete/", views.comment_delete, name="comment-delete"),
]
