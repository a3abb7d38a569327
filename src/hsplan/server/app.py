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
import threading
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Body, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.engine import Engine

from hsplan._i18n import _
from hsplan.errors import DataSourceError, Problem
from hsplan.plans.plan import Plan, load_plan
from hsplan.region import schema
from hsplan.region.io.tables import frame_from_rows
from hsplan.server import auth, db
from hsplan.server.records import (  # noqa: F401 (re-exported for callers of the app)
    AREA_TABLES,
    COOKIE,
    EDITABLE,
    FACILITY_TABLES,
    MAX_UPLOAD_BYTES,
    PREFIX,
    SAFE_METHODS,
    SUBMITTED_TABLES,
    Ctx,
    _column_id,
    _int,
    _key_text,
    _parse_key,
    _plain,
    _problem,
    _read_limited,
    _scope_clause,
    _table_name,
    _upsert,
    _versions,
    _where_of,
    _workbook_payload,
    open_ctx,
    review_submission,
    submit_facility,
)
from hsplan.server.scope import REPORTER, load_scope
from hsplan.web.errors import ApiError, error_body, install_error_handlers

TABLE_CACHE_SIZE = 64
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
                _("request too large"),
                expected=_("at most {n} MB").format(n=MAX_UPLOAD_BYTES // 1024 // 1024),
                got=size, fix=_("send one facility's form at a time"))]), status_code=413)
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
                _("CSRF token missing or wrong"), file="header X-CSRF-Token",
                fix=_("send the csrf token that login (or GET /me) returned"))]),
                status_code=403)
        return await call_next(request)

    app.include_router(_router(engine))
    app.include_router(reporting.reporting_router(engine, plan_of))
    if pages:
        server_pages.install_pages(app, engine, plan_id, plan_of)
    return app


def _encoded_table(c: Ctx, name: str, year: int | None) -> bytes:
    """Return the rows of table `name` in `c`'s scope (with their row versions) as JSON."""
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
    return json.dumps(rows, ensure_ascii=False, default=str).encode("utf-8")


def app_from_env() -> FastAPI:
    """Return `create_server_app` over ``HSPLAN_DB`` (plan ``HSPLAN_PLAN``): the factory
    each uvicorn worker process calls (``hsplan serve --db URL --workers N``)."""
    import os

    url = os.environ.get("HSPLAN_DB")
    if not url:
        raise DataSourceError(_("{name} is not set. Fix: {command}.").format(
            name="HSPLAN_DB", command="hsplan serve --db URL"))
    return create_server_app(url, plan=os.environ.get("HSPLAN_PLAN") or None)


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def _router(engine: Engine) -> APIRouter:
    router = APIRouter(prefix=PREFIX)

    def ctx(request: Request) -> Any:
        return open_ctx(engine, request)

    # --- sessions ------------------------------------------------------------------------

    @router.post("/login")
    def login(request: Request, body: dict[str, Any] = Body(...)) -> Response:  # noqa: B008
        name, password = body.get("name"), body.get("password")
        if not isinstance(name, str) or not isinstance(password, str):
            raise _problem(422, _("name and password expected"), where=_("request body"),
                           expected='{"name": "…", "password": "…"}')
        ip = request.client.host if request.client else "?"
        try:
            with engine.begin() as conn:
                done = auth.login(conn, name, password, ip,
                                  old_token=request.cookies.get(COOKIE))
        except auth.RateLimited as exc:
            raise _problem(429, _("too many failed logins"), got=str(exc),
                           fix=_("wait a minute and try again")) from exc
        if done is None:
            raise _problem(401, _("wrong user name or password"),
                           fix=_("check both; after {n} failures in a minute, wait a minute")
                           .format(n=auth.MAX_FAILURES))
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

    # a table as a scope reads it, encoded once per data version (every region write
    # changes the version: `db.bump_data_version`)
    table_cache: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
    cache_lock = threading.Lock()

    @router.get("/tables/{table}")
    def get_table(request: Request, table: str, year: int | None = None) -> Response:
        name = _table_name(table)
        with ctx(request) as c:
            s = c.scope
            key = (name, year, s.can_read_region, s.areas, s.facilities, c.version)
            with cache_lock:
                body = table_cache.get(key)
            if body is None:
                body = _encoded_table(c, name, year)
                with cache_lock:
                    table_cache[key] = body
                    while len(table_cache) > TABLE_CACHE_SIZE:
                        table_cache.popitem(last=False)
        return Response(body, media_type="application/json")

    @router.patch("/tables/{table}")
    def patch_row(request: Request, table: str,
                  body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
        name = _table_name(table)
        if name not in EDITABLE:
            raise _problem(400, _("table not editable"), got=name,
                           expected=", ".join(EDITABLE))
        sch = schema.TABLES[name]
        key, values, version = body.get("key"), body.get("values"), body.get("version")
        if (not isinstance(key, dict) or not isinstance(values, dict)
                or not isinstance(version, int) or set(key) != set(sch.key)):
            raise _problem(422, _("the body must hold {fields}").format(
                fields="key, values, version"), where=_("request body"),
                expected=_("key with {columns}; values; version (the row's version as read)")
                .format(columns=", ".join(sch.key)))
        with ctx(request) as c:
            if not c.scope.can_write:
                raise _problem(403, _("your role may not edit rows"), got=c.scope.role)
            t = db.REGION_TABLES[name]
            parsed_key = _parse_key(sch, key)
            match = sa.and_(*(t.c[k] == v for k, v in parsed_key.items()),
                            _scope_clause(c.scope, name))
            current = c.conn.execute(sa.select(t).where(match).with_for_update()).first()
            if current is None:
                raise _problem(404, _("no such row in your scope"),
                               where=_("table {name}").format(name=name), got=str(key))
            old = _plain(current._mapping)
            if current.version != version:
                raise ApiError(409, [Problem(
                    _("changed by someone else since you read it"),
                    file=_("table {name}").format(name=name),
                    expected=_("version {version}").format(version=version),
                    got=_("version {version}").format(version=current.version)
                    + f": {json.dumps(old, ensure_ascii=False)}",
                    fix=_("reload the row, redo your change on the current values"))]) \
                    from None
            # validate the row as it would be, like one row of an imported sheet
            given = {_column_id(sch, k): v for k, v in values.items()}
            cols = sch.column_ids
            merged = [given.get(k, old.get(k)) if k not in sch.key else old[k] for k in cols]
            frame, _source, problems = frame_from_rows(
                sch, [(1, cols), (2, merged)], file="request", sheet=sch.zh)
            errors = [p for p in problems if p.severity == "error"]
            if errors or frame is None or frame.empty:
                raise ApiError(422, errors or [Problem(_("nothing to change"), file="values")])
            parsed = db.region_rows(frame, sch)[0]
            new_area = parsed.get("area_code") if name == "facilities" else None
            if new_area is not None and not c.scope.covers_area(str(new_area)):
                raise _problem(403, _("you may not move a facility outside your areas"),
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
                raise _problem(422, _("the request body is not JSON"),
                               got=str(exc)[:80]) from exc
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
                raise _problem(403, _("only planners and administrators read the audit "
                                      "trail"), got=c.scope.role)
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
                raise _problem(403, _("only administrators add users"), got=c.scope.role)
            areas = tuple(str(a) for a in body.get("areas", []))
            facilities = tuple(str(f) for f in body.get("facilities", []))
            departments = tuple(str(d) for d in body.get("departments", []))
            fac = db.REGION_TABLES["facilities"]
            held = {str(r.id) for r in c.conn.execute(sa.select(fac.c.id).where(
                c.scope.facility_clause(fac.c.id, fac.c.area_code)))}
            refused = [_("area {code}").format(code=a) for a in areas
                       if not c.scope.covers_area(a)] + \
                [_("facility {id}").format(id=f) for f in facilities if f not in held] + \
                [_("department {name}").format(name=d) for d in departments
                 if d not in c.scope.departments]
            if refused:
                raise _problem(403, _("you may grant only what you hold"),
                               got=_(", ").join(refused))
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
