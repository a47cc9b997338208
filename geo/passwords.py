"""Passwords: the policy (length, common passwords), bcrypt hashing and checking.

Split from :mod:`geo.auth` (which re-exports every public name here).
"""

from __future__ import annotations

import re
import secrets
import unicodedata

import bcrypt

from geo._errors import AuthError

#: Shortest password accepted (characters).
MIN_PASSWORD_LENGTH = 12

#: Longest password accepted, in UTF-8 bytes (bcrypt reads no more than 72).
MAX_PASSWORD_BYTES = 72

#: bcrypt cost factor for new hashes (2**12 rounds, about a quarter second).
BCRYPT_ROUNDS = 12

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (zxcvbn's list), lower case; loaded once."""
    global _COMMON
    if _COMMON is None:
        from zxcvbn.frequency_lists import FREQUENCY_LISTS

        _COMMON = frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])
    return _COMMON


_COMMON: frozenset[str] | None = None
_TRAILING = re.compile(r"[\d\W_]+$")


def is_common_password(password: str) -> bool:
    """Return True when ``password`` (ignoring case, trailing digits and symbols) is common.

    Examples
    --------
    >>> is_common_password("Password123!"), is_common_password("mat-khau-dai-du")
    (True, False)
    """
    pw = password.strip().lower()
    stem = _TRAILING.sub("", pw)
    common = _common_passwords()
    return pw in common or (len(stem) >= 4 and stem in common) or len(set(pw)) <= 2


def validate_password(password: str, *, username: str | None = None) -> str:
    """Return the password normalised to Unicode NFC, or raise if it is unacceptable.

    Normalising means a password typed with composed or decomposed Vietnamese
    diacritics (which differ between keyboards) hashes the same.

    Raises
    ------
    AuthError
        Shorter than :data:`MIN_PASSWORD_LENGTH` characters, longer than
        :data:`MAX_PASSWORD_BYTES` bytes in UTF-8, containing control
        characters, equal to (or containing) the username, or one of the common
        passwords (:func:`is_common_password`).
    """
    if not isinstance(password, str):
        raise AuthError(f"password must be text, not {type(password).__name__}")
    pw = unicodedata.normalize("NFC", password)
    if len(pw) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password too short: {len(pw)} characters, at least "
                        f"{MIN_PASSWORD_LENGTH} needed")
    if len(pw.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AuthError(f"password too long: at most {MAX_PASSWORD_BYTES} bytes in UTF-8 "
                        f"(this one has {len(pw.encode('utf-8'))})")
    if _CONTROL.search(pw):
        raise AuthError("password contains control characters (tab, newline…)")
    if username is not None and username.strip().lower() in pw.lower():
        raise AuthError("password must not contain the username")
    if is_common_password(pw):
        raise AuthError("password is too common (it is on a list of passwords attackers "
                        "try first); choose a longer phrase of unrelated words")
    return pw


def hash_password(password: str, *, rounds: int | None = None) -> str:
    """Return the bcrypt hash of a password (validated first) as text."""
    pw = validate_password(password)
    salt = bcrypt.gensalt(rounds or BCRYPT_ROUNDS)
    return bcrypt.hashpw(pw.encode("utf-8"), salt).decode("ascii")


def _verify(password: object, hashed: str) -> bool:
    """Compare a password with a bcrypt hash; any malformed input is simply False."""
    raw = (unicodedata.normalize("NFC", password).encode("utf-8")
           if isinstance(password, str) else b"")
    if not raw or len(raw) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(b"x", _dummy_hash().encode("ascii"))  # same cost either way
        return False
    try:
        return bcrypt.checkpw(raw, hashed.encode("ascii"))
    except ValueError:
        return False


_DUMMY: dict[int, str] = {}


def _dummy_hash() -> str:
    """Return a hash to check unknown users against, so they take as long as known ones."""
    if BCRYPT_ROUNDS not in _DUMMY:
        _DUMMY[BCRYPT_ROUNDS] = bcrypt.hashpw(secrets.token_bytes(16),
                                              bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")
    return _DUMMY[BCRYPT_ROUNDS]


def generate_password() -> str:
    """Return a random password (about 128 bits, URL-safe characters)."""
    while True:
        password = secrets.token_urlsafe(16)
        if not is_common_password(password):
            return password
