import importlib

from django.core.management.base import BaseCommand

from demo.people import PASSWORD, seed_people
from groups.models import Group

# Each later part of the demo is a module with a `seed(people)` function, run in order.
PARTS = ["demo.rounds", "demo.proposals", "demo.closed_round", "demo.expenses", "demo.board"]


class Command(BaseCommand):
    help = "Create the Artefacts and OPTEOS demo groups and print their logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any group exists.")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Group.objects.exists():
            self.stdout.write("The database already has data; demo not loaded.")
            return
        # No transaction around the whole: each service the demo calls owns its transaction
        # (durable, as in production). A failure half-way leaves part of a demo: seed an
        # empty database again.
        people = seed_people()
        for name in PARTS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            module.seed(people)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Logins (password for all: {PASSWORD}):"))
        self.stdout.write("  Artefacts admin:      admin@artefacts.example")
        self.stdout.write("  Artefacts member:     member01@artefacts.example (… member59)")
        self.stdout.write("  Artefacts accountant: audrey@artefacts.example")
        self.stdout.write("  Artefacts contributor: contributor1@artefacts.example")
        self.stdout.write("  OPTEOS admin:         simon@opteos.example")
        self.stdout.write("  OPTEOS member:        member1@opteos.example")
