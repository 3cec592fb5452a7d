from django.urls import path

from groups import api

urlpatterns = [
    path("groups/", api.GroupListCreate.as_view(), name="api-groups"),
    path("groups/<slug:slug>/", api.GroupDetail.as_view(), name="api-group"),
    path("groups/<slug:slug>/members/", api.MemberList.as_view(), name="api-members"),
    path("groups/<slug:slug>/members/<int:pk>/", api.MemberDetail.as_view(), name="api-member"),
]
