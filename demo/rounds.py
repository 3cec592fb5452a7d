"""Demo funding: Artefacts' annual round in its funding phase (a dozen buckets, some
allocations) and OPTEOS' permanent fund. Everything goes through the services."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from allocations import services as allocation_services
from buckets import services as bucket_services
from buckets.models import Round
from cobudget.errors import DomainError
from demo.descriptions import description_of

ARTEFACTS_BUCKETS = [
    ("Atelier partagé de menuiserie", "Un local équipé pour les entrepreneurs du bois.", [("Location annuelle", 1800, 2400), ("Outillage", 600, 1200)]),
    ("Site web mutualisé", "Une vitrine commune pour toutes les activités.", [("Développement", 1500, 2500)]),
    ("Formation comptabilité", "Deux journées pour maîtriser la gestion.", [("Formatrice", 800, 1000), ("Salle", 100, 200)]),
    ("Voiture électrique partagée", "Réduire les trajets en solo.", [("Location longue durée", 2500, 3600)]),
    ("Séminaire annuel", "Deux jours pour se retrouver.", [("Hébergement", 2000, 3000), ("Repas", 800, 1200)]),
    ("Fonds de solidarité", "Aider un entrepreneur en difficulté passagère.", [("Dotation", 1000, 3000)]),
    ("Matériel vidéo", "Caméra et micros pour les projets de communication.", [("Caméra", 900, 1300), ("Micros", 150, 300)]),
    ("Bibliothèque coopérative", "Livres et revues sur l’entrepreneuriat.", [("Achats", 300, 600)]),
    ("Espace enfants au tiers-lieu", "Un coin pour les enfants des coopérateurs.", [("Mobilier", 400, 700)]),
    ("Traduction des statuts", "Accueillir les entrepreneurs non francophones.", [("Traduction", 500, 800)]),
    ("Jardin partagé", "Potager sur le terrain du siège.", [("Terre et semences", 200, 400), ("Outils", 100, 200)]),
    ("Stand au salon régional", "Faire connaître la coopérative.", [("Stand", 1200, 1500), ("Supports", 200, 400)]),
]

OPTEOS_BUCKETS = [
    ("Fête de quartier", "Un après-midi festif ouvert à tous.", [("Sono et buvette", 150, 300)]),
    ("Imprimante 3D", "Pour les prototypes des membres.", [("Machine", 400, 600)]),
    ("Formation facilitation", "Mieux animer nos réunions.", [("Intervenant", 300, 450)]),
]


def _items(spec):
    return [{"description": d, "min_amount": Decimal(low), "max_amount": Decimal(high)} for d, low, high in spec]


def _seed_artefacts(people, rng):
    group, admin = people["artefacts"], people["artefacts_admin"]
    if Round.objects.filter(group=group, title="Budget participatif 2026").exists():
        return
    now = timezone.now()
    round = bucket_services.create_round(
        group=group, actor=admin, title="Budget participatif 2026",
        description="Chaque sociétaire répartit **430 €** entre les projets collectifs.",
        envelope_amount=Decimal("430.00"), min_coleads=2, max_per_member_per_bucket=Decimal("200.00"),
        decide_if_percent_of_min=Decimal("50"),
        proposals_open_at=now - timedelta(days=16), funding_opens_at=now + timedelta(days=1),
        funding_closes_at=now + timedelta(days=13), meeting_at=now + timedelta(days=14),
    )
    round = allocation_services.publish_round(round=round, actor=admin)
    members = people["artefacts_members"]
    proposers = members[:24] + people["contributors"]
    buckets = []
    for n, (title, summary, spec) in enumerate(ARTEFACTS_BUCKETS):
        creator = proposers[(2 * n) % len(proposers)]
        colead = members[(2 * n + 1) % len(members)]
        bucket = bucket_services.create_bucket(
            round=round, actor=creator, title=title, summary=summary,
            description=description_of(title),
            budget_items=_items(spec), coleads=[colead], tags=["collectif"] if n % 2 else ["matériel"],
        )
        buckets.append(bucket_services.publish_bucket(bucket=bucket, actor=creator))
    # Funding opens: as if the proposals fortnight were over.
    round = bucket_services.update_round(round=round, actor=admin, funding_opens_at=now - timedelta(days=1))
    for member in members[:40]:
        for bucket in rng.sample(buckets, 3):
            amount = Decimal(rng.choice([20, 30, 50, 80, 100, 120, 150]))
            try:
                allocation_services.set_allocation(member=member, bucket=bucket, amount=amount, actor=member)
            except DomainError:
                continue


def _seed_opteos(people, rng):
    group, admin = people["opteos"], people["opteos_admin"]
    if Round.objects.filter(group=group, kind=Round.Kind.PERMANENT).exists():
        return
    round = bucket_services.create_round(
        group=group, actor=admin, title="Bourse permanente", kind=Round.Kind.PERMANENT,
        description="Chaque membre reçoit **100 €** par an ; proposez un projet quand vous voulez.",
        envelope_amount=Decimal("100.00"),
    )
    round = allocation_services.publish_round(round=round, actor=admin)
    members = people["opteos_members"]
    buckets = []
    for n, (title, summary, spec) in enumerate(OPTEOS_BUCKETS):
        creator = members[n]
        bucket = bucket_services.create_bucket(round=round, actor=creator, title=title, summary=summary,
                                               description=description_of(title), budget_items=_items(spec))
        buckets.append(bucket_services.publish_bucket(bucket=bucket, actor=creator))
    # Weighted envelopes: the most active members receive a little more.
    allocation_services.set_envelope_amount(round=round, user=members[0], amount=Decimal("150.00"), actor=admin)
    for member in members[:6]:
        bucket = rng.choice(buckets)
        allocation_services.set_allocation(member=member, bucket=bucket, amount=Decimal(rng.choice([20, 40, 60])), actor=member)


def seed(people):
    rng = random.Random(2026)  # the same demo every time
    _seed_artefacts(people, rng)
    _seed_opteos(people, rng)
