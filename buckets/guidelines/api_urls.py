from django.urls import path

from buckets import flag_api

urlpatterns = [
    path("rounds/<int:pk>/guidelines/", flag_api.GuidelineList.as_view(), name="api-guidelines"),
    path("guidelines/<int:pk>/", flag_api.GuidelineDetail.as_view(), name="api-guideline"),
    path("buckets/<int:pk>/flags/", flag_api.FlagList.as_view(), name="api-flags"),
    path("flags/<int:pk>/resolve/", flag_api.FlagResolve.as_view(), name="api-flag-resolve"),
]
