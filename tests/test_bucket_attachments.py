"""A bucket's images and documents (quotes): attached by its co-leads and the admins, checked
by their content like receipts, stored on the private storage, streamed to whoever may see the
bucket; images get a Pillow thumbnail made at upload, shown on the bucket page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audit.models import AuditEntry
from expenses.models import Attachment
from tests.builders import PDF_BYTES, image_bytes, make_bucket, make_round, pdf_upload


@pytest.fixture
def bucket(group, admin_user, member):
    return make_bucket(make_round(group, admin_user), member, title="Atelier vélo")


def attach(client, bucket, upload):
    return client.post(f"/buckets/{bucket.pk}/files/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="fr")


def files_in(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_colead_attaches_an_image_and_its_thumbnail_is_drawn(client, bucket, member, member2,
                                                               _private_files_in_a_temporary_folder):
    client.force_login(member)
    photo = SimpleUploadedFile("vélo.jpg", image_bytes("JPEG", size=(2000, 1000)), "image/jpeg")
    assert attach(client, bucket, photo).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.is_image and attachment.thumbnail.name
    assert len(files_in(_private_files_in_a_temporary_folder)) == 2
    assert AuditEntry.objects.filter(action="bucket.file_added").exists()
    # Any member who sees the bucket sees the thumbnail and downloads the file.
    client.force_login(member2)
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert f"/buckets/{bucket.pk}/files/{attachment.pk}/thumbnail/" in page
    thumb = client.get(f"/buckets/{bucket.pk}/files/{attachment.pk}/thumbnail/")
    assert thumb["Content-Type"] == "image/jpeg" and thumb["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(thumb.streaming_content))) as image:
        assert max(image.size) <= 480 and image.format == "JPEG"
    full = client.get(f"/buckets/{bucket.pk}/files/{attachment.pk}/")
    assert full["Content-Disposition"].startswith("attachment;") and full["Content-Type"] == "image/jpeg"


def test_a_quote_as_pdf_has_no_thumbnail(client, bucket, member):
    client.force_login(member)
    attach(client, bucket, pdf_upload("devis.pdf"))
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf" and not attachment.thumbnail
    assert "devis.pdf" in client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert client.get(f"/buckets/{bucket.pk}/files/{attachment.pk}/thumbnail/").status_code == 404


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("devis.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf"),
    SimpleUploadedFile("vide.png", b"", "image/png"),
    SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (50 * 1024 * 1024), "application/pdf"),
], ids=["renamed executable", "empty", "50 MB"])
def test_bad_files_are_refused_and_nothing_written(client, bucket, member, upload,
                                                   _private_files_in_a_temporary_folder):
    client.force_login(member)
    response = attach(client, bucket, upload)
    assert response.status_code == 302
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "fichier" in page.lower() or "Mo" in page
    assert not Attachment.objects.exists() and files_in(_private_files_in_a_temporary_folder) == []


def test_only_coleads_and_admins_attach_and_remove(client, bucket, member, member2, admin_user,
                                                   _private_files_in_a_temporary_folder,
                                                   django_capture_on_commit_callbacks):
    client.force_login(member2)
    assert attach(client, bucket, pdf_upload()).status_code == 403
    client.force_login(admin_user)
    attach(client, bucket, SimpleUploadedFile("p.png", image_bytes("PNG"), "image/png"))
    attachment = Attachment.objects.get()
    client.force_login(member2)
    client.post(f"/buckets/{bucket.pk}/files/{attachment.pk}/remove/")
    assert Attachment.objects.exists()
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/buckets/{bucket.pk}/files/{attachment.pk}/remove/")
    assert not Attachment.objects.exists()
    assert files_in(_private_files_in_a_temporary_folder) == []


def test_outsiders_never_reach_a_file(client, bucket, member, outsider):
    client.force_login(member)
    attach(client, bucket, pdf_upload())
    attachment = Attachment.objects.get()
    client.force_login(outsider)
    assert client.get(f"/buckets/{bucket.pk}/files/{attachment.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/buckets/{bucket.pk}/files/{attachment.pk}/").status_code == 302
