"""Demo proposals on Artefacts: a history of decisions (adopted, blocked, no quorum, each with
its statement), open proposals awaiting votes, and an OpenStreetMap-France-like board vote
where only the named board votes and anyone comments."""

from datetime import timedelta

from django.utils import timezone

from proposals import services
from proposals.models import Proposal, ProposalComment, ProposalView


def _seen(proposal, people, when):
    for person in people:
        services.record_view(proposal=proposal, user=person)
    ProposalView.objects.filter(proposal=proposal).update(first_seen_at=when)


def _comment(proposal, author, body, when):
    comment = services.add_comment(proposal=proposal, author=author, body=body)
    ProposalComment.objects.filter(pk=comment.pk).update(created_at=when)


def _votes(proposal, plan, start):
    """plan: [(people, choice, reason)], stances spread over the hours after `start`."""
    i = 0
    for people, choice, reason in plan:
        for person in people:
            services.set_stance(proposal=proposal, user=person, choice=choice, reason=reason, now=start + timedelta(hours=i))
            i += 1


def _decided(*, group, author, title, details, days_ago, plan, seen, statement, **options):
    opened = timezone.now() - timedelta(days=days_ago)
    closes = opened + timedelta(days=7)
    proposal = services.open_proposal(
        group=group, title=title, details=details, author=author, closes_at=closes, notify=False, now=opened, **options
    )
    _seen(proposal, seen, opened + timedelta(hours=2))
    _votes(proposal, plan, opened + timedelta(hours=3))
    proposal = services.close_proposal(proposal=proposal, actor=None, now=closes, notify=False)
    services.set_statement(proposal=proposal, actor=author, statement=statement)
    return proposal


def seed(people) -> None:
    group = people["artefacts"]
    if Proposal.objects.filter(group=group).exists():
        return
    admin = people["artefacts_admin"]
    members = people["artefacts_members"]  # 59 members; with the admin, 60 voters
    contributors = people["contributors"]
    now = timezone.now()

    # ANIS: adopted remotely, enough took part and nobody blocked.
    _decided(
        group=group, author=admin, days_ago=60, quorum_percent=50,
        title="Décider à distance des sujets courants",
        details=(
            "Les sujets courants sont décidés en ligne : adoptés quand **la moitié au moins** des associés "
            "a pris part et que personne n’a bloqué. Les sujets contestés vont en réunion."
        ),
        plan=[(members[:30], "agree", ""), (members[30:36], "abstain", ""), (members[36:40], "disagree", "Je préfère nous voir.")],
        seen=[admin, *members[:50]],
        statement="Adopté : 40 associés sur 60 ont pris part, aucun blocage. La règle s’applique dès ce mois-ci.",
    )
    # Blocked: one block vetoes.
    _decided(
        group=group, author=members[2], days_ago=35,
        title="Changer de banque pour une banque coopérative",
        details="Transférer les comptes de la coopérative avant la fin de l’exercice.",
        plan=[
            (members[:18], "agree", ""),
            (members[18:20], "disagree", "Les frais de transfert sont élevés."),
            (members[20:21], "block", "Le prêt en cours nous lie à la banque actuelle jusqu’en juin."),
        ],
        seen=[admin, *members[:30]],
        statement="Bloqué : le prêt en cours nous lie jusqu’en juin. Le sujet reviendra en réunion en juillet.",
    )
    # No quorum.
    _decided(
        group=group, author=admin, days_ago=20, quorum_percent=50,
        title="Organiser un séminaire d’été",
        details="Deux jours en juillet, dans le Perche, pour tous les entrepreneurs-salariés.",
        plan=[(members[:9], "agree", ""), (members[9:12], "disagree", "")],
        seen=[admin, *members[:25]],
        statement="Quorum non atteint (12 sur 60). Nous reposerons la question avec une date précise.",
    )

    # Open: awaiting votes (member01 has not voted, to show "Awaiting your vote").
    projector = services.open_proposal(
        group=group, author=members[4], closes_at=now + timedelta(days=5), notify=False, quorum_percent=25,
        title="Acheter un vidéoprojecteur partagé",
        details="Environ 600 € ; il resterait à la Fabrique et se réserverait en ligne.",
    )
    _seen(projector, [members[4], *members[5:20]], now - timedelta(hours=20))
    _votes(projector, [(members[5:12], "agree", "Utile pour les ateliers."), (members[12:14], "abstain", "")], now - timedelta(hours=18))
    _comment(projector, contributors[0], "Un modèle **lumineux** suffirait, la salle est claire.", now - timedelta(hours=10))

    services.open_proposal(
        group=group, author=admin, closes_at=now + timedelta(days=9), notify=False, results_hidden_until_close=True,
        title="Élire la trésorière ou le trésorier",
        details="Candidatures : Claire Martin et Karim Dubois. Les résultats restent cachés jusqu’à la clôture.",
    )

    # OpenStreetMap France: only the board votes, anyone gives an opinion, every view recorded.
    board = [admin, *members[:4]]
    lease = services.open_proposal(
        group=group, author=admin, closes_at=now + timedelta(days=3), notify=False, voters=board,
        quorum_percent=60, block_vetoes=True,
        title="Conseil d’administration : renouveler le bail du local",
        details=(
            "Le bail du local de Tours arrive à échéance. Le conseil décide ; **chacun peut donner son avis** "
            "en commentaire."
        ),
    )
    _seen(lease, board[:4], now - timedelta(hours=30))
    _votes(lease, [(board[:2], "agree", "Le loyer reste raisonnable."), (board[2:3], "abstain", "")], now - timedelta(hours=28))
    _comment(lease, members[20], "Avis d’un associé : le local est trop petit pour les ateliers.", now - timedelta(hours=26))
    _comment(lease, contributors[1], "Je suis pour, il est bien desservi.", now - timedelta(hours=25))
