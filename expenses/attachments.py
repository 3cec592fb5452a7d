"""A bucket's images and documents (quotes, plans): added and removed by its co-leads and the
group's admins, read by everyone of the group who may see the bucket, stored on the private
storage and streamed by views that check that (expenses/views.py). Images get a thumbnail
drawn by Pillow at upload; the page shows thumbnails, never the uploaded bytes inline."""

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from buckets.models import Bucket
from buckets.selectors import can_see_bucket
from cobudget.errors import DomainError
from expenses import files
from expenses.models import Attachment
from groups.models import Role, User
from groups.selectors import membership_of

THUMBNAIL_SIZE = (480, 480)
MAX_PER_BUCKET = 30
CLOSED = (Bucket.Status.WITHDRAWN, Bucket.Status.MERGED)


def may_manage(actor, bucket: Bucket) -> bool:
    membership = membership_of(actor, bucket.round.group)
    if membership is None:
        return False
    return membership.role == Role.ADMIN or bucket.coleads.filter(pk=actor.pk).exists()


def may_read(actor, bucket: Bucket) -> bool:
    return actor.is_authenticated and can_see_bucket(actor, bucket)


def thumbnail_of(data: bytes) -> bytes:
    """A JPEG of at most THUMBNAIL_SIZE, re-encoded from the image (EXIF orientation applied,
    metadata dropped)."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.convert("RGBA").split()[-1])
            image = background
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82)
        return out.getvalue()


def add(*, bucket: Bucket, actor: User, upload, request=None) -> Attachment:
    if not may_manage(actor, bucket):
        raise DomainError("forbidden", _("Only the co-leads of this bucket or an admin may attach files."), status=403)
    if bucket.status in CLOSED:
        raise DomainError("bucket_closed", _("This bucket takes no more files."))
    data, content_type, name = files.checked(upload, field="file", request=request)
    thumbnail = thumbnail_of(data) if content_type in files.IMAGES else None
    attachment = None
    try:
        with transaction.atomic(durable=True):
            locked = Bucket.objects.select_for_update().get(pk=bucket.pk)
            if Attachment.objects.filter(bucket=locked).count() >= MAX_PER_BUCKET:
                raise DomainError("too_many_files", ngettext("A bucket holds at most %(n)d file.",
                                                              "A bucket holds at most %(n)d files.", MAX_PER_BUCKET)
                                  % {"n": MAX_PER_BUCKET})
            attachment = Attachment(bucket=locked, name=name, content_type=content_type, size=len(data),
                                    uploaded_by=actor)
            attachment.file.save(name, ContentFile(data), save=False)
            if thumbnail is not None:
                attachment.thumbnail.save("thumbnail.jpg", ContentFile(thumbnail), save=False)
            attachment.save()
            audit.record(actor=actor, group=bucket.round.group_id, action="bucket.file_added", obj=locked,
                         after={"file": name, "content_type": content_type, "size": len(data)})
    except BaseException:
        if attachment is not None:
            for stored in (attachment.file, attachment.thumbnail):
                if stored.name:
                    stored.storage.delete(stored.name)
        raise
    return attachment


def remove(*, attachment: Attachment, actor: User) -> None:
    bucket = attachment.bucket
    if not may_manage(actor, bucket):
        raise DomainError("forbidden", _("Only the co-leads of this bucket or an admin may remove its files."),
                          status=403)
    names = [stored.name for stored in (attachment.file, attachment.thumbnail) if stored.name]
    storage = attachment.file.storage
    with transaction.atomic(durable=True):
        audit.record(actor=actor, group=bucket.round.group_id, action="bucket.file_removed", obj=bucket,
                     before={"file": attachment.name})
        attachment.delete()
        # The bytes go once the row is gone for good (a rolled back delete keeps its file).
        transaction.on_commit(lambda: [storage.delete(name) for name in names])
