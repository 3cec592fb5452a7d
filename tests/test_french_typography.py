"""French done properly (PRODUCT.md): the French catalogue and the main pages rendered in
French have a narrow no-break space before « : ; ! ? » and inside « », elide « de » before a
vowel (« membre d’Artefacts »), make counts agree through ngettext (« 1 invité »), and show
no Django « --------- » in a select. The checks live in cobudget/typography.py."""

from datetime import timedelta

import polib
import pytest
from django.utils import timezone

from buckets import services as bucket_services
from cobudget.typography import catalogue_faults, page_faults
from groups import services as group_services
from groups.models import Group, Membership, Role, User
from proposals import services as proposal_services
from tests.conftest import PASSWORD, make_user
from tests.funding_helpers import allocate, make_bucket, make_round
from tests.test_translations import FR_PO


def test_the_french_catalogue_follows_french_typography():
    faults = []
    for entry in polib.pofile(str(FR_PO)):
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            for text in entry.msgstr_plural.values():
                faults += [f"{why}: {text!r}" for why in catalogue_faults((entry.msgid, entry.msgid_plural), text)]
        else:
            faults += [f"{why}: {entry.msgstr!r}" for why in catalogue_faults(entry.msgid, entry.msgstr)]
    assert not faults, "\n".join(faults)


@pytest.mark.parametrize("text,fault", [
    ("Reste: %(amount)s", "before : ; ! ?"),
    ("Trier par :", "before : ; ! ?"),
    ("« %(title)s »", "inside « »"),
    ("Enveloppe de %(name)s", "a name"),
    ("membre de %(group)s", "a name"),
    ("%(n)d invités", "ngettext"),
    ("l'enveloppe", "apostrophe"),
])
def test_the_catalogue_check_catches_the_usual_faults(text, fault):
    assert any(fault in why for why in catalogue_faults("x", text)), text


@pytest.mark.parametrize("html,fault", [
    ("<p>Trier par: les plus récents</p>", "no space before"),
    ("<p>Décision : Bloquée</p>", "not U+202F"),
    ("<p>1 invités</p>", "plural after 1"),
    ("<p>0 votants</p>", "plural after 0"),
    ("<p>membre de Artefacts</p>", "elision"),
    ('<select><option value="">---------</option></select>', "dashes"),
])
def test_the_page_check_catches_the_usual_faults(html, fault):
    assert any(fault in why for why in page_faults(html)), html


@pytest.fixture
def world(db):
    """A French cooperative whose name begins with a vowel, with one of everything."""
    admin = make_user("admin@artefacts.example", "Amina Admin", language="fr")
    group = group_services.create_group(creator=admin, name="Artefacts", slug="artefacts",
                                        description="Coopérative d’activité et d’emploi.")
    members = []
    for email, name in (("elodie@artefacts.example", "Élodie Martin"), ("zoe@artefacts.example", "Zoé Leroy"),
                        ("emmanuel@artefacts.example", "Emmanuel Dubois")):
        members.append(make_user(email, name, language="fr"))
        group_services.add_member(group=group, email=email, role=Role.MEMBER, actor=None, send_invitation=False)
    group_services.add_member(group=group, email="invite@artefacts.example", actor=admin, send_invitation=False)
    elodie, zoe, emmanuel = members
    round = make_round(group, admin, title="Budget participatif 2026", max_per_member_per_bucket="200.00")
    garden = make_bucket(round, elodie, title="Jardin partagé", min_amount="300.00", max_amount="600.00",
                         coleads=[zoe])
    make_bucket(round, zoe, title="Atelier vélo", min_amount="100.00", max_amount="100.00")
    allocate(elodie, garden, "120.00")
    bucket_services.add_comment(bucket=garden, author=zoe, body="Où sera-t-il\u202f?")
    closed = make_round(group, admin, title="Projets 2025")
    kept = make_bucket(closed, zoe, title="Four à pain", min_amount="100.00", max_amount="200.00")
    allocate(elodie, kept, "150.00")
    proposal = proposal_services.open_proposal(group=group, title="Acheter un camion", details="Pour les chantiers.",
                                               author=admin, closes_at=timezone.now() + timedelta(days=3), notify=False)
    decided = proposal_services.open_proposal(group=group, title="Adhérer au réseau régional", author=admin,
                                              closes_at=timezone.now() + timedelta(days=1), notify=False)
    proposal_services.close_proposal(proposal=decided, actor=admin, notify=False)
    link = group_services.create_invite_link(group=group, actor=admin)
    Group.objects.filter(pk=group.pk).update(time_zone="Europe/Paris")
    return {"admin": admin, "elodie": elodie, "group": group, "round": round, "closed": closed, "bucket": garden,
            "proposal": proposal, "link": link}


def _pages(w):
    r, b = w["round"].pk, w["bucket"].pk
    return [
        ("elodie", "/"), ("elodie", "/g/artefacts/"), ("elodie", f"/rounds/{r}/"), ("elodie", f"/buckets/{b}/"),
        ("elodie", f"/rounds/{r}/allocate/"), ("elodie", f"/rounds/{r}/results/"),
        ("elodie", f"/rounds/{w['closed'].pk}/results/"), ("elodie", f"/proposals/{w['proposal'].pk}/"),
        ("elodie", "/g/artefacts/decisions/"), ("elodie", "/g/artefacts/proposals/new/"),
        ("elodie", "/guide/"), ("elodie", "/developers/"), ("admin", "/g/artefacts/members/"),
        ("admin", f"/rounds/{r}/envelopes/"), (None, "/accounts/login/"), (None, "/accounts/login/code/"),
        # The admin's and the accountant's pages (the round hub, exports, paper forms, closing).
        ("admin", "/"), ("admin", "/g/artefacts/"), ("admin", f"/rounds/{r}/"), ("admin", f"/rounds/{r}/exports/"),
        ("admin", f"/rounds/{r}/results/?members=1"), ("admin", f"/rounds/{r}/close/"),
        ("admin", f"/rounds/{r}/paper/?member={Membership.objects.get(user=w['elodie']).pk}"),
        ("admin", f"/rounds/{w['closed'].pk}/exports/"), ("admin", f"/rounds/{w['closed'].pk}/results/?members=1"),
        (None, f"/join/{w['link'].token}/"),
    ]


@pytest.mark.django_db
def test_the_main_pages_rendered_in_french_follow_french_typography(client, api, world):
    from allocations import services as allocation_services  # noqa: F401  (the round closes through the API)
    from buckets.models import Round

    Round.objects.filter(pk=world["closed"].pk).update(
        funding_opens_at=timezone.now() - timedelta(days=2), funding_closes_at=timezone.now() - timedelta(seconds=1),
        meeting_at=timezone.now() + timedelta(days=1))
    assert api(world["admin"]).post(f"/api/rounds/{world['closed'].pk}/close/").status_code == 200
    faults = []
    for who, url in _pages(world):
        client.logout()
        if who:
            assert client.login(email=world[who].email, password=PASSWORD)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, url
        faults += [f"{url}: {fault}" for fault in page_faults(response.content.decode())]
    assert not faults, "\n".join(faults)
    assert User.objects.filter(email="invite@artefacts.example").exists()


@pytest.mark.django_db
def test_a_mail_subject_keeps_its_no_break_spaces(settings, tmp_path, member):
    """A subject is one line, yet the narrow no-break space before « : » and inside « » stays."""
    from cobudget.mail import render_templated

    (tmp_path / "t_subject.txt").write_text("Résultats\u202f:\n   «\u202fRuches\u202f»\u00a0!\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("Corps", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    mail = render_templated(user=member, template="t", context={})
    assert mail.subject == "Résultats\u202f: «\u202fRuches\u202f»\u00a0!"
