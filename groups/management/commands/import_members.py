from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cobudget.errors import DomainError
from groups import services
from groups.models import Group


class Command(BaseCommand):
    help = "Import members from a CSV file (header: email,name,role,envelope). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("group_slug")
        parser.add_argument("file", type=Path)

    def handle(self, *args, group_slug, file, **options):
        group = Group.objects.filter(slug=group_slug).first()
        if group is None:
            raise CommandError(f"No group with the slug “{group_slug}”.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
        try:
            result = services.import_members(group=group, data=data, actor=None)
        except DomainError as exc:
            raise CommandError(f"{exc.detail} Nothing was imported.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged."
            )
        )
