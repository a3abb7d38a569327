"""Users, passwords (argon2id), sessions, CSRF tokens and the login rate limit.

- Passwords are hashed with argon2id (`argon2-cffi` defaults); there are no default
  credentials: the first administrator is made with ``hsplan users add``.
- A session is a random 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure over
  HTTPS); the store keeps only its SHA-256, with the session's CSRF token and expiry. Each
  login makes a new session (the id rotates), and the cookie a client sent is dropped.
- Every state-changing request must carry the session's CSRF token in ``X-CSRF-Token``.
- Login: at most `MAX_FAILURES` failures per user name and address in `WINDOW`; then 429.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection

from hsplan._i18n import _
from hsplan.errors import HsplanError, Problem, ValidationError
from hsplan.server import db

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=1)
SESSION_HOURS = 12
MIN_PASSWORD = 10
# the commands a message names (said as they are typed)
USERS_LIST = "hsplan users list"
USERS_RESET = "hsplan users reset-password"

_hasher = PasswordHasher()
# a hash to verify against when the user does not exist, so timing does not tell names apart
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """Return the argon2id hash of `password` (refusing short ones)."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError([Problem(
            _("password too short"),
            expected=_("at least {n} characters").format(n=MIN_PASSWORD),
            got=_("{n} characters").format(n=len(password)),
            fix=_("choose a longer pass phrase"))],
            context=_("password"))
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether `password` matches `password_hash`."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """Return the SHA-256 (hex) the store keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    """A logged-in session: the user and its CSRF token."""

    user_id: int
    csrf: str


class RateLimited(HsplanError):
    """Too many failed logins for this user name and address."""


def create_user(conn: Connection, name: str, password: str, role: str, *,
                areas: tuple[str, ...] = (), facilities: tuple[str, ...] = (),
                departments: tuple[str, ...] = ()) -> int:
    """Add a user with its scopes; return its id."""
    problems = []
    if role not in db.ROLES:
        problems.append(Problem(_("unknown role"), expected=" / ".join(db.ROLES), got=role,
                                fix=_("give one of the listed roles")))
    if not name or len(name) > 64 or any(c.isspace() or not c.isprintable() for c in name):
        problems.append(Problem(_("invalid user name"),
                                expected=_("1–64 characters, no spaces"),
                                got=repr(name), fix=_("choose another name")))
    for code in areas:
        if not code.isdigit() or len(code) not in (6, 9, 12):
            problems.append(Problem(_("invalid area code"), expected=_("6, 9 or 12 digits"),
                                    got=code,
                                    fix=_("give a division code, e.g. {example}").format(
                                        example="530403")))
    if conn.execute(sa.select(db.users.c.id).where(db.users.c.name == name)).first():
        problems.append(Problem(_("user exists"), got=name, fix=_(
            "choose another name, or {command}").format(command=USERS_RESET)))
    if problems:
        raise ValidationError(problems, context=_("user {name}").format(name=name))
    user_id = int(conn.execute(db.users.insert().values(
        name=name, password_hash=hash_password(password), role=role)
        .returning(db.users.c.id)).scalar_one())
    grants = ([("area", a) for a in areas] + [("facility", f) for f in facilities]
              + [("department", d) for d in departments])
    if grants:
        conn.execute(db.user_scopes.insert(), [{"user_id": user_id, "kind": k, "value": v}
                                               for k, v in grants])
    return user_id


def set_password(conn: Connection, name: str, password: str) -> None:
    """Replace user `name`'s password and end its sessions."""
    user_id = _user_id(conn, name)
    conn.execute(db.users.update().where(db.users.c.id == user_id)
                 .values(password_hash=hash_password(password)))
    conn.execute(db.sessions.delete().where(db.sessions.c.user_id == user_id))


def set_disabled(conn: Connection, name: str, disabled: bool = True) -> None:
    """Disable (or enable) user `name`; a disabled user's sessions end now."""
    user_id = _user_id(conn, name)
    conn.execute(db.users.update().where(db.users.c.id == user_id).values(disabled=disabled))
    if disabled:
        conn.execute(db.sessions.delete().where(db.sessions.c.user_id == user_id))


def _user_id(conn: Connection, name: str) -> int:
    row = conn.execute(sa.select(db.users.c.id).where(db.users.c.name == name)).first()
    if row is None:
        raise ValidationError([Problem(_("no such user"), got=name, fix=_(
            "{command} shows the users").format(command=USERS_LIST))],
                              context=_("user"))
    return int(row.id)


def login(conn: Connection, name: str, password: str, ip: str, *,
          old_token: str | None = None) -> tuple[str, Session] | None:
    """Return (new session token, session) for a correct name and password, else None.

    Raises `RateLimited` after `MAX_FAILURES` failures of this name and address within
    `WINDOW` (the attempt is not even checked). The session `old_token` named is ended.
    """
    since = sa.func.now() - WINDOW
    failures = conn.execute(sa.select(sa.func.count()).select_from(db.login_attempts).where(
        db.login_attempts.c.user_name == name, db.login_attempts.c.ip == ip,
        db.login_attempts.c.ok.is_(False), db.login_attempts.c.at > since)).scalar_one()
    if failures >= MAX_FAILURES:
        raise RateLimited(_("{n} failed logins of {name} from {ip} within a minute").format(
            n=failures, name=name, ip=ip))
    user = conn.execute(sa.select(db.users).where(db.users.c.name == name)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = ok and user is not None and not user.disabled
    conn.execute(db.login_attempts.insert().values(user_name=name, ip=ip, ok=ok))
    if old_token:
        conn.execute(db.sessions.delete().where(
            db.sessions.c.token_hash == token_hash(old_token)))
    if not ok or user is None:
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    conn.execute(db.sessions.insert().values(
        token_hash=token_hash(token), user_id=user.id, csrf=csrf,
        expires_at=sa.func.now() + dt.timedelta(hours=SESSION_HOURS)))
    return token, Session(int(user.id), csrf)


def session_of(conn: Connection, token: str | None) -> Session | None:
    """Return the live session of cookie value `token` (None when absent, expired or the
    user is disabled)."""
    if not token:
        return None
    row = conn.execute(
        sa.select(db.sessions.c.user_id, db.sessions.c.csrf)
        .join(db.users, db.users.c.id == db.sessions.c.user_id)
        .where(db.sessions.c.token_hash == token_hash(token),
               db.sessions.c.expires_at > sa.func.now(), db.users.c.disabled.is_(False))
    ).first()
    return Session(int(row.user_id), str(row.csrf)) if row else None


def logout(conn: Connection, token: str | None) -> None:
    """End the session of cookie value `token`."""
    if token:
        conn.execute(db.sessions.delete().where(db.sessions.c.token_hash == token_hash(token)))
