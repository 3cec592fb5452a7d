import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from cobudget.money import parse_amount
from demo.scale import PASSWORD, create_tokens, seed_scale


class Command(BaseCommand):
    help = (
        "Build a group with a round at federation scale in seconds (bulk writes): members with "
        "envelopes, open buckets, allocations with their ledger rows and consistent counters."
    )

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=10_000, help="People with an envelope (the admin included).")
        parser.add_argument("--buckets", type=int, default=500)
        parser.add_argument("--allocations", type=int, default=100_000)
        parser.add_argument("--proposals", type=int, default=0, help="Proposals (half closed) for the decision pages.")
        parser.add_argument("--slug", default="scale", help="Slug of the new group (must not exist).")
        parser.add_argument("--envelope", default="430.00", help="Each member's envelope.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same data).")
        parser.add_argument("--tokens", type=int, default=0, metavar="N",
                            help="Create API tokens for the first N members and print them, one a line.")

    def handle(self, *args, members, buckets, allocations, proposals, slug, envelope, seed, tokens, **options):
        try:
            amount = parse_amount(envelope)
        except Exception as exc:
            raise CommandError(f"--envelope: {exc}") from None
        started = time.perf_counter()
        try:
            scale = seed_scale(members=members, buckets=buckets, allocations=allocations, proposals=proposals,
                               slug=slug, envelope=Decimal(amount), seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(
            f"Group {scale.group.slug!r}, round {scale.round.pk}: {len(scale.member_ids)} members, "
            f"{len(scale.bucket_ids)} buckets, {scale.allocations} allocations in {elapsed:.1f} s."
        ))
        self.stdout.write(f"Logins (password {PASSWORD}): {scale.admin.email} (admin), "
                          f"{scale.accountant.email} (accountant), m00001@{slug}.example … (members)")
        if tokens:
            keys = create_tokens(scale.member_ids[:tokens])
            for uid in scale.member_ids[:tokens]:
                self.stdout.write(keys[uid])
