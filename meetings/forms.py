from django import forms
from django.utils.translation import gettext_lazy as _

from buckets.models import Bucket
from groups.models import User
from meetings.models import Decision
from proposals.models import Proposal

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    place = forms.CharField(label=_("Place"), max_length=200, required=False,
                            help_text=_("An address, a room, or a video link."))
    voters = forms.ChoiceField(
        label=_("Who sits and votes"), widget=forms.RadioSelect, initial="members",
        choices=[("members", _("Every member of the group")), ("named", _("Only the people I name (the board)"))],
    )
    named_voters = forms.ModelMultipleChoiceField(label=_("Members of the board"), queryset=User.objects.none(),
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    quorum_percent = forms.IntegerField(
        label=_("Quorum (%)"), min_value=0, max_value=100, initial=50,
        help_text=_("Share of the voting members who must be present or represented."),
    )
    buckets = forms.ModelMultipleChoiceField(label=_("Buckets left to decide"), queryset=Bucket.objects.none(),
                                             required=False, widget=forms.CheckboxSelectMultiple)
    proposals = forms.ModelMultipleChoiceField(label=_("Open proposals"), queryset=Proposal.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    items = forms.CharField(label=_("Other items, one per line"), widget=forms.Textarea(attrs={"rows": 3}),
                            required=False)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buckets"].queryset = Bucket.objects.filter(round__group=group, status=Bucket.Status.TO_DECIDE)
        self.fields["buckets"].label_from_instance = lambda b: f"{b.title} ({b.round.title})"
        self.fields["proposals"].queryset = Proposal.objects.filter(group=group, closed_at=None).order_by("closes_at")
        self.fields["proposals"].label_from_instance = lambda p: p.title
        self.fields["named_voters"].queryset = User.objects.filter(memberships__group=group).order_by("name", "email")
        self.fields["named_voters"].label_from_instance = lambda u: u.display_name

    def clean(self):
        data = super().clean()
        if data.get("voters") == "named" and not data.get("named_voters"):
            self.add_error("named_voters", _("Name at least one person who sits, or let every member sit."))
        return data

    def service_values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"], "starts_at": data["starts_at"], "place": data["place"],
            "quorum_percent": data["quorum_percent"], "buckets": [b.pk for b in data["buckets"]],
            "voters": "members" if data["voters"] == "members" else list(data["named_voters"]),
            "proposals": [p.pk for p in data["proposals"]],
            "items": [line.strip() for line in (data["items"] or "").splitlines() if line.strip()],
        }


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Decision"), max_length=300, required=False)
    text = forms.CharField(label=_("Text (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    votes_for = forms.IntegerField(label=_("For"), min_value=0, initial=0)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, initial=0)
    votes_abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    bucket = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("What is corrected"), widget=forms.Textarea(attrs={"rows": 4}))
