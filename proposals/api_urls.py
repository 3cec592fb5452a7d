from django.urls import path

from proposals import api

urlpatterns = [
    path("groups/<slug:slug>/proposals/", api.ProposalList.as_view(), name="api-proposals"),
    path("groups/<slug:slug>/decisions/", api.DecisionList.as_view(), name="api-decisions"),
    path("groups/<slug:slug>/decisions.csv", api.DecisionCsv.as_view(), name="api-decisions-csv"),
    path("proposals/<int:pk>/", api.ProposalDetail.as_view(), name="api-proposal"),
    path("proposals/<int:pk>/stance/", api.StanceView.as_view(), name="api-proposal-stance"),
    path("proposals/<int:pk>/stances/", api.StanceHistory.as_view(), name="api-proposal-stances"),
    path("proposals/<int:pk>/close/", api.CloseView.as_view(), name="api-proposal-close"),
    path("proposals/<int:pk>/outcome/", api.OutcomeView.as_view(), name="api-proposal-outcome"),
    path("proposals/<int:pk>/comments/", api.CommentList.as_view(), name="api-proposal-comments"),
    path("proposals/<int:pk>/extend/", api.ExtendView.as_view(), name="api-proposal-extend"),
    path("proposals/<int:pk>/reopen/", api.ReopenView.as_view(), name="api-proposal-reopen"),
    path("proposals/<int:pk>/proxies/", api.ProxyList.as_view(), name="api-proposal-proxies"),
    path("proposals/<int:pk>/invitation.ics", api.InvitationIcs.as_view(), name="api-proposal-invitation"),
    path("proxies/<int:pk>/withdraw/", api.ProxyWithdraw.as_view(), name="api-proxy-withdraw"),
]
