"""The flags panel (included on the bucket page), its forms, and the badge on bucket cards."""

import pytest
from django.template import Context, Template

from buckets.guidelines import selectors as guideline_selectors
from buckets.guidelines import services as guideline_services
from buckets.models import Bucket, Flag
from tests.flag_helpers import bucket_fixture, guidelines_fixture, round_fixture  # noqa: F401


@pytest.mark.django_db
def test_a_member_flags_from_the_panel_and_sees_the_open_flag(client, bucket, guidelines, member, django_capture_on_commit_callbacks, mailoutbox):
    client.force_login(member)
    html = client.get(f"/buckets/{bucket.pk}/flags/").content.decode()
    assert 'id="flags"' in html and "No open flag on this bucket." in html
    assert f'<label for="flag-guideline-{bucket.pk}">' in html and f'<label for="flag-comment-{bucket.pk}">' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/buckets/{bucket.pk}/flags/", {"guideline": guidelines[1].pk, "comment": "No quote at all"})
    assert response.status_code == 302 and response["Location"] == f"/buckets/{bucket.pk}/#flags"
    assert len(mailoutbox) == 1
    html = client.get(f"/buckets/{bucket.pk}/flags/").content.decode()
    assert "1 open" in html and "Realistic budget" in html and "No quote at all" in html
    assert "Resolve" in html  # the raiser may resolve


@pytest.mark.django_db
def test_htmx_gets_the_panel_back_with_errors_inline(client, bucket, guidelines, member):
    client.force_login(member)
    response = client.post(f"/buckets/{bucket.pk}/flags/", {"guideline": guidelines[0].pk, "comment": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith("<section") and "Say what the problem is." in html
    response = client.post(f"/buckets/{bucket.pk}/flags/", {"guideline": guidelines[0].pk, "comment": "Few benefit"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Few benefit" in response.content.decode()


@pytest.mark.django_db
def test_only_the_raiser_or_an_admin_sees_and_uses_resolve(client, bucket, guidelines, member, member2, admin_user, contributor):
    flag = guideline_services.raise_flag(bucket=bucket, guideline=guidelines[0], actor=member, comment="Few benefit")
    client.force_login(member2)  # a co-lead: answers in comments, does not resolve
    assert "Resolve" not in client.get(f"/buckets/{bucket.pk}/flags/").content.decode()
    client.post(f"/flags/{flag.pk}/resolve/")
    flag.refresh_from_db()
    assert flag.resolved_at is None

    client.force_login(contributor)  # reads, may not flag
    html = client.get(f"/buckets/{bucket.pk}/flags/").content.decode()
    assert "Few benefit" in html and "Flag this bucket" not in html

    client.force_login(admin_user)
    assert "Resolve" in client.get(f"/buckets/{bucket.pk}/flags/").content.decode()
    client.post(f"/flags/{flag.pk}/resolve/")
    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolved_by == admin_user
    html = client.get(f"/buckets/{bucket.pk}/flags/").content.decode()
    assert "No open flag on this bucket." in html and "1 resolved flag" in html


@pytest.mark.django_db
def test_outsiders_get_404(client, bucket, guidelines, member, outsider):
    flag = guideline_services.raise_flag(bucket=bucket, guideline=guidelines[0], actor=member, comment="Few benefit")
    client.force_login(outsider)
    assert client.get(f"/buckets/{bucket.pk}/flags/").status_code == 404
    assert client.post(f"/buckets/{bucket.pk}/flags/", {"guideline": guidelines[0].pk, "comment": "x"}).status_code == 404
    assert client.post(f"/flags/{flag.pk}/resolve/").status_code == 404
    assert Flag.objects.count() == 1 and Flag.objects.get().resolved_at is None


@pytest.mark.django_db
def test_the_card_badge_counts_open_flags_in_one_query(bucket, guidelines, member, admin_user, round, member2, django_assert_num_queries):
    from tests.builders import make_bucket

    quiet = make_bucket(round, member2, title="Quiet bucket")
    guideline_services.raise_flag(bucket=bucket, guideline=guidelines[0], actor=member, comment="a")
    guideline_services.raise_flag(bucket=bucket, guideline=guidelines[1], actor=member, comment="b")
    resolved = guideline_services.raise_flag(bucket=bucket, guideline=guidelines[0], actor=admin_user, comment="c")
    guideline_services.resolve_flag(flag=resolved, actor=admin_user)
    badge = Template('{% for bucket in buckets %}[{% include "buckets/_flag_badge.html" %}]{% endfor %}')
    with django_assert_num_queries(1):
        buckets = list(guideline_selectors.with_open_flags(Bucket.objects.filter(pk__in=[bucket.pk, quiet.pk]).order_by("title")))
        html = badge.render(Context({"buckets": buckets}))
    assert html.count("open flag") == 1 and "2 open flags" in html
