"""A person's data (RGPD): everything the service holds about them as a ZIP, and the erasure
of their account.

Erasure keeps the row of the person (their id) so that what the group owns stays whole and
adds up — the ledger, the stances that made a decision, the comments of a discussion, the
buckets they carried — signed "Former member #N"; and removes the rest: name, e-mail
addresses, password, two-factor devices, API token, calendar address, notifications and
their settings, invitations and requests to join. They leave every group as a member who is
removed does (their allocations in rounds still open go back, with ledger rows).
"""

import io
import zipfile

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from allocations.models import Allocation, Envelope, LedgerEntry
from audit import services as audit
from audit.models import AuditEntry
from buckets.models import Bucket, Comment, Flag, Follow
from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import Invitation, JoinRequest, Membership, Role, User
from integrations.models import CalendarToken, Webhook
from meetings.models import Attendance
from notifications.models import Notification, Preference
from proposals.models import Proposal, ProposalComment, ProposalView, Proxy, Stance
from trust.zipdump import write_csv, write_json

# Every reference to a person in the database, and what the export and the erasure do with it.
# tests/test_personal_data.py fails when a model gains a reference to a person that is not
# listed here: decide first what a person's export and erasure do with it.
PERSONAL_DATA = {
    "account.EmailAddress.user": "exported (profile.json); deleted",
    "mfa.Authenticator.user": "exported without secrets (profile.json); deleted",
    "authtoken.Token.user": "its date exported (profile.json); deleted",
    "authtoken.TokenProxy.user": "the same rows as authtoken.Token",
    "admin.LogEntry.user": "Django's admin log of staff actions; kept, the person shown as Former member",
    "audit.AuditEntry.actor": "exported (audit.json); kept, append-only",
    "audit.AuditEntry.person": "exported (audit.json); kept, append-only",
    "groups.Membership.user": "exported (memberships.csv); removed as a removal does",
    "groups.Invitation.user": "exported (invitations.json); deleted",
    "groups.Invitation.invited_by": "kept: the inviter, shown as Former member",
    "groups.InviteLink.created_by": "kept: its creator, shown as Former member",
    "groups.JoinRequest.user": "exported (invitations.json); deleted",
    "groups.JoinRequest.decided_by": "kept: the admin who decided",
    "notifications.Notification.user": "exported (notifications.json); deleted",
    "notifications.Preference.user": "exported (notifications.json); deleted",
    "buckets.Bucket.created_by": "exported (buckets.json); kept, shown as Former member",
    "buckets.Bucket.coleads": "exported (buckets.json); kept, shown as Former member",
    "buckets.Comment.author": "exported (comments.json); kept, signed Former member",
    "buckets.Follow.user": "exported (follows.json); deleted",
    "buckets.Flag.raised_by": "exported (flags.json); kept, shown as Former member",
    "buckets.Flag.resolved_by": "kept: who resolved it",
    "allocations.Envelope.user": "exported (envelopes.csv); kept (closed rounds), emptied in open ones",
    "allocations.LedgerEntry.member": "exported (ledger.csv); kept, append-only",
    "allocations.LedgerEntry.actor": "exported (ledger.csv); kept, append-only",
    "allocations.Topup.granted_by": "kept: the admin who granted a top-up, shown as Former member (its ledger rows are exported)",
    "proposals.Proposal.author": "exported (proposals.json); kept, shown as Former member",
    "proposals.Proposal.named_voters": "kept: the voters as named at the time",
    "proposals.Stance.user": "exported (stances.csv); kept, signed Former member",
    "proposals.ProposalView.user": "exported (proposal_views.csv); kept (proof of the vote seen)",
    "proposals.ProposalComment.author": "exported (comments.json); kept, signed Former member",
    "proposals.Stance.cast_by": "exported (stances.csv: who cast it); kept: who entered it by phone, on paper or by proxy",
    "proposals.Proxy.giver": "exported (proxies.csv); kept, shown as Former member (the vote's history)",
    "proposals.Proxy.holder": "exported (proxies.csv); kept, shown as Former member (the vote's history)",
    "proposals.Proxy.recorded_by": "kept: the admin who recorded a paper proxy",
    "proposals.ProposalEvent.actor": "kept: who extended or reopened the vote",
    "meetings.Meeting.named_voters": "kept: the board as it sat",
    "meetings.Meeting.created_by": "kept: who planned the meeting",
    "meetings.Meeting.sealed_by": "kept: who sealed the minutes (sealed minutes, a legal register, never change)",
    "meetings.Attendance.user": "exported (meetings.csv); kept: sealed minutes, a legal register, keep the names they hold",
    "meetings.Attendance.proxy": "exported (meetings.csv); kept, as Attendance.user",
    "meetings.Decision.recorded_by": "kept: the secretary who recorded it",
    "integrations.Webhook.created_by": "its id exported (profile.json); kept, shown as Former member",
    "integrations.CalendarToken.user": "deleted (the address stops working)",
    "expenses.Expense.submitted_by": "kept: an accounting record (receipts are kept ten years), shown as Former member",
    "expenses.Expense.decided_by": "kept: the accountant or admin who decided, shown as Former member",
    "expenses.Expense.paid_by": "kept: the accountant who recorded the payment, shown as Former member",
}

README = """Your data held by cobudget, as of {date}.

profile.json            your account: name, e-mail addresses, language, two-factor devices
memberships.csv         your groups and roles
envelopes.csv           your envelope in each round
allocations.csv         what you give each bucket now
ledger.csv              every money movement about you or made by you (append-only)
buckets.json            the buckets you created or carry, with their budgets
comments.json           your comments on buckets and proposals
follows.json            the buckets you follow
flags.json              the flags you raised
proposals.json          the proposals you opened
stances.csv             every stance you took (each change kept), and who entered it
proxies.csv             the proxies you gave or carried
meetings.csv            the meetings you attended or were represented at
proposal_views.csv      when you first saw each proposal
notifications.json      your notifications and e-mail settings
invitations.json        your invitations and requests to join
audit.json              the changes you made, or that were about you

Other people appear by their id only.
"""


def _profile(user: User) -> dict:
    token = Token.objects.filter(user=user).first()
    return {
        "id": user.pk, "email": user.email, "name": user.name, "language": user.language,
        "date_joined": user.date_joined, "last_login": user.last_login, "is_active": user.is_active,
        "email_addresses": list(EmailAddress.objects.filter(user=user).values("email", "verified", "primary")),
        "two_factor": list(Authenticator.objects.filter(user=user).values("type", "created_at", "last_used_at")),
        "api_token_created": token.created if token else None,
        "calendar_feed": CalendarToken.objects.filter(user=user).exists(),
        "webhooks_created": list(Webhook.objects.filter(created_by=user).values("id", "group__slug", "created_at")),
    }


def export_person(user: User) -> bytes:
    """The ZIP of everything held about `user` (GET /api/me/export/)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(date=timezone.now().date().isoformat()))
        write_json(archive, "profile.json", _profile(user))
        write_csv(archive, "memberships.csv", ["group", "group_name", "role", "since"], (
            (m.group.slug, m.group.name, m.role, m.created_at)
            for m in Membership.objects.filter(user=user).select_related("group").order_by("group__slug")))
        write_csv(archive, "envelopes.csv", ["round_id", "round", "group", "amount", "allocated", "remaining"], (
            (e.round_id, e.round.title, e.round.group.slug, e.amount, e.allocated, e.amount - e.allocated)
            for e in Envelope.objects.filter(user=user).select_related("round__group").order_by("round_id")))
        write_csv(archive, "allocations.csv", ["round_id", "bucket_id", "bucket", "amount", "updated_at"], (
            (a.bucket.round_id, a.bucket_id, a.bucket.title, a.amount, a.updated_at)
            for a in Allocation.objects.filter(envelope__user=user).select_related("bucket").order_by("bucket_id")))
        write_csv(archive, "ledger.csv", ["id", "at", "round_id", "bucket_id", "kind", "before", "after", "member_id",
                                          "actor_id", "note"], (
            (e.pk, e.created_at, e.round_id, e.bucket_id, e.kind, e.before, e.after, e.member_id, e.actor_id, e.note)
            for e in (LedgerEntry.objects.filter(member=user) | LedgerEntry.objects.filter(actor=user)).order_by("id")))
        buckets = (Bucket.objects.filter(created_by=user) | Bucket.objects.filter(coleads=user)).distinct().order_by("id")
        write_json(archive, "buckets.json", [
            {"id": b.pk, "round": b.round_id, "title": b.title, "summary": b.summary, "description": b.description,
             "status": b.status, "created_by_you": b.created_by_id == user.pk, "created_at": b.created_at,
             "budget_items": list(b.budget_items.values("description", "min_amount", "max_amount"))}
            for b in buckets.prefetch_related("budget_items")])
        write_json(archive, "comments.json", {
            "buckets": list(Comment.objects.filter(author=user).order_by("id").values("id", "bucket_id", "body", "created_at", "updated_at")),
            "proposals": list(ProposalComment.objects.filter(author=user).order_by("id").values("id", "proposal_id", "body", "created_at")),
        })
        write_json(archive, "follows.json", list(Follow.objects.filter(user=user).order_by("id").values(
            "bucket_id", "bucket__title", "created_at")))
        write_json(archive, "flags.json", list(Flag.objects.filter(raised_by=user).order_by("id").values(
            "id", "bucket_id", "guideline__title", "comment", "created_at", "resolved_at")))
        write_json(archive, "proposals.json", list(Proposal.objects.filter(author=user).order_by("id").values(
            "id", "group__slug", "title", "details", "created_at", "closes_at", "closed_at", "outcome", "statement")))
        write_csv(archive, "stances.csv", ["proposal_id", "proposal", "choice", "reason", "at", "counts", "via",
                                           "cast_by_id"], (
            (s.proposal_id, s.proposal.title, s.choice, s.reason, s.created_at, "yes" if s.is_latest else "no (changed)",
             s.via, s.cast_by_id)
            for s in Stance.objects.filter(user=user).select_related("proposal").order_by("id")))
        write_csv(archive, "proxies.csv", ["proposal_id", "giver_id", "holder_id", "given_at", "ended_at", "end"], (
            (p.proposal_id, p.giver_id, p.holder_id, p.given_at, p.ended_at, p.end)
            for p in (Proxy.objects.filter(giver=user) | Proxy.objects.filter(holder=user)).order_by("id")))
        write_csv(archive, "meetings.csv", ["meeting_id", "meeting", "starts_at", "status", "proxy_id"], (
            (a.meeting_id, a.meeting.title, a.meeting.starts_at, a.status, a.proxy_id)
            for a in Attendance.objects.filter(user=user).select_related("meeting").order_by("id")))
        write_csv(archive, "proposal_views.csv", ["proposal_id", "first_seen_at"], (
            (v.proposal_id, v.first_seen_at) for v in ProposalView.objects.filter(user=user).order_by("id")))
        write_json(archive, "notifications.json", {
            "settings": list(Preference.objects.filter(user=user).values("kind", "mode")),
            "notifications": list(Notification.objects.filter(user=user).order_by("id").values(
                "kind", "title", "url", "created_at", "read_at", "emailed_at")),
        })
        write_json(archive, "invitations.json", {
            "invitations": list(Invitation.objects.filter(user=user).values("group__slug", "email", "role", "created_at")),
            "requests_to_join": list(JoinRequest.objects.filter(user=user).values("group__slug", "message", "status", "created_at", "decided_at")),
        })
        write_json(archive, "audit.json", list(
            (AuditEntry.objects.filter(actor=user) | AuditEntry.objects.filter(person=user)).order_by("id").values(
                "at", "group__slug", "action", "object_type", "object_id", "object_label", "before", "after")))
    return buffer.getvalue()


def erase_account(*, user: User, password: str, authenticate) -> None:
    """Erase `user`'s personal data, after checking their password with `authenticate(password)`
    (which counts failures against the account as the login form does). Refused, changing
    nothing, without the right password (400 invalid_password) or while they are a group's
    last admin (409 last_admin)."""
    if not password or not authenticate(password):
        raise DomainError("invalid_password", _("Enter your password to delete your account."), status=400, field="password")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.erased_at is not None:
            return
        for membership in Membership.objects.filter(user=user).select_related("group").order_by("group_id"):
            try:
                group_services.remove_member(membership=membership, actor=user, reason="account erased")
            except DomainError as exc:
                if exc.code != "last_admin":
                    raise
                raise DomainError("last_admin", _("You are the last admin of %(group)s: make someone else admin first, "
                                                  "then delete your account.") % {"group": membership.group.name}) from None
        audit.record(actor=user, group=None, action="account.erased", obj=user)
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        Token.objects.filter(user=user).delete()
        CalendarToken.objects.filter(user=user).delete()
        Follow.objects.filter(user=user).delete()
        Notification.objects.filter(user=user).delete()
        Preference.objects.filter(user=user).delete()
        Invitation.objects.filter(user=user).delete()
        JoinRequest.objects.filter(user=user).delete()
        user.email = f"erased-{user.pk}@invalid"
        user.name = ""
        user.set_unusable_password()  # every session of theirs ends with it (Django checks the hash)
        user.is_active = user.is_staff = user.is_superuser = False
        user.last_login = None
        user.guide_dismissed_at = None
        user.erased_at = timezone.now()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()


def last_admin_of(user: User) -> list[str]:
    """The groups whose only admin `user` is (the page says so before asking for anything)."""
    groups = []
    for membership in Membership.objects.filter(user=user, role=Role.ADMIN).select_related("group"):
        if Membership.objects.filter(group_id=membership.group_id, role=Role.ADMIN).count() == 1:
            groups.append(membership.group.name)
    return groups
