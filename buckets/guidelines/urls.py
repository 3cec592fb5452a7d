from django.urls import path

from buckets.guidelines import views

urlpatterns = [
    path("rounds/<int:pk>/guidelines/", views.guidelines, name="round-guidelines"),
    path("rounds/<int:pk>/guidelines/add/", views.guideline_add, name="guideline-add"),
    path("guidelines/<int:pk>/edit/", views.guideline_edit, name="guideline-edit"),
    path("guidelines/<int:pk>/move/", views.guideline_move, name="guideline-move"),
    path("guidelines/<int:pk>/delete/", views.guideline_delete, name="guideline-delete"),
    path("buckets/<int:pk>/flags/", views.bucket_flags, name="bucket-flags"),
    path("flags/<int:pk>/resolve/", views.flag_resolve, name="flag-resolve"),
]
