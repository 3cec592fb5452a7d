"""How every kind of proposal is counted. Pure functions on plain values (no database), so
that each rule is tested at its exact boundaries; every comparison is in integers.

Ballots are given as `(data, weight)` pairs: a named stance weighs 1, a secret ballot
(AnonymousBallot) weighs the number of identical ballots it stands for.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

AGREE, ABSTAIN, DISAGREE, BLOCK = "agree", "abstain", "disagree", "block"
ADOPTED, REJECTED, BLOCKED, NO_QUORUM = "adopted", "rejected", "blocked", "no_quorum"

# majority → (numerator, denominator): agree × d ≥ n × (agree + disagree)
QUALIFIED = {"two_thirds": (2, 3), "three_quarters": (3, 4)}
MAJORITIES = ("simple", "two_thirds", "three_quarters", "unanimous")


def votes_needed(*, voters_count: int, quorum_percent: int) -> int:
    """The smallest number of voters taking part that meets the quorum: ⌈quorum × voters ÷ 100⌉
    (60 voters at 25 %: 15)."""
    return -(-quorum_percent * voters_count // 100)


def quorum_met(*, voters_count: int, voted: int, quorum_percent: int) -> bool:
    """voted × 100 ≥ quorum × voters; nobody to vote and a quorum asked: not met."""
    if quorum_percent <= 0:
        return True
    return voters_count > 0 and voted * 100 >= quorum_percent * voters_count


def majority_reached(*, agree: int, disagree: int, majority: str) -> bool:
    """simple: agree > disagree. two_thirds / three_quarters: agree ≥ 2/3 (3/4) of agree +
    disagree, abstentions left out. unanimous: no disagree. A qualified or unanimous majority
    also needs at least one agree: a vote where everyone abstained adopts nothing."""
    if majority == "simple":
        return agree > disagree
    if majority == "unanimous":
        return agree > 0 and disagree == 0
    if majority in QUALIFIED:
        n, d = QUALIFIED[majority]
        return agree > 0 and agree * d >= n * (agree + disagree)
    raise ValueError(f"unknown majority {majority!r}")


def proposal_outcome(*, voters_count: int, counts: dict, quorum_percent: int, block_vetoes: bool,
                     majority: str = "simple") -> str:
    """The outcome of a plain proposal: quorum first (abstaining counts as taking part), then
    a block vetoes when `block_vetoes`, otherwise a block counts as a disagree; then the
    majority among agree and disagree."""
    agree = counts.get(AGREE, 0)
    disagree = counts.get(DISAGREE, 0)
    block = counts.get(BLOCK, 0)
    voted = agree + disagree + block + counts.get(ABSTAIN, 0)
    if not quorum_met(voters_count=voters_count, voted=voted, quorum_percent=quorum_percent):
        return NO_QUORUM
    if block_vetoes and block > 0:
        return BLOCKED
    if not block_vetoes:
        disagree += block
    return ADOPTED if majority_reached(agree=agree, disagree=disagree, majority=majority) else REJECTED


# --- polls --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    id: int
    label: str


def _single_best(totals: dict[int, tuple]) -> int | None:
    """The option with the highest key, or None when two or more share it."""
    if not totals:
        return None
    best = max(totals.values())
    winners = [option_id for option_id, key in totals.items() if key == best]
    return winners[0] if len(winners) == 1 else None


def _average(total: int, count: int) -> str | None:
    if not count:
        return None
    return str((Decimal(total) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def score_results(options: list[Option], ballots) -> dict:
    """Each voter scores every option from 0 to score_max; the highest total wins."""
    totals = {o.id: 0 for o in options}
    count = 0
    for data, weight in ballots:
        count += weight
        for key, value in (data.get("scores") or {}).items():
            if int(key) in totals:
                totals[int(key)] += int(value) * weight
    rows = [{"id": o.id, "label": o.label, "total": totals[o.id], "average": _average(totals[o.id], count)}
            for o in options]
    winner = _single_best({o.id: (totals[o.id],) for o in options}) if count else None
    return {"options": rows, "winner": winner}


def dot_results(options: list[Option], ballots) -> dict:
    """Each voter spreads up to dots_per_voter dots; the most dots win."""
    totals = {o.id: 0 for o in options}
    for data, weight in ballots:
        for key, value in (data.get("dots") or {}).items():
            if int(key) in totals:
                totals[int(key)] += int(value) * weight
    rows = [{"id": o.id, "label": o.label, "total": totals[o.id]} for o in options]
    winner = _single_best({o.id: (totals[o.id],) for o in options}) if any(totals.values()) else None
    return {"options": rows, "winner": winner}


AVAILABILITY = ("yes", "maybe", "no")


def meeting_results(options: list[Option], ballots) -> dict:
    """Each voter answers yes, maybe or no for each slot; the slot with the most yes wins,
    then the most maybe; still equal, no winner (the author chooses)."""
    counts = {o.id: dict.fromkeys(AVAILABILITY, 0) for o in options}
    for data, weight in ballots:
        for key, value in (data.get("availability") or {}).items():
            if int(key) in counts and value in AVAILABILITY:
                counts[int(key)][value] += weight
    rows = [{"id": o.id, "label": o.label, **counts[o.id]} for o in options]
    keys = {o.id: (counts[o.id]["yes"], counts[o.id]["maybe"]) for o in options}
    winner = _single_best(keys) if any(k != (0, 0) for k in keys.values()) else None
    return {"options": rows, "winner": winner}


def ranked_choice_results(options: list[Option], ballots) -> dict:
    """Instant runoff. Each round counts every ballot for its highest-ranked option still in
    the race; a ballot with none left is exhausted. An option with more than half of the
    ballots still counting wins. Otherwise the option(s) with the fewest votes are eliminated
    together, unless that would eliminate every option left: then it is a tie, no winner."""
    ballots = [(list(data.get("ranking") or []), weight) for data, weight in ballots]
    order = [o.id for o in options]
    remaining = set(order)
    rounds = []
    first = {o.id: 0 for o in options}
    for ranking, weight in ballots:
        if ranking and ranking[0] in first:
            first[ranking[0]] += weight
    winner = None
    while remaining:
        counts = dict.fromkeys(sorted(remaining, key=order.index), 0)
        exhausted = 0
        for ranking, weight in ballots:
            choice = next((option_id for option_id in ranking if option_id in remaining), None)
            if choice is None:
                exhausted += weight
            else:
                counts[choice] += weight
        continuing = sum(counts.values())
        record = {"round": len(rounds) + 1, "counts": [{"option": k, "votes": v} for k, v in counts.items()],
                  "exhausted": exhausted, "eliminated": [], "winner": None}
        rounds.append(record)
        if continuing == 0:
            break
        leaders = [k for k, v in counts.items() if v * 2 > continuing]
        if leaders:
            winner = record["winner"] = leaders[0]
            break
        fewest = min(counts.values())
        last = [k for k, v in counts.items() if v == fewest]
        if len(last) == len(remaining):
            break  # every option left is tied
        record["eliminated"] = last
        remaining -= set(last)
    rows = [{"id": o.id, "label": o.label, "first_preferences": first[o.id]} for o in options]
    return {"options": rows, "rounds": rounds, "winner": winner}


POLL_COUNTERS = {
    "score": score_results,
    "ranked_choice": ranked_choice_results,
    "dot_vote": dot_results,
    "meeting_time": meeting_results,
}


def poll_results(kind: str, options: list[Option], ballots, *, quorum: bool = True) -> dict:
    """The results of a poll; without quorum the totals are shown but nobody wins."""
    results = POLL_COUNTERS[kind](options, list(ballots))
    if not quorum:
        results["winner"] = None
    results["kind"] = kind
    return results
