"""Expenses on a project the demo's closed round funded, so that the accountant's queue and a
funded project's page show the money after funding: one expense paid from its receipt, one
approved and waiting for its payment, one waiting for a decision."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from buckets.models import Bucket
from expenses import services

# A one-page PDF, made here: the receipt check reads the bytes, never the name.
RECEIPT = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

EXPENSES = [
    # description, amount, day, supplier, what the accountant did
    ("Location de la salle des fêtes", "650.00", date(2025, 6, 14), "Mairie de Tours", "paid"),
    ("Buffet et boissons", "480.50", date(2025, 6, 21), "Traiteur Le Panier", "approved"),
    ("Affiches et flyers", "96.40", date(2025, 6, 2), "Imprimerie Centrale", "pending"),
]


def seed(people) -> None:
    bucket = (Bucket.objects.filter(round__group=people["artefacts"], status=Bucket.Status.FUNDED,
                                    title="Journée coopérative d’été").select_related("round__group").first())
    if bucket is None or not bucket.coleads.exists():
        return
    colead = bucket.coleads.order_by("pk").first()
    accountant = people["accountant"]
    for description, amount, day, supplier, state in EXPENSES:
        receipt = SimpleUploadedFile(f"{supplier.lower().replace(' ', '-')}.pdf", RECEIPT, content_type="application/pdf")
        expense = services.submit(bucket=bucket, actor=colead, description=description, amount=Decimal(amount),
                                  spent_on=day, supplier=supplier, receipt=receipt)
        if state in ("approved", "paid"):
            services.approve(expense=expense, actor=accountant)
        if state == "paid":
            services.pay(expense=expense, actor=accountant, paid_at=date(2025, 6, 30), payment_reference="VIR-2025-061")
