"""Not builders (those are in tests/builders.py): running workers at once for the race tests
of proposals, proxies and meetings."""


def run_at_once(workers):
    """Start every worker at once (a barrier), wait for all; returns (results, errors)."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(len(workers))
    errors, results = [], [None] * len(workers)

    def wrap(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def outcome_of(fn):
    """A worker that returns "ok" or the DomainError's code."""
    from cobudget.errors import DomainError

    def run():
        try:
            fn()
            return "ok"
        except DomainError as exc:
            return exc.code

    return run
