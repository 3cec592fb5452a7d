"""The demo groups and their people (Artefacts: 60 members, an accountant, 3 contributors;
OPTEOS: 10 members). Every demo login shares one password, printed by seed_demo."""

from functools import cache

from django.contrib.auth.hashers import make_password

from groups import services as group_services
from groups.models import Group, Role, User

PASSWORD = "cobudget-demo"

FIRST_NAMES = [
    "Audrey", "Simon", "Emmanuel", "Romain", "Claire", "Karim", "Sophie", "Lucas", "Nadia", "Julien",
    "Camille", "Hugo", "Léa", "Mehdi", "Chloé", "Thomas", "Inès", "Antoine", "Manon", "Yanis",
    "Élodie", "Paul", "Sarah", "Maxime", "Amina", "Louis", "Juliette", "Nicolas", "Zoé", "Bastien",
]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]


@cache
def _password_hash() -> str:
    return make_password(PASSWORD)  # hashed once: the demo has ~75 people


def _user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, name=name)
        user.password = _password_hash()
        user.save(update_fields=["password"])
    return user


def _name(i: int) -> str:
    return f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {LAST_NAMES[(i // len(FIRST_NAMES) + i) % len(LAST_NAMES)]}"


def seed_people() -> dict:
    admin = _user("admin@artefacts.example", "Emmanuel Doudat")
    artefacts = Group.objects.filter(slug="artefacts").first() or group_services.create_group(
        creator=admin, name="Artefacts", slug="artefacts", description="Coopérative d’activité et d’emploi, Centre-Val de Loire."
    )
    members = []
    for i in range(1, 60):
        email = f"member{i:02d}@artefacts.example"
        _user(email, _name(i))
        membership, _ = group_services.add_member(
            group=artefacts, email=email, role=Role.MEMBER, actor=admin, send_invitation=False
        )
        members.append(membership.user)
    accountant = _user("audrey@artefacts.example", "Audrey Comptable")
    group_services.add_member(group=artefacts, email=accountant.email, role=Role.ACCOUNTANT, actor=admin, send_invitation=False)
    contributors = []
    for i in range(1, 4):
        email = f"contributor{i}@artefacts.example"
        _user(email, f"Contributeur {i}")
        membership, _ = group_services.add_member(
            group=artefacts, email=email, role=Role.CONTRIBUTOR, actor=admin, send_invitation=False
        )
        contributors.append(membership.user)

    simon = _user("simon@opteos.example", "Simon Sarazin")
    opteos = Group.objects.filter(slug="opteos").first() or group_services.create_group(
        creator=simon, name="OPTEOS", slug="opteos", description="Bourse permanente aux projets."
    )
    opteos_members = []
    for i in range(1, 10):
        email = f"member{i}@opteos.example"
        _user(email, _name(i + 7))
        membership, _ = group_services.add_member(group=opteos, email=email, role=Role.MEMBER, actor=simon, send_invitation=False)
        opteos_members.append(membership.user)
    return {
        "artefacts": artefacts,
        "artefacts_admin": admin,
        "artefacts_members": members,
        "accountant": accountant,
        "contributors": contributors,
        "opteos": opteos,
        "opteos_admin": simon,
        "opteos_members": opteos_members,
    }
