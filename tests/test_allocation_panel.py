"""The bucket page's allocation panel, re-rendered by htmx after each allocation, is built from
strings formatted once in the view (views._allocation_panel) and read in one prepared query
before and one after the change (selectors.allocation_target): its HTML is the HTML of the
templates it replaced, in every state and in both languages, and it costs a fixed number of
queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import engines
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from allocations import selectors, services
from allocations.views import _bucket_context
from buckets.models import Bucket, Round
from tests.builders import allocate, make_bucket, make_round

# allocations/_allocation.html as it was, with _progress.html and _envelope_bar.html included.
BEFORE = """{% load i18n l10n cobudget %}<section id="allocation" class="card allocation" aria-labelledby="alloc-h">
  <h2 id="alloc-h">{% translate "Funding" %}</h2>
  {% include "allocations/_progress.html" %}
  <p class="muted">{% blocktranslate count n=bucket.contributors_count %}{{ n }} contributor{% plural %}{{ n }} contributors{% endblocktranslate %}</p>
  {% include "allocations/_envelope_bar.html" %}
  {% if can_allocate %}
  <form method="post" action="{% url 'bucket-allocate' bucket.pk %}" hx-post="{% url 'bucket-allocate' bucket.pk %}" hx-target="#allocation" hx-swap="outerHTML" class="allocation-form">
    {% csrf_token %}
    <label for="amount">{% translate "My allocation to this bucket" %}</label>
    <div class="row">
      <input id="amount" name="amount" type="text" inputmode="decimal" autocomplete="off" value="{% if typed is not None %}{{ typed }}{% else %}{{ mine|localize }}{% endif %}"
        aria-describedby="amount-help{% if error %} amount-error{% endif %}"{% if error %} aria-invalid="true"{% endif %}>
      <button type="submit">{% translate "Save" %}</button>
    </div>
    <p id="amount-help" class="help">{% translate "The amount you give this bucket in all (0 removes it)." %}</p>
    {% if error %}<p id="amount-error" class="error" role="alert">{{ error }}</p>{% endif %}
    {% if saved %}<p class="saved" role="status">{% translate "Saved." %}</p>{% endif %}
  </form>
  {% elif mine %}
  <p>{% translate "My allocation:" %} <span class="amount">{{ mine|money:round.currency }}</span></p>
  {% elif not envelope %}
  <p class="muted">{% translate "You have no envelope in this round." %}</p>
  {% elif round.phase != "funding" %}
  <p class="muted">{% translate "Allocation is not open now." %}</p>
  {% endif %}
</section>
"""


def _both(bucket, user, **extra):
    """(before, after): the panel of `bucket` for `user` by the old templates (from the ORM's
    instances) and by the new one (from allocation_target's row)."""
    fresh = Bucket.objects.select_related("round").get(pk=bucket.pk)
    envelope = selectors.envelope_of(round=fresh.round, user=user)
    mine = selectors.my_allocation(bucket=fresh, user=user)
    before = engines["django"].from_string(BEFORE).render({
        "bucket": fresh, "round": fresh.round, "envelope": envelope, "mine": mine,
        "can_allocate": envelope is not None and fresh.round.phase == "funding" and fresh.status == "open", **extra})
    extra = dict(extra)
    target = selectors.allocation_target(bucket_id=bucket.pk, user=user)
    typed = extra.pop("typed", None)
    context = _bucket_context(None, target, None, envelope=target.my_envelope, mine=target.my_amount, **extra)
    if typed is not None:
        context["typed"] = typed
    return before, render_to_string("allocations/_allocation.html", context)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_panel_is_the_html_it_was_in_every_state(language, group, admin_user, member, member2, contributor):
    round = make_round(group, admin_user, max_per_member_per_bucket="250.00")
    bucket = make_bucket(round, member2, min_amount="100.00", max_amount="1300.00")
    equal_goals = make_bucket(round, member2, title="Equal", min_amount="50.00", max_amount="50.00")
    allocate(member, bucket, "120.00")
    allocate(member2, bucket, "5.00")
    states = [
        (member, bucket, {}),
        (member, bucket, {"saved": True}),
        (member, bucket, {"error": "Ceci est refusé <b>", "typed": "12,5 <x>"}),
        (member2, bucket, {}),  # one other contributor, a small amount
        (member, equal_goals, {}),  # no marker on the bar
        (contributor, bucket, {}),  # no envelope
        (admin_user, bucket, {}),
    ]
    with translation.override(language):
        for user, target, extra in states:
            before, after = _both(target, user, **extra)
            assert after == before, (user, target, extra)
        allocate(member, equal_goals, "50.00")  # funded, at its maximum
        assert _both(equal_goals, member)[1] == _both(equal_goals, member)[0]
        # Not in funding any more: the amount is shown, or the reason.
        Round.objects.filter(pk=round.pk).update(funding_opens_at=timezone.now() + timedelta(days=1))
        for user in (member, member2, contributor):
            before, after = _both(bucket, user)
            assert after == before


@pytest.mark.django_db
def test_the_htmx_post_reads_the_panel_in_one_query_before_and_one_after(group, admin_user, member, member2,
                                                                        monkeypatch):
    round = make_round(group, admin_user)
    bucket = make_bucket(round, member2)
    inside = []
    original = services.set_allocation

    def counted(**kwargs):
        start = len(connection.queries)
        try:
            return original(**kwargs)
        finally:
            inside.append(len(connection.queries) - start)

    monkeypatch.setattr(services, "set_allocation", counted)
    client = Client(headers={"HX-Request": "true"})
    client.force_login(member)
    client.post(f"/buckets/{bucket.pk}/allocate/", {"amount": "1"})  # warm: the session
    for amount, shown, panels in (("12,50", 'class="saved"', 2), ("9999", 'role="alert"', 1)):
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(f"/buckets/{bucket.pk}/allocate/", {"amount": amount})
        assert response.status_code == 200 and shown in response.content.decode()
        others = [q["sql"] for q in ctx.captured_queries if "django_session" not in q["sql"]]
        # The person (the session's), the panel before the allocation and, when it changed
        # something, after; the session comes from the cache when there is one.
        assert len(others) - inside[-1] == 1 + panels, others


@pytest.mark.django_db
def test_someone_who_may_not_see_the_bucket_gets_a_404_and_nothing_changes(group, admin_user, member, member2,
                                                                            outsider):
    round = make_round(group, admin_user)
    draft = make_bucket(round, member2, title="Draft", publish=False)
    for user, bucket_id in ((outsider, draft.pk), (member, draft.pk), (member, 987654)):
        client = Client(headers={"HX-Request": "true"})
        client.force_login(user)
        assert client.post(f"/buckets/{bucket_id}/allocate/", {"amount": "1"}).status_code == 404
    assert not draft.allocations.exists()
