"""`create_server_app(db_url)`: the hsplan server — login and the ``/api/v1/server`` API.

Every request runs in one database transaction; every query of a region table carries the
caller's scope (`hsplan.server.scope`) in its WHERE; every write adds its audit rows in the
same transaction. Rows outside the caller's scope answer 404, as rows that do not exist.

Routes (JSON; errors in the dashboard's one shape {status, errors: [{where, what, …}]}):

- ``POST /login`` {name, password} → session cookie + CSRF token; ``POST /logout``; ``GET /me``
- ``GET /tables/{table}?year=`` the rows of a region table in scope
- ``PATCH /tables/{table}`` {key, version, values} edit one row (409 with both versions when
  someone else changed it first)
- ``GET /figures?year=`` totals the dashboard shows (beds, staff, visits) in scope
- ``POST /submissions`` a facility's yearly figures (JSON or an .xlsx upload), validated like
  an import; ``GET /submissions?year=`` with the facilities that have not reported;
  ``POST /submissions/{id}/accept`` | ``/return`` (planners)
- ``GET /audit?table=&key=`` | ``?user=`` (planners and administrators)
- ``POST /users`` (administrators; grant only what they hold)
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Body, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Connection, Engine

from hsplan.errors import Problem
from hsplan.plans.plan import Plan, load_plan
from hsplan.region import schema
from hsplan.region.io.checks import check_region
from hsplan.region.io.tables import SheetSource, frame_from_rows, read_workbook
from hsplan.region.model import Region, typed
from hsplan.server import auth, db
from hsplan.server.scope import REPORTER, Scope, load_scope
from hsplan.web.errors import ApiError, error_body, install_error_handlers

COOKIE = "hsplan_session"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PREFIX = "/api/v1/server"
FACILITY_TABLES = ("facilities", "resources", "utilisation", "facts")
AREA_TABLES = {"areas": "code", "population": "area_code", "reported": "area_code"}
EDITABLE = ("population", "resources", "utilisation", "reported", "facilities", "areas")
SUBMITTED_TABLES = ("resources", "utilisation")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# the pages' inline scripts (chart set-up) and styles (traffic-light colours) need
# 'unsafe-inline' (Jinja2 escapes every value); the JSON API keeps the strict policy above
PAGE_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def _problem(status: int, what: str, *, where: str | None = None, fix: str | None = None,
             expected: str | None = None, got: str | None = None) -> ApiError:
    return ApiError(status, [Problem(what, file=where, fix=fix, expected=expected, got=got)])


class Ctx:
    """One request's database connection (inside its transaction), caller and request id."""

    def __init__(self, conn: Connection, scope: Scope, request_id: str) -> None:
        self.conn = conn
        self.scope = scope
        self.request_id = request_id

    def audit(self, action: str, table: str, key: str, old: Any, new: Any, *,
              area_code: str | None = None, facility_id: str | None = None) -> None:
        """Add an audit row (in this request's transaction)."""
        self.conn.execute(db.audit.insert().values(
            user_id=self.scope.user_id, user_name=self.scope.user_name, action=action,
            table_name=table, key=key, old=db.to_json(old), new=db.to_json(new),
            request_id=self.request_id, area_code=area_code, facility_id=facility_id))
        if table in schema.TABLES:  # a region row changed: the pages compute afresh
            db.bump_data_version(self.conn)


def create_server_app(db_url: str, *, engine: Engine | None = None,
                      plan: str | None = None, pages: bool = True) -> FastAPI:
    """Return the server app over the PostgreSQL database at `db_url` (migrated with
    ``hsplan db init``): the ``/api/v1/server`` API and, with `pages`, the dashboard's
    pages scoped to the logged-in user (`hsplan.server.pages`). `plan` is the plan whose
    tasks departments report on and the pages show (id or YAML file; default the
    built-in plan of the stored county, else ``national-norms``)."""
    from hsplan.server import pages as server_pages
    from hsplan.server import reporting

    engine = engine or db.engine_for(db_url)
    plan_id = reporting.served_plan_id(engine, plan)
    plan_cache: dict[str, Plan] = {}

    def plan_of() -> Plan:
        if "plan" not in plan_cache:
            plan_cache["plan"] = load_plan(plan_id)
        return plan_cache["plan"]

    app = FastAPI(title="hsplan server", version="1", docs_url=None, redoc_url=None,
                  summary="卫生健康规划监测 — 多用户服务端")
    app.state.engine = engine
    install_error_handlers(app)

    @app.middleware("http")
    async def security(request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        request.state.request_id = uuid.uuid4().hex
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_UPLOAD_BYTES):
            response: Response = JSONResponse(error_body(413, [Problem(
                "request too large", expected=f"≤ {MAX_UPLOAD_BYTES // 1024 // 1024} MB",
                got=size, fix="send one facility's form at a time")]), status_code=413)
        elif request.method not in SAFE_METHODS and request.url.path.startswith(PREFIX) \
                and request.url.path != f"{PREFIX}/login":
            # the API's writes carry the header; the pages' forms carry a csrf field,
            # checked by each form's handler (hsplan.server.pages)
            response = await _csrf_checked(request, call_next)
        else:
            response = await call_next(request)
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    async def _csrf_checked(request: Request,
                            call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        token = request.cookies.get(COOKIE)
        with engine.connect() as conn:
            session = auth.session_of(conn, token)
        sent = request.headers.get("x-csrf-token", "")
        if session is None or not sent or not _same(sent, session.csrf):
            return JSONResponse(error_body(403, [Problem(
                "CSRF token missing or wrong", file="header X-CSRF-Token",
                fix="send the csrf token that login (or GET /me) returned")]),
                status_code=403)
        return await call_next(request)

    app.include_router(_router(engine))
    app.include_router(reporting.reporting_router(engine, plan_of))
    if pages:
        server_pages.install_pages(app, engine, plan_id, plan_of)
    return app


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


@contextmanager
def open_ctx(engine: Engine, request: Request) -> Iterator[Ctx]:
    """Yield the request's `Ctx` in one transaction; 401 when the caller is not logged in."""
    with engine.begin() as conn:
        session = auth.session_of(conn, request.cookies.get(COOKIE))
        if session is None:
            raise _problem(401, "not logged in", fix=f"POST {PREFIX}/login")
        yield Ctx(conn, load_scope(conn, session.user_id), request.state.request_id)


def _router(engine: Engine) -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    def ctx(request: Request) -> Any:
        return open_ctx(engine, request)

    # --- sessions ------------------------------------------------------------------------

    @router.post("/login")
    def login(request: Request, body: dict[str, Any] = Body(...)) -> Response:  # noqa: B008
        name, password = body.get("name"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str):
            raise _problem(422, "name and password expected", where="body",
                           expected='{"name": "…", "password": "…"}')
        ip = request.client.host if request.client else "?"
        try:
            with engine.begin() as conn:
                done = auth.login(conn, name, password, ip,
                                  old_token=request.cookies.get(COOKIE))
        except auth.RateLimited as exc:
            raise _problem(429, "too many failed logins", got=str(exc),
                           fix="wait a minute and try again") from exc
        if done is None:
            raise _problem(401, "wrong user name or password",
                           fix="check both; after 5 failures in a minute, wait a minute")
        token, session = done
        with engine.connect() as conn:
            scope = load_scope(conn, session.user_id)
        response = JSONResponse({"user": scope.user_name, "role": scope.role,
                                 "csrf": session.csrf})
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/",
                            max_age=auth.SESSION_HOURS * 3600)
        return response

    @router.post("/logout")
    def logout(request: Request) -> Response:
        with engine.begin() as conn:
            auth.logout(conn, request.cookies.get(COOKIE))
        response = JSONResponse({"ok": True})
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/me")
    def me(request: Request) -> dict[str, Any]:
        with ctx(request) as c:
            session = auth.session_of(c.conn, request.cookies.get(COOKIE))
            s = c.scope
            return {"user": s.user_name, "role": s.role, "areas": list(s.areas),
                    "facilities": list(s.facilities), "departments": list(s.departments),
                    "csrf": session.csrf if session else None}

    # --- region tables ---------------------------------------------------------------------

    @router.get("/tables/{table}")
    def get_table(request: Request, table: str, year: int | None = None) -> list[Any]:
        name = _table_name(table)
        with ctx(request) as c:
            where = _scope_clause(c.scope, name)
            t = db.REGION_TABLES[name]
            if year is not None and "year" in t.c:
                where = sa.and_(where, t.c.year == year)
            frame = db.read_table(c.conn, name, where=where)
            versions = _versions(c.conn, name, where)
        rows = db.region_rows(frame, schema.TABLES[name])
        sch = schema.TABLES[name]
        for row in rows:
            row.pop("geometry", None)
            row["version"] = versions.get(tuple(str(row[k]) for k in sch.key))
        return rows

    @router.patch("/tables/{table}")
    def patch_row(request: Request, table: str,
                  body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        name = _table_name(table)
        if name not in EDITABLE:
            raise _problem(400, "table not editable", got=name, expected=", ".join(EDITABLE))
        sch = schema.TABLES[name]
        key, values, version = body.get("key"), body.get("values"), body.get("version")
        if (not isinstance(key, dict) or not isinstance(values, dict)
                or not isinstance(version, int) or set(key) != set(sch.key)):
            raise _problem(422, "body must be {key, values, version}", where="body",
                           expected=f"key with {', '.join(sch.key)}; values; version "
                                    "(the row's version as read)")
        with ctx(request) as c:
            if not c.scope.can_write:
                raise _problem(403, "your role may not edit rows", got=c.scope.role)
            t = db.REGION_TABLES[name]
            parsed_key = _parse_key(sch, key)
            match = sa.and_(*(t.c[k] == v for k, v in parsed_key.items()),
                            _scope_clause(c.scope, name))
            current = c.conn.execute(sa.select(t).where(match).with_for_update()).first()
            if current is None:
                raise _problem(404, "no such row in your scope", where=f"table {name}",
                               got=str(key))
            old = _plain(current._mapping)
            if current.version != version:
                raise ApiError(409, [Problem(
                    "changed by someone else since you read it", file=f"table {name}",
                    expected=f"version {version}",
                    got=f"version {current.version}: {json.dumps(old, ensure_ascii=False)}",
                    fix="reload the row, redo your change on the current values")]) \
                    from None
            # validate the row as it would be, like one row of an imported sheet
            given = {_column_id(sch, k): v for k, v in values.items()}
            cols = sch.column_ids
            merged = [given.get(k, old.get(k)) if k not in sch.key else old[k] for k in cols]
            frame, _source, problems = frame_from_rows(
                sch, [(1, cols), (2, merged)], file="request", sheet=sch.zh)
            errors = [p for p in problems if p.severity == "error"]
            if errors or frame is None or frame.empty:
                raise ApiError(422, errors or [Problem("nothing to change", file="values")])
            parsed = db.region_rows(frame, sch)[0]
            new_area = parsed.get("area_code") if name == "facilities" else None
            if new_area is not None and not c.scope.covers_area(str(new_area)):
                raise _problem(403, "you may not move a facility outside your areas",
                               where="values area_code", got=str(new_area))
            changes = {k: parsed[k] for k in given if k not in sch.key}
            new = c.conn.execute(t.update().where(match, t.c.version == version)
                                 .values(**changes, version=t.c.version + 1)
                                 .returning(t)).first()
            assert new is not None  # the row is locked FOR UPDATE above
            new_row = _plain(new._mapping)
            c.audit("update", name, _key_text(sch, parsed_key), old, new_row,
                    **_where_of(c.conn, name, parsed))
            return new_row

    @router.get("/figures")
    def figures(request: Request, year: int | None = None) -> dict[str, Any]:
        with ctx(request) as c:
            res = db.REGION_TABLES["resources"]
            use = db.REGION_TABLES["utilisation"]
            where = _scope_clause(c.scope, "resources")
            years = [int(y) for (y,) in c.conn.execute(
                sa.select(res.c.year).where(where).distinct().order_by(res.c.year))]
            when = year if year is not None else (years[-1] if years else None)
            sums = c.conn.execute(sa.select(
                sa.func.count(), sa.func.sum(res.c.beds), sa.func.sum(res.c.staff_total),
                sa.func.sum(res.c.doctors_licensed), sa.func.sum(res.c.nurses))
                .where(where, res.c.year == when)).one()
            visits = c.conn.execute(sa.select(sa.func.sum(use.c.visits)).where(
                _scope_clause(c.scope, "utilisation"), use.c.year == when)).scalar()
            return {"year": when, "years": years, "facilities": int(sums[0]),
                    "beds": _int(sums[1]), "staff_total": _int(sums[2]),
                    "doctors_licensed": _int(sums[3]), "nurses": _int(sums[4]),
                    "visits": _int(visits)}

    # --- submissions -----------------------------------------------------------------------

    @router.post("/submissions")
    async def submit(request: Request) -> Response:
        kind = request.headers.get("content-type", "")
        raw = await _read_limited(request)
        if kind.startswith("multipart/form-data"):
            payload = await _workbook_payload(request)
        else:
            try:
                payload = json.loads(raw or b"null")
            except ValueError as exc:
                raise _problem(422, "body is not JSON", got=str(exc)[:80]) from exc
        return JSONResponse(_submit(request, payload), status_code=201)

    def _submit(request: Request, payload: Any) -> dict[str, Any]:
        with ctx(request) as c:
            return submit_facility(c, payload)

    @router.get("/submissions")
    def list_submissions(request: Request, year: int | None = None) -> dict[str, Any]:
        with ctx(request) as c:
            fac = db.REGION_TABLES["facilities"]
            sub = db.submissions
            visible = sa.select(fac.c.id).where(c.scope.facility_clause(fac.c.id,
                                                                        fac.c.area_code))
            stmt = sa.select(sub).where(sub.c.facility_id.in_(visible))
            if c.scope.role == REPORTER:
                stmt = stmt.where(sub.c.facility_id.in_(c.scope.facilities))
            if year is not None:
                stmt = stmt.where(sub.c.year == year)
            rows = [_plain(r._mapping) for r in c.conn.execute(stmt.order_by(sub.c.id))]
            missing: list[dict[str, Any]] = []
            if year is not None and c.scope.can_write:
                reported = sa.select(sub.c.facility_id).where(
                    sub.c.year == year, sub.c.status.in_(("已提交", "已接受")))
                missing = [{"facility_id": r.id, "name": r.name, "area_code": r.area_code}
                           for r in c.conn.execute(
                               sa.select(fac.c.id, fac.c.name, fac.c.area_code)
                               .where(fac.c.id.in_(visible), fac.c.id.not_in(reported))
                               .order_by(fac.c.id))]
            return {"submissions": rows, "not_reported": missing}

    def _review(request: Request, sub_id: int, body: dict[str, Any],
                accept: bool) -> dict[str, Any]:
        with ctx(request) as c:
            return review_submission(c, sub_id, body, accept)

    @router.post("/submissions/{sub_id}/accept")
    def accept(request: Request, sub_id: int,
               body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        return _review(request, sub_id, body, True)

    @router.post("/submissions/{sub_id}/return")
    def give_back(request: Request, sub_id: int,
                  body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        return _review(request, sub_id, body, False)

    # --- audit and users -------------------------------------------------------------------

    @router.get("/audit")
    def get_audit(request: Request, table: str | None = None, key: str | None = None,
                  user: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        with ctx(request) as c:
            if not c.scope.can_write:
                raise _problem(403, "only planners and administrators read the audit trail",
                               got=c.scope.role)
            a = db.audit
            stmt = sa.select(a).where(c.scope.area_clause(a.c.area_code))
            if table is not None:
                stmt = stmt.where(a.c.table_name == table)
            if key is not None:
                stmt = stmt.where(a.c.key == key)
            if user is not None:
                stmt = stmt.where(a.c.user_name == user)
            stmt = stmt.order_by(a.c.id.desc()).limit(max(1, min(limit, 1000)))
            return [_plain(r._mapping) for r in c.conn.execute(stmt)]

    @router.post("/users")
    def add_user(request: Request,
                 body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        with ctx(request) as c:
            if c.scope.role != "管理员":
                raise _problem(403, "only administrators add users", got=c.scope.role)
            areas = tuple(str(a) for a in body.get("areas", []))
            facilities = tuple(str(f) for f in body.get("facilities", []))
            departments = tuple(str(d) for d in body.get("departments", []))
            fac = db.REGION_TABLES["facilities"]
            held = {str(r.id) for r in c.conn.execute(sa.select(fac.c.id).where(
                c.scope.facility_clause(fac.c.id, fac.c.area_code)))}
            refused = [f"area {a}" for a in areas if not c.scope.covers_area(a)] + \
                [f"facility {f}" for f in facilities if f not in held] + \
                [f"department {d}" for d in departments if d not in c.scope.departments]
            if refused:
                raise _problem(403, "you may grant only what you hold", got=", ".join(refused))
            user_id = auth.create_user(c.conn, str(body.get("name", "")),
                                       str(body.get("password", "")), str(body.get("role")),
                                       areas=areas, facilities=facilities,
                                       departments=departments)
            c.audit("add", "users", str(body.get("name")), None,
                    {"role": body.get("role"), "areas": list(areas),
                     "facilities": list(facilities), "departments": list(departments)},
                    area_code=areas[0] if areas else None)
            return {"id": user_id, "name": body.get("name")}

    return router


# --- submissions and their review ------------------------------------------------------------

def submit_facility(c: Ctx, payload: Any) -> dict[str, Any]:
    """Store a facility's yearly figures (validated like an import) as a submission
    (已提交); return it."""
    if not isinstance(payload, dict):
        raise _problem(422, "expected a JSON object", where="body",
                       expected='{"facility_id", "year", "resources": {…}, '
                                '"utilisation": {…}}')
    facility_id, year = payload.get("facility_id"), payload.get("year")
    if c.scope.role not in (REPORTER, "管理员", "规划人员"):
        raise _problem(403, "your role may not submit facility figures",
                       got=c.scope.role)
    if not isinstance(facility_id, str) or not c.scope.covers_facility(c.conn,
                                                                       facility_id):
        raise _problem(404, "no such facility in your scope", where="facility_id",
                       got=str(facility_id))
    if not isinstance(year, int) or not 1949 <= year <= 2100:
        raise _problem(422, "invalid year", where="year", expected="1949–2100",
                       got=str(year))
    tables = _validate_submission(c.conn, facility_id, year, payload)
    sub_id = c.conn.execute(db.submissions.insert().values(
        facility_id=facility_id, year=year, status="已提交",
        payload=db.to_json(tables), submitted_by=c.scope.user_id)
        .returning(db.submissions.c.id)).scalar_one()
    c.audit("submit", "submissions", str(sub_id), None, tables,
            **_where_of(c.conn, "resources", {"facility_id": facility_id}))
    return _submission(c.conn, int(sub_id))


def review_submission(c: Ctx, sub_id: int, body: dict[str, Any],
                      accept: bool) -> dict[str, Any]:
    """Accept (the figures enter the region) or return (with a comment) a submission."""
    version, comment = body.get("version"), body.get("comment")
    if not isinstance(version, int):
        raise _problem(422, "version expected", where="body",
                       expected="the submission's version as read")
    if not accept and (not isinstance(comment, str) or not comment.strip()):
        raise _problem(422, "a returned submission needs a comment", where="comment",
                       fix="say what the facility should correct")
    if not c.scope.can_write:
        raise _problem(403, "your role may not review submissions", got=c.scope.role)
    fac = db.REGION_TABLES["facilities"]
    sub = db.submissions
    row = c.conn.execute(sa.select(sub).where(
        sub.c.id == sub_id,
        sub.c.facility_id.in_(sa.select(fac.c.id).where(
            c.scope.facility_clause(fac.c.id, fac.c.area_code))))
        .with_for_update()).first()
    if row is None:
        raise _problem(404, "no such submission in your scope", got=str(sub_id))
    if row.version != version or row.status != "已提交":
        raise ApiError(409, [Problem(
            "submission changed since you read it", file=f"submission {sub_id}",
            expected=f"version {version}, status 已提交",
            got=f"version {row.version}, status {row.status}",
            fix="reload the submission list")])
    where = _where_of(c.conn, "resources", {"facility_id": row.facility_id})
    if accept:
        for name in SUBMITTED_TABLES:
            values = (row.payload or {}).get(name)
            if values:
                _upsert(c, name, {"facility_id": row.facility_id, "year": row.year,
                                  **values}, where)
    c.conn.execute(sub.update().where(sub.c.id == sub_id).values(
        status="已接受" if accept else "已退回", comment=comment,
        reviewed_by=c.scope.user_id, updated_at=sa.func.now(),
        version=sub.c.version + 1))
    c.audit("accept" if accept else "return", "submissions", str(sub_id),
            {"status": row.status}, {"status": "已接受" if accept else "已退回",
                                     "comment": comment}, **where)
    return _submission(c.conn, sub_id)


# --- helpers -----------------------------------------------------------------------------------

def _table_name(table: str) -> str:
    try:
        return schema.table(table).name
    except KeyError as exc:
        raise _problem(404, "no such table", where="path", got=table,
                       expected=", ".join(schema.TABLES)) from exc


def _column_id(sch: schema.Table, header: str) -> str:
    """Return the column id of a header (id, Chinese header or alias); 422 when unknown."""
    for col in sch.columns:
        if header in col.headers:
            return col.id
    raise _problem(422, "unknown column", where=f"values {header}",
                   expected=", ".join(sch.column_ids))


def _parse_key(sch: schema.Table, key: dict[str, Any]) -> dict[str, Any]:
    """Return the key's values typed for SQL (years and counts as int); 404 when a value
    cannot be one of the table's keys."""
    out: dict[str, Any] = {}
    for k in sch.key:
        value = key[k]
        if sch.column(k).kind in ("int", "year"):
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool):
                raise _problem(404, "no such row", where=f"key {k}", got=str(value))
        elif not isinstance(value, str):
            raise _problem(404, "no such row", where=f"key {k}", got=str(value))
        out[k] = value
    return out


def _scope_clause(scope: Scope, name: str) -> Any:
    """Return the WHERE condition limiting table `name` to `scope` (false for none)."""
    t = db.REGION_TABLES[name]
    fac = db.REGION_TABLES["facilities"]
    if name == "facilities":
        return scope.facility_clause(t.c.id, t.c.area_code)
    if name in FACILITY_TABLES:
        return t.c.facility_id.in_(sa.select(fac.c.id).where(
            scope.facility_clause(fac.c.id, fac.c.area_code)))
    if not scope.can_read_region:
        return sa.false()
    if name in AREA_TABLES:
        return scope.area_clause(t.c[AREA_TABLES[name]])
    if name == "progress":  # county-wide task records: readers holding an area
        return sa.true() if scope.areas else sa.false()
    return sa.false()


def _versions(conn: Connection, name: str, where: Any) -> dict[tuple[str, ...], int]:
    t = db.REGION_TABLES[name]
    key = schema.TABLES[name].key
    rows = conn.execute(sa.select(*(t.c[k] for k in key), t.c.version).where(where))
    return {tuple(str(v) for v in r[:-1]): int(r[-1]) for r in rows}


def _plain(mapping: Any) -> dict[str, Any]:
    out = {}
    for k, v in dict(mapping).items():
        if k == "geometry" or k == "password_hash":
            continue
        out[k] = v.isoformat() if hasattr(v, "isoformat") else db.to_json(v)
    return out


def _int(v: Any) -> int | None:
    return None if v is None else int(v)


def _key_text(sch: schema.Table, row: dict[str, Any]) -> str:
    return "|".join(str(row[k]) for k in sch.key)


def _where_of(conn: Connection, name: str, row: dict[str, Any]) -> dict[str, Any]:
    """Return the area (and facility) a row belongs to, for the audit row."""
    if name in AREA_TABLES:
        return {"area_code": row.get(AREA_TABLES[name])}
    fid = row.get("id") if name == "facilities" else row.get("facility_id")
    if fid is None:
        return {}
    fac = db.REGION_TABLES["facilities"]
    area = conn.execute(sa.select(fac.c.area_code).where(fac.c.id == fid)).scalar()
    return {"area_code": area, "facility_id": fid}


def _upsert(c: Ctx, name: str, values: dict[str, Any], where: dict[str, Any]) -> None:
    """Insert or update one row of table `name` with its audit row."""
    sch = schema.TABLES[name]
    t = db.REGION_TABLES[name]
    match = sa.and_(*(t.c[k] == values[k] for k in sch.key))
    current = c.conn.execute(sa.select(t).where(match).with_for_update()).first()
    if current is None:
        new = c.conn.execute(t.insert().values(**values).returning(t)).one()
        c.audit("insert", name, _key_text(sch, values), None, _plain(new._mapping), **where)
        return
    changes = {k: v for k, v in values.items() if k not in sch.key}
    new = c.conn.execute(t.update().where(match).values(**changes, version=t.c.version + 1)
                         .returning(t)).one()
    c.audit("update", name, _key_text(sch, values), _plain(current._mapping),
            _plain(new._mapping), **where)


async def _read_limited(request: Request) -> bytes:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_UPLOAD_BYTES:
            raise _problem(413, "upload too large",
                           expected=f"≤ {MAX_UPLOAD_BYTES // 1024 // 1024} MB")
    request._body = body  # let request.form() parse what was read
    return body


async def _workbook_payload(request: Request) -> dict[str, Any]:
    """Return the submission of an uploaded one-facility workbook (fields facility_id, year,
    file: the template's 资源 and 服务量 sheets)."""
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise _problem(422, "no file uploaded", where="form field file",
                       fix="attach the facility's .xlsx form")
    with tempfile.TemporaryDirectory(prefix="hsplan-upload-") as tmp:
        path = Path(tmp) / "upload.xlsx"
        path.write_bytes(await upload.read())
        read = read_workbook(path)
    errors = read.errors
    if errors:
        raise ApiError(422, [Problem(p.message, file=upload.filename, sheet=p.sheet,
                                     row=p.row, column=p.column, expected=p.expected,
                                     got=p.got, fix=p.fix) for p in errors])
    payload: dict[str, Any] = {"facility_id": str(form.get("facility_id", "")),
                               "year": int(str(form.get("year", "0")) or 0)}
    for name in SUBMITTED_TABLES:
        frame = read.tables.get(name)
        if frame is not None and len(frame):
            rows = db.region_rows(frame, schema.TABLES[name])
            payload[name] = {k: v for k, v in rows[0].items()
                             if v is not None and k not in ("facility_id", "year")}
            if len(rows) != 1 or rows[0]["facility_id"] != payload["facility_id"] \
                    or rows[0]["year"] != payload["year"]:
                raise _problem(422, "a form holds one facility and one year",
                               where=f"sheet {schema.TABLES[name].zh}",
                               expected=f"one row for {payload['facility_id']} "
                                        f"{payload['year']}", got=f"{len(rows)} rows")
    return payload


def _validate_submission(conn: Connection, facility_id: str, year: int,
                         payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the submission's typed values per table; raise 422 with every problem (cell
    checks of the importer, then its cross-table checks) when any is an error."""
    problems: list[Problem] = []
    frames: dict[str, Any] = {}
    sources: dict[str, SheetSource] = {}
    unknown = set(payload) - {"facility_id", "year", *SUBMITTED_TABLES}
    for extra in sorted(unknown):
        problems.append(Problem("unknown field", file="submission", column=extra,
                                expected=", ".join(SUBMITTED_TABLES)))
    for name in SUBMITTED_TABLES:
        values = payload.get(name)
        if values is None:
            continue
        sch = schema.TABLES[name]
        if not isinstance(values, dict):
            problems.append(Problem("expected an object of column → value", sheet=sch.zh))
            continue
        headers = ["facility_id", "year", *(str(k) for k in values)]
        cells = [facility_id, year, *values.values()]
        frame, source, found = frame_from_rows(sch, [(1, headers), (2, cells)],
                                               file="submission", sheet=sch.zh)
        problems += found
        if frame is not None:
            frames[name], sources[name] = frame, source
    if not frames and not problems:
        problems.append(Problem("empty submission", file="submission",
                                expected=" and/or ".join(SUBMITTED_TABLES)))
    if frames:
        fac = db.REGION_TABLES["facilities"]
        region = Region(meta={}).replace(
            facilities=db.read_table(conn, "facilities", where=fac.c.id == facility_id),
            **{n: typed(f, schema.TABLES[n]) for n, f in frames.items()})
        # the stored region's own problems are not the reporter's: keep the located ones
        problems += [p for p in check_region(region, incoming=sources)
                     if p.file == "submission"]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ApiError(422, errors)
    out = {}
    for name, frame in frames.items():
        row = db.region_rows(frame, schema.TABLES[name])[0]
        out[name] = {k: v for k, v in row.items()
                     if k not in ("facility_id", "year") and v is not None}
    return out


def _submission(conn: Connection, sub_id: int) -> dict[str, Any]:
    row = conn.execute(sa.select(db.submissions).where(db.submissions.c.id == sub_id)).one()
    return _plain(row._mapping)
