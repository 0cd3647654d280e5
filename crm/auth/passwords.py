"""Password hashing (Argon2id) and the password policy."""

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 128

#: Argon2id at OWASP's minimum (Password Storage Cheat Sheet: 19 MiB, 2 passes, 1 lane), chosen on purpose: about
#: 28 ms of one core per login here, where the library's default (64 MiB, t=3, p=4) cost about 200 ms and a wave
#: of 40 logins held every page up behind it. Hashes made with other costs are redone at the user's next login.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_hasher = HASHER


@cache
def _dummy_hash_of(hasher):
    return hasher.hash("not-a-real-password-only-for-timing")


def _dummy_hash():
    """The hash verified against when the e-mail is unknown, so a wrong address costs as much time as a wrong
    password. Verifying uses the hash's own costs, so it is made (once, lazily) by the hasher in use: the costs
    of real hashes, and no full-cost hash at import time."""
    return _dummy_hash_of(_hasher)


@cache
def common_passwords():
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def hash_password(password):
    return _hasher.hash(password)


def verify_password(password_hash, password):
    """True when the password matches; spends the same time when there is no hash to check."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True when the hash was made with other costs than the hasher's (it is redone at the next login)."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password):
    """The reason a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("Adgangskoden skal have mindst %(n)d tegn.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Adgangskoden må højst have %(n)d tegn.", n=MAX_LENGTH)
    if password.lower() in common_passwords():
        return _l("Adgangskoden er for almindelig. Vælg en, der er sværere at gætte.")
    return None
