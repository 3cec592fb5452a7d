"""The bucket access rule is one condition (buckets.selectors.visible_to), and the prepared
statements built from the ORM's SQL (cobudget.hotsql.Compiled: the allocation panel, the fast
path's bucket, the session's person) answer exactly what their querysets answer: the same rows,
the same Python values, for every role and every state of a round and a bucket."""

from datetime import timedelta

import pytest
from django.utils import timezone

from allocations.selectors import _target, allocation_target_query
from buckets.models import Bucket, Round
from buckets.selectors import can_see_bucket, get_bucket_for, visible_buckets
from groups.backends import _query as user_query
from groups.backends import _user
from tests.builders import allocate, make_bucket, make_round


@pytest.fixture
def world(group, admin_user, member, member2, accountant, contributor, outsider):
    round = make_round(group, admin_user)
    open_bucket = make_bucket(round, member2, title="Open", coleads=[member.email])
    allocate(member, open_bucket, "12.00")
    draft = make_bucket(round, member2, title="Draft", publish=False)
    led_draft = make_bucket(round, member2, title="Led draft", coleads=[member.email], publish=False)
    hidden = make_round(group, admin_user, publish=False, title="Not yet")
    hidden_bucket = Bucket.objects.create(round=hidden, title="In a draft round", created_by=member2,
                                          status=Bucket.Status.OPEN)
    people = {"admin": admin_user, "member": member, "creator": member2, "accountant": accountant,
              "contributor": contributor, "outsider": outsider}
    return people, [open_bucket, draft, led_draft, hidden_bucket]


# Who sees which bucket: open, someone's draft, a draft they co-lead, a bucket of a draft round.
EXPECTED = {
    "admin": [True, True, True, True],
    "member": [True, False, True, False],
    "creator": [True, True, True, False],
    "accountant": [True, True, True, False],
    "contributor": [True, False, False, False],
    "outsider": [False, False, False, False],
}


@pytest.mark.django_db
def test_one_rule_decides_every_way_a_bucket_is_read(world):
    people, buckets = world
    round = buckets[0].round
    for who, user in people.items():
        seen = [can_see_bucket(user, bucket) for bucket in buckets]
        assert seen == EXPECTED[who], who
        listed = set(visible_buckets(round=round, user=user).values_list("pk", flat=True))
        assert listed == {b.pk for b, yes in zip(buckets, seen, strict=True) if yes and b.round_id == round.pk}, who
        for bucket, yes in zip(buckets, seen, strict=True):
            try:
                get_bucket_for(user, bucket.pk)
                found = True
            except Exception:  # Http404
                found = False
            assert found == yes, (who, bucket.title)


@pytest.mark.django_db
def test_the_prepared_statements_answer_what_their_querysets_answer(world):
    people, buckets = world
    Round.objects.filter(pk=buckets[0].round_id).update(closed_at=timezone.now() - timedelta(days=1))
    for who, user in people.items():
        for bucket in [*buckets, Bucket(pk=987654)]:
            expected = allocation_target_query(user_id=user.pk, bucket_id=bucket.pk).first()
            assert _target.fetchone(user_id=user.pk, bucket_id=bucket.pk) == expected, (who, bucket.pk)
            assert (expected is not None) == (bucket.pk in {b.pk for b, yes in zip(buckets, EXPECTED[who],
                                                                                   strict=True) if yes})
        assert _user.fetchone(user_id=user.pk) == user_query(user_id=user.pk).first(), who
    assert _user.fetchone(user_id=987654) is None
