from django.urls import path

from proposals import views

urlpatterns = [
    path("g/<slug:slug>/proposals/", views.proposal_list, name="proposal-list"),
    path("g/<slug:slug>/proposals/new/", views.proposal_new, name="proposal-new"),
    path("g/<slug:slug>/decisions/", views.decisions, name="decisions"),
    path("g/<slug:slug>/decisions.csv", views.decisions_csv, name="decisions-csv"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/stance/", views.proposal_stance, name="proposal-stance"),
    path("proposals/<int:pk>/close/", views.proposal_close, name="proposal-close"),
    path("proposals/<int:pk>/outcome/", views.proposal_outcome, name="proposal-outcome"),
    path("proposals/<int:pk>/comments/", views.proposal_comment, name="proposal-comment"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/extend/", views.proposal_extend, name="proposal-extend"),
    path("proposals/<int:pk>/reopen/", views.proposal_reopen, name="proposal-reopen"),
    path("proposals/<int:pk>/proxy/", views.proposal_proxy, name="proposal-proxy"),
    path("proxies/<int:pk>/withdraw/", views.proxy_withdraw, name="proxy-withdraw"),
]
