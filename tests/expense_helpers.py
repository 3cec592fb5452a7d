"""A funded bucket to spend from (a fixed round closed by its sweep) and receipts of every
kind, made in memory."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from buckets.models import Bucket
from results import services as closing_services
from tests.builders import allocate, make_bucket, make_round, pass_deadline

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def image_bytes(kind: str = "PNG", size=(40, 30), color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


def pdf_upload(name: str = "facture.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def png_upload(name: str = "ticket.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


def jpeg_upload(name: str = "ticket.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"), content_type="image/jpeg")


def funded_bucket(group, admin, colead, funder, *, amount="300.00", title="Repair café", round_title="Round 2025",
                  envelope="430.00"):
    """A bucket of a closed fixed round, funded with `amount` given by `funder`; `colead` created it."""
    round = make_round(group, admin, title=round_title, envelope=envelope)
    bucket = make_bucket(round, colead, title=title, min_amount="50.00", max_amount=amount)
    allocate(funder, bucket, amount)
    pass_deadline(round)
    closing_services.close_round(round=round, notify=False)
    bucket = Bucket.objects.select_related("round__group").get(pk=bucket.pk)
    assert bucket.status == Bucket.Status.FUNDED and bucket.funded_amount == Decimal(amount)
    return bucket
