"""Bucket endpoints: fields, Markdown sanitised, co-leads as emails, publish, withdraw, merge,
comments by their author only, draft visibility."""

from tests.builders import allocate, make_bucket, make_round

FIELDS = {"id", "round", "title", "summary", "description", "status", "coleads", "budget_items", "min_goal",
          "max_goal", "total", "contributors_count", "my_allocation"}


def test_a_contributor_proposes_a_bucket_with_items_and_coleads(api, group, admin_user, member, contributor):
    round = make_round(group, admin_user, phase="proposals", min_coleads=2)
    response = api(contributor).post(f"/api/rounds/{round.id}/buckets/", {
        "title": "Fablab", "summary": "Tools for all",
        "description": "**Bold** <script>alert(1)</script> <a href=\"javascript:x()\">x</a>",
        "budget_items": [{"description": "Tools", "min_amount": "100", "max_amount": 150.5}],
        "coleads": [member.email, contributor.email], "tags": ["tools"],
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert FIELDS <= set(body)
    assert body["status"] == "draft" and body["min_goal"] == "100.00" and body["max_goal"] == "150.50"
    # A contributor reads their own address and the other co-leads' names (tests/test_email_privacy.py).
    assert set(body["coleads"]) == {member.display_name, contributor.email}
    assert "<strong>Bold</strong>" in body["description_html"]
    assert "<script" not in body["description_html"] and "javascript:" not in body["description_html"]
    assert body["my_allocation"] == "0.00"
    published = api(member).post(f"/api/buckets/{body['id']}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "open"


def test_bad_bucket_input_is_400_with_a_code(api, group, admin_user, member, outsider):
    round = make_round(group, admin_user, phase="proposals")
    url = f"/api/rounds/{round.id}/buckets/"
    cases = [
        ({"title": "x", "budget_items": [{"description": "a", "min_amount": "10", "max_amount": "5"}]}, "invalid_budget_item"),
        ({"title": "x", "coleads": [outsider.email]}, "unknown_colead"),
        ({"title": "x", "budget_items": [{"description": "a", "min_amount": "NaN"}]}, "invalid_amount"),
        ({"summary": "no title"}, "required"),
    ]
    for body, code in cases:
        response = api(member).post(url, body, format="json")
        assert response.status_code == 400 and response.json()["code"] == code, response.content


def test_accountants_cannot_propose_and_drafts_are_hidden_from_other_members(api, group, admin_user, member, member2, accountant):
    round = make_round(group, admin_user, phase="proposals")
    assert api(accountant).post(f"/api/rounds/{round.id}/buckets/", {"title": "x"}, format="json").status_code == 403
    draft = make_bucket(round, member, publish=False)
    assert api(member2).get(f"/api/buckets/{draft.id}/").status_code == 404
    assert api(member2).get(f"/api/rounds/{round.id}/buckets/").json()["count"] == 0
    assert api(accountant).get(f"/api/buckets/{draft.id}/").status_code == 200


def test_min_coleads_refusal_through_the_api(api, group, admin_user, member):
    round = make_round(group, admin_user, phase="proposals", min_coleads=2)
    bucket = make_bucket(round, member, publish=False)
    response = api(member).post(f"/api/buckets/{bucket.id}/publish/")
    assert response.status_code == 409 and response.json()["code"] == "not_enough_coleads"


def test_patch_by_coleads_only(api, group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member)
    assert api(member2).patch(f"/api/buckets/{bucket.id}/", {"title": "Mine"}, format="json").status_code == 403
    response = api(member).patch(f"/api/buckets/{bucket.id}/", {"coleads": [member2.email], "budget_items": [
        {"description": "More", "min_amount": "200", "max_amount": "400"}]}, format="json")
    assert response.status_code == 200
    assert set(response.json()["coleads"]) == {member.email, member2.display_name}
    assert set(bucket.coleads.values_list("email", flat=True)) == {member.email, member2.email}
    assert response.json()["max_goal"] == "400.00"


def test_withdraw_and_merge_refund_through_the_api(api, group, admin_user, member, member2):
    round = make_round(group, admin_user)
    a, b, c = (make_bucket(round, member, title=t) for t in "ABC")
    allocate(member2, a, "50.00")
    allocate(member2, b, "70.00")
    assert api(member2).post(f"/api/buckets/{a.id}/withdraw/").status_code == 403
    withdrawn = api(member).post(f"/api/buckets/{a.id}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn" and withdrawn.json()["total"] == "0.00"
    merged = api(member).post(f"/api/buckets/{b.id}/merge/", {"into": c.id}, format="json")
    assert merged.status_code == 200 and merged.json()["status"] == "merged" and merged.json()["merged_into"] == c.id
    assert api(member2).get(f"/api/rounds/{round.id}/envelopes/me/").json()["remaining"] == "430.00"
    again = api(member).post(f"/api/buckets/{a.id}/withdraw/")
    assert again.status_code == 409 and again.json()["code"] == "bucket_not_open"


def test_comments_are_sanitised_and_belong_to_their_author(api, group, admin_user, member, member2):
    round = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round, member)
    url = f"/api/buckets/{bucket.id}/comments/"
    created = api(member2).post(url, {"body": "Why *not*? <img src=x onerror=alert(1)>"}, format="json")
    assert created.status_code == 201
    comment = created.json()
    assert "<em>not</em>" in comment["body_html"] and "onerror" not in comment["body_html"]
    assert api(member).get(url).json()["count"] == 1
    assert api(member).patch(f"{url}{comment['id']}/", {"body": "x"}, format="json").status_code == 403
    assert api(member).delete(f"{url}{comment['id']}/").status_code == 403
    assert api(member2).patch(f"{url}{comment['id']}/", {"body": "Edited"}, format="json").json()["body"] == "Edited"
    assert api(member2).delete(f"{url}{comment['id']}/").status_code == 204
