"""One world in which every route of the URL configuration has something to act on: a group
with an admin, a member, a co-lead (a member who co-leads the bucket), an accountant, a
contributor and an outsider (admin of another group); a round in funding with two open
buckets and a draft one, a comment, a proposal, a guideline, a flag, an invite link, a pending join request,
a webhook (a Mattermost address) and the member's calendar token; and a closed round whose
bucket, co-led by the co-lead and funded by the member, has a pending expense; the open
bucket carries an image.

The member wrote the comment and the proposal and raised the flag, so "its author" and "its
raiser" are the member's column of the access matrix.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from buckets import services as bucket_services
from buckets.guidelines import services as guideline_services
from groups import services as group_services
from groups.models import Group, InviteLink, JoinRequest, Membership, Role, User
from meetings import services as meeting_services
from proposals import services as proposal_services
from tests.builders import make_bucket, make_round
from tests.conftest import make_user

ROLES = ("anonymous", "outsider", "contributor", "member", "colead", "accountant", "admin")


@dataclass
class World:
    group: Group
    users: dict
    round: object
    bucket: object
    other_bucket: object
    draft_bucket: object
    comment: object
    proposal: object
    proxy: object
    meeting: object
    guideline: object
    other_guideline: object
    flag: object
    link: InviteLink
    join_request: JoinRequest
    spare: Membership
    unsubscribe_token: str
    webhook: object
    calendar_token: str
    expense: object = None
    attachment: object = None


def build_world() -> World:
    admin = make_user("admin@example.org", "Alice Admin")
    group = group_services.create_group(creator=admin, name="Artefacts", slug="artefacts")
    group.join_policy = Group.JoinPolicy.REQUEST
    group.save(update_fields=["join_policy"])
    users: dict[str, User | None] = {"anonymous": None, "admin": admin}
    for role, email, group_role in (
        ("member", "member@example.org", Role.MEMBER),
        ("colead", "colead@example.org", Role.MEMBER),
        ("accountant", "accountant@example.org", Role.ACCOUNTANT),
        ("contributor", "contributor@example.org", Role.CONTRIBUTOR),
        ("spare", "spare@example.org", Role.MEMBER),
    ):
        users[role] = make_user(email)
        group_services.add_member(group=group, email=email, role=group_role, actor=None, send_invitation=False)
    outsider = make_user("outsider@example.org", "Oscar Outsider")
    group_services.create_group(creator=outsider, name="OPTEOS", slug="opteos")
    users["outsider"] = outsider

    round_ = make_round(group, admin, phase="funding")
    bucket = make_bucket(round_, users["colead"], title="Shared garden", max_amount="1000.00")
    other = make_bucket(round_, users["colead"], title="Bike shed", max_amount="1000.00")
    draft = make_bucket(round_, users["colead"], title="Solar roof", max_amount="1000.00", publish=False)
    comment = bucket_services.add_comment(bucket=bucket, author=users["member"], body="Is it *real*?")
    proposal = proposal_services.open_proposal(
        group=group, title="Buy a van", details="For **deliveries**", author=users["member"],
        closes_at=timezone.now() + timedelta(days=3), notify=False,
    )
    proxy = proposal_services.give_proxy(proposal=proposal, giver=users["spare"], holder=users["colead"])
    meeting = meeting_services.create_meeting(group=group, actor=admin, title="Board meeting",
                                              starts_at=timezone.now() + timedelta(days=2))
    guideline = guideline_services.create_guideline(round=round_, actor=admin, title="Serves everyone")
    other_guideline = guideline_services.create_guideline(round=round_, actor=admin, title="Realistic budget")
    flag = guideline_services.raise_flag(bucket=bucket, guideline=guideline, actor=users["member"], comment="Too vague")
    link = group_services.create_invite_link(group=group, actor=admin, role=Role.MEMBER)
    joiner = make_user("joiner@example.org")
    join_request = group_services.request_to_join(group=group, user=joiner, message="Hello")
    from integrations.calendar import token_for
    from integrations.models import Webhook
    from notifications.delivery import unsubscribe_token

    webhook = Webhook.objects.create(group=group, url="https://chat.example.org/hooks/x", format="mattermost",
                                     events=["round.closed"], created_by=admin)

    from expenses import attachments
    from expenses import services as expense_services
    from tests.builders import funded_in_closed_round, pdf_upload, png_upload

    funded = funded_in_closed_round(group, admin, users["colead"], users["member"], amount="100.00")
    expense = expense_services.submit(bucket=funded, actor=users["colead"], description="Paint", amount="20.00",
                                      spent_on=timezone.localdate(), receipt=pdf_upload())

    return World(
        group=group, users=users, round=round_, bucket=bucket, other_bucket=other, draft_bucket=draft, comment=comment,
        proposal=proposal, proxy=proxy, meeting=meeting, guideline=guideline, other_guideline=other_guideline, flag=flag, link=link, join_request=join_request,
        spare=Membership.objects.get(group=group, user=users["spare"]),
        unsubscribe_token=unsubscribe_token(user=users["member"], kind="bucket_comment"),
        webhook=webhook, calendar_token=token_for(users["member"]).token, expense=expense,
        attachment=attachments.add(bucket=bucket, actor=users["colead"], upload=png_upload()),
    )
