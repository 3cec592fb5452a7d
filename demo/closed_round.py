"""A closed round in Artefacts, as on the eve of the board meeting: two projects funded, one
to decide at the meeting (with its proposal open to the vote), one not funded.

Money moves through the services (publish_round, set_allocation, close_round); the passing of
time is simulated by moving the round's dates."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from allocations import services as allocation_services
from buckets import services as bucket_services
from buckets.models import Round
from demo.descriptions import description_of
from results import services as closing

TITLE = "Projets collectifs 2025"

# (title, summary, [(item, min, max)], [(member index, amount)])
BUCKETS = [
    (
        "Journée coopérative d’été",
        "Une journée pour se retrouver entre entrepreneurs, avec un atelier sur nos métiers.",
        [("Location de la salle", "600.00", "900.00"), ("Repas", "900.00", "1600.00")],
        [(i, "300.00") for i in range(0, 6)],  # 1 800 €: 120 % of 1 500 → funded
    ),
    (
        "Site vitrine des entrepreneurs",
        "Un annuaire en ligne des activités hébergées par la coopérative.",
        [("Développement", "800.00", "1200.00")],
        [(6, "200.00"), (7, "250.00"), (8, "250.00"), (9, "250.00")],  # 950 €: 119 % → funded
    ),
    (
        "Formation commune à la facturation",
        "Deux jours de formation pour tous, animés par une comptable.",
        [("Formatrice", "1200.00", "1800.00")],
        [(i, "250.00") for i in range(10, 14)],  # 1 000 €: 83 % of 1 200 → to decide
    ),
    (
        "Véhicule utilitaire partagé",
        "Un utilitaire pour les déménagements de stand et les chantiers.",
        [("Achat d’occasion", "6000.00", "8000.00")],
        [(i, "300.00") for i in range(14, 19)],  # 1 500 €: 25 % of 6 000 → not funded
    ),
]


def seed(people) -> Round | None:
    group, admin, members = people["artefacts"], people["artefacts_admin"], people["artefacts_members"]
    if Round.objects.filter(group=group, title=TITLE).exists():
        return None
    now = timezone.now()
    round = bucket_services.create_round(
        group=group,
        actor=admin,
        title=TITLE,
        description="Le tour annuel de l’an dernier : clos, les résultats sont prêts pour l’assemblée.",
        kind="fixed",
        envelope_amount=Decimal("430.00"),
        proposals_open_at=now - timedelta(days=40),
        funding_opens_at=now + timedelta(days=1),
        funding_closes_at=now + timedelta(days=2),
        meeting_at=now + timedelta(days=3),
        min_coleads=2,
        funded_if_percent_of_min=Decimal("100"),
        decide_if_percent_of_min=Decimal("60"),
    )
    round = allocation_services.publish_round(round=round, actor=admin)
    buckets = []
    for index, (title, summary, items, _gifts) in enumerate(BUCKETS):
        lead, colead = members[20 + 2 * index], members[21 + 2 * index]
        bucket = bucket_services.create_bucket(
            round=round,
            actor=lead,
            title=title,
            summary=summary,
            description=description_of(title),
            budget_items=[{"description": d, "min_amount": Decimal(lo), "max_amount": Decimal(hi)} for d, lo, hi in items],
            coleads=[colead],
        )
        buckets.append(bucket_services.publish_bucket(bucket=bucket, actor=lead))
    # Funding opens: members spread their envelopes.
    Round.objects.filter(pk=round.pk).update(funding_opens_at=now - timedelta(minutes=1))
    for bucket, (_title, _summary, _items, gifts) in zip(buckets, BUCKETS, strict=True):
        bucket.round.refresh_from_db()
        for member_index, amount in gifts:
            allocation_services.set_allocation(
                member=members[member_index], bucket=bucket, amount=Decimal(amount), actor=members[member_index]
            )
    # Two weeks later, the deadline passed: the sweep closes it.
    Round.objects.filter(pk=round.pk).update(
        proposals_open_at=now - timedelta(days=40),
        funding_opens_at=now - timedelta(days=14),
        funding_closes_at=now - timedelta(hours=2),
        meeting_at=now + timedelta(days=3),
    )
    round.refresh_from_db()
    closing.close_round(round=round, actor=None, now=now - timedelta(hours=2) + timedelta(minutes=1), notify=False)
    return round
