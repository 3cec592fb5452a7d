"""The board of Artefacts (its conseil d'administration), as OSM France and ANIS would use it:
a two-thirds vote with a stance given by phone and a proxy, a secret ballot, the four kinds
of polls, a past board meeting with its sealed minutes, and the next one ready to run, its
agenda built from the bucket left to decide and the open proposals."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Group, Membership
from meetings import services as meeting_services
from proposals import services
from proposals.models import Proposal

BOARD_SIZE = 9


def _at(hours: float):
    return timezone.now() + timedelta(hours=hours)


def _open(group, author, board, title, details, **options):
    options.setdefault("closes_at", _at(24 * 5))
    return services.open_proposal(group=group, author=author, title=title, details=details, voters=board,
                                  notify=False, **options)


def _seen(proposal, people):
    for person in people:
        services.record_view(proposal=proposal, user=person)


def _option_ids(proposal):
    return list(proposal.options.order_by("position").values_list("id", flat=True))


def _statutes(group, admin, board):
    """Two thirds needed; one member voted by phone, one by proxy; adopted 6 to 2."""
    proposal = _open(
        group, admin, board, "Modifier l’article 12 des statuts : le conseil se réunit à distance",
        "Les statuts demandent **deux tiers** des voix exprimées. Texte proposé : « Le conseil peut se réunir "
        "et délibérer par visioconférence ou par écrit. »",
        majority="two_thirds", reason_required="objections", quorum_percent=50, now=_at(-24 * 12),
        closes_at=_at(-24 * 5),
    )
    start = _at(-24 * 11)
    services.give_proxy(proposal=proposal, giver=board[7], holder=board[1], now=start)
    plan = [(board[0], "agree", ""), (board[1], "agree", "Indispensable pour les membres éloignés."),
            (board[2], "agree", ""), (board[3], "disagree", "Je tiens aux réunions en présence."),
            (board[4], "agree", ""), (board[5], "disagree", "Le quorum à distance est trop facile à atteindre.")]
    for i, (person, choice, reason) in enumerate(plan):
        services.set_stance(proposal=proposal, user=person, choice=choice, reason=reason, now=start + timedelta(hours=i))
    services.set_stance(proposal=proposal, user=board[6], choice="agree", cast_by=admin, via="phone",
                        now=start + timedelta(hours=8))
    services.set_stance(proposal=proposal, user=board[7], choice="agree", cast_by=board[1], via="proxy",
                        now=start + timedelta(hours=9))
    _seen(proposal, board[:7])
    proposal = services.close_proposal(proposal=proposal, actor=None, now=_at(-24 * 5), notify=False)
    services.set_statement(proposal=proposal, actor=admin, statement=(
        "Adopté à plus des deux tiers (6 pour, 2 contre). L’article 12 modifié sera soumis à l’assemblée générale."
    ))
    return proposal


def _meeting_date(group, admin, board):
    """When does the board meet next? Closed: Thursday evening chosen."""
    base = timezone.localtime(_at(24 * 3)).replace(hour=18, minute=30, second=0, microsecond=0)
    proposal = _open(
        group, admin, board, "Date du prochain conseil d’administration",
        "Trois créneaux, au local de Tours ou en visio.", kind="meeting_time",
        options=[{"starts_at": base + timedelta(days=d), "ends_at": base + timedelta(days=d, hours=2)} for d in (0, 1, 2)],
        now=_at(-24 * 6), closes_at=_at(-24 * 2),
    )
    first, second, third = _option_ids(proposal)
    answers = ["yes", "yes", "maybe", "yes", "no", "yes", "yes"]
    for person, answer in zip(board, answers, strict=False):
        services.set_stance(proposal=proposal, user=person, availability={
            first: answer, second: "maybe" if answer == "yes" else "yes", third: "no"}, now=_at(-24 * 5))
    _seen(proposal, board)
    proposal = services.close_proposal(proposal=proposal, actor=None, now=_at(-24 * 2), notify=False)
    services.set_statement(proposal=proposal, actor=admin, statement="Le conseil se réunira au local de Tours.")
    return proposal


def _priorities(group, admin, board):
    """Ranked choice over four projects, closed after two runoff rounds."""
    proposal = _open(
        group, admin, board, "Ordre de priorité des chantiers de l’année",
        "Classez les chantiers ; le dépouillement se fait par éliminations successives.",
        kind="ranked_choice", options=["Site vitrine", "Formation à la facturation", "Local partagé", "Journée d’été"],
        now=_at(-24 * 9), closes_at=_at(-24 * 3),
    )
    site, training, space, summer = _option_ids(proposal)
    # Round 1: the summer day is out; round 2: training and space tie last and go out together;
    # round 3: the website wins.
    rankings = [[site, training], [training, site], [space, site, training], [site], [training, space],
                [summer, site], [site, space], [space, site]]
    for person, ranking in zip(board, rankings, strict=False):
        services.set_stance(proposal=proposal, user=person, ranking=ranking, now=_at(-24 * 8))
    _seen(proposal, board)
    return services.close_proposal(proposal=proposal, actor=None, now=_at(-24 * 3), notify=False)


def _venues(group, admin, board):
    proposal = _open(
        group, admin, board, "Évaluer les lieux du séminaire d’automne",
        "Notez chaque lieu de 0 (impossible) à 5 (idéal).", kind="score", score_max=5,
        options=["Gîte du Perche", "Tiers-lieu de Blois", "Salle municipale de Tours"], quorum_percent=50,
    )
    perche, blois, tours = _option_ids(proposal)
    for person, scores in zip(board, ([5, 3, 1], [4, 4, 2], [2, 5, 3], [5, 2, 0]), strict=False):
        services.set_stance(proposal=proposal, user=person, scores=dict(zip([perche, blois, tours], scores, strict=True)))
    _seen(proposal, board[:6])
    return proposal


def _training(group, admin, board):
    proposal = _open(
        group, admin, board, "Répartir dix points entre les thèmes de formation",
        "Mettez vos points sur les thèmes qui vous semblent les plus utiles.", kind="dot_vote", dots_per_voter=10,
        options=["Facturation", "Prospection", "Droit du travail", "Outils numériques"],
    )
    ids = _option_ids(proposal)
    for person, dots in zip(board, ([6, 2, 0, 2], [3, 3, 3, 1], [0, 5, 0, 5]), strict=False):
        services.set_stance(proposal=proposal, user=person, dots={k: v for k, v in zip(ids, dots, strict=True) if v})
    _seen(proposal, board[:5])
    return proposal


def _election(group, admin, board):
    """A secret ballot: who voted is shown, never what."""
    proposal = _open(
        group, admin, board, "Élection à la présidence : Claire Martin",
        "Vote à bulletin secret. Pour : élire Claire Martin présidente pour deux ans.",
        anonymous=True, quorum_percent=50,
    )
    for person, choice in zip(board[:5], ["agree", "agree", "abstain", "agree", "disagree"], strict=True):
        services.set_stance(proposal=proposal, user=person, choice=choice)
    _seen(proposal, board[:6])
    return proposal


def _member_ids(group, people):
    ids = dict(Membership.objects.filter(group=group, user__in=people).values_list("user_id", "pk"))
    return [ids[p.pk] for p in people]


def _past_meeting(group, admin, board):
    """Last month's board meeting: attendance, one decision in the room, minutes sealed."""
    held = timezone.localtime(_at(-24 * 19)).replace(hour=18, minute=30, second=0, microsecond=0)
    meeting = meeting_services.create_meeting(
        group=group, actor=admin, title="Conseil d’administration d’automne", starts_at=held,
        place="Local de Tours, 12 rue Nationale", buckets=[], proposals=[], voters=board,
        items=["Comptes du troisième trimestre", "Questions diverses"],
        notes="La séance est levée à 20 h 40. Prochain conseil : date fixée par un sondage.",
    )
    ids = _member_ids(group, board)
    meeting_services.set_attendance(meeting=meeting, actor=admin, present=ids[:6], represented={ids[6]: ids[1]})
    meeting_services.record_decision(
        meeting=meeting, actor=admin, title="Approuver les comptes du troisième trimestre",
        text="Les comptes présentés par la trésorière sont approuvés.", votes_for=6, votes_against=0,
        votes_abstain=1, outcome="adopted", now=held,
    )
    return meeting_services.seal_minutes(meeting=meeting, actor=admin, now=held + timedelta(hours=2))


def _next_meeting(group, admin, board, slot):
    """The next board meeting, at the slot the poll chose: its agenda holds the bucket left
    to decide and the open proposals; most of the board has said they will come."""
    meeting = meeting_services.create_meeting(
        group=group, actor=admin, title="Conseil d’administration", starts_at=slot.starts_at,
        place="Local de Tours, 12 rue Nationale", items=["Questions diverses"], voters=board,
    )
    ids = _member_ids(group, board)
    meeting_services.set_attendance(meeting=meeting, actor=admin, present=ids[:6],
                                    represented={ids[6]: ids[2], ids[7]: ids[3]})
    return meeting


def seed(people) -> None:
    group: Group = people["artefacts"]
    if Proposal.objects.filter(group=group, kind=Proposal.Kind.RANKED_CHOICE).exists():
        return
    admin = people["artefacts_admin"]
    board = [admin, *people["artefacts_members"][: BOARD_SIZE - 1]]
    _past_meeting(group, admin, board)
    _statutes(group, admin, board)
    date_poll = _meeting_date(group, admin, board)
    _priorities(group, admin, board)
    _venues(group, admin, board)
    _training(group, admin, board)
    _election(group, admin, board)
    _next_meeting(group, admin, board, date_poll.chosen_option)
