"""Pages that write rounds, buckets and comments (no money: the round and bucket pages that
show envelopes and allocations are in allocations/views.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from buckets import selectors, services
from buckets.forms import BucketForm, CommentForm, RoundForm
from buckets.models import Bucket, Comment, Phase
from cobudget import confirm
from cobudget.dates import format_when
from cobudget.errors import DomainError
from cobudget.money import money_formatter, percent_formatter
from cobudget.pages import perform
from groups.models import Role
from groups.selectors import get_group_for


def _apply_error(form, exc: DomainError):
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.detail))


def phase_timeline(round, *, admin: bool = False):
    """The phases in order, with their dates, the current one marked. The draft is the admins'
    affair: members never see it in the strip."""
    current = round.phase
    steps = [
        (Phase.DRAFT, None),
        (Phase.PROPOSALS, round.proposals_open_at),
        (Phase.FUNDING, round.funding_opens_at),
        # A round closed early shows when it actually closed, not when it was planned to.
        (Phase.CLOSED, round.closed_at or round.funding_closes_at),
    ]
    if round.kind == round.Kind.PERMANENT:
        steps = steps[:1] + [(Phase.FUNDING, round.published_at)]
        if round.closed_at is not None:
            steps.append((Phase.CLOSED, round.closed_at))
    if not admin:
        steps = steps[1:]
    return [{"phase": p, "label": p.label, "at": at, "current": p == current} for p, at in steps]


@login_required
def round_new(request, slug):
    group, membership = get_group_for(request.user, slug)
    if membership.role != Role.ADMIN:
        raise Http404
    form = RoundForm(request.POST or None, initial={"currency": group.currency})
    if request.method == "POST" and form.is_valid():
        try:
            round = services.create_round(group=group, actor=request.user, **form.service_fields())
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The round is created as a draft. Publish it when it is ready."))
            return redirect("round", pk=round.pk)
    return render(request, "buckets/round_form.html", {"form": form, "group": group, "round": None})


@login_required
def round_edit(request, pk):
    round, membership = selectors.get_round_for(request.user, pk)
    if membership.role != Role.ADMIN:
        raise Http404
    initial = {name: getattr(round, name) for name in services.ROUND_FIELDS}
    for name in ("proposals_open_at", "funding_opens_at", "funding_closes_at", "meeting_at"):
        if initial[name]:
            initial[name] = timezone.localtime(initial[name])
    form = RoundForm(request.POST or None, initial=initial, published=round.published_at is not None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_round(round=round, actor=request.user, **form.service_fields())
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The round is saved."))
            return redirect("round", pk=round.pk)
    return render(request, "buckets/round_form.html",
                  {"form": form, "group": round.group, "round": round, "timeline": phase_timeline(round, admin=True)})


@login_required
def bucket_new(request, pk):
    round, membership = selectors.get_round_for(request.user, pk)
    if membership.role == Role.ACCOUNTANT:
        raise Http404
    form = BucketForm(request.POST or None)
    ticked = request.POST.getlist("colead_ids")
    if request.method == "POST" and form.is_valid():
        try:
            bucket = services.create_bucket(round=round, actor=request.user, **form.service_fields(ticked))
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("Your bucket is saved as a draft. Publish it when its co-leads are ready."))
            return redirect("bucket", pk=bucket.pk)
    chosen = selectors.colead_picker(group=round.group, creator=request.user, membership_ids=ticked)
    return render(request, "buckets/bucket_form.html", {"form": form, "round": round, "bucket": None, "chosen": chosen})


@login_required
def bucket_edit(request, pk):
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    if not services.is_colead_or_admin(request.user, bucket):
        raise Http404
    items = list(bucket.budget_items.all())
    # The co-leads are ticked boxes (by name, never by address); more are added by name.
    initial = {
        "title": bucket.title, "summary": bucket.summary, "description": bucket.description,
        "tags": ", ".join(bucket.tags.values_list("name", flat=True)),
    }
    form = BucketForm(request.POST or None, initial=initial, items=items)
    ticked = request.POST.getlist("colead_ids")
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields(ticked)
        fields["coleads"] = selectors.coleads_sent_back(bucket, request.user, _membership, fields["coleads"])
        try:
            services.update_bucket(bucket=bucket, actor=request.user, **fields)
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The bucket is saved."))
            return redirect("bucket", pk=bucket.pk)
    if request.method == "POST":
        chosen = selectors.colead_picker(group=bucket.round.group, creator=bucket.created_by, membership_ids=ticked)
    else:
        chosen = selectors.colead_picker(group=bucket.round.group, creator=bucket.created_by,
                                         user_ids=bucket.coleads.values_list("pk", flat=True))
    return render(request, "buckets/bucket_form.html",
                  {"form": form, "round": bucket.round, "bucket": bucket, "chosen": chosen})


@login_required
@require_POST
def bucket_publish(request, pk):
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    perform(request, lambda: services.publish_bucket(bucket=bucket, actor=request.user), success=_("The bucket is published."))
    return redirect("bucket", pk=bucket.pk)


@login_required
@require_POST
def bucket_follow(request, pk):
    """Follow a bucket or stop (`follow` = 1 or 0): htmx gets the button back, a plain post the
    bucket page with a message."""
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    following = services.set_following(bucket=bucket, user=request.user, follow=request.POST.get("follow") == "1")
    if request.headers.get("HX-Request") == "true":
        return render(request, "buckets/_follow.html", {"bucket": bucket, "following": following, "changed": True})
    messages.success(request, _("You follow this bucket: you will be told of its comments and funding.") if following
                     else _("You no longer follow this bucket."))
    return redirect("bucket", pk=bucket.pk)


@login_required
@require_POST
def comment_add(request, pk):
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(bucket=bucket, author=request.user, body=form.cleaned_data["body"])
        except DomainError as exc:
            messages.error(request, str(exc.detail))
    else:
        messages.error(request, _("Write a comment first."))
    return redirect(f"/buckets/{bucket.pk}/#comments")


def _own_comment(request, pk, cid):
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    comment = get_object_or_404(Comment, bucket=bucket, pk=cid)
    if comment.author_id != request.user.id:
        raise Http404
    return bucket, comment


@login_required
def comment_edit(request, pk, cid):
    bucket, comment = _own_comment(request, pk, cid)
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        services.edit_comment(comment=comment, actor=request.user, body=form.cleaned_data["body"])
        return redirect(f"/buckets/{bucket.pk}/#comment-{comment.pk}")
    return render(request, "buckets/comment_form.html", {"form": form, "bucket": bucket, "comment": comment})


@login_required
@require_POST
def comment_delete(request, pk, cid):
    """Delete one's comment, after a confirmation page saying which one and what it holds."""
    bucket, comment = _own_comment(request, pk, cid)

    def consequence():
        words = len(comment.body.split())
        written = format_when(comment.created_at, "datetime", bucket.round.group)
        return confirm.Consequence(
            title=_("Delete your comment?"),
            lines=[
                ngettext("Your comment of %(date)s on “%(bucket)s”, %(n)d word, disappears for everyone.",
                         "Your comment of %(date)s on “%(bucket)s”, %(n)d words, disappears for everyone.", words)
                % {"date": written, "bucket": bucket.title, "n": words},
                _("This cannot be undone."),
            ],
            notes=[Truncator(comment.body).chars(200)],
            figures=(comment.pk, words),
            confirm_label=_("Delete the comment"),
            back_url=f"/buckets/{bucket.pk}/#comment-{comment.pk}",
            back_label=bucket.title,
        )

    def run(confirmed):
        services.delete_comment(comment=comment, actor=request.user)
        messages.success(request, _("Your comment is deleted."))
        return redirect(f"/buckets/{bucket.pk}/#comments")

    return confirm.confirm_or_run(request, action="delete-comment", target=comment.pk, consequence=consequence, run=run)


@login_required
@require_POST
def bucket_accept_funding(request, pk):
    """A co-lead accepts the funding of an open bucket of a permanent fund: a confirmation page
    states the amount, the share of the min goal and what it commits, then it is done."""
    bucket, _membership = selectors.get_bucket_for(request.user, pk)
    back = f"/buckets/{bucket.pk}/"

    def consequence():
        current = Bucket.objects.select_related("round__group").get(pk=bucket.pk)
        services.check_accept_funding(bucket=current, actor=request.user)
        round = current.round
        money = money_formatter(round.currency)
        percent = percent_formatter()
        n = current.contributors_count
        return confirm.Consequence(
            title=_("Accept the funding of “%(title)s”?") % {"title": current.title},
            lines=[
                ngettext("The bucket is funded now at its total: %(total)s, from %(n)d contribution.",
                         "The bucket is funded now at its total: %(total)s, from %(n)d contributions.", n)
                % {"total": money(current.total), "n": n},
                _("That is %(reached)s of its minimum goal of %(min)s (maximum %(max)s); this fund lets co-leads "
                  "accept from %(threshold)s.") % {
                    "reached": percent(current.percent_of_min), "min": money(current.min_goal),
                    "max": money(current.max_goal), "threshold": percent(round.funded_if_percent_of_min)},
                _("Its allocations no longer change: no one can give it more or take back what they gave. "
                  "Its co-leads, funders and followers are told."),
                _("This cannot be undone."),
            ],
            figures=(current.status, current.total, n, current.min_goal, round.funded_if_percent_of_min),
            confirm_label=_("Accept the funding"),
            back_url=back,
            back_label=current.title,
            danger=False,
        )

    def run(confirmed):
        funded = services.accept_funding(bucket=bucket, actor=request.user, expect_total=confirmed.figures[1])
        messages.success(request, _("The bucket is funded: %(amount)s.")
                         % {"amount": money_formatter(funded.round.currency)(funded.funded_amount)})
        return redirect(back)

    try:
        return confirm.confirm_or_run(request, action="accept-funding", target=bucket.pk, consequence=consequence,
                                      run=run)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect(back)
