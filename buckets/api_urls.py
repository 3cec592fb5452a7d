from django.urls import path

from buckets import api

urlpatterns = [
    path("buckets/<int:pk>/comments/", api.CommentList.as_view(), name="api-bucket-comments"),
    path("buckets/<int:pk>/comments/<int:cid>/", api.CommentDetail.as_view(), name="api-bucket-comment"),
]
