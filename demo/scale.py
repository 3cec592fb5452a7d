"""A round at federation scale, built in seconds with bulk writes (seed_scale, the benchmark
and the query-count tests use it).

What it builds, all consistent with the append-only ledger (check_ledger passes on it):
a group with one admin (who also has an envelope), one accountant and `members - 1` members;
a published fixed round in its funding phase; one envelope per member with its ENVELOPE
ledger row; open buckets, each with two budget items and two co-leads; allocations with
their ALLOCATION ledger rows; and the counters (Envelope.allocated, Bucket.total,
Bucket.contributors_count) equal to the sums of the allocations. Bucket goals are chosen
after the allocations, so that at close some buckets are funded, some to decide and some
not funded. Optionally proposals (half of them closed, with stances) and API tokens.

Deterministic for a given `seed`. Every amount is a Decimal (cents computed as integers).
"""

import binascii
import os
import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from allocations.models import Allocation, Envelope, LedgerEntry
from buckets.models import Bucket, BudgetItem, Round
from groups.models import Group, Membership, Role, User

PASSWORD = "cobudget-scale"
ENVELOPE = Decimal("430.00")
BATCH = 5000
CENT = Decimal("0.01")


@dataclass
class Scale:
    group: Group
    round: Round
    admin: User
    accountant: User
    member_ids: list[int] = field(default_factory=list)  # users with an envelope, admin first
    bucket_ids: list[int] = field(default_factory=list)
    proposal_ids: list[int] = field(default_factory=list)
    allocations: int = 0


def _money(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def plan_allocations(*, members: int, buckets: int, allocations: int, envelope_cents: int, rng: random.Random):
    """[(member_index, bucket_index, cents)]: unique pairs, each member's sum within the
    envelope, spread as evenly as possible over the members."""
    if allocations > members * buckets:
        raise ValueError(f"{allocations} allocations do not fit {members} members × {buckets} buckets")
    if allocations and not members:
        raise ValueError("allocations need members")
    plan = []
    per_member, extra = divmod(allocations, members) if members else (0, 0)
    for m in range(members):
        n = per_member + (1 if m < extra else 0)
        if not n:
            continue
        most = max(1, envelope_cents // n)
        least = min(100, most)
        start = rng.randrange(buckets)
        step = 1 if n == buckets else _coprime_step(buckets, rng)
        for j in range(n):
            plan.append((m, (start + j * step) % buckets, rng.randint(least, most)))
    return plan


def _coprime_step(n: int, rng: random.Random) -> int:
    from math import gcd

    for _ in range(20):
        step = rng.randrange(1, max(2, n))
        if gcd(step, n) == 1:
            return step
    return 1


def _goals(total_cents: int, rng: random.Random) -> tuple[int, int]:
    """(min_goal, max_goal) in whole euros: about 40 % funded, 30 % to decide (50-99 % of the
    minimum), 30 % not funded; the maximum always at or above the total."""
    total_euros = -(-total_cents // 100)  # ceil
    if total_cents == 0:
        minimum = 1000
    else:
        draw = rng.random()
        if draw < 0.4:
            minimum = max(1, int(total_cents * rng.uniform(0.5, 0.95)) // 100)
        elif draw < 0.7:
            minimum = int(total_cents / rng.uniform(0.55, 0.95)) // 100 + 1
        else:
            minimum = int(total_cents / rng.uniform(0.1, 0.45)) // 100 + 1
    maximum = max(minimum + minimum // 2, total_euros + 50)
    return minimum, maximum


def _copy_rows(model, fields: list[str], rows) -> None:
    """COPY on PostgreSQL (the fastest bulk insert); bulk_create elsewhere."""
    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in fields]
    if connection.vendor == "postgresql":
        sql = f'COPY {table} ({", ".join(columns)}) FROM STDIN'
        with connection.cursor() as cursor:
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        objs = (model(**dict(zip(fields, row, strict=True))) for row in rows)
        batch = []
        for obj in objs:
            batch.append(obj)
            if len(batch) >= BATCH:
                model.objects.bulk_create(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch)


def new_token_key() -> str:
    return binascii.hexlify(os.urandom(20)).decode()


def create_tokens(user_ids) -> dict[int, str]:
    """DRF tokens for these users (bulk), {user_id: key}; existing tokens are kept."""
    from rest_framework.authtoken.models import Token

    existing = dict(Token.objects.filter(user_id__in=user_ids).values_list("user_id", "key"))
    missing = [Token(key=new_token_key(), user_id=uid, created=timezone.now()) for uid in user_ids if uid not in existing]
    Token.objects.bulk_create(missing, batch_size=BATCH)
    existing.update({t.user_id: t.key for t in missing})
    return existing


def seed_scale(
    *,
    members: int,
    buckets: int,
    allocations: int,
    proposals: int = 0,
    slug: str = "scale",
    envelope: Decimal = ENVELOPE,
    seed: int = 1,
    max_goal: Decimal | None = None,
) -> Scale:
    """Build the group `slug` (which must not exist yet) with its round. `members` counts
    everyone with an envelope (the admin included)."""
    if members < 1:
        raise ValueError("at least one member (the admin)")
    if Group.objects.filter(slug=slug).exists():
        raise ValueError(f"a group {slug!r} already exists")
    rng = random.Random(seed)
    now = timezone.now()
    envelope_cents = int(envelope * 100)
    password = make_password(PASSWORD)  # hashed once for everyone
    domain = f"{slug}.example"

    with transaction.atomic():
        group = Group.objects.create(name=f"Federation {slug}", slug=slug)
        people = [User(email=f"admin@{domain}", name="Admin Scale", password=password, date_joined=now)]
        people += [
            User(email=f"m{i:05d}@{domain}", name=f"Member {i:05d}", password=password, date_joined=now)
            for i in range(1, members)
        ]
        people.append(User(email=f"accountant@{domain}", name="Accountant Scale", password=password, date_joined=now))
        User.objects.bulk_create(people, batch_size=BATCH)
        users = list(User.objects.filter(email__endswith=f"@{domain}").order_by("id").values_list("id", "email"))
        by_email = dict((email, uid) for uid, email in users)
        admin_id = by_email[f"admin@{domain}"]
        accountant_id = by_email[f"accountant@{domain}"]
        member_ids = [admin_id] + [by_email[f"m{i:05d}@{domain}"] for i in range(1, members)]

        Membership.objects.bulk_create(
            [Membership(group=group, user_id=admin_id, role=Role.ADMIN, created_at=now)]
            + [Membership(group=group, user_id=uid, role=Role.MEMBER, created_at=now) for uid in member_ids[1:]]
            + [Membership(group=group, user_id=accountant_id, role=Role.ACCOUNTANT, created_at=now)],
            batch_size=BATCH,
        )

        round = Round.objects.create(
            group=group,
            title=f"Round {slug}",
            kind=Round.Kind.FIXED,
            envelope_amount=envelope,
            proposals_open_at=now - timedelta(days=30),
            funding_opens_at=now - timedelta(days=1),
            funding_closes_at=now + timedelta(days=14),
            meeting_at=now + timedelta(days=15),
            min_coleads=2 if members >= 2 else 1,
            decide_if_percent_of_min=Decimal("50"),
            published_at=now - timedelta(days=30),
            created_at=now - timedelta(days=31),
        )

        plan = plan_allocations(
            members=members, buckets=buckets, allocations=allocations, envelope_cents=envelope_cents, rng=rng
        )
        allocated = [0] * members
        totals = [0] * buckets
        counts = [0] * buckets
        for m, b, cents in plan:
            allocated[m] += cents
            totals[b] += cents
            counts[b] += 1

        bucket_objs = []
        goals = []
        for b in range(buckets):
            minimum, maximum = _goals(totals[b], rng)
            if max_goal is not None:
                maximum = max(int(max_goal), -(-totals[b] // 100))
                minimum = min(minimum, maximum)
            goals.append((minimum, maximum))
            bucket_objs.append(
                Bucket(
                    round=round,
                    title=f"Project {b + 1:04d}",
                    summary=f"A collective project of the federation, number {b + 1}.",
                    description=f"**Project {b + 1}**: what it does, who carries it and why it matters.",
                    status=Bucket.Status.OPEN,
                    created_by_id=member_ids[b % members],
                    min_goal=Decimal(minimum),
                    max_goal=Decimal(maximum),
                    total=_money(totals[b]),
                    contributors_count=counts[b],
                    created_at=now - timedelta(days=20, seconds=b),
                    published_at=now - timedelta(days=20),
                )
            )
        Bucket.objects.bulk_create(bucket_objs, batch_size=BATCH)  # sets the pks (PostgreSQL, SQLite)
        bucket_ids = [bucket.pk for bucket in bucket_objs]
        items = []
        for b, (minimum, maximum) in enumerate(goals):
            half_min, half_max = minimum // 2, maximum // 2
            items.append(BudgetItem(bucket_id=bucket_ids[b], description="Materials", position=0,
                                    min_amount=Decimal(half_min), max_amount=Decimal(half_max)))
            items.append(BudgetItem(bucket_id=bucket_ids[b], description="Time and services", position=1,
                                    min_amount=Decimal(minimum - half_min), max_amount=Decimal(maximum - half_max)))
        BudgetItem.objects.bulk_create(items, batch_size=BATCH)
        through = Bucket.coleads.through
        coleads = []
        for b in range(buckets):
            leads = {member_ids[b % members], member_ids[(b + 1) % members]}
            coleads += [through(bucket_id=bucket_ids[b], user_id=uid) for uid in sorted(leads)]
        through.objects.bulk_create(coleads, batch_size=BATCH)

        Envelope.objects.bulk_create(
            [
                Envelope(round=round, user_id=uid, amount=envelope, allocated=_money(allocated[m]), created_at=now)
                for m, uid in enumerate(member_ids)
            ],
            batch_size=BATCH,
        )
        envelope_ids = dict(Envelope.objects.filter(round=round).values_list("user_id", "id"))
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(round=round, member_id=uid, actor_id=admin_id, kind=LedgerEntry.Kind.ENVELOPE,
                            before=Decimal("0.00"), after=envelope, created_at=now - timedelta(days=30),
                            note="default envelope")
                for uid in member_ids
            ],
            batch_size=BATCH,
        )
        # Most allocations land in the last hour before "now", as before a real deadline.
        stamps = [now - timedelta(seconds=rng.randrange(3600 if rng.random() < 0.8 else 86400)) for _ in plan]
        stamps.sort()
        _copy_rows(
            Allocation,
            ["envelope_id", "bucket_id", "amount", "updated_at"],
            ((envelope_ids[member_ids[m]], bucket_ids[b], _money(cents), stamps[k]) for k, (m, b, cents) in enumerate(plan)),
        )
        _copy_rows(
            LedgerEntry,
            ["round_id", "member_id", "actor_id", "bucket_id", "kind", "before", "after", "created_at", "note"],
            (
                (round.pk, member_ids[m], member_ids[m], bucket_ids[b], LedgerEntry.Kind.ALLOCATION,
                 Decimal("0.00"), _money(cents), stamps[k], "")
                for k, (m, b, cents) in enumerate(plan)
            ),
        )
        proposal_ids = _seed_proposals(group=group, count=proposals, voter_ids=member_ids, author_id=admin_id,
                                       now=now, rng=rng)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Allocation, LedgerEntry, Envelope, Bucket, User, Membership):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return Scale(
        group=group,
        round=round,
        admin=User.objects.get(pk=admin_id),
        accountant=User.objects.get(pk=accountant_id),
        member_ids=member_ids,
        bucket_ids=bucket_ids,
        proposal_ids=proposal_ids,
        allocations=len(plan),
    )


def _seed_proposals(*, group, count, voter_ids, author_id, now, rng) -> list[int]:
    """`count` proposals to all members: the even ones closed (adopted, with a frozen tally),
    the odd ones open; each with stances and first views from up to 10 voters."""
    if not count:
        return []
    from proposals.models import Proposal, ProposalView, Stance

    objs = []
    for i in range(count):
        closed = i % 2 == 0
        voted = min(10, len(voter_ids))
        objs.append(
            Proposal(
                group=group,
                title=f"Decision {i + 1:03d}: adopt the federation's charter, article {i + 1}",
                details="Shall we adopt it? *Details* in Markdown.",
                author_id=author_id,
                created_at=now - timedelta(days=count - i, hours=1),
                closes_at=now - timedelta(days=count - i) if closed else now + timedelta(days=7),
                closed_at=now - timedelta(days=count - i) if closed else None,
                outcome=Proposal.Outcome.ADOPTED if closed else None,
                statement="Adopted by the members." if closed else "",
                final_voters=len(voter_ids) if closed else None,
                final_voted=voted if closed else None,
                final_seen=voted if closed else None,
                final_agree=voted if closed else None,
                final_abstain=0 if closed else None,
                final_disagree=0 if closed else None,
                final_block=0 if closed else None,
            )
        )
    Proposal.objects.bulk_create(objs, batch_size=BATCH)
    ids = list(Proposal.objects.filter(group=group).order_by("created_at", "id").values_list("id", flat=True))
    stances, views = [], []
    for pid in ids:
        for uid in voter_ids[:10]:
            stances.append(Stance(proposal_id=pid, user_id=uid, choice=Stance.Choice.AGREE, reason="", created_at=now))
            views.append(ProposalView(proposal_id=pid, user_id=uid, first_seen_at=now))
    Stance.objects.bulk_create(stances, batch_size=BATCH)
    ProposalView.objects.bulk_create(views, batch_size=BATCH)
    return ids
