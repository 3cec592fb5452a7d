from django.core.management.base import BaseCommand, CommandError

from allocations.ledger import ledger_differences


class Command(BaseCommand):
    help = "Verify stored envelope and bucket totals against the ledger; exit non-zero on any difference."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, action="append", dest="rounds", help="Only this round (repeatable).")

    def handle(self, *args, rounds=None, **options):
        problems = ledger_differences(round_ids=rounds)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} difference(s) between the stored totals and the ledger.")
        self.stdout.write(self.style.SUCCESS("The ledger and the stored totals agree."))
