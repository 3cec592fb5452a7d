from django.urls import path

from buckets.guidelines import api

urlpatterns = [
    path("rounds/<int:pk>/guidelines/", api.GuidelineList.as_view(), name="api-guidelines"),
    path("guidelines/<int:pk>/", api.GuidelineDetail.as_view(), name="api-guideline"),
    path("buckets/<int:pk>/flags/", api.FlagList.as_view(), name="api-flags"),
    path("flags/<int:pk>/resolve/", api.FlagResolve.as_view(), name="api-flag-resolve"),
]
