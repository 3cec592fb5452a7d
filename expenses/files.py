"""What an uploaded file is, decided from its bytes, never from its name or the type the
client announced: a receipt is a PDF, a PNG or a JPEG of at most 10 MB.

A PDF must start with `%PDF-`; a PNG or a JPEG must start with its signature and pass
Pillow's verify(). Anything else (an executable renamed .pdf, an empty file, a truncated
image) is refused with a French sentence before anything is written to the storage.

Too large an upload is stopped before it is read whole: the views refuse a request whose
Content-Length is beyond the limit at once (check_request_size), and the upload handler
(LimitedUploadHandler) drops a file that grows past it while the body is parsed.
"""

import io
import os

from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.utils.translation import gettext as _

from cobudget.errors import DomainError

MAX_BYTES = 10 * 1024 * 1024
# The other fields of the form (description, supplier, the multipart boundaries) beside the file.
FORM_ALLOWANCE = 64 * 1024
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
IMAGES = (PNG, JPEG)
# Images beyond this many pixels are refused (a small file may decompress into gigabytes).
MAX_PIXELS = 60_000_000


def too_large(field: str = "receipt") -> DomainError:
    return DomainError(
        "file_too_large", _("The file is larger than 10 MB: send a lighter scan or photo."), status=400, field=field
    )


def check_request_size(request, field: str = "receipt") -> None:
    """Refuse a request announcing more than a file and its form before its body is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES + FORM_ALLOWANCE:
        raise too_large(field)


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Writes the upload to a temporary file, and drops it (the file then reads as missing,
    `request.upload_too_large` says why) once it grows beyond MAX_BYTES: a body without a
    Content-Length (chunked) is never stored whole either."""

    def new_file(self, *args, **kwargs):
        self.received = 0
        return super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_BYTES:
            self.request.upload_too_large = True
            self.file.close()
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


def limit_uploads(request) -> None:
    """Before the body is read: uploads of this request go through LimitedUploadHandler."""
    request.upload_handlers = [LimitedUploadHandler(request)]


def _is_image(data: bytes, expected: str) -> bool:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            if {"PNG": PNG, "JPEG": JPEG}.get(image.format) != expected:
                return False
            width, height = image.size
            if width * height > MAX_PIXELS:
                return False
            image.verify()
        return True
    except Exception:  # noqa: BLE001 - whatever Pillow finds wrong, the file is not an image
        return False


def sniff(data: bytes) -> str | None:
    """The content type of these bytes when they are a PDF, a PNG or a JPEG; None otherwise."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG if _is_image(data, PNG) else None
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG if _is_image(data, JPEG) else None
    return None


def checked(upload, *, field: str = "receipt", allowed=(PDF, PNG, JPEG), request=None) -> tuple[bytes, str, str]:
    """(the bytes, their content type, a safe file name) of an uploaded file, or a 400."""
    if upload is None:
        if request is not None and getattr(request, "upload_too_large", False):
            raise too_large(field)
        raise DomainError("file_required", _("Attach the receipt (PDF, PNG or JPEG)."), status=400, field=field)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise too_large(field)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large(field)
    if not data:
        raise DomainError("file_empty", _("The file is empty."), status=400, field=field)
    content_type = sniff(data)
    if content_type not in allowed:
        if allowed == IMAGES:
            detail = _("This file is not a PNG or JPEG image.")
        else:
            detail = _("This file is not a PDF, a PNG or a JPEG (its content was checked, not its name).")
        raise DomainError("file_type", detail, status=400, field=field)
    return data, content_type, safe_name(getattr(upload, "name", "") or "", content_type)


def safe_name(name: str, content_type: str) -> str:
    """The client's file name, reduced to what a Content-Disposition carries safely, with the
    extension of what the file really is."""
    from django.utils.text import get_valid_filename

    base = os.path.splitext(os.path.basename(name.replace("\\", "/")))[0][:100]
    try:
        base = get_valid_filename(base)
    except Exception:  # noqa: BLE001 - an unusable name becomes a plain one
        base = ""
    extension = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}[content_type]
    return f"{base or 'document'}{extension}"
