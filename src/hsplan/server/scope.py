"""What a user may see and write: deny by default, filtered on the server.

A user holds scopes of three kinds: ``area`` (a division code; covers its subtree: county
530403 covers every township 530403xxx and village 530403xxxyyy), ``facility`` (one
facility id) and ``department`` (a department name, for task progress). A user with no
scope sees nothing — there is no "everything" default. Province and city codes (530000,
530400) cover their prefix (53, 5304).

`Scope.area_clause` / `Scope.facility_clause` return SQL conditions that every query of a
region table adds to its WHERE; the values are bound parameters, never SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hsplan.server import db

READ_ROLES = ("管理员", "规划人员", "领导")        # read the region in their areas
WRITE_ROLES = ("管理员", "规划人员")               # edit rows, review submissions, read audit
REPORTER = "机构填报员"
DEPARTMENT = "部门"


def area_prefix(code: str) -> str:
    """Return the code prefix an area code covers (530400 → 5304, 530000 → 53)."""
    if len(code) == 6:
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
    return code


@dataclass(frozen=True)
class Scope:
    """A user's role and the areas, facilities and departments bound to it."""

    user_id: int
    user_name: str
    role: str
    areas: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    _prefixes: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_prefixes", tuple(area_prefix(a) for a in self.areas))

    @property
    def can_read_region(self) -> bool:
        return self.role in READ_ROLES

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    def covers_area(self, code: str | None) -> bool:
        """Return whether area `code` is in one of the user's area subtrees."""
        return bool(code) and any(str(code).startswith(p) for p in self._prefixes)

    def area_clause(self, column: Any) -> Any:
        """Return the SQL condition "column is in the user's areas" (false when none)."""
        if not self._prefixes:
            return sa.false()
        return sa.or_(*(column.startswith(p, autoescape=True) for p in self._prefixes))

    def facility_clause(self, facility_id: Any, area_code: Any) -> Any:
        """Return the SQL condition on a facility id column: the user's own facilities, or
        (read roles) facilities located in the user's areas (false when none)."""
        parts = []
        if self.facilities:
            parts.append(facility_id.in_(self.facilities))
        if self.can_read_region and self._prefixes:
            parts.append(self.area_clause(area_code))
        return sa.or_(*parts) if parts else sa.false()

    def covers_facility(self, conn: Connection, facility_id: str) -> bool:
        """Return whether the user may see facility `facility_id` (a query on the store)."""
        fac = db.REGION_TABLES["facilities"]
        stmt = sa.select(fac.c.id).where(
            fac.c.id == facility_id, self.facility_clause(fac.c.id, fac.c.area_code))
        return conn.execute(stmt).first() is not None

    def grantable(self, kind: str, value: str) -> bool:
        """Return whether this user may grant scope (`kind`, `value`): only what it holds."""
        if kind == "area":
            return self.covers_area(value)
        if kind == "facility":
            return value in self.facilities
        return value in self.departments


def load_scope(conn: Connection, user_id: int) -> Scope:
    """Return the scope of user `user_id` from the store."""
    user = conn.execute(sa.select(db.users).where(db.users.c.id == user_id)).one()
    rows = conn.execute(sa.select(db.user_scopes.c.kind, db.user_scopes.c.value)
                        .where(db.user_scopes.c.user_id == user_id)
                        .order_by(db.user_scopes.c.id)).all()
    by_kind: dict[str, list[str]] = {k: [] for k in db.SCOPE_KINDS}
    for kind, value in rows:
        by_kind[kind].append(value)
    return Scope(user.id, user.name, user.role, tuple(by_kind["area"]),
                 tuple(by_kind["facility"]), tuple(by_kind["department"]))


def session_scope(conn: Connection, token: str | None) -> tuple[Any, Scope, str] | None:
    """Return (session, scope, data version) of cookie value `token` in one query (None when
    the session is absent, expired or its user disabled) — what every request asks first."""
    from sqlalchemy.dialects.postgresql import aggregate_order_by, array_agg

    from hsplan.server import auth

    if not token:
        return None
    s, u, sc = db.sessions, db.users, db.user_scopes
    grants = (sa.select(array_agg(aggregate_order_by(sc.c.kind + ":" + sc.c.value, sc.c.id)))
              .where(sc.c.user_id == u.c.id).scalar_subquery())
    version = (sa.select(db.data_version.c.token).where(db.data_version.c.id == 1)
               .scalar_subquery())
    row = conn.execute(
        sa.select(s.c.user_id, s.c.csrf, u.c.name, u.c.role, grants.label("grants"),
                  version.label("version"))
        .join_from(s, u, u.c.id == s.c.user_id)
        .where(s.c.token_hash == auth.token_hash(token), s.c.expires_at > sa.func.now(),
               u.c.disabled.is_(False))).first()
    if row is None:
        return None
    by_kind: dict[str, list[str]] = {k: [] for k in db.SCOPE_KINDS}
    for grant in row.grants or []:
        kind, _, value = str(grant).partition(":")
        by_kind[kind].append(value)
    scope = Scope(int(row.user_id), str(row.name), str(row.role), tuple(by_kind["area"]),
                  tuple(by_kind["facility"]), tuple(by_kind["department"]))
    return auth.Session(int(row.user_id), str(row.csrf)), scope, str(row.version or "")


def facility_area_subquery() -> Any:
    """Return a SELECT of facility ids with their area codes (for joining yearly rows)."""
    fac = db.REGION_TABLES["facilities"]
    return sa.select(fac.c.id, fac.c.area_code)
