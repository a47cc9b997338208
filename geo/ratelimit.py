"""Sign-in rate limiting: per account and address, per account, per address; exponential.

Failures are counted in the shared session store (:mod:`geo.stores.sessions`), so
every app process behind one address sees the same counts. Three counters:

``pair`` (account, address)
    After :data:`PAIR_FREE` failures the pair waits :data:`BASE_LOCK_S`, then
    twice as long after each further failure, up to :data:`MAX_LOCK_S`.
``account``
    Failures for an account from addresses it has *not* signed in from in the
    last :data:`KNOWN_FOR_S` seconds. After :data:`ACCOUNT_FREE` of them, such
    addresses wait (same back-off). An address the account has used before is
    not held back by this counter, so guesses from elsewhere cannot lock the
    real user out from everywhere.
``address``
    Failures from one address over all accounts (password spraying). After
    :data:`ADDRESS_FREE` the address waits (same back-off).

A counter is forgotten :data:`FORGET_AFTER_S` after its last failure; a
successful sign-in clears the pair and account counters. Attempts refused
while locked are not counted (they do not lengthen the wait).
"""

from __future__ import annotations

import logging

from geo.stores.sessions import SessionStore

log = logging.getLogger(__name__)

#: Failures allowed per (account, address) before the back-off starts.
PAIR_FREE = 5
#: Failures allowed per account from unfamiliar addresses before they are held back.
ACCOUNT_FREE = 10
#: Failures allowed per address over all accounts before it is held back.
ADDRESS_FREE = 30
#: First wait (seconds); it doubles with each further failure.
BASE_LOCK_S = 60.0
#: Longest wait (seconds).
MAX_LOCK_S = 3600.0
#: A counter idle this long (seconds) starts again from zero.
FORGET_AFTER_S = 3600.0
#: An address the account signed in from within this many seconds is "known".
KNOWN_FOR_S = 30 * 86400.0

_FREE = {"pair": PAIR_FREE, "account": ACCOUNT_FREE, "address": ADDRESS_FREE}


def lock_seconds(failures: int, free: int) -> float:
    """Return the wait after ``failures`` failures when ``free`` are allowed (0 below that).

    Examples
    --------
    >>> [lock_seconds(n, 5) for n in (4, 5, 6, 7)]
    [0.0, 60.0, 120.0, 240.0]
    """
    if failures < free:
        return 0.0
    return min(MAX_LOCK_S, BASE_LOCK_S * 2.0 ** min(failures - free, 32))


class SignInLimiter:
    """Decide whether a sign-in attempt may be checked, and count the outcome.

    Parameters
    ----------
    store : SessionStore, optional
        Where the counters live; the store of this ``BORDERMAP_HOME`` by default.
    """

    def __init__(self, store: SessionStore | None = None) -> None:
        self.store = store or SessionStore()

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        keys = [("pair", f"{username}\x1f{address}")]
        if not self.store.is_known(username, address, within_s=KNOWN_FOR_S):
            keys.append(("account", username))
        if address:
            keys.append(("address", address))
        return keys

    def retry_after(self, username: str, address: str) -> float:
        """Seconds until ``username`` may try again from ``address``; 0.0 when allowed."""
        now = self.store.clock()
        wait = 0.0
        for kind, key in self._keys(username, address):
            failures, last, locked_until = self.store.failures(kind, key)
            if failures and now - last < FORGET_AFTER_S:
                wait = max(wait, locked_until - now)
        return max(0.0, wait)

    def record_failure(self, username: str, address: str) -> int:
        """Count a failed attempt; return the failures of the (account, address) pair."""
        now = self.store.clock()
        pair_failures = 0
        for kind, key in self._keys(username, address):
            failures, last, _ = self.store.failures(kind, key)
            failures = failures + 1 if failures and now - last < FORGET_AFTER_S else 1
            wait = lock_seconds(failures, _FREE[kind])
            self.store.set_failures(kind, key, failures, now, now + wait if wait else 0.0)
            if wait:
                log.warning("sign-in back-off: %s %r locked for %.0f s after %d failures",
                            kind, key.replace("\x1f", "@"), wait, failures)
            if kind == "pair":
                pair_failures = failures
        return pair_failures

    def record_success(self, username: str, address: str) -> None:
        """Clear the account's counters and remember ``address`` as known for it."""
        self.store.clear_failures("pair", f"{username}\x1f{address}")
        self.store.clear_failures("account", username)
        self.store.mark_known(username, address)
