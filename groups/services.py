"""Every write on groups and memberships.

Higher apps (allocations) register a membership hook so that a member who joins gets an
envelope in each open round, without this app importing them.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from cobudget.errors import DomainError
from cobudget.money import parse_amount
from groups.models import Group, Invitation, InviteLink, JoinRequest, Membership, Role, User

# Called inside the membership's transaction: hook(membership=, envelope_amount=, actor=).
MEMBERSHIP_HOOKS: list[Callable] = []
# Called by import_members inside its transaction with every imported row at once:
# hook(items=[(line, membership, envelope_amount)], actor=). Raise ImportError_(line, ...) on a bad row.
BULK_MEMBERSHIP_HOOKS: list[Callable] = []
# Called inside the transaction before a membership is deleted: hook(membership=, actor=).
REMOVAL_HOOKS: list[Callable] = []
# Called after commit with the ids of new invitations: hook(invitation_ids=[...]). The
# notifications app registers the one that mails them (this app does not import it).
INVITATION_HOOKS: list[Callable] = []


def _run_hooks(membership, *, envelope_amount=None, actor=None):
    for hook in MEMBERSHIP_HOOKS:
        hook(membership=membership, envelope_amount=envelope_amount, actor=actor)


def _queue_invitation_mails(invitation_ids: list[int]):
    def run(ids):
        for hook in INVITATION_HOOKS:
            hook(invitation_ids=ids)

    for start in range(0, len(invitation_ids), 500):
        transaction.on_commit(lambda ids=invitation_ids[start : start + 500]: run(ids))


RESERVED_SLUGS = frozenset({"new"})


def create_group(*, creator: User, name: str, slug: str, currency: str = "EUR", **extra) -> Group:
    name = (name or "").strip()
    if not name:
        raise DomainError("invalid", _("A group needs a name."), status=400, field="name")
    with transaction.atomic(durable=True):
        # "new" is the address of the group form (/g/new/); no group may hide it.
        if slug in RESERVED_SLUGS or Group.objects.filter(slug=slug).exists():
            raise DomainError("slug_taken", _("This address is already taken."), status=409, field="slug")
        try:
            with transaction.atomic():
                group = Group.objects.create(name=name, slug=slug, currency=currency, **extra)
        except IntegrityError:
            raise DomainError("slug_taken", _("This address is already taken."), status=409, field="slug") from None
        membership = Membership.objects.create(group=group, user=creator, role=Role.ADMIN)
        audit.record(actor=creator, group=group, action="group.created", obj=group,
                     after={"name": group.name, "slug": group.slug, "currency": group.currency})
        audit.record(actor=creator, group=group, action="membership.added", obj=membership, after={"role": Role.ADMIN})
        _run_hooks(membership, actor=creator)
    return group


# How many other voters' proxies one voter may carry, at most (max_proxies_per_voter).
MAX_PROXIES = 50
GROUP_SETTINGS = ("name", "description", "join_policy", "show_member_emails", "require_mfa_for_officers",
                  "max_proxies_per_voter")


def update_group_settings(*, group: Group, actor: User, **fields) -> Group:
    """An admin changes the group's settings; each change is kept in the audit trail."""
    unknown = set(fields) - set(GROUP_SETTINGS)
    if unknown:
        raise DomainError("invalid", _("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}, status=400)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if not fields["name"]:
            raise DomainError("invalid", _("A group needs a name."), status=400, field="name")
    if "join_policy" in fields and fields["join_policy"] not in Group.JoinPolicy.values:
        raise DomainError("invalid", _("Unknown way of joining."), status=400, field="join_policy")
    if "max_proxies_per_voter" in fields:
        value = fields["max_proxies_per_voter"]
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_PROXIES:
            raise DomainError("invalid_max_proxies", _("A voter carries from 0 to %(max)s proxies.") % {"max": MAX_PROXIES},
                              status=400, field="max_proxies_per_voter")
    with transaction.atomic(durable=True):
        group = Group.objects.select_for_update().get(pk=group.pk)
        membership = Membership.objects.filter(group=group, user=actor).first()
        if membership is None or membership.role != Role.ADMIN:
            raise DomainError("forbidden", _("Only an admin of the group may do this."), status=403)
        old = {name: getattr(group, name) for name in fields}
        before, after = audit.changes(old, fields)
        if after:
            for name, value in after.items():
                setattr(group, name, value)
            group.save(update_fields=sorted(after))
            audit.record(actor=actor, group=group, action="group.updated", obj=group, before=before, after=after)
    return group


def _get_or_invite_user(email: str, name: str = "") -> tuple[User, bool]:
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        if name and not user.name:
            user.name = name
            user.save(update_fields=["name"])
        return user, False
    # Invited people are active at once; they set their password through the invitation.
    return User.objects.create_user(email=email, name=name or ""), True


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise DomainError(
            "invalid_role",
            _("Unknown role “%(role)s”: use admin, accountant, member or contributor.") % {"role": role},
            status=400,
            field="role",
        )
    return role


def add_member(
    *,
    group: Group,
    email: str,
    actor: User | None,
    name: str = "",
    role: str = Role.MEMBER,
    envelope_amount: Decimal | None = None,
    send_invitation: bool = True,
) -> tuple[Membership, bool]:
    """Add (or update) a member by e-mail, creating and inviting the account if missing.

    Returns the membership and whether it was created.
    """
    _check_role(role)
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("invalid_email", _("Enter a valid e-mail address."), status=400, field="email") from None
    with transaction.atomic(durable=True):
        user, _created_user = _get_or_invite_user(email, name)
        membership, created = Membership.objects.select_for_update().get_or_create(
            group=group, user=user, defaults={"role": role}
        )
        if not created and membership.role != role:
            _guard_last_admin(membership, new_role=role)
            audit.record(actor=actor, group=group, action="membership.role_changed", obj=membership,
                         before={"role": membership.role}, after={"role": role})
            membership.role = role
            membership.save(update_fields=["role"])
        if created:
            audit.record(actor=actor, group=group, action="membership.added", obj=membership,
                         after={"role": role, "via": "invitation"})
            invitation = Invitation.objects.create(
                group=group, email=user.email, user=user, role=role, invited_by=actor
            )
            if send_invitation:
                _queue_invitation_mails([invitation.id])
        _run_hooks(membership, envelope_amount=envelope_amount, actor=actor)
    return membership, created


def _guard_last_admin(membership: Membership, *, new_role: str | None):
    if membership.role == Role.ADMIN and new_role != Role.ADMIN:
        # The group row locked first: two admins leaving at once cannot both count the other.
        Group.objects.select_for_update().filter(pk=membership.group_id).first()
        admins = Membership.objects.filter(group=membership.group, role=Role.ADMIN).count()
        if admins <= 1:
            raise DomainError("last_admin", _("A group keeps at least one admin."), status=409)


def change_role(*, membership: Membership, role: str, actor: User) -> Membership:
    _check_role(role)
    with transaction.atomic(durable=True):
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _guard_last_admin(membership, new_role=role)
        if membership.role != role:
            audit.record(actor=actor, group=membership.group_id, action="membership.role_changed", obj=membership,
                         before={"role": membership.role}, after={"role": role})
        membership.role = role
        membership.save(update_fields=["role"])
        _run_hooks(membership, actor=actor)
    return membership


def remove_member(*, membership: Membership, actor: User, reason: str = "") -> None:
    with transaction.atomic(durable=True):
        _remove_member(membership=membership, actor=actor, reason=reason)


def _remove_member(*, membership: Membership, actor: User, reason: str = "") -> None:
    """In the caller's transaction: erasing an account removes every membership in one."""
    with transaction.atomic(savepoint=False):
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        _guard_last_admin(membership, new_role=None)
        for hook in REMOVAL_HOOKS:
            hook(membership=membership, actor=actor)
        audit.record(actor=actor, group=membership.group_id, action="membership.removed", obj=membership,
                     before={"role": membership.role}, after={"reason": reason} if reason else None)
        membership.delete()


def join(*, group: Group, user: User, role: str = Role.MEMBER, via: str = "open", actor: User | None = None) -> Membership:
    with transaction.atomic(durable=True):
        return _join(group=group, user=user, role=role, via=via, actor=actor)


def _join(*, group: Group, user: User, role: str = Role.MEMBER, via: str = "open", actor: User | None = None) -> Membership:
    """In the caller's transaction: a sign-up by link or an approved request joins with it."""
    with transaction.atomic(savepoint=False):
        membership, created = Membership.objects.get_or_create(group=group, user=user, defaults={"role": role})
        if created:
            audit.record(actor=actor or user, group=group, action="membership.added", obj=membership,
                         after={"role": role, "via": via})
            _run_hooks(membership, actor=user)
    return membership


def dismiss_guide(*, user: User) -> None:
    """The first-visit guide stays closed for this person, on every device."""
    User.objects.filter(pk=user.pk, guide_dismissed_at=None).update(guide_dismissed_at=timezone.now())


# --- invite links -------------------------------------------------------------------------


INVITE_LINK_LIFETIME = timedelta(days=30)


def create_invite_link(*, group: Group, actor: User, role: str = Role.MEMBER, expires_at=None) -> InviteLink:
    """A revocable link that stops working after `expires_at` (30 days unless given): a
    link forwarded beyond the cooperative does not stay an open door."""
    _check_role(role)
    expires_at = expires_at or timezone.now() + INVITE_LINK_LIFETIME
    with transaction.atomic(durable=True):
        link = InviteLink.objects.create(group=group, role=role, created_by=actor, expires_at=expires_at)
        audit.record(actor=actor, group=group, action="invite_link.created", obj=link,
                     after={"role": role, "expires_at": expires_at})
    return link


def revoke_invite_link(*, link: InviteLink, actor: User) -> InviteLink:
    with transaction.atomic(durable=True):
        if InviteLink.objects.filter(pk=link.pk, revoked_at=None).update(revoked_at=timezone.now()):
            audit.record(actor=actor, group=link.group_id, action="invite_link.revoked", obj=link)
    link.refresh_from_db()
    return link


def usable_link(token: str) -> InviteLink:
    """The invite link of `token`, or a DomainError (404) saying in words why it does not work."""
    link = InviteLink.objects.select_related("group").filter(token=token).first()
    if link is None:
        raise DomainError("invite_link_invalid", _("This invitation link does not exist."), status=404)
    if link.revoked_at is not None:
        raise DomainError("invite_link_revoked", _("This invitation link was revoked by an admin of the group."),
                          status=404)
    if not link.is_usable():
        raise DomainError("invite_link_expired", _("This invitation link has expired."), status=404)
    return link


def join_by_link(*, token: str, user: User) -> Membership:
    link = usable_link(token)
    return join(group=link.group, user=user, role=link.role, via="link")


def signup_by_link(*, token: str, email: str, name: str, password: str) -> Membership:
    """A person without an account creates one from an invite link and joins its group, even
    when sign-up is closed (SIGNUP_OPEN=0): the link is the admins' invitation. An address
    that already has an account is refused (its owner logs in to join); nothing is created."""
    email = User.objects.normalize_email(email or "").strip().lower()
    name = (name or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("invalid_email", _("Enter a valid e-mail address."), status=400, field="email") from None
    if not name:
        raise DomainError("invalid", _("Give your name, as the group will see it."), status=400, field="name")
    with transaction.atomic(durable=True):
        link = usable_link(token)
        if User.objects.filter(email__iexact=email).exists():
            raise DomainError("email_taken", _("An account already exists for this address: log in to join the group."),
                              status=409, field="email")
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, name=name[:150], password=password)
        except IntegrityError:  # the same address, a moment earlier, in another request
            raise DomainError("email_taken", _("An account already exists for this address: log in to join the group."),
                              status=409, field="email") from None
        return _join(group=link.group, user=user, role=link.role, via="link")


# --- e-mail invitations: "welcome, choose your password" ----------------------------------

WELCOME_SALT = "groups.welcome"
WELCOME_MAX_AGE = timedelta(days=30)


def _password_seal(user: User) -> str:
    # Changes as soon as a password is chosen, so that a welcome link works once.
    return salted_hmac(WELCOME_SALT, user.password or "").hexdigest()[:16]


def welcome_token(invitation: Invitation) -> str:
    """A signed link for an invited person without a password: choose one and enter the group.
    It works for WELCOME_MAX_AGE, once, and while the person is still in the group."""
    return signing.dumps([invitation.pk, _password_seal(invitation.user)], salt=WELCOME_SALT, compress=True)


def read_welcome_token(token: str) -> Invitation:
    """The invitation of a welcome link, or a DomainError saying why it no longer works."""
    try:
        invitation_id, seal = signing.loads(token, salt=WELCOME_SALT, max_age=WELCOME_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError("welcome_link_expired", _("This welcome link has expired (they work for 30 days)."),
                          status=404) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise DomainError("welcome_link_invalid", _("This welcome link is not valid."), status=404) from None
    invitation = Invitation.objects.select_related("group", "user").filter(pk=invitation_id).first()
    if invitation is None or not Membership.objects.filter(group=invitation.group, user=invitation.user).exists():
        raise DomainError("welcome_link_invalid", _("This invitation is no longer valid: you are not in this group."),
                          status=404)
    if invitation.user.has_usable_password() or seal != _password_seal(invitation.user):
        raise DomainError("welcome_link_used", _("Your password is already chosen: log in with it."), status=409)
    return invitation


def accept_invitation(*, token: str, name: str, password: str) -> Invitation:
    """Set the invited person's name and first password; the link then stops working."""
    with transaction.atomic(durable=True):
        invitation = read_welcome_token(token)
        user = User.objects.select_for_update().get(pk=invitation.user_id)
        if _password_seal(user) != _password_seal(invitation.user):
            raise DomainError("welcome_link_used", _("Your password is already chosen: log in with it."), status=409)
        name = (name or "").strip()
        if name:
            user.name = name[:150]
        user.set_password(password)
        user.save(update_fields=["name", "password"])
        invitation.user = user
    return invitation


# --- join requests ------------------------------------------------------------------------


def request_to_join(*, group: Group, user: User, message: str = "") -> JoinRequest | Membership:
    if group.join_policy == Group.JoinPolicy.OPEN:
        return join(group=group, user=user, via="open")
    if group.join_policy != Group.JoinPolicy.REQUEST:
        raise DomainError("join_closed", _("This group is by invitation only."), status=403)
    if Membership.objects.filter(group=group, user=user).exists():
        raise DomainError("already_member", _("You are already a member of this group."))
    existing = JoinRequest.objects.filter(group=group, user=user, status=JoinRequest.Status.PENDING).first()
    if existing:
        return existing
    return JoinRequest.objects.create(group=group, user=user, message=message[:2000])


def decide_join_request(*, join_request: JoinRequest, approve: bool, actor: User) -> JoinRequest:
    with transaction.atomic(durable=True):
        updated = JoinRequest.objects.filter(pk=join_request.pk, status=JoinRequest.Status.PENDING).update(
            status=JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REFUSED,
            decided_at=timezone.now(),
            decided_by=actor,
        )
        join_request.refresh_from_db()
        if updated:
            audit.record(actor=actor, group=join_request.group_id, obj=join_request,
                         action="join_request.approved" if approve else "join_request.refused")
        if updated and approve:
            _join(group=join_request.group, user=join_request.user, via="request", actor=actor)
    return join_request


# --- CSV import -----------------------------------------------------------------------------

IMPORT_COLUMNS = ("email", "name", "role", "envelope")


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    role: str
    envelope: Decimal | None


@dataclass
class ImportResult:
    created: int
    updated: int
    unchanged: int


class ImportError_(DomainError):
    def __init__(self, line: int, detail: str):
        super().__init__("import_error", _("Line %(line)d: %(detail)s") % {"line": line, "detail": detail}, status=400)
        self.line = line


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(1, _("the file is not text."))


def parse_member_csv(data: bytes | str, *, currency: str = "EUR") -> list[ImportRow]:
    """Read and check every row before anything is written. A bad row raises ImportError_
    naming its line (the header is line 1)."""
    text = data if isinstance(data, str) else _decode(data)
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportError_(1, _("the file is empty; the first line must be email,name,role,envelope.")) from None
    header = [h.strip().lower() for h in header]
    if not header or header[0] != "email" or any(h not in IMPORT_COLUMNS for h in header) or len(set(header)) != len(header):
        raise ImportError_(1, _("the header must be email,name,role,envelope (role and envelope optional)."))
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if any("\x00" in cell for cell in cells):
            raise ImportError_(line, _("the line contains a NUL character (is the file really CSV text?)."))
        if len(cells) > len(header):
            raise ImportError_(line, ngettext("too many cells (%(n)d for %(m)d column).", "too many cells (%(n)d for %(m)d columns).",
                                              len(header)) % {"n": len(cells), "m": len(header)})
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        email = values.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ImportError_(line, _("“%(email)s” is not a valid e-mail address.") % {"email": email[:100]}) from None
        if email in seen:
            raise ImportError_(line, _("%(email)s already appears on line %(first)d.") % {"email": email, "first": seen[email]})
        seen[email] = line
        role = (values.get("role") or "").lower() or Role.MEMBER
        if role not in Role.values:
            raise ImportError_(
                line,
                _("unknown role “%(role)s”: use admin, accountant, member or contributor.") % {"role": role[:50]},
            )
        envelope = None
        raw_envelope = values.get("envelope") or ""
        if raw_envelope:
            try:
                envelope = parse_amount(raw_envelope, currency=currency)
            except DomainError as exc:
                raise ImportError_(line, _("bad envelope amount “%(value)s”: %(why)s") % {"value": raw_envelope[:50], "why": exc.detail}) from None
        name = values.get("name", "")
        if len(name) > 150:
            raise ImportError_(line, _("the name is too long (at most 150 characters)."))
        rows.append(ImportRow(line=line, email=email, name=name, role=role, envelope=envelope))
    return rows


def _chunks(items: list, size: int = 1000):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _run_bulk_hooks(items: list[tuple[int, Membership, Decimal | None]], actor) -> None:
    """Bulk hooks take every imported membership at once (set-based writes); without one, the
    per-membership hooks run row by row. A hook's DomainError names the row's line."""
    if BULK_MEMBERSHIP_HOOKS:
        for hook in BULK_MEMBERSHIP_HOOKS:
            hook(items=items, actor=actor)
        return
    for line, membership, amount in items:
        try:
            _run_hooks(membership, envelope_amount=amount, actor=actor)
        except DomainError as exc:
            raise ImportError_(line, str(exc.detail)) from None


def import_members(*, group: Group, data: bytes | str, actor: User | None) -> ImportResult:
    """All or nothing: a bad row stops the whole import and changes nothing.

    Set-based: a few queries per thousand rows whatever the file's size.
    """
    from django.contrib.auth.hashers import make_password

    rows = parse_member_csv(data, currency=group.currency)
    created = updated = unchanged = 0
    with transaction.atomic(durable=True):
        # Two imports into one group run one after the other.
        Group.objects.select_for_update().filter(pk=group.pk).first()
        users: dict[str, User] = {}
        for chunk in _chunks([row.email for row in rows]):
            for user in User.objects.filter(email__in=chunk):
                users[user.email.lower()] = user
        new_users = [
            User(email=row.email, name=row.name, password=make_password(None))
            for row in rows
            if row.email not in users
        ]
        User.objects.bulk_create(new_users, batch_size=1000)
        users.update({user.email: user for user in new_users})
        named = []
        for row in rows:
            user = users[row.email]
            if row.name and not user.name:
                user.name = row.name
                named.append(user)
        User.objects.bulk_update(named, ["name"], batch_size=1000)

        memberships: dict[int, Membership] = {}
        for chunk in _chunks([user.id for user in users.values()]):
            for membership in Membership.objects.filter(group=group, user_id__in=chunk):
                memberships[membership.user_id] = membership
        new_memberships, changed = [], []
        demoted_admin_lines = []
        for row in rows:
            user = users[row.email]
            membership = memberships.get(user.id)
            if membership is None:
                membership = Membership(group=group, user=user, role=row.role)
                new_memberships.append(membership)
                memberships[user.id] = membership
                created += 1
            elif membership.role != row.role:
                if membership.role == Role.ADMIN:
                    demoted_admin_lines.append(row.line)
                membership.role = row.role
                changed.append(membership)
                updated += 1
            elif row.envelope is not None:
                updated += 1
            else:
                unchanged += 1
        if demoted_admin_lines:
            admins_left = (
                Membership.objects.filter(group=group, role=Role.ADMIN).count()
                - len(demoted_admin_lines)
                + sum(1 for m in new_memberships if m.role == Role.ADMIN)
            )
            if admins_left < 1:
                raise ImportError_(demoted_admin_lines[-1], _("a group keeps at least one admin."))
        Membership.objects.bulk_create(new_memberships, batch_size=1000)
        Membership.objects.bulk_update(changed, ["role"], batch_size=1000)
        invitations = Invitation.objects.bulk_create(
            [
                Invitation(group=group, email=m.user.email, user=m.user, role=m.role, invited_by=actor)
                for m in new_memberships
            ],
            batch_size=1000,
        )
        invitation_ids = [invitation.id for invitation in invitations]
        if invitation_ids:
            _queue_invitation_mails(invitation_ids)
        _run_bulk_hooks(
            [(row.line, memberships[users[row.email].id], row.envelope) for row in rows], actor
        )
        audit.record(actor=actor, group=group, action="members.imported",
                     after={"created": created, "updated": updated, "unchanged": unchanged,
                            "admins_demoted": len(demoted_admin_lines)})
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
