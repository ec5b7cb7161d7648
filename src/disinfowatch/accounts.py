"""Accounts and roles: who may do what, passwords, sessions, API tokens, login rate limiting.

    user = accounts.add_user(store, "kari", "a long passphrase", "analyst", by="admin")
    user, session, csrf = accounts.login(store, "kari", "a long passphrase", address="10.0.0.7")
    accounts.require(user, "editor", "publish a case")        # PermissionDenied for an analyst

Roles, each allowed what the ones before it are:

    viewer    read everything (the app and the API)
    analyst   review alerts (confirm, dismiss, merge), draft and edit draft cases, submit for review
    editor    publish, correct and withdraw cases
    admin     users, sources, settings

Passwords are hashed with argon2id (argon2-cffi). Sessions and API tokens are random 256-bit
values given to the client once; the store keeps only their sha256. Logins are rate limited:
:data:`MAX_FAILURES_PER_USER` failures for one user name, or :data:`MAX_FAILURES_PER_ADDRESS` from
one address, within :data:`FAILURE_WINDOW` refuse further tries until the window has passed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from .errors import DisinfowatchError, InvalidAction, NotFound, PermissionDenied
from .records import utcnow

ROLES = ("viewer", "analyst", "editor", "admin")
SESSION_LIFETIME = timedelta(hours=12)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20
MIN_PASSWORD = 10
_NAME = re.compile(r"^[A-Za-z0-9._@-]{2,80}$")


class LoginFailed(DisinfowatchError):
    """Wrong user name or password (which of the two is not said)."""


class RateLimited(PermissionDenied):
    """Too many failed logins; ``retry_after`` seconds to wait."""

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


SYSTEM = User(0, "system", "admin")  # the command line acting on the store directly


def require(user: User | None, role: str, action: str) -> User:
    """``user`` if their role allows ``action`` (it needs ``role``); else PermissionDenied."""
    if user is None:
        raise PermissionDenied(f"to {action} you must be logged in")
    if not user.can(role):
        raise PermissionDenied(f"to {action} you need the {role} role; {user.username} is {user.role}")
    return user


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidAction(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row: dict | None) -> User | None:
    return None if row is None else User(row["id"], row["username"], row["role"])


# -- users ---------------------------------------------------------------------------------------


def add_user(store, username: str, password: str, role: str, *, by: User = SYSTEM) -> User:
    require(by, "admin", "add users")
    if role not in ROLES:
        raise InvalidAction(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if not _NAME.match(username):
        raise InvalidAction(f"bad user name {username!r}: 2 to 80 letters, digits, '.', '_', '@' or '-'")
    user_id = store.add_user(username, hash_password(password), role)
    store.add_audit(by.username, "user.add", "user", username, None, {"role": role})
    return User(user_id, username, role)


def set_role(store, username: str, role: str, *, by: User = SYSTEM) -> None:
    require(by, "admin", "change roles")
    if role not in ROLES:
        raise InvalidAction(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    found = _existing(store, username)
    store.update_user(found["id"], role=role)
    store.add_audit(by.username, "user.role", "user", username, {"role": found["role"]}, {"role": role})


def deactivate(store, username: str, *, by: User = SYSTEM) -> None:
    """Users are never deleted (the audit trail names them): they can no longer log in."""
    require(by, "admin", "remove users")
    found = _existing(store, username)
    store.update_user(found["id"], active=False)
    store.add_audit(by.username, "user.deactivate", "user", username, {"active": found["active"]}, {"active": False})


def set_password(store, username: str, password: str, *, by: User = SYSTEM) -> None:
    found = _existing(store, username)
    if by.username != username:
        require(by, "admin", "set other users' passwords")
    store.update_user(found["id"], password_hash=hash_password(password))
    store.add_audit(by.username, "user.password", "user", username)


def _existing(store, username: str) -> dict:
    found = store.get_user(username)
    if found is None:
        raise NotFound(f"no user {username!r}; see `disinfowatch users list`")
    return found


# -- logging in ------------------------------------------------------------------------------------


def login(store, username: str, password: str, *, address: str = "-") -> tuple[User, str, str]:
    """(user, session token, CSRF token) for the right password; LoginFailed or RateLimited."""
    since = utcnow() - FAILURE_WINDOW
    if (store.failed_logins(since, username=username) >= MAX_FAILURES_PER_USER or
            store.failed_logins(since, address=address) >= MAX_FAILURES_PER_ADDRESS):
        raise RateLimited("too many failed logins; wait a quarter of an hour and try again",
                          int(FAILURE_WINDOW.total_seconds()))
    found = store.get_user(username, with_hash=True)
    ok = False
    if found is not None and found["active"]:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            ok = _hasher().verify(found["password_hash"], password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher().hash("timing: make an unknown name cost what a known one does")
    store.record_login(username, address, ok)
    if not ok:
        raise LoginFailed("wrong user name or password")
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.add_session(found["id"], digest(token), csrf, utcnow() + SESSION_LIFETIME)
    return _user(found), token, csrf


def session(store, token: str | None) -> tuple[User, str] | None:
    """(user, CSRF token) of a live session, or None."""
    if not token:
        return None
    found = store.session_user(digest(token))
    return (_user(found), found["csrf"]) if found else None


def logout(store, token: str | None) -> None:
    if token:
        store.delete_session(digest(token))


def create_token(store, username: str, name: str, *, by: User = SYSTEM) -> str:
    """A new API token for ``username`` (shown once: only its hash is kept). It acts with the
    user's role."""
    found = _existing(store, username)
    if by.username != username:
        require(by, "admin", "make tokens for other users")
    token = "dw_" + secrets.token_urlsafe(32)
    store.add_token(found["id"], name[:120] or "token", digest(token))
    store.add_audit(by.username, "token.create", "user", username, None, {"name": name})
    return token


def token_user(store, token: str | None) -> User | None:
    if not token:
        return None
    return _user(store.token_user(digest(token)))
