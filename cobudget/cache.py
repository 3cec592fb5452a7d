"""The Django cache on Redis, tolerant of a Redis outage.

Nothing this project caches is the only copy of anything (rate-limit counters, allauth's
short-lived state), so while Redis is down a read is a miss and a write is dropped, instead of
turning every page into a 500. Timeouts are short so that a dead Redis costs a page at most
a second, not a hang. The outage shows on /healthz (503 naming Redis).
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(default):
    def wrap(method):
        @functools.wraps(method)
        def inner(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except OUTAGE as exc:
                logger.warning("cache unavailable (%s): %s treated as a miss", type(exc).__name__, method.__name__)
                return default(*args, **kwargs) if callable(default) else default

        return inner

    return wrap


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(server, params)

    get = _tolerant(lambda key, default=None, version=None: default)(DjangoRedisCache.get)
    get_many = _tolerant({})(DjangoRedisCache.get_many)
    has_key = _tolerant(False)(DjangoRedisCache.has_key)
    set = _tolerant(None)(DjangoRedisCache.set)
    set_many = _tolerant([])(DjangoRedisCache.set_many)
    add = _tolerant(True)(DjangoRedisCache.add)
    touch = _tolerant(False)(DjangoRedisCache.touch)
    delete = _tolerant(False)(DjangoRedisCache.delete)
    delete_many = _tolerant(None)(DjangoRedisCache.delete_many)
    incr = _tolerant(lambda key, delta=1, version=None: delta)(DjangoRedisCache.incr)
    clear = _tolerant(False)(DjangoRedisCache.clear)
