"""Per-bucket funding in permanent rounds, in the database's allocation function: the
allocation that brings a bucket's total to exactly its max goal funds it in the same
statement (status `funded`, funded_at, decided_at, funded_amount; funding_announced_at is
left to the sweep that announces it), and returns the outcome `funded` instead of `done`.
Fixed-dates rounds are unchanged: their buckets are funded by closing.

The function still does what allocations.services._set_allocation_python states in plain
Django, in the same order: lock the member's envelope, then the bucket (the lock order of
every writer); read the round, the clock and the member's allocation after the locks;
check the rules; write. tests/test_allocation_sql_function.py runs both on the same random
operations and compares every outcome and row. Its signature is 0006's, so that
CREATE OR REPLACE swaps it in place, both ways.
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("allocations.migrations.0006_set_allocation_function").CREATE

CREATE = """
CREATE OR REPLACE FUNCTION allocations_set_allocation(
    p_round bigint, p_member bigint, p_bucket bigint, p_amount numeric, p_actor bigint, p_now timestamptz,
    p_note text,
    OUT outcome text, OUT amount numeric, OUT bucket_total numeric, OUT remaining numeric, OUT most numeric,
    OUT currency text
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    v_now timestamptz;
    v_written_at timestamptz;
    v_envelope_id bigint;
    v_envelope_amount numeric;
    v_allocated numeric;
    v_has_envelope boolean;
    v_status text;
    v_total numeric;
    v_max_goal numeric;
    v_contributors integer;
    r record;
    v_phase text;
    v_existing_id bigint;
    v_before numeric := 0;
    v_new_allocated numeric;
    v_new_total numeric;
    v_increase boolean;
    v_funded boolean;
BEGIN
    -- Envelope, then bucket: the lock order of every writer.
    SELECT e.id, e.amount, e.allocated INTO v_envelope_id, v_envelope_amount, v_allocated
        FROM allocations_envelope e WHERE e.round_id = p_round AND e.user_id = p_member FOR UPDATE;
    v_has_envelope := FOUND;
    SELECT b.status, b.total, b.max_goal, b.contributors_count INTO v_status, v_total, v_max_goal, v_contributors
        FROM buckets_bucket b WHERE b.id = p_bucket FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'no_bucket';
        RETURN;
    END IF;
    -- After the locks (a statement of its own, so a fresh snapshot): a round closed meanwhile is seen closed.
    SELECT x.kind, x.currency, x.published_at, x.closed_at, x.proposals_open_at, x.funding_opens_at,
           x.funding_closes_at, x.max_per_member_per_bucket
        INTO r FROM buckets_round x WHERE x.id = p_round;
    IF NOT FOUND THEN
        outcome := 'no_round';
        RETURN;
    END IF;
    currency := r.currency;
    -- The clock is read after the locks, as the Python path reads it: a request that waited
    -- for a busy bucket past the deadline is refused. clock_timestamp(), not now(), which is
    -- the statement's start, before the wait. p_now is a time given by the caller (tests).
    v_written_at := clock_timestamp();
    v_now := coalesce(p_now, v_written_at);
    -- buckets.models.Round.phase_at
    v_phase := CASE
        WHEN r.published_at IS NULL THEN 'draft'
        WHEN r.closed_at IS NOT NULL THEN 'closed'
        WHEN r.kind = 'permanent' THEN 'funding'
        WHEN r.funding_closes_at IS NOT NULL AND v_now >= r.funding_closes_at THEN 'closed'
        WHEN r.funding_opens_at IS NOT NULL AND v_now >= r.funding_opens_at THEN 'funding'
        WHEN r.proposals_open_at IS NOT NULL AND v_now < r.proposals_open_at THEN 'draft'
        ELSE 'proposals'
    END;
    IF v_phase = 'closed' THEN
        outcome := 'round_closed';
        RETURN;
    END IF;
    IF v_phase <> 'funding' THEN
        outcome := 'round_not_funding';
        RETURN;
    END IF;
    IF v_status <> 'open' THEN  -- funded ones too: their allocations no longer change
        outcome := 'bucket_not_open';
        RETURN;
    END IF;
    IF NOT v_has_envelope THEN
        outcome := 'no_envelope';
        RETURN;
    END IF;
    SELECT a.id, a.amount INTO v_existing_id, v_before
        FROM allocations_allocation a WHERE a.envelope_id = v_envelope_id AND a.bucket_id = p_bucket;
    IF NOT FOUND THEN
        v_existing_id := NULL;
        v_before := 0;
    END IF;
    IF p_amount = v_before THEN
        outcome := 'unchanged';
        amount := p_amount;
        bucket_total := v_total;
        remaining := v_envelope_amount - v_allocated;
        RETURN;
    END IF;
    v_increase := p_amount > v_before;
    v_new_allocated := v_allocated - v_before + p_amount;
    v_new_total := v_total - v_before + p_amount;
    IF v_increase AND v_new_allocated > v_envelope_amount THEN
        outcome := 'envelope_exceeded';
        most := v_envelope_amount - v_allocated + v_before;
        RETURN;
    END IF;
    IF v_increase AND r.max_per_member_per_bucket IS NOT NULL AND p_amount > r.max_per_member_per_bucket THEN
        outcome := 'per_bucket_cap_exceeded';
        most := r.max_per_member_per_bucket;
        RETURN;
    END IF;
    IF v_increase AND v_new_total > v_max_goal THEN
        outcome := 'bucket_max_exceeded';
        most := v_max_goal - v_total + v_before;
        RETURN;
    END IF;
    IF v_existing_id IS NULL THEN
        INSERT INTO allocations_allocation (envelope_id, bucket_id, amount, updated_at)
            VALUES (v_envelope_id, p_bucket, p_amount, v_written_at);
        v_contributors := v_contributors + 1;
    ELSIF p_amount = 0 THEN
        DELETE FROM allocations_allocation WHERE id = v_existing_id;
        v_contributors := v_contributors - 1;
    ELSE
        UPDATE allocations_allocation SET amount = p_amount, updated_at = v_written_at WHERE id = v_existing_id;
    END IF;
    UPDATE allocations_envelope SET allocated = v_new_allocated WHERE id = v_envelope_id;
    -- A permanent round never closes to fund its buckets: each one is funded by the allocation
    -- that fills it to its max goal, in this transaction. The sweep announces it afterwards
    -- (funding_announced_at stays empty until then).
    v_funded := r.kind = 'permanent' AND v_new_total = v_max_goal;
    IF v_funded THEN
        UPDATE buckets_bucket SET total = v_new_total, contributors_count = v_contributors, status = 'funded',
                                  funded_at = v_written_at, decided_at = v_written_at, funded_amount = v_new_total,
                                  updated_at = v_written_at
            WHERE id = p_bucket;
    ELSE
        UPDATE buckets_bucket SET total = v_new_total, contributors_count = v_contributors WHERE id = p_bucket;
    END IF;
    -- The ledger row and the co-leads' notice (allocations.outbox) in the same transaction.
    WITH entry AS (
        INSERT INTO allocations_ledgerentry (round_id, member_id, actor_id, bucket_id, kind, "before", "after",
                                             created_at, note)
        VALUES (p_round, p_member, p_actor, p_bucket, 'allocation', v_before, p_amount, v_written_at, p_note)
        RETURNING id
    )
    INSERT INTO allocations_allocationnotice (entry_id) SELECT id FROM entry;
    outcome := CASE WHEN v_funded THEN 'funded' ELSE 'done' END;
    amount := p_amount;
    bucket_total := v_new_total;
    remaining := v_envelope_amount - v_new_allocated;
END;
$$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("allocations", "0008_after_funding")]
    operations = [migrations.RunPython(forwards, backwards)]
