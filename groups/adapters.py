from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cobudget.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is invitation-only unless the instance opens it (SIGNUP_OPEN=1); invite links
    create accounts themselves (groups.views.join_link). The refusals a person meets when
    logging in are worded for someone who comes once a year. Rate limits (login, sign-up,
    password reset) tell clients apart as the API's token endpoint does."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "This e-mail address and this password do not match. Check them, or receive a login code by e-mail."
        ),
        "incorrect_code": _("This is not the code we sent. Check it in the e-mail and type it again."),
    }

    def get_client_ip(self, request):
        return client_ip(request)

    def is_open_for_signup(self, request):
        return settings.SIGNUP_OPEN

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        match = getattr(request, "resolver_match", None)
        if (message is not None and match is not None and match.url_name == "account_confirm_login_code"
                and str(message) == str(self.error_messages["too_many_login_attempts"])):
            # allauth voids the code after the third wrong one; say so, rather than "try later".
            message = _("Three wrong codes: this code no longer works. Ask for a new one below.")
        super().add_message(request, level, message_template, message_context, extra_tags, message)
