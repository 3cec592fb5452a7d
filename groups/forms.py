from django import forms
from django.core.validators import MaxValueValidator
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
        fields = ["name", "description", "join_policy", "show_member_emails", "max_proxies_per_voter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["max_proxies_per_voter"]
        field.required = False
        field.validators.append(MaxValueValidator(50))
        field.widget.attrs.update({"min": 0, "max": 50})
        field.help_text = _("How many other voters' proxies (pouvoirs) one voter may carry; 0 for none.")

    def clean_max_proxies_per_voter(self):
        value = self.cleaned_data.get("max_proxies_per_voter")
        return self.instance.max_proxies_per_voter if value is None else value


class JoinRequestForm(forms.Form):
    message = forms.CharField(label=_("Message to the admins"), widget=forms.Textarea, required=False, max_length=2000)
