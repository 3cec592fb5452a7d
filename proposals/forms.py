from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from buckets.models import Bucket
from groups.models import User
from proposals.models import Proposal, Stance

SLOTS = 6


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
    kind = forms.ChoiceField(label=_("Kind of vote"), choices=Proposal.Kind.choices, initial=Proposal.Kind.PROPOSAL,
                             required=False)
    majority = forms.ChoiceField(
        label=_("Majority needed"), choices=Proposal.Majority.choices, initial=Proposal.Majority.SIMPLE, required=False,
        help_text=_("Abstentions are left out; statutes often ask two thirds."),
    )
    reason_required = forms.ChoiceField(
        label=_("Reason"), choices=Proposal.ReasonRequired.choices, initial=Proposal.ReasonRequired.NONE, required=False,
    )
    anonymous = forms.BooleanField(
        label=_("Secret ballot"), required=False,
        help_text=_("Who voted is shown, never what they chose; results appear at close; a ballot cast is final."),
    )
    options = forms.CharField(
        label=_("Options, one per line"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
        help_text=_("Score, ranked choice and dot vote: from 2 to 20 options."),
    )
    score_max = forms.IntegerField(label=_("Highest score"), min_value=1, max_value=10, initial=5, required=False)
    dots_per_voter = forms.IntegerField(label=_("Dots per voter"), min_value=1, max_value=100, initial=10, required=False)
    slot_minutes = forms.IntegerField(label=_("Length of each slot (minutes)"), min_value=15, max_value=24 * 60,
                                      initial=120, required=False)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, SLOTS + 1):
            self.fields[f"slot_{i}"] = forms.DateTimeField(
                label=_("Slot %(n)s") % {"n": i}, required=False,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            )
        self.order_fields([
            "title", "details", "kind", "options", *[f"slot_{i}" for i in range(1, SLOTS + 1)], "slot_minutes",
            "score_max", "dots_per_voter", "closes_at", "voters", "named_voters", "majority", "block_vetoes",
            "reason_required", "quorum_percent", "anonymous", "results_hidden_until_close", "bucket",
        ])
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
        kind = data["kind"] = data.get("kind") or Proposal.Kind.PROPOSAL
        data["majority"] = data.get("majority") or Proposal.Majority.SIMPLE
        data["reason_required"] = data.get("reason_required") or Proposal.ReasonRequired.NONE
        if kind == Proposal.Kind.MEETING_TIME:
            length = timedelta(minutes=data.get("slot_minutes") or 120)
            starts = sorted(data[f"slot_{i}"] for i in range(1, SLOTS + 1) if data.get(f"slot_{i}"))
            data["option_list"] = [{"starts_at": start, "ends_at": start + length} for start in starts]
        elif kind and kind != Proposal.Kind.PROPOSAL:
            data["option_list"] = [line.strip() for line in (data.get("options") or "").splitlines() if line.strip()]
        else:
            data["option_list"] = []
        return data

    def service_values(self) -> dict:
        """What proposals.services.open_proposal and edit_proposal take, from the form."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "details": data["details"],
            "closes_at": data["closes_at"],
            "voters": "members" if data["voters"] == "members" else list(data["named_voters"]),
            "quorum_percent": data["quorum_percent"],
            "block_vetoes": data["block_vetoes"],
            "results_hidden_until_close": data["results_hidden_until_close"],
            "bucket": data["bucket"],
            "kind": data["kind"],
            "majority": data["majority"],
            "reason_required": data["reason_required"],
            "anonymous": data["anonymous"],
            "options": data["option_list"],
            "score_max": data.get("score_max"),
            "dots_per_voter": data.get("dots_per_voter"),
        }

    @classmethod
    def initial_for(cls, proposal) -> dict:
        """The form filled from an existing proposal (the edit page)."""
        from django.utils import timezone

        options = list(proposal.options.all())
        initial = {
            "title": proposal.title, "details": proposal.details,
            "closes_at": timezone.localtime(proposal.closes_at),
            "voters": "members" if proposal.voters_are_members else "named",
            "named_voters": list(proposal.named_voters.all()), "quorum_percent": proposal.quorum_percent,
            "block_vetoes": proposal.block_vetoes, "results_hidden_until_close": proposal.results_hidden_until_close,
            "bucket": proposal.bucket, "kind": proposal.kind, "majority": proposal.majority,
            "reason_required": proposal.reason_required, "anonymous": proposal.anonymous,
            "score_max": proposal.score_max or 5, "dots_per_voter": proposal.dots_per_voter or 10,
        }
        if proposal.kind == Proposal.Kind.MEETING_TIME:
            for i, option in enumerate(options[:SLOTS], start=1):
                initial[f"slot_{i}"] = timezone.localtime(option.starts_at)
            if options and options[0].ends_at:
                initial["slot_minutes"] = int((options[0].ends_at - options[0].starts_at).total_seconds() // 60)
        else:
            initial["options"] = "\n".join(option.label for option in options)
        return initial


class StanceForm(forms.Form):
    """A plain proposal's stance. (A poll's ballot is read from the page's inputs named after
    each option: see views.ballot_from_post.)"""

    choice = forms.ChoiceField(label=_("My stance"), choices=Stance.Choice.choices, widget=forms.RadioSelect,
                               required=False)
    reason = forms.CharField(
        label=_("Why (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=20_000
    )


class RescheduleForm(forms.Form):
    closes_at = forms.DateTimeField(
        label=_("New closing time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(label=_("Why (kept in the history)"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=20_000)


class StatementForm(forms.Form):
    statement = forms.CharField(
        label=_("Outcome statement"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
        max_length=20_000, help_text=_("Markdown"),
    )
    chosen_option = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000)
