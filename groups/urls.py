from django.urls import path

import cobudget.converters  # noqa: F401  (the `token` converter)
from groups import views

urlpatterns = [
    path("g/new/", views.group_create, name="group-create"),
    path("g/<slug:slug>/members/", views.members, name="group-members"),
    path("g/<slug:slug>/settings/", views.group_settings, name="group-settings"),
    path("g/<slug:slug>/members/invite/", views.invite, name="group-invite"),
    path("g/<slug:slug>/members/import/", views.import_csv, name="group-import"),
    path("g/<slug:slug>/members/<int:pk>/role/", views.member_role, name="group-member-role"),
    path("g/<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="group-member-remove"),
    path("g/<slug:slug>/links/", views.link_create, name="group-link-create"),
    path("g/<slug:slug>/links/<int:pk>/revoke/", views.link_revoke, name="group-link-revoke"),
    path("g/<slug:slug>/join/", views.join_request, name="group-join"),
    path("g/<slug:slug>/requests/<int:pk>/", views.join_request_decide, name="group-request-decide"),
    path("join/<token:token>/", views.join_link, name="join-link"),
    path("welcome/<token:token>/", views.invitation_welcome, name="invitation-welcome"),
]
