from django.core.management.base import BaseCommand, CommandError

from groups.models import Group
from meetings.minutes import verify_register


class Command(BaseCommand):
    help = "Recompute the chain of a group's sealed minutes; exit non-zero on any difference, naming the meeting."

    def add_arguments(self, parser):
        parser.add_argument("group_slug")

    def handle(self, *args, group_slug, **options):
        group = Group.objects.filter(slug=group_slug).first()
        if group is None:
            raise CommandError(f"no group {group_slug!r}")
        report = verify_register(group)
        failed = []
        for meeting, problems in report:
            name = f"minutes no. {meeting.number} (meeting {meeting.pk}, “{meeting.title}”)"
            if problems:
                failed.append(name)
                self.stderr.write(f"FAILED {name}: " + "; ".join(problems))
            else:
                self.stdout.write(f"ok     {name} sha256 {meeting.sha256}")
        if failed:
            raise CommandError(f"{len(failed)} of {len(report)} sealed minutes do not verify: " + ", ".join(failed))
        self.stdout.write(self.style.SUCCESS(f"{len(report)} sealed minutes of {group.slug} verify."))
