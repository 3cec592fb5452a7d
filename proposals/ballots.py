"""What a voter may put in a stance, kind by kind, checked before anything is written.

`parse_ballot` turns the input of a page or the API into `(choice, data)`: a choice for a
plain proposal, canonical data for a poll (option ids as strings, in option order), or a
DomainError(400) naming what is wrong. Nothing here touches the database.
"""

import json

from django.utils.translation import gettext as _

from cobudget.errors import DomainError
from proposals.counting import AVAILABILITY

CHOICES = ("agree", "abstain", "disagree", "block")
OBJECTIONS = ("disagree", "block")


def _bad(code: str, detail, field: str):
    return DomainError(code, detail, status=400, field=field)


def _int(value):
    """An integer from JSON or a form (a whole number written as text); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) < 10:
        return int(value.strip())
    return None


def _option_map(values, option_ids: list[int], code: str, field: str, empty) -> dict[int, object]:
    """{option id: value} from a mapping whose keys are option ids (numbers or text);
    `empty` is what to say when there is none."""
    if not isinstance(values, dict) or not values:
        raise _bad(code, empty, field)
    result = {}
    for key, value in values.items():
        option_id = _int(key)
        if option_id is None or option_id not in option_ids:
            raise _bad(code, _("Unknown option: %(key)s.") % {"key": str(key)[:40]}, field)
        result[option_id] = value
    return result


def _scores(values, option_ids, score_max):
    scores = _option_map(values, option_ids, "invalid_scores", "scores", _("Give a score to every option."))
    if set(scores) != set(option_ids):
        raise _bad("invalid_scores", _("Give a score to every option."), "scores")
    clean = {}
    for option_id, value in scores.items():
        n = _int(value)
        if n is None or not 0 <= n <= score_max:
            raise _bad("invalid_scores", _("A score is a whole number from 0 to %(max)s.") % {"max": score_max}, "scores")
        clean[option_id] = n
    return {"scores": {str(k): clean[k] for k in option_ids}}


def _ranking(values, option_ids):
    if not isinstance(values, list) or not values:
        raise _bad("invalid_ranking", _("Rank at least one option."), "ranking")
    ranking = []
    for value in values:
        option_id = _int(value)
        if option_id is None or option_id not in option_ids:
            raise _bad("invalid_ranking", _("Unknown option in the ranking: %(key)s.") % {"key": str(value)[:40]}, "ranking")
        if option_id in ranking:
            raise _bad("invalid_ranking", _("Each option may be ranked only once."), "ranking")
        ranking.append(option_id)
    return {"ranking": ranking}


def _dots(values, option_ids, dots_per_voter):
    dots = _option_map(values, option_ids, "invalid_dots", "dots", _("Place at least one dot."))
    clean = {}
    for option_id, value in dots.items():
        n = _int(value)
        if n is None or n < 0:
            raise _bad("invalid_dots", _("Dots are whole numbers, 0 or more."), "dots")
        clean[option_id] = n
    total = sum(clean.values())
    if total > dots_per_voter:
        raise _bad(
            "too_many_dots",
            _("You placed %(total)s dots; each voter has %(max)s.") % {"total": total, "max": dots_per_voter},
            "dots",
        )
    if total == 0:
        raise _bad("invalid_dots", _("Place at least one dot."), "dots")
    return {"dots": {str(k): clean[k] for k in option_ids if clean.get(k)}}


def _availability(values, option_ids):
    answers = _option_map(values, option_ids, "invalid_availability", "availability",
                          _("Answer yes, maybe or no for every slot."))
    if set(answers) != set(option_ids):
        raise _bad("invalid_availability", _("Answer yes, maybe or no for every slot."), "availability")
    if any(value not in AVAILABILITY for value in answers.values()):
        raise _bad("invalid_availability", _("Answer yes, maybe or no for every slot."), "availability")
    return {"availability": {str(k): answers[k] for k in option_ids}}


def parse_ballot(proposal, option_ids: list[int], values: dict) -> tuple[str, dict | None]:
    """(choice, data) for `proposal` from `values` (choice, scores, ranking, dots,
    availability: only the one its kind takes)."""
    kind = proposal.kind
    if kind == "proposal":
        choice = values.get("choice")
        if choice not in CHOICES:
            raise _bad("invalid_choice", _("Choose agree, abstain, disagree or block."), "choice")
        return choice, None
    if kind == "score":
        return "", _scores(values.get("scores"), option_ids, proposal.score_max)
    if kind == "ranked_choice":
        return "", _ranking(values.get("ranking"), option_ids)
    if kind == "dot_vote":
        return "", _dots(values.get("dots"), option_ids, proposal.dots_per_voter)
    if kind == "meeting_time":
        return "", _availability(values.get("availability"), option_ids)
    raise _bad("invalid_kind", _("Unknown kind of proposal."), "kind")


def reason_missing(proposal, choice: str, reason: str) -> bool:
    if reason:
        return False
    if proposal.reason_required == "all":
        return True
    return proposal.reason_required == "objections" and choice in OBJECTIONS


def canonical(choice: str, data: dict | None) -> str:
    """The content an AnonymousBallot counts: the same ballot always gives the same text."""
    return json.dumps({"choice": choice} if data is None else data, sort_keys=True, separators=(",", ":"))
