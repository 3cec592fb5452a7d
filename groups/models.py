import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cobudget.money import CURRENCY_CHOICES


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in by e-mail; there is no username."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when the person deleted their account (RGPD): their personal data is erased, the
    # row stays so that ledger rows, stances and comments keep their author, "Former member #N".
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)
    # When the person closed the first-visit guide (envelope, buckets, how to allocate).
    guide_dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name if self.erased_at else self.name or self.email

    @property
    def display_name(self) -> str:
        if self.erased_at is not None:
            return gettext("Former member #%(n)d") % {"n": self.pk}
        return self.name or self.email.split("@")[0]

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class Group(models.Model):
    """A cooperative, an association or a board: where rounds and proposals live."""

    class JoinPolicy(models.TextChoices):
        INVITATION = "invitation", _("By invitation only")
        REQUEST = "request", _("By request, approved by an admin")
        OPEN = "open", _("Open to anyone with an account")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    description = models.TextField(_("description"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    is_private = models.BooleanField(_("private"), default=True)
    join_policy = models.CharField(
        _("who can join"), max_length=16, choices=JoinPolicy.choices, default=JoinPolicy.INVITATION
    )
    show_member_emails = models.BooleanField(
        _("members see each other's e-mail addresses"), default=False
    )
    # Admins and accountants can change and read everything in the group: with this set, their
    # pages and API answer only once they have set up two-factor authentication.
    require_mfa_for_officers = models.BooleanField(
        _("admins and accountants must use two-factor authentication"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    ACCOUNTANT = "accountant", _("Accountant")
    MEMBER = "member", _("Member")
    CONTRIBUTOR = "contributor", _("Contributor")


# Roles that receive an envelope in each round of the group.
ENVELOPE_ROLES = (Role.ADMIN, Role.MEMBER)


class Membership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_group")]
        indexes = [models.Index(fields=["group", "role"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.group}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def has_envelope(self) -> bool:
        return self.role in ENVELOPE_ROLES


def _token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """An e-mail invitation. The membership exists at once; this keeps the trace and the mail."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]


class InviteLink(models.Model):
    """A revocable link: whoever follows it (logged in) joins the group with its role."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invite_links")
    token = models.CharField(max_length=64, unique=True, default=_token)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invite link")
        verbose_name_plural = _("invite links")
        ordering = ["-created_at"]

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_group",
            )
        ]
