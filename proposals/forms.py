from django import forms
from django.utils.translation import gettext_lazy as _

from buckets.models import Bucket
from groups.models import User
from proposals.models import Stance


class ProposalForm(forms.Form):
    VOTERS = [("members", _("Every member of the group")), ("named", _("Only the people I name (e.g. the board)"))]

    title = forms.CharField(label=_("Title"), max_length=300)
    details = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 8}), required=False, help_text=_("Markdown")
    )
    closes_at = forms.DateTimeField(
        label=_("Voting closes at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    voters = forms.ChoiceField(label=_("Who votes"), choices=VOTERS, initial="members", widget=forms.RadioSelect)
    named_voters = forms.ModelMultipleChoiceField(
        label=_("Named voters"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Only used when you name the voters. Everyone in the group can still comment."),
    )
    quorum_percent = forms.IntegerField(
        label=_("Quorum (%)"), min_value=0, max_value=100, initial=0,
        help_text=_("Share of the voters who must take part (abstaining counts)."),
    )
    block_vetoes = forms.BooleanField(
        label=_("One block rejects it"), required=False, initial=True,
        help_text=_("Otherwise a block counts as a disagree."),
    )
    results_hidden_until_close = forms.BooleanField(label=_("Hide the results until close"), required=False)
    bucket = forms.ModelChoiceField(label=_("Linked bucket"), queryset=Bucket.objects.none(), required=False,
                                    empty_label=_("No bucket"))

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_voters"].queryset = User.objects.filter(memberships__group=group).order_by("name", "email")
        self.fields["named_voters"].label_from_instance = lambda u: u.display_name
        self.fields["bucket"].queryset = (
            Bucket.objects.filter(round__group=group)
            .exclude(status__in=[Bucket.Status.DRAFT, Bucket.Status.WITHDRAWN, Bucket.Status.MERGED])
            .select_related("round")
            .order_by("-created_at")
        )

    def clean(self):
        data = super().clean()
        if data.get("voters") == "named" and not data.get("named_voters"):
            self.add_error("named_voters", _("Name at least one voter, or let every member vote."))
        return data


class StanceForm(forms.Form):
    choice = forms.ChoiceField(label=_("My stance"), choices=Stance.Choice.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Why (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000
    )


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=_("Outcome statement"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        max_length=20_000, help_text=_("Markdown"),
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)
