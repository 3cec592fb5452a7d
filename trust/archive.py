"""A group's full archive for its admins: a ZIP of JSON and CSV files holding everything the
group owns — settings, members, rounds and their buckets, budgets, envelopes, allocations and
ledger, comments, guidelines and flags, proposals with their stances and comments, the audit
trail and the webhooks (without their secrets). Written to a temporary file (large groups
stay out of memory), then streamed.

Stances follow the proposal's own rules: those of a proposal whose results are hidden until
close are left out while it is open, and an anonymous proposal's stances never carry a name.
"""

import json
import tempfile
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from allocations.models import Allocation, Envelope, LedgerEntry
from audit.models import AuditEntry
from audit.selectors import present
from buckets.models import Bucket, Comment, Flag, Guideline, Round
from groups.models import Group, Invitation, Membership
from integrations.models import Webhook
from proposals.models import Proposal, ProposalComment, Stance
from trust.zipdump import write_csv, write_json

README = """Archive of the group {name} ({slug}), made on {date}.

group.json                 the group's settings
members.csv                members, roles, e-mail addresses
invitations.csv            invitations sent
rounds.json                rounds and their settings
buckets.json, buckets.csv  buckets, budgets, co-leads (by member id)
envelopes.csv              each member's envelope in each round
allocations.csv            each member's allocation on each bucket
ledger.csv                 every money movement (append-only)
comments.csv               comments on buckets
guidelines.json, flags.csv the evaluation grid and the flags raised
proposals.json             proposals, their settings and outcomes
stances.csv                every stance (changes kept)
proposal_comments.csv      comments on proposals
audit.csv                  every change that is not a money movement
webhooks.json              where events are sent (secrets left out)

People are named by their id in members.csv. Amounts are decimal strings; times are ISO 8601 (UTC).
"""

CHUNK = 2000


def _chunked(queryset):
    return queryset.iterator(chunk_size=CHUNK)


def _stance_rows(group: Group):
    stances = Stance.objects.filter(proposal__group=group).select_related("proposal").order_by("proposal_id", "id")
    for stance in _chunked(stances):
        proposal = stance.proposal
        if proposal.closed_at is None and proposal.results_hidden_until_close:
            continue
        anonymous = bool(getattr(proposal, "anonymous", False))
        yield (proposal.pk, "" if anonymous else stance.user_id, stance.choice, "" if anonymous else stance.reason,
               stance.created_at, stance.is_latest)


def _audit_rows(group: Group):
    batch = []
    for entry in _chunked(AuditEntry.objects.filter(group=group).order_by("id")):
        batch.append(entry)
        if len(batch) == CHUNK:
            yield from _present(batch)
            batch = []
    yield from _present(batch)


def _present(batch):
    for row in present(batch):
        yield (row["id"], row["at"], row["actor"]["id"] if row["actor"] else "", row["action"], row["object"]["type"],
               row["object"]["id"], row["object"]["label"], _json(row["before"]), _json(row["after"]))


def _json(value) -> str:
    return "" if value is None else json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def write_archive(group: Group) -> tempfile.SpooledTemporaryFile:
    handle = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    rounds = Round.objects.filter(group=group)
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(name=group.name, slug=group.slug, date=timezone.now().date().isoformat()))
        write_json(archive, "group.json", {
            "name": group.name, "slug": group.slug, "description": group.description, "currency": group.currency,
            "time_zone": group.time_zone, "join_policy": group.join_policy, "show_member_emails": group.show_member_emails,
            "require_mfa_for_officers": group.require_mfa_for_officers, "created_at": group.created_at,
        })
        write_csv(archive, "members.csv", ["member_id", "user_id", "email", "name", "role", "since"], (
            (m.pk, m.user_id, m.user.email, m.user.name, m.role, m.created_at)
            for m in _chunked(Membership.objects.filter(group=group).select_related("user").order_by("id"))))
        write_csv(archive, "invitations.csv", ["email", "role", "invited_by", "at"], (
            (i.email, i.role, i.invited_by_id, i.created_at)
            for i in _chunked(Invitation.objects.filter(group=group).order_by("id"))))
        write_json(archive, "rounds.json", list(rounds.order_by("id").values()))
        buckets = Bucket.objects.filter(round__group=group).order_by("id")
        write_json(archive, "buckets.json", [
            {"id": b.pk, "round": b.round_id, "title": b.title, "summary": b.summary, "description": b.description,
             "status": b.status, "created_by": b.created_by_id, "coleads": sorted(u.pk for u in b.coleads.all()),
             "budget_items": [{"description": i.description, "min_amount": i.min_amount, "max_amount": i.max_amount}
                              for i in b.budget_items.all()],
             "min_goal": b.min_goal, "max_goal": b.max_goal, "total": b.total, "created_at": b.created_at,
             "published_at": b.published_at, "decided_at": b.decided_at}
            for b in buckets.prefetch_related("coleads", "budget_items")])
        write_csv(archive, "buckets.csv", ["id", "round_id", "title", "status", "min_goal", "max_goal", "total",
                                           "contributors"], (
            (b.pk, b.round_id, b.title, b.status, b.min_goal, b.max_goal, b.total, b.contributors_count)
            for b in _chunked(buckets)))
        write_csv(archive, "envelopes.csv", ["round_id", "user_id", "amount", "allocated"], (
            (e.round_id, e.user_id, e.amount, e.allocated)
            for e in _chunked(Envelope.objects.filter(round__group=group).order_by("round_id", "user_id"))))
        write_csv(archive, "allocations.csv", ["round_id", "bucket_id", "user_id", "amount", "updated_at"], (
            (a.bucket.round_id, a.bucket_id, a.envelope.user_id, a.amount, a.updated_at)
            for a in _chunked(Allocation.objects.filter(bucket__round__group=group).select_related("bucket", "envelope")
                              .order_by("bucket_id", "id"))))
        write_csv(archive, "ledger.csv", ["id", "at", "round_id", "bucket_id", "user_id", "actor_id", "kind", "before",
                                          "after", "note"], (
            (e.pk, e.created_at, e.round_id, e.bucket_id, e.member_id, e.actor_id, e.kind, e.before, e.after, e.note)
            for e in _chunked(LedgerEntry.objects.filter(round__group=group).order_by("id"))))
        write_csv(archive, "comments.csv", ["id", "bucket_id", "author_id", "body", "created_at", "updated_at"], (
            (c.pk, c.bucket_id, c.author_id, c.body, c.created_at, c.updated_at)
            for c in _chunked(Comment.objects.filter(bucket__round__group=group).order_by("id"))))
        write_json(archive, "guidelines.json", list(Guideline.objects.filter(round__group=group).order_by("round_id", "position")
                                                  .values("id", "round_id", "title", "description", "position")))
        write_csv(archive, "flags.csv", ["id", "bucket_id", "guideline_id", "raised_by", "comment", "created_at",
                                         "resolved_at", "resolved_by"], (
            (f.pk, f.bucket_id, f.guideline_id, f.raised_by_id, f.comment, f.created_at, f.resolved_at, f.resolved_by_id)
            for f in _chunked(Flag.objects.filter(bucket__round__group=group).order_by("id"))))
        write_json(archive, "proposals.json", [
            {key: value for key, value in row.items() if key not in ("group_id", "reminder_sent_at")}
            for row in Proposal.objects.filter(group=group).order_by("id").values()])
        write_csv(archive, "stances.csv", ["proposal_id", "user_id", "choice", "reason", "at", "latest"], _stance_rows(group))
        write_csv(archive, "proposal_comments.csv", ["id", "proposal_id", "author_id", "body", "created_at"], (
            (c.pk, c.proposal_id, c.author_id, c.body, c.created_at)
            for c in _chunked(ProposalComment.objects.filter(proposal__group=group).order_by("id"))))
        write_csv(archive, "audit.csv", ["id", "at", "actor_id", "action", "object_type", "object_id", "object",
                                         "before", "after"], _audit_rows(group))
        write_json(archive, "webhooks.json", list(Webhook.objects.filter(group=group).order_by("id")
                                                .values("id", "url", "format", "events", "created_at")))
    handle.seek(0)
    return handle
