from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is invitation-only unless the instance opens it (SIGNUP_OPEN=1)."""

    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN
