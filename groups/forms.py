from django import forms
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Role


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
