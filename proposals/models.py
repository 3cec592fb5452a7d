import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buckets.models import Bucket
from groups.models import Group


class Proposal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal (agree, abstain, disagree, block)")
        SCORE = "score", _("Score each option")
        RANKED_CHOICE = "ranked_choice", _("Ranked choice (instant runoff)")
        DOT_VOTE = "dot_vote", _("Dot vote")
        MEETING_TIME = "meeting_time", _("Meeting time")

    class Majority(models.TextChoices):
        SIMPLE = "simple", _("Simple majority (more agree than disagree)")
        TWO_THIRDS = "two_thirds", _("Two thirds of agree and disagree")
        THREE_QUARTERS = "three_quarters", _("Three quarters of agree and disagree")
        UNANIMOUS = "unanimous", _("Unanimous (no disagree)")

    class ReasonRequired(models.TextChoices):
        NONE = "none", _("Never required")
        OBJECTIONS = "objections", _("Required to disagree or block")
        ALL = "all", _("Required for every stance")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        BLOCKED = "blocked", _("Blocked")
        NO_QUORUM = "no_quorum", _("No quorum")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=300)
    details = models.TextField(_("details"), blank=True, help_text=_("Markdown"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="proposals")
    created_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"))
    # Empty `named_voters` with voters_are_members=True means every member of the group votes.
    voters_are_members = models.BooleanField(default=True)
    named_voters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (%)"), default=0)
    block_vetoes = models.BooleanField(_("one block rejects it"), default=True)
    results_hidden_until_close = models.BooleanField(_("hide results until close"), default=False)
    bucket = models.ForeignKey(Bucket, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals")
    # Only the proposal opened by closing a round ("fund this bucket at the amount reached?")
    # settles its bucket; a proposal a member links to a bucket is a discussion, not a verdict.
    settles_bucket = models.BooleanField(default=False, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, null=True, blank=True)
    statement = models.TextField(_("outcome statement"), blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROPOSAL)
    majority = models.CharField(_("majority"), max_length=16, choices=Majority.choices, default=Majority.SIMPLE)
    reason_required = models.CharField(
        _("reason required"), max_length=16, choices=ReasonRequired.choices, default=ReasonRequired.NONE
    )
    # A secret ballot: who voted is known, what they chose is stored apart (AnonymousBallot).
    anonymous = models.BooleanField(_("secret ballot"), default=False)
    score_max = models.PositiveSmallIntegerField(_("highest score"), null=True, blank=True)
    dots_per_voter = models.PositiveSmallIntegerField(_("dots per voter"), null=True, blank=True)
    # Poll kinds: the results frozen at close (per-option totals, runoff rounds) and the
    # winning option (null on a tie or without quorum). A meeting-time poll's chosen slot is
    # the winner unless its author or an admin picks another after close.
    final_results = models.JSONField(null=True, blank=True)
    winner = models.ForeignKey("ProposalOption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    chosen_option = models.ForeignKey(
        "ProposalOption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The tally frozen at close, in the same update that sets `outcome`: the decision history
    # keeps the numbers that justified the outcome even if voters later leave the group.
    final_voters = models.PositiveIntegerField(null=True, blank=True)
    final_voted = models.PositiveIntegerField(null=True, blank=True)
    final_seen = models.PositiveIntegerField(null=True, blank=True)
    final_agree = models.PositiveIntegerField(null=True, blank=True)
    final_abstain = models.PositiveIntegerField(null=True, blank=True)
    final_disagree = models.PositiveIntegerField(null=True, blank=True)
    final_block = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["group", "closed_at"]), models.Index(fields=["closed_at", "closes_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def status(self) -> str:
        return self.Status.OPEN if self.closed_at is None else self.Status.CLOSED

    @property
    def is_poll(self) -> bool:
        return self.kind != self.Kind.PROPOSAL

    @property
    def kind_label(self) -> str:
        """The kind in a few words, for the minutes and the rules of the page."""
        return {
            self.Kind.PROPOSAL: _("Proposal"), self.Kind.SCORE: _("Score poll"),
            self.Kind.RANKED_CHOICE: _("Ranked-choice poll"), self.Kind.DOT_VOTE: _("Dot vote"),
            self.Kind.MEETING_TIME: _("Meeting-time poll"),
        }[self.kind]

    @property
    def outcome_label(self) -> str:
        """The outcome in words: a poll is decided (it has a winner) or has none."""
        if self.is_poll and self.outcome == self.Outcome.ADOPTED:
            return _("Decided")
        if self.is_poll and self.outcome == self.Outcome.REJECTED:
            return _("No winner")
        return self.get_outcome_display() if self.outcome else ""


class ProposalOption(models.Model):
    """An option of a poll; for a meeting-time poll, a slot."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("label"), max_length=200)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class Stance(models.Model):
    """Every stance ever taken is kept; `is_latest` marks the one that counts.

    On a secret ballot (Proposal.anonymous) the row only says that `user` voted: `choice`
    stays empty, `data` null, `reason` empty, and the ballot itself is an AnonymousBallot
    count that names nobody."""

    class Via(models.TextChoices):
        SELF = "", _("by the voter")
        PHONE = "phone", _("by phone")
        PAPER = "paper", _("on paper")
        PROXY = "proxy", _("by proxy")

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        ABSTAIN = "abstain", _("Abstain")
        DISAGREE = "disagree", _("Disagree")
        BLOCK = "block", _("Block")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="stances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stances")
    choice = models.CharField(max_length=16, choices=Choice.choices, blank=True)
    # A poll's ballot: {"scores": {option id: n}}, {"ranking": [ids]}, {"dots": {...}} or
    # {"availability": {option id: "yes"|"maybe"|"no"}} (keys as strings).
    data = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_latest = models.BooleanField(default=True)
    # Who entered it when not the voter: an admin (by phone, on paper) or a proxy holder.
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=8, choices=Via.choices, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "user"], condition=models.Q(is_latest=True), name="one_latest_stance"
            )
        ]


class ProposalView(models.Model):
    """A voter's first view of the proposal (proof that each voter saw the vote)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="one_view_per_voter")]


class ProposalComment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class AnonymousBallot(models.Model):
    """The secret ballots of a proposal, counted: how many ballots had exactly this content
    (canonical JSON: {"choice": "agree"} or a poll's data). No voter, no time, no per-ballot
    row, so nothing joins a ballot to the Stance that says who voted. A plain proposal's four
    counters exist from its opening, so that the first ballot of a choice leaves no trace.

    Someone who can query the database itself (its system columns, the time of each write)
    is out of this reach; every reader of the application's data is not."""

    # A random id: the order in which different ballots first appeared is not kept either.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="anonymous_ballots")
    content = models.TextField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "content"], name="one_count_per_ballot_content")]


class AnonymousReason(models.Model):
    """A reason given with a secret ballot, kept without its author (random id, no time)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="anonymous_reasons")
    choice = models.CharField(max_length=16, blank=True)
    text = models.TextField()


class Proxy(models.Model):
    """A proxy (pouvoir): `giver` lets `holder` vote for them on one proposal. It ends when
    withdrawn, or superseded the moment the giver votes themselves (their own vote prevails)."""

    class End(models.TextChoices):
        WITHDRAWN = "withdrawn", _("withdrawn")
        SUPERSEDED = "superseded", _("superseded: the giver voted themselves")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="proxies")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    # The giver, or an admin recording a paper pouvoir.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end = models.CharField(max_length=16, choices=End.choices, blank=True)

    class Meta:
        ordering = ["given_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "giver"], condition=models.Q(ended_at=None), name="one_active_proxy_per_giver"
            )
        ]


class ProposalEvent(models.Model):
    """What changed a proposal after its first stance: an extension or a reopening, with why."""

    class Action(models.TextChoices):
        EXTENDED = "extended", _("extended")
        REOPENED = "reopened", _("reopened")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    closes_at_before = models.DateTimeField()
    closes_at_after = models.DateTimeField()
    # Reopening: the outcome and counts it had when it was closed.
    previous = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
