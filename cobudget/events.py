"""Domain events, for whatever listens (the webhooks of integrations/).

A service emits an event in one line, inside its transaction, with the object it concerns:

    events.emit("bucket.published", group_id=round.group_id, obj=bucket)

Listeners are registered by higher apps in their AppConfig.ready() (this module imports no
app): they run at once, in the emitter's transaction, so that what they write (an outbox row)
commits or rolls back with the change, and they queue their network work with
transaction.on_commit. A listener's failure is the emitter's failure: keep them small.
"""

from collections.abc import Callable, Iterable

EVENTS = (
    "round.opened",
    "round.closing_soon",
    "round.closed",
    "bucket.published",
    "bucket.funded",
    "proposal.opened",
    "proposal.closing_soon",
    "proposal.closed",
)

_listeners: list[Callable] = []


def listen(listener: Callable) -> Callable:
    """listener(event=, group_id=, objs=); registering twice is harmless."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def emit(event: str, *, group_id: int, obj) -> None:
    emit_many(event, group_id=group_id, objs=[obj])


def emit_many(event: str, *, group_id: int, objs: Iterable) -> None:
    """The same event for several objects of one group (the buckets a close funded). `objs`
    may be a queryset: a listener with nothing to do for the group never evaluates it."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    for listener in _listeners:
        listener(event=event, group_id=group_id, objs=objs)
