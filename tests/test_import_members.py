"""`manage.py import_members GROUP FILE.csv`: idempotent, all or nothing, errors by line."""

import pytest
from django.core.management import CommandError, call_command

from groups.models import Membership, Role, User

GOOD = "email,name,role,envelope\nana@example.org,Ana,member,\nbob@example.org,Bob,accountant,\ncleo@example.org,Cléo,,\n"


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "members.csv"
    path.write_bytes(text.encode(encoding))
    return path


def snapshot(group):
    return sorted(Membership.objects.filter(group=group).values_list("user__email", "role"))


@pytest.mark.django_db
def test_it_creates_members_with_their_roles(group, tmp_path):
    call_command("import_members", group.slug, str(write(tmp_path, GOOD)))
    roles = dict(Membership.objects.filter(group=group).values_list("user__email", "role"))
    assert roles["ana@example.org"] == Role.MEMBER
    assert roles["bob@example.org"] == Role.ACCOUNTANT
    assert roles["cleo@example.org"] == Role.MEMBER  # empty role means "not given": member
    assert User.objects.get(email="cleo@example.org").name == "Cléo"
    assert User.objects.get(email="ana@example.org").is_active


@pytest.mark.django_db
def test_reimporting_changes_nothing_and_never_duplicates(group, tmp_path):
    path = write(tmp_path, GOOD)
    call_command("import_members", group.slug, str(path))
    before = snapshot(group)
    call_command("import_members", group.slug, str(path))
    assert snapshot(group) == before
    assert User.objects.filter(email="ana@example.org").count() == 1


@pytest.mark.django_db
def test_it_updates_existing_memberships(group, member, tmp_path):
    call_command("import_members", group.slug, str(write(tmp_path, "email,name,role\nmember@example.org,,accountant\n")))
    assert Membership.objects.get(group=group, user=member).role == Role.ACCOUNTANT


@pytest.mark.parametrize(
    "bad_line, words",
    [
        ("dan@example.org,Dan,king,", "unknown role"),
        ("not-an-email,Dan,member,", "not a valid e-mail"),
        ("dan@example.org,Dan,member,-5", "bad envelope"),
        ("dan@example.org,Dan,member,abc", "bad envelope"),
        ("dan@example.org,Dan,member,1.234", "bad envelope"),
    ],
)
@pytest.mark.django_db
def test_a_bad_row_on_line_3_stops_everything_naming_the_line(group, tmp_path, bad_line, words):
    before = snapshot(group)
    users_before = User.objects.count()
    text = "email,name,role,envelope\nana@example.org,Ana,member,\n" + bad_line + "\n"
    with pytest.raises(CommandError) as exc:
        call_command("import_members", group.slug, str(write(tmp_path, text)))
    assert "Line 3" in str(exc.value)
    assert words in str(exc.value)
    assert snapshot(group) == before
    assert User.objects.count() == users_before  # ana on line 2 was not created either


@pytest.mark.django_db
def test_a_wrong_header_is_refused_on_line_1(group, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import_members", group.slug, str(write(tmp_path, "mail,nom\nana@example.org,Ana\n")))
    assert "Line 1" in str(exc.value)
    assert not User.objects.filter(email="ana@example.org").exists()


@pytest.mark.django_db
def test_a_duplicate_email_is_refused_with_both_lines(group, tmp_path):
    text = "email,name\nana@example.org,Ana\nbob@example.org,Bob\nANA@example.org,Ana again\n"
    with pytest.raises(CommandError) as exc:
        call_command("import_members", group.slug, str(write(tmp_path, text)))
    assert "Line 4" in str(exc.value) and "line 2" in str(exc.value)


@pytest.mark.django_db
def test_it_reads_a_bom_semicolons_and_latin1(group, tmp_path):
    call_command("import_members", group.slug, str(write(tmp_path, "\ufeffemail;name\nana@example.org;Ana\n")))
    call_command("import_members", group.slug, str(write(tmp_path, "email,name\nzoe@example.org,Zoé\n", encoding="latin-1")))
    assert User.objects.get(email="zoe@example.org").name == "Zoé"
    assert Membership.objects.filter(group=group, user__email="ana@example.org").exists()


@pytest.mark.django_db
def test_an_unknown_group_is_an_error(tmp_path, db):
    with pytest.raises(CommandError, match="No group"):
        call_command("import_members", "nope", str(write(tmp_path, GOOD)))


@pytest.mark.django_db
def test_an_imported_person_can_get_a_token_at_once(group, tmp_path):
    import io

    from rest_framework.authtoken.models import Token

    call_command("import_members", group.slug, str(write(tmp_path, GOOD)))
    out = io.StringIO()
    call_command("drf_create_token", "ana@example.org", stdout=out)
    assert Token.objects.get(user__email="ana@example.org").key in out.getvalue()


@pytest.mark.django_db
def test_admins_import_from_the_members_page(client, group, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    upload = SimpleUploadedFile("m.csv", GOOD.encode(), content_type="text/csv")
    response = client.post(f"/g/{group.slug}/members/import/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert Membership.objects.filter(group=group).count() == 4
    bad = SimpleUploadedFile("m.csv", b"email,role\nx@example.org,king\n", content_type="text/csv")
    response = client.post(f"/g/{group.slug}/members/import/", {"file": bad}, follow=True)
    assert "Line 2" in response.content.decode()
    assert not User.objects.filter(email="x@example.org").exists()


@pytest.mark.django_db
def test_an_import_cannot_demote_the_last_admin(group, admin_user, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import_members", group.slug, str(write(tmp_path, "email,role\nadmin@example.org,member\n")))
    assert "Line 2" in str(exc.value)
    assert Membership.objects.get(group=group, user=admin_user).role == Role.ADMIN


@pytest.mark.django_db
def test_a_large_file_imports_whole(group, tmp_path):
    lines = ["email,name,role"] + [f"person{i}@example.org,Person {i},member" for i in range(3000)]
    call_command("import_members", group.slug, str(write(tmp_path, "\n".join(lines) + "\n")))
    assert Membership.objects.filter(group=group).count() == 3001
    call_command("import_members", group.slug, str(write(tmp_path, "\n".join(lines) + "\n")))
    assert User.objects.filter(email__startswith="person").count() == 3000
