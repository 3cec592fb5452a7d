from django.urls import path

from allocations import api

urlpatterns = [
    path("groups/<slug:slug>/rounds/", api.RoundList.as_view(), name="api-rounds"),
    path("rounds/<int:pk>/", api.RoundDetail.as_view(), name="api-round"),
    path("rounds/<int:pk>/publish/", api.RoundPublish.as_view(), name="api-round-publish"),
    path("rounds/<int:pk>/topup/", api.RoundTopup.as_view(), name="api-round-topup"),
    path("rounds/<int:pk>/topups/", api.TopupList.as_view(), name="api-round-topups"),
    path("rounds/<int:pk>/envelopes/", api.EnvelopeList.as_view(), name="api-envelopes"),
    path("rounds/<int:pk>/envelopes/me/", api.MyEnvelope.as_view(), name="api-envelope-me"),
    path("rounds/<int:pk>/envelopes/<int:member_id>/", api.EnvelopeDetail.as_view(), name="api-envelope"),
    path("rounds/<int:pk>/buckets/", api.BucketList.as_view(), name="api-round-buckets"),
    path("buckets/<int:pk>/", api.BucketDetail.as_view(), name="api-bucket"),
    path("buckets/<int:pk>/publish/", api.BucketPublish.as_view(), name="api-bucket-publish"),
    path("buckets/<int:pk>/withdraw/", api.BucketWithdraw.as_view(), name="api-bucket-withdraw"),
    path("buckets/<int:pk>/accept-funding/", api.BucketAcceptFunding.as_view(), name="api-bucket-accept-funding"),
    path("buckets/<int:pk>/merge/", api.BucketMerge.as_view(), name="api-bucket-merge"),
    path("buckets/<int:pk>/allocation/", api.BucketAllocation.as_view(), name="api-bucket-allocation"),
]
