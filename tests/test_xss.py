"""Markdown and text written by people are rendered harmless everywhere they are shown:
pages, the API's *_html fields and e-mails. Forty hostile payloads (script tags, event
handlers, javascript:/data:/vbscript: links, SVG, MathML, iframes, nested and broken tags,
entity and case tricks) go through bucket descriptions, comments, proposal details,
outcome statements and the group description."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import timezone

from buckets import services as bucket_services
from buckets.guidelines import services as guideline_services
from cobudget.markdown import render_markdown
from proposals import services as proposal_services
from tests.builders import make_bucket, make_round

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" ONERROR=\"alert(1)\">",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>click</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<a href=\"  javascript:alert(1)\">x</a>",
    "<a href=\"java\nscript:alert(1)\">x</a>",
    "<a href=\"https://example.org\" onclick=\"alert(1)\">x</a>",
    "<a href=\"https://example.org\" onmouseover=alert(1)>x</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:text/html,<script>alert(1)</script>\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<p><b><i><u><script>alert(1)</script></u></i></b></p>",
    "<<script>script>alert(1)<</script>/script>",
    "\"><script>alert(1)</script>",
    "`<script>alert(1)</script>`\n\n    <script>alert(1)</script>",
    "<table><tr><td onclick=alert(1)>x</td></tr></table>",
    "> <img src=x onerror=alert(1)>",
]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            # Our own pages load vendored scripts from /static/; anything else is injected.
            if not (attrs.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script {attrs}>")
            self._in_script = True
        if tag in {"iframe", "object", "embed", "base", "math"}:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "refresh" in (attrs.get("http-equiv") or "").lower():
            self.problems.append("<meta refresh>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            squeezed = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and "javascript:" in squeezed:
                self.problems.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data[:40]!r}")


def problems_in(html: str) -> list[str]:
    audit = _Audit()
    audit.feed(html)
    audit.close()
    return audit.problems


def assert_harmless(html: str, where: str):
    found = problems_in(html)
    assert not found, f"{where}: {found}"


def test_the_audit_itself_catches_each_kind_of_danger():
    assert problems_in("<script>alert(1)</script>")
    assert problems_in('<img src=x onerror="alert(1)">')
    assert problems_in('<a href=" java script:alert(1)">x</a>')
    assert problems_in('<a href="data:text/html,x">x</a>')
    assert not problems_in('<script src="/static/js/htmx.min.js"></script><a href="https://example.org">x</a>')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_markdown_neutralises_every_payload(payload):
    assert_harmless(str(render_markdown(payload)), payload)


@pytest.fixture
def world(group, admin_user, member, member2):
    round_ = make_round(group, admin_user, phase="proposals")
    bucket = make_bucket(round_, member2, title="Garden")
    return round_, bucket


@pytest.mark.django_db
def test_bucket_descriptions_are_harmless_on_the_page_and_in_the_api(client, api, world, member, member2):
    _round, bucket = world
    hostile = "\n\n".join(PAYLOADS)
    bucket_services.update_bucket(bucket=bucket, actor=member2, description=hostile, summary=PAYLOADS[3])
    client.force_login(member)
    page = client.get(f"/buckets/{bucket.pk}/").content.decode()
    assert "click" in page  # the description is shown, only defused
    assert_harmless(page, "bucket page")
    assert_harmless(client.get(f"/rounds/{bucket.round_id}/").content.decode(), "round page")
    body = api(member).get(f"/api/buckets/{bucket.pk}/").json()
    assert_harmless(body["description_html"], "API description_html")


@pytest.mark.django_db
def test_comments_and_flags_are_harmless_on_the_page_in_the_api_and_in_the_mails_to_co_leads(
    client, api, world, member, member2, admin_user, django_capture_on_commit_callbacks
):
    round_, bucket = world
    mail.outbox.clear()
    guideline = guideline_services.create_guideline(round=round_, actor=admin_user, title=PAYLOADS[0])
    with django_capture_on_commit_callbacks(execute=True):
        for payload in PAYLOADS:
            bucket_services.add_comment(bucket=bucket, author=member, body=payload)
        guideline_services.raise_flag(bucket=bucket, guideline=guideline, actor=member, comment="\n\n".join(PAYLOADS))
    client.force_login(member2)
    assert_harmless(client.get(f"/buckets/{bucket.pk}/").content.decode(), "bucket page with comments")
    results = api(member2).get(f"/api/buckets/{bucket.pk}/comments/?page_size=100").json()["results"]
    assert len(results) == len(PAYLOADS)
    for comment in results:
        assert_harmless(comment["body_html"], f"API body_html of {comment['body']!r}")
    html_mails = [m for m in mail.outbox if any(t == "text/html" for _c, t in getattr(m, "alternatives", []))]
    assert html_mails, "co-leads are mailed the comments"
    for message in html_mails:
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                assert_harmless(content, f"mail {message.subject!r}")


@pytest.mark.django_db
def test_proposal_details_and_statements_are_harmless(client, api, group, member, admin_user):
    hostile = "\n\n".join(PAYLOADS)
    proposal = proposal_services.open_proposal(
        group=group, title=PAYLOADS[0], details=hostile, author=member,
        closes_at=timezone.now() + timedelta(days=2), notify=False,
    )
    proposal_services.add_comment(proposal=proposal, author=admin_user, body=hostile)
    proposal = proposal_services.close_proposal(proposal=proposal, actor=member)
    proposal_services.set_statement(proposal=proposal, actor=member, statement=hostile)
    client.force_login(admin_user)
    for url in (f"/proposals/{proposal.pk}/", f"/g/{group.slug}/decisions/", f"/g/{group.slug}/proposals/", "/"):
        assert_harmless(client.get(url).content.decode(), url)
    body = api(admin_user).get(f"/api/proposals/{proposal.pk}/").json()
    assert_harmless(body["details_html"], "API details_html")
    assert_harmless(body["statement_html"], "API statement_html")
    for comment in api(admin_user).get(f"/api/proposals/{proposal.pk}/comments/").json()["results"]:
        assert_harmless(comment["body_html"], "API proposal comment body_html")


@pytest.mark.django_db
def test_the_group_description_and_name_are_harmless(client, group, member):
    group.description = "\n\n".join(PAYLOADS)
    group.name = PAYLOADS[3]
    group.save()
    client.force_login(member)
    for url in (f"/g/{group.slug}/", "/"):
        assert_harmless(client.get(url).content.decode(), url)
