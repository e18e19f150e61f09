"""Password hashing (Argon2id via argon2-cffi) and initial passwords."""

from __future__ import annotations

import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's current recommendation for Argon2id: 19 MiB, 2 passes, 1 lane. The library's default
# (64 MiB, 4 lanes) made each sign-in hold 64 MiB and grew a web worker by ~70 MB; hashes made
# with other parameters are re-made at the next successful sign-in (``needs_rehash``).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Unambiguous on paper: no 0/O, 1/l/I.
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "23456789"
INITIAL_LENGTH = 12


def _normal(password: str) -> str:
    """NFKC, so 'ą' typed as one character or as 'a' + ogonek is the same password."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """An Argon2id hash of the whole (normalised) password; nothing truncated."""
    return _hasher.hash(_normal(password))


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``."""
    try:
        return _hasher.verify(stored_hash, _normal(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with other parameters than today's."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def burn_one_hash(password: str) -> None:
    """Spend the time of one verification, so an unknown identifier is not faster."""
    verify_password(_DUMMY_HASH, password)


def generate_initial_password(length: int = INITIAL_LENGTH) -> str:
    """A random password with lower, upper and digits, easy to copy from paper."""
    alphabet = _LOWER + _UPPER + _DIGITS
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in group for c in candidate) for group in (_LOWER, _UPPER, _DIGITS)):
            return candidate
