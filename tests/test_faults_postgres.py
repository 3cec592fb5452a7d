"""PostgreSQL connections cut during a burst of allocations (every other backend of the test
database terminated, three times mid-burst: what a restart does to the application, without
restarting the shared server). Each allocation either failed cleanly, leaving nothing, or
succeeded whole; the final allocations are exactly the last successful requests; the ledger
and the stored totals agree (check_ledger)."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection

from allocations import services
from allocations.models import Allocation
from cobudget.errors import DomainError
from groups import services as group_services
from groups.models import User
from tests.builders import make_bucket, make_round
from tests.conftest import requires_postgres

THREADS = 8
REQUESTS = 25


@requires_postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_allocations_fail_cleanly_or_succeed_whole_when_connections_are_cut(group, admin_user):
    round_ = make_round(group, admin_user, envelope="1000.00")
    buckets = [make_bucket(round_, admin_user, title=f"B{i}", max_amount="100000.00") for i in range(2)]
    members = []
    for i in range(THREADS):
        email = f"burst{i}@example.org"
        group_services.add_member(group=group, email=email, actor=admin_user, send_invitation=False)
        members.append(User.objects.get(email=email))

    last_success: dict[tuple[int, int], Decimal] = {}
    outcomes = {"ok": 0, "cut": 0, "refused": 0}
    unexpected: list[str] = []
    lock = threading.Lock()
    running = threading.Event()
    running.set()

    def burst(member):
        try:
            for n in range(REQUESTS):
                bucket = buckets[n % 2]
                amount = Decimal(f"{(n * 7) % 50}.{n % 100:02d}")
                connection.close_if_unusable_or_obsolete()
                try:
                    services.set_allocation(member=member, bucket=bucket, amount=amount, actor=member)
                except DomainError as exc:
                    with lock:
                        outcomes["refused"] += 1
                        unexpected.append(f"refused {exc.code}")
                except DatabaseError:
                    connection.close()  # failed cleanly: the transaction died with its connection
                    with lock:
                        outcomes["cut"] += 1
                else:
                    with lock:
                        outcomes["ok"] += 1
                        last_success[(member.pk, bucket.pk)] = amount
        except Exception as exc:
            with lock:
                unexpected.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=burst, args=(m,)) for m in members]
    for t in threads:
        t.start()
    cuts = 0
    while cuts < 3 or (outcomes["cut"] == 0 and any(t.is_alive() for t in threads) and cuts < 50):
        cuts += 1
        time.sleep(0.15)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not unexpected, unexpected
    assert outcomes["ok"] > 0 and outcomes["cut"] > 0, outcomes

    final = {(a.envelope.user_id, a.bucket_id): a.amount for a in Allocation.objects.select_related("envelope")}
    for key, amount in last_success.items():
        assert final.get(key, Decimal("0.00")) == amount, key
    assert set(final) <= set(last_success)
    call_command("check_ledger")
