"""Failure counters for sign-in and PIN entry, kept in the cache (Redis when configured)."""

from __future__ import annotations

from django.core.cache import cache

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


def _key(scope: str, ident: str) -> str:
    return f"omniportal:fail:{scope}:{ident}"


def is_locked_out(scope: str, ident: str) -> bool:
    return cache.get(_key(scope, ident), 0) >= MAX_FAILURES


def record_failure(scope: str, ident: str) -> int:
    """Count one failure; the window restarts at the first failure and lasts LOCKOUT_SECONDS."""
    key = _key(scope, ident)
    if cache.add(key, 1, LOCKOUT_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, LOCKOUT_SECONDS)
        return 1


def reset_failures(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))
