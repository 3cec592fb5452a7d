from django.urls import path

from allocations import after_funding_views, sheet, views

urlpatterns = [
    path("rounds/<int:pk>/", views.round_page, name="round"),
    path("rounds/<int:pk>/cards/", views.round_cards, name="round-cards"),
    path("rounds/<int:pk>/allocate/", sheet.allocation_sheet, name="round-allocate"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round-publish"),
    path("rounds/<int:pk>/topup/", views.round_topup, name="round-topup"),
    path("rounds/<int:pk>/envelopes/", views.round_envelopes, name="round-envelopes"),
    path("rounds/<int:pk>/paper/", views.paper_form, name="round-paper"),
    path("buckets/<int:pk>/", views.bucket_page, name="bucket"),
    path("buckets/<int:pk>/allocate/", views.bucket_allocate, name="bucket-allocate"),
    path("buckets/<int:pk>/withdraw/", views.bucket_withdraw, name="bucket-withdraw"),
    path("buckets/<int:pk>/merge/", views.bucket_merge, name="bucket-merge"),
    path("buckets/<int:pk>/complete/", after_funding_views.bucket_complete, name="bucket-complete"),
    path("buckets/<int:pk>/cancel-funding/", after_funding_views.bucket_cancel_funding, name="bucket-cancel-funding"),
]
