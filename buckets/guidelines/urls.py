from django.urls import path

from buckets import flag_views

urlpatterns = [
    path("rounds/<int:pk>/guidelines/", flag_views.guidelines, name="round-guidelines"),
    path("rounds/<int:pk>/guidelines/add/", flag_views.guideline_add, name="guideline-add"),
    path("guidelines/<int:pk>/edit/", flag_views.guideline_edit, name="guideline-edit"),
    path("guidelines/<int:pk>/move/", flag_views.guideline_move, name="guideline-move"),
    path("guidelines/<int:pk>/delete/", flag_views.guideline_delete, name="guideline-delete"),
    path("buckets/<int:pk>/flags/", flag_views.bucket_flags, name="bucket-flags"),
    path("flags/<int:pk>/resolve/", flag_views.flag_resolve, name="flag-resolve"),
]
