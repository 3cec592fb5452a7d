from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from cobudget.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is invitation-only unless the instance opens it (SIGNUP_OPEN=1). Rate limits
    (login, sign-up, password reset) tell clients apart as the API's token endpoint does."""

    def get_client_ip(self, request):
        return client_ip(request)

    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN
