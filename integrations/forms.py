from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.models import Webhook

EVENT_LABELS = [
    ("round.opened", _("A round opens (proposals, then funding)")),
    ("round.closing_soon", _("A round closes in 48 hours")),
    ("round.closed", _("A round is closed (results)")),
    ("bucket.published", _("A project is published")),
    ("bucket.funded", _("A project is funded")),
    ("proposal.opened", _("A proposal opens")),
    ("proposal.closing_soon", _("A proposal closes in 24 hours")),
    ("proposal.closed", _("A proposal is closed (outcome)")),
]


class WebhookForm(forms.Form):
    url = forms.CharField(label=_("Address of the incoming webhook"), max_length=500,
                          widget=forms.URLInput(attrs={"placeholder": "https://framateam.org/hooks/…"}))
    format = forms.ChoiceField(label=_("Format"), choices=Webhook.Format.choices, initial=Webhook.Format.MATTERMOST)
    events = forms.MultipleChoiceField(label=_("Events"), choices=EVENT_LABELS, widget=forms.CheckboxSelectMultiple,
                                       initial=[value for value, _label in EVENT_LABELS])
