from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Role, User


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        allow_empty_file=True,  # the import itself says what is wrong with an empty file (line 1)
        help_text=_("Header row: email,name,role,envelope (role and envelope optional)."),
    )


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "slug", "description", "currency", "join_policy", "show_member_emails"]


class GroupSettingsForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "description", "join_policy", "show_member_emails", "require_mfa_for_officers"]
        help_texts = {
            "require_mfa_for_officers": _("They are asked to set it up at their next page and can do nothing else until then."),
        }


class JoinRequestForm(forms.Form):
    message = forms.CharField(label=_("Message to the admins"), widget=forms.Textarea, required=False, max_length=2000)


class _PasswordMixin:
    """One password field, checked by the project's validators against the person's name and
    address."""

    def _check_password(self, user):
        password = self.cleaned_data.get("password")
        if password:
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)


def _password_field():
    return forms.CharField(
        label=_("Password"), strip=False, max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not too common."),
    )


class SignupByLinkForm(_PasswordMixin, forms.Form):
    """An account created from an invite link."""

    name = forms.CharField(label=_("Your name"), max_length=150,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}),
                           help_text=_("As the members of the group will see it."))
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = _password_field()

    def clean(self):
        data = super().clean()
        self._check_password(User(email=data.get("email") or "", name=data.get("name") or ""))
        return data


class WelcomeForm(_PasswordMixin, forms.Form):
    """An invited person's first visit: their name, and the password they choose."""

    name = forms.CharField(label=_("Your name"), max_length=150, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}),
                           help_text=_("As the members of the group will see it."))
    password = _password_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        self._check_password(self.user)
        return data
