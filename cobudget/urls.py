from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cobudget import health, views
from groups import api as groups_api

api_patterns = [
    # The allocation PUT, the API's busiest request, is resolved first (no route overlaps another).
    path("", include("allocations.api_urls")),
    path("auth/token/", groups_api.obtain_token, name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("groups.api_urls")),
    path("", include("buckets.api_urls")),
    path("", include("results.api_urls")),
    path("", include("proposals.api_urls")),
    path("", include("meetings.api_urls")),
    path("", include("buckets.guidelines.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("trust.api_urls")),
    path("", include("integrations.api_urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("developers/", views.developers, name="developers"),
    path("guide/", views.guide, name="guide"),
    path("guide/dismiss/", views.guide_dismiss, name="guide-dismiss"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", include(api_patterns)),
    path("", views.dashboard, name="dashboard"),
    # groups.urls first: "g/new/" is the group form, not a group whose slug is "new".
    path("", include("groups.urls")),
    path("g/<slug:slug>/", views.group_page, name="group"),
    path("", include("buckets.urls")),
    path("", include("allocations.urls")),
    path("", include("results.urls")),
    path("", include("proposals.urls")),
    path("", include("meetings.urls")),
    path("", include("buckets.guidelines.urls")),
    path("", include("notifications.urls")),
    path("", include("trust.urls")),
    path("", include("integrations.urls")),
]
