"""Store verbs for accounts, sessions, API tokens, login attempts and the audit trail; mixed into Store.

Secrets are never stored: sessions and tokens by the sha256 of their value, passwords as argon2id
hashes (made by :mod:`disinfowatch.accounts`). Users are deactivated, never deleted; audit rows
are only ever added.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa

from ..errors import StoreError
from ..records import utcnow
from . import schema as t

_USER = (t.users.c.id, t.users.c.username, t.users.c.role, t.users.c.active, t.users.c.created_at)


def _dumps(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


class PeopleVerbs:
    engine: sa.Engine

    # -- users ---------------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str) -> int:
        """A new account; StoreError when the name is taken."""
        u = t.users
        with self._writing() as conn:
            if conn.execute(sa.select(u.c.id).where(u.c.username == username)).first() is not None:
                raise StoreError(f"a user named {username!r} exists; choose another name")
            return conn.execute(u.insert().values(username=username, password_hash=password_hash, role=role, active=True,
                                                  created_at=utcnow()).returning(u.c.id)).scalar_one()

    def get_user(self, username: str | None = None, *, user_id: int | None = None,
                 with_hash: bool = False) -> dict | None:
        u = t.users
        columns = (*_USER, u.c.password_hash) if with_hash else _USER
        query = sa.select(*columns).where(u.c.username == username if user_id is None else u.c.id == user_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return dict(row._mapping) if row else None

    def list_users(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(*_USER).order_by(t.users.c.username))]

    def update_user(self, user_id: int, **values) -> bool:
        """Change ``role``, ``active`` or ``password_hash``; a deactivated user's sessions end."""
        allowed = {"role", "active", "password_hash"}
        if set(values) - allowed:
            raise ValueError(f"cannot change {sorted(set(values) - allowed)} of a user")
        with self._writing() as conn:
            changed = conn.execute(t.users.update().where(t.users.c.id == user_id).values(**values)).rowcount > 0
            if values.get("active") is False or "password_hash" in values:
                conn.execute(t.sessions.delete().where(t.sessions.c.user_id == user_id))
        return changed

    # -- sessions and tokens --------------------------------------------------------------------

    def add_session(self, user_id: int, token_hash: str, csrf: str, expires_at: datetime) -> None:
        with self._writing() as conn:
            conn.execute(t.sessions.delete().where(t.sessions.c.expires_at < utcnow()))
            conn.execute(t.sessions.insert().values(token_hash=token_hash, user_id=user_id, csrf=csrf,
                                                    created_at=utcnow(), expires_at=expires_at))

    def session_user(self, token_hash: str) -> dict | None:
        """The active user of an unexpired session, with the session's ``csrf`` token."""
        s, u = t.sessions, t.users
        query = (sa.select(*_USER, s.c.csrf, s.c.expires_at).join(u, u.c.id == s.c.user_id)
                 .where(s.c.token_hash == token_hash, u.c.active.is_(True)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        found = dict(row._mapping)
        expires = found["expires_at"]
        if expires.tzinfo is None:
            from datetime import timezone

            expires = expires.replace(tzinfo=timezone.utc)
        return found if expires > utcnow() else None

    def delete_session(self, token_hash: str) -> None:
        with self._writing() as conn:
            conn.execute(t.sessions.delete().where(t.sessions.c.token_hash == token_hash))

    def add_token(self, user_id: int, name: str, token_hash: str) -> int:
        tk = t.api_tokens
        with self._writing() as conn:
            return conn.execute(tk.insert().values(token_hash=token_hash, user_id=user_id, name=name,
                                                   created_at=utcnow()).returning(tk.c.id)).scalar_one()

    def token_user(self, token_hash: str) -> dict | None:
        """The active user of a token that is not revoked; marks the token used."""
        tk, u = t.api_tokens, t.users
        query = (sa.select(*_USER, tk.c.id.label("token_id")).join(u, u.c.id == tk.c.user_id)
                 .where(tk.c.token_hash == token_hash, tk.c.revoked_at.is_(None), u.c.active.is_(True)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        with self._writing() as conn:
            conn.execute(tk.update().where(tk.c.id == row.token_id).values(last_used_at=utcnow()))
        return dict(row._mapping)

    def list_tokens(self, user_id: int | None = None) -> list[dict]:
        tk, u = t.api_tokens, t.users
        query = (sa.select(tk.c.id, tk.c.name, tk.c.created_at, tk.c.last_used_at, tk.c.revoked_at, u.c.username)
                 .join(u, u.c.id == tk.c.user_id).order_by(tk.c.id))
        if user_id is not None:
            query = query.where(tk.c.user_id == user_id)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def revoke_token(self, token_id: int) -> bool:
        with self._writing() as conn:
            return conn.execute(t.api_tokens.update().where(t.api_tokens.c.id == token_id, t.api_tokens.c.revoked_at.is_(None))
                                .values(revoked_at=utcnow())).rowcount > 0

    # -- login attempts -------------------------------------------------------------------------

    def record_login(self, username: str, address: str, ok: bool) -> None:
        with self._writing() as conn:
            conn.execute(t.login_attempts.insert().values(username=username[:80], address=address[:64], ok=ok,
                                                          at=utcnow()))

    def failed_logins(self, since: datetime, *, username: str | None = None, address: str | None = None) -> int:
        """Failed attempts since ``since`` for a user name or from an address."""
        a = t.login_attempts
        query = sa.select(sa.func.count()).select_from(a).where(a.c.at >= since, a.c.ok.is_(False))
        if username is not None:
            query = query.where(a.c.username == username)
        if address is not None:
            query = query.where(a.c.address == address)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    # -- the audit trail ------------------------------------------------------------------------

    def add_audit(self, username: str, action: str, object_kind: str, object_id, before=None, after=None,
                  note: str | None = None, conn: sa.Connection | None = None) -> None:
        values = dict(at=utcnow(), username=username, action=action, object_kind=object_kind,
                      object_id=str(object_id), before=_dumps(before), after=_dumps(after), note=note)
        if conn is not None:
            conn.execute(t.audit.insert().values(**values))
            return
        with self._writing() as own:
            own.execute(t.audit.insert().values(**values))

    def audit_trail(self, object_kind: str | None = None, object_id=None, limit: int | None = 200) -> list[dict]:
        """Audit rows, newest first (of one object when given), before/after decoded."""
        a = t.audit
        query = sa.select(a).order_by(a.c.id.desc())
        if object_kind is not None:
            query = query.where(a.c.object_kind == object_kind)
        if object_id is not None:
            query = query.where(a.c.object_id == str(object_id))
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["before"] = json.loads(row["before"]) if row["before"] else None
            row["after"] = json.loads(row["after"]) if row["after"] else None
        return rows
