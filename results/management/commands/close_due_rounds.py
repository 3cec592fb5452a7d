from django.core.management.base import BaseCommand

from results.sweep import sweep


class Command(BaseCommand):
    help = "Run the sweep the beat schedule runs every minute: close due rounds and proposals, send reminders."

    def handle(self, *args, **options):
        result = sweep()
        self.stdout.write(
            "Rounds closed: {rounds_closed}; round reminders: {round_reminders}; "
            "proposals closed: {proposals_closed}; proposal reminders: {proposal_reminders}.".format(**result)
        )
