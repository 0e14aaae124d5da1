"""Failure counters for sign-in and PIN entry, kept in the cache (Redis when configured).

Locked identities are also listed in one cache entry, so head office can see and clear them
(omniportal.views_lockouts, `manage.py unlock_user`). The list is an index, not the truth: a listed lock whose
counter has expired is dropped when read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

SIGNIN_SCOPE = "signin"  # ident: the username as typed, lower-cased
PIN_SCOPE = "pin"  # ident: the user's pk
MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60
_INDEX_KEY = "omniportal:locked"


@dataclass(frozen=True)
class Lockout:
    scope: str
    ident: str
    locked_at: float


def _key(scope: str, ident: str) -> str:
    return f"omniportal:fail:{scope}:{ident}"


def is_locked_out(scope: str, ident: str) -> bool:
    return cache.get(_key(scope, ident), 0) >= MAX_FAILURES


def record_failure(scope: str, ident: str) -> int:
    """Count one failure; the window restarts at the first failure and lasts LOCKOUT_SECONDS."""
    key = _key(scope, ident)
    if cache.add(key, 1, LOCKOUT_SECONDS):
        failures = 1
    else:
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, LOCKOUT_SECONDS)
            failures = 1
    if failures >= MAX_FAILURES:
        _index_add(scope, ident)
    return failures


def reset_failures(scope: str, ident: str) -> None:
    cache.delete(_key(scope, ident))
    _index_remove(scope, ident)


def lockouts() -> list[Lockout]:
    """Identities locked right now, the most recent first."""
    index: dict[str, float] = cache.get(_INDEX_KEY) or {}
    current = []
    for entry, locked_at in index.items():
        scope, _sep, ident = entry.partition(":")
        if is_locked_out(scope, ident):
            current.append(Lockout(scope=scope, ident=ident, locked_at=locked_at))
    if len(current) != len(index):
        cache.set(_INDEX_KEY, {f"{lock.scope}:{lock.ident}": lock.locked_at for lock in current}, LOCKOUT_SECONDS)
    return sorted(current, key=lambda lock: lock.locked_at, reverse=True)


def lockouts_clear_for_user(*, username: str, user_pk: int | None) -> int:
    """Unlock one person's password sign-in and PIN; returns how many of the two were locked."""
    idents = [(SIGNIN_SCOPE, username.strip().lower())]
    if user_pk is not None:
        idents.append((PIN_SCOPE, str(user_pk)))
    cleared = 0
    for scope, ident in idents:
        cleared += is_locked_out(scope, ident)
        reset_failures(scope, ident)
    return cleared


# Read-modify-write of one small entry: two locks landing in the same instant can drop one from the list (never
# the lock itself); `unlock_user` clears a counter whether it is listed or not.
def _index_add(scope: str, ident: str) -> None:
    index = cache.get(_INDEX_KEY) or {}
    index[f"{scope}:{ident}"] = time.time()
    cache.set(_INDEX_KEY, index, LOCKOUT_SECONDS)


def _index_remove(scope: str, ident: str) -> None:
    index = cache.get(_INDEX_KEY)
    if index and index.pop(f"{scope}:{ident}", None) is not None:
        cache.set(_INDEX_KEY, index, LOCKOUT_SECONDS)
