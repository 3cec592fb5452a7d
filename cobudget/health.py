from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"
        return f"{type(exc).__name__}: {exc}"[:200]
    return None


def _check_redis() -> str | None:
    if not settings.REDIS_URL:
        return None
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:200]
    return None


@never_cache
def healthz(request):
    """200 when the database (and Redis, when configured) answer; 503 naming what fails."""
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    failing = {name: error for name, error in checks.items() if error}
    body = {
        "status": "ok" if not failing else "error",
        "checks": {name: ("ok" if not error else "error") for name, error in checks.items()},
    }
    if failing:
        body["errors"] = failing
    return JsonResponse(body, status=503 if failing else 200)
