"""The dashboard's pages served from the database, each scoped to the logged-in user.

`hsplan serve --db` shows the same pages as `hsplan serve PROJECT` — 总览, 指标, 地图, 配置标准,
重点机构, 任务, 情景, 数据 (the `hsplan.web` routes, templates and documents) — over the region
*as the user may see it*:
every table is read with the user's scope in its WHERE (`hsplan.server.scope`), so a
township planner's overview is computed from its township's rows only. Two differ from the
single project's: 情景 lists no scenario (the database holds no scenario file, and the page
says so), and 数据 only checks an upload against the user's region (the database is written
through 填报 and 审核, or ``hsplan db import``); its downloads are the user's. Beside them, the
server's own pages: 登录 (login), 填报 (a facility reporter's yearly form, a department's
task progress), 审核 (a planner's review queue) and 报送情况 (reporting periods, deadlines and
who has not reported).

Computed results are cached per (scope, data version): `DbState` is the web dashboard's
`ProjectState` over a scoped region read from PostgreSQL, kept in a small LRU; the data
version is a token every region write changes (`db.bump_data_version`), so an accepted
submission shows on the next page load. Forms carry the session's CSRF token in a hidden
``csrf`` field (checked on every POST); the login form uses a double-submit cookie.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pandas as pd
import sqlalchemy as sa
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from starlette.datastructures import UploadFile

from hsplan._i18n import _
from hsplan.errors import Problem, ValidationError
from hsplan.plans.plan import Plan, list_plans, load_plan
from hsplan.region import schema
from hsplan.region.model import Region
from hsplan.server import auth, db, reporting
from hsplan.server.records import (
    COOKIE,
    SUBMITTED_TABLES,
    Ctx,
    _read_limited,
    _scope_clause,
    _workbook_payload,
    open_ctx,
    review_submission,
    submit_facility,
)
from hsplan.server.scope import DEPARTMENT, REPORTER, Scope, session_scope
from hsplan.web import api as web_api
from hsplan.web import i18n as web_i18n
from hsplan.web import pages as web_pages
from hsplan.web.errors import ApiError, error_body, problem_json
from hsplan.web.state import ProjectState

HERE = Path(__file__).parent
WEB = Path(web_pages.__file__).parent
templates = Jinja2Templates(directory=[str(HERE / "templates"), str(WEB / "templates")])
LOGIN_COOKIE = "hsplan_login"
STATE_CACHE_SIZE = 16
NAV_PATH = {**web_pages.NAV_PATH, "entry": "/entry", "review": "/review",
            "reporting": "/reporting"}
READER_PAGES = web_pages.NAV


def nav_of(scope: Scope) -> tuple[str, ...]:
    """Return the pages a role sees in the navigation."""
    if scope.role in ("管理员", "规划人员"):
        return (*READER_PAGES, "review", "reporting")
    if scope.role == "领导":
        return READER_PAGES
    return ("entry",)


# --- the dashboard's state over a scoped region ---------------------------------------------

class DbProject:
    """What the dashboard asks of a project, answered from the database: the name, the
    county, and a loader of the user's scoped region (no roads: straight-line access)."""

    def __init__(self, meta: dict[str, Any], load: Callable[[], Region], root: Path, *,
                 load_outside: Callable[[], pd.DataFrame]) -> None:
        self.name = str(meta.get("name") or "hsplan")
        self.county_code = str(meta.get("county_code") or "") or None
        self.synthetic = bool(meta.get("synthetic"))
        self.coordinate_system = "WGS84"  # of an upload's coordinates (the template's)
        self.root = root
        self.plans_dir = root / "plans"
        self.store_path = root / "region.gpkg"
        self.config_path = root / "hsplan.toml"
        self._load = load
        self.load_outside = load_outside

    def load(self) -> Region:
        return self._load()

    def road_source(self) -> tuple[str, Path | None]:
        return "none", None


class DbState(ProjectState):
    """The dashboard's `ProjectState` over one user's scoped region at one data version
    (immutable: a new version makes a new state)."""

    from_database = True

    def __init__(self, project: DbProject, plan_id: str) -> None:
        self.project = project  # type: ignore[assignment]
        self._load_outside = project.load_outside
        self._lock = threading.RLock()
        self._key_locks = {}
        self._cache = {}
        self._cache_state = None
        self.plan_id = plan_id
        self.computed = 0
        self.import_lock = threading.Lock()

    def state_key(self) -> tuple[Any, ...]:
        return ("db",)

    def synthetic(self) -> bool:
        return bool(self.project.synthetic)

    def facilities_outside(self) -> pd.DataFrame:
        return self.cached("facilities_outside", self._load_outside)

    def plans(self) -> list[dict[str, Any]]:
        return self.cached("plans", lambda: [i.to_dict() for i in list_plans(None)])

    def plan(self, plan: str | None = None) -> Plan:
        name = plan or self.plan_id
        return self.cached(("plan", name), lambda: load_plan(name))

    def scenario_files(self) -> list[str]:
        return []

    def scenario_path(self, name: str) -> Path:
        """Refuse every scenario: the database holds no scenario file."""
        raise ValidationError([Problem(
            _("scenario"), file=name, expected=_("a scenario file (the server holds none)"),
            got=name, fix=_("compare the scenario with `hsplan compare` in the project "
                            "folder, or open it with `hsplan serve PROJECT`"))],
            context=_("scenario"))


def scoped_region(engine: Engine, scope: Scope) -> Region:
    """Return the region as `scope` may see it: every table read with the scope's WHERE,
    in one repeatable-read transaction."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
            conn.begin():
        tables = {name: db.read_table(conn, name, where=_scope_clause(scope, name))
                  for name in schema.TABLES}
        meta = {str(r.key): r.value for r in conn.execute(sa.select(db.meta_table))}
    return Region(**tables, meta=meta)  # type: ignore[arg-type]


def facilities_outside(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Return the facilities of the database that `scope` does not see."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
            conn.begin():
        every = db.read_table(conn, "facilities")
        seen = db.read_table(conn, "facilities", where=_scope_clause(scope, "facilities"))
    return every[~every["id"].isin(seen["id"])]


class StateCache:
    """The `DbState` of each (scope, data version), the least recently used dropped."""

    def __init__(self, engine: Engine, plan_id: str) -> None:
        self.engine = engine
        self.plan_id = plan_id
        self.root = Path(tempfile.mkdtemp(prefix="hsplan-server-pages-"))
        self._states: OrderedDict[tuple[Any, ...], DbState] = OrderedDict()
        self._lock = threading.Lock()
        self._meta: tuple[str, dict[str, Any]] | None = None

    def get(self, scope: Scope, version: str) -> DbState:
        readable = scope.can_read_region
        key = (readable, scope.areas if readable else (), scope.facilities, version)
        with self._lock:
            state = self._states.get(key)
            if state is not None:
                self._states.move_to_end(key)
                return state
            if self._meta is None or self._meta[0] != version:
                with self.engine.connect() as conn:
                    meta = {str(r.key): r.value
                            for r in conn.execute(sa.select(db.meta_table))}
                self._meta = (version, meta)
            project = DbProject(self._meta[1], lambda: scoped_region(self.engine, scope),
                                self.root,
                                load_outside=lambda: facilities_outside(self.engine, scope))
            state = DbState(project, self.plan_id)
            self._states[key] = state
            while len(self._states) > STATE_CACHE_SIZE:
                self._states.popitem(last=False)
            return state


# --- requests -------------------------------------------------------------------------------

class LoginRequired(Exception):
    """The request has no live session."""


class NoScope(Exception):
    """The user holds nothing this page shows."""


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _local(path: str | None) -> str:
    """Return `path` when it is a path of this site, else ``/`` (no open redirects)."""
    if not path or not path.startswith("/") or path.startswith("//") \
            or urlparse(path).netloc:
        return "/"
    return path


def install_pages(app: FastAPI, engine: Engine, plan_id: str,
                  plan_of: Callable[[], Plan]) -> None:
    """Add the pages (and the dashboard API the pages' charts call, under ``/api/v1``) to
    the server app, scoped to the logged-in user."""
    cache = StateCache(engine, plan_id)
    app.state.page_states = cache

    def who(request: Request) -> Scope:
        """Set the request's state, navigation, user and CSRF token; return the scope."""
        with engine.connect() as conn:
            found = session_scope(conn, request.cookies.get(COOKIE))
        if found is None:
            raise LoginRequired()
        session, scope, version = found
        request.state.project = cache.get(scope, version)
        request.state.nav = nav_of(scope)
        request.state.nav_path = NAV_PATH
        request.state.user = f"{scope.user_name}（{scope.role}）"
        request.state.csrf = session.csrf
        request.state.scope = scope
        return scope

    def reader(request: Request) -> Scope:
        scope = who(request)
        if not scope.can_read_region:
            raise NoScope()
        if not scope.areas and not scope.facilities:
            raise NoScope()
        return scope

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(error_body(401, [Problem(
                _("not logged in"), file=request.url.path,
                fix=_("log in at {address}").format(address="/login"))]),
                status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(NoScope)
    async def _no_scope(request: Request, exc: NoScope) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse(error_body(403, [Problem(
                _("your account holds no area to read"), file=request.url.path,
                fix=_("ask an administrator to grant one"))]), status_code=403)
        scope: Scope | None = getattr(request.state, "scope", None)
        if scope is not None and scope.role in (DEPARTMENT, REPORTER):
            return RedirectResponse("/entry", status_code=303)
        return page(request, "noscope.html", "", {}, status_code=403)

    # the dashboard's pages and the API their charts call, reused from hsplan.web
    router = APIRouter(dependencies=[Depends(reader)], include_in_schema=False)
    pages: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("/", web_pages.overview), ("/partials/tiles", web_pages.tiles),
        ("/indicator/{target_id}", web_pages.indicator), ("/map", web_pages.map_page),
        ("/norms", web_pages.norms_page), ("/institutions", web_pages.institutions_page),
        ("/tasks", web_pages.tasks_page), ("/scenarios", web_pages.scenarios_page),
        ("/data", web_pages.data_page))
    for path, endpoint in pages:
        router.add_api_route(path, endpoint, methods=["GET"], response_class=HTMLResponse)
    apis: tuple[tuple[str, Callable[..., Any]], ...] = (
        ("/api/v1/project", web_api.get_project), ("/api/v1/evaluate", web_api.get_evaluate),
        ("/api/v1/evaluate/{target_id}", web_api.get_target),
        ("/api/v1/check", web_api.get_check), ("/api/v1/tasks", web_api.get_tasks),
        ("/api/v1/access/coverage", web_api.get_coverage),
        ("/api/v1/geo/{layer}", web_api.get_layer),
        ("/api/v1/indicators/{indicator_id}/values", web_api.get_indicator_values),
        ("/api/v1/institutions", web_api.get_institutions),
        ("/api/v1/scenarios", web_api.get_scenarios),
        ("/api/v1/scenarios/{name}", web_api.get_scenario),
        ("/api/v1/template", web_api.get_template),
        ("/api/v1/evaluate.xlsx", web_api.get_evaluation_xlsx),
        ("/api/v1/report", web_api.get_report))
    for path, endpoint in apis:
        router.add_api_route(path, endpoint, methods=["GET"])

    @router.post("/partials/import", response_class=HTMLResponse)
    async def import_partial(request: Request) -> Response:
        """The 数据 page's upload: checked (never written) against the user's region, when
        the form's CSRF token is the session's."""
        form = await request.form()
        upload = form.get("file")
        if not _same(str(form.get("csrf", "")), request.state.csrf):
            return page(request, "_import.html", "data", {"http_status": 403, "doc": {
                "imported": False, "warnings": [], "errors": [problem_json(Problem(
                    _("CSRF token missing or wrong"),
                    file=_("form field {name}").format(name="csrf"),
                    fix=_("reload the page and send the form again")))]}})
        name = upload.filename or "" if isinstance(upload, UploadFile) else ""
        data = await upload.read() if isinstance(upload, UploadFile) else b""
        status, doc = await run_in_threadpool(web_api.import_doc, request.state.project,
                                              name, data, validate_only=True)
        return page(request, "_import.html", "data", {"doc": doc, "http_status": status})

    app.include_router(router)
    app.state.files_dir = cache.root  # the reports the 数据 page's download writes
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")

    @app.get("/lang/{code}", include_in_schema=False)
    def set_lang(request: Request, code: str, next: str = "/") -> Response:
        return web_pages.set_lang(request, code, _local(next))

    # --- login ------------------------------------------------------------------------

    def login_page(request: Request, *, next_path: str = "/", problems: Any = None,
                   status_code: int = 200) -> Response:
        token = secrets.token_urlsafe(24)
        response = templates.TemplateResponse(request, "login.html", {
            **_bare_chrome(request), "next": _local(next_path), "login_csrf": token,
            "problems": problems or []}, status_code=status_code)
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/login")
        return response

    @app.get("/login", include_in_schema=False)
    def get_login(request: Request, next: str = "/") -> Response:
        return login_page(request, next_path=next)

    @app.post("/login", include_in_schema=False)
    async def post_login(request: Request) -> Response:
        form = await _form(request)
        sent, kept = form.get("login_csrf", ""), request.cookies.get(LOGIN_COOKIE, "")
        next_path = _local(form.get("next"))
        if not sent or not kept or not _same(sent, kept):
            return login_page(request, next_path=next_path, status_code=403, problems=[
                {"text": _("the login form has expired or came from elsewhere: open the login "
                           "page again and log in")}])
        ip = request.client.host if request.client else "?"

        def attempt() -> tuple[str, auth.Session] | None:
            with engine.begin() as conn:
                return auth.login(conn, form.get("name", ""), form.get("password", ""), ip,
                                  old_token=request.cookies.get(COOKIE))
        try:
            done = await run_in_threadpool(attempt)
        except auth.RateLimited:
            return login_page(request, next_path=next_path, status_code=429, problems=[
                {"text": _("too many failed logins: try again in a minute")}])
        if done is None:
            return login_page(request, next_path=next_path, status_code=401, problems=[
                {"text": _("wrong user name or password: check both and try again (after {n} "
                           "failures in a minute, logins pause for a minute)").format(
                               n=auth.MAX_FAILURES)}])
        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(COOKIE, done[0], httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/",
                            max_age=auth.SESSION_HOURS * 3600)
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    @app.post("/logout", include_in_schema=False)
    async def post_logout(request: Request) -> Response:
        form = await _form(request)

        def end() -> None:
            with engine.begin() as conn:
                session = auth.session_of(conn, request.cookies.get(COOKIE))
                if session is not None and _same(form.get("csrf", ""), session.csrf):
                    auth.logout(conn, request.cookies.get(COOKIE))
        await run_in_threadpool(end)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # --- forms ------------------------------------------------------------------------

    def posted(request: Request, form: dict[str, str], action: Callable[[Ctx], Any]) -> Any:
        """Run `action` in the request's transaction when the form's CSRF token is the
        session's; ApiError (403) otherwise."""
        with open_ctx(engine, request) as c:
            session = auth.session_of(c.conn, request.cookies.get(COOKIE))
            if session is None or not _same(form.get("csrf", ""), session.csrf):
                raise ApiError(403, [Problem(
                    _("CSRF token missing or wrong"),
                    file=_("form field {name}").format(name="csrf"),
                    fix=_("reload the page and send the form again"))])
            return action(c)

    async def handle(request: Request, action: Callable[[Ctx, dict[str, str]], Any],
                     again: Callable[..., Response], done_to: str) -> Response:
        form = await _form(request)
        await run_in_threadpool(who, request)
        try:
            await run_in_threadpool(posted, request, form, lambda c: action(c, form))
        except ApiError as exc:
            return await shown_again(request, exc, again, form)
        return RedirectResponse(f"{done_to}?saved=1", status_code=303)

    async def shown_again(request: Request, exc: ApiError, again: Callable[..., Response],
                          form: dict[str, str]) -> Response:
        """Return the form's page again with every problem of `exc`, each naming its field
        as the form labels it."""
        labels = _form_labels(web_pages.lang_of(request))
        problems = [problem_json(replace(p, column=labels.get(p.column or "", p.column)))
                    for p in exc.problems]
        return await run_in_threadpool(lambda: again(
            request, problems=problems, status_code=exc.status, form=form))

    # --- 填报: facility yearly form, department task progress -------------------------

    def entry_page(request: Request, *, problems: Any = None, status_code: int = 200,
                   form: dict[str, str] | None = None) -> Response:
        scope = who(request)
        today = dt.date.today()
        with engine.connect() as conn:
            fac = db.REGION_TABLES["facilities"]
            facilities = [{"id": r.id, "name": r.name} for r in conn.execute(
                sa.select(fac.c.id, fac.c.name).where(fac.c.id.in_(scope.facilities))
                .order_by(fac.c.id))]
            sub = db.submissions
            mine = [dict(r._mapping) for r in conn.execute(
                sa.select(sub).where(sub.c.facility_id.in_(scope.facilities))
                .order_by(sub.c.id.desc()).limit(50))]
            progress = db.read_table(conn, "progress") if scope.departments else None
            tr = db.task_reports
            reports = [dict(r._mapping) for r in conn.execute(
                sa.select(tr).where(tr.c.department.in_(scope.departments))
                .order_by(tr.c.id.desc()).limit(50))]
        tasks = reporting.my_tasks(plan_of(), scope, progress, today=today) \
            if progress is not None else []
        fields = {name: [c for c in schema.TABLES[name].columns
                         if c.id not in schema.TABLES[name].key]
                  for name in SUBMITTED_TABLES}
        return page(request, "entry.html", "entry", {
            "facilities": facilities, "submissions": mine, "tasks": tasks,
            "reports": reports, "fields": fields, "tables": schema.TABLES,
            "task_statuses": db.TASK_STATUSES, "today": today.isoformat(),
            "year": today.year - 1, "problems": problems or [], "form": form or {},
            "saved": request.query_params.get("saved") == "1"}, status_code=status_code)

    @app.get("/entry", include_in_schema=False)
    def get_entry(request: Request) -> Response:
        return entry_page(request)

    def facility_payload(form: dict[str, str]) -> dict[str, Any]:
        year = form.get("year", "")
        payload: dict[str, Any] = {"facility_id": form.get("facility_id", ""),
                                   "year": int(year) if year.isdigit() else year}
        for name in SUBMITTED_TABLES:
            values = {k.split(".", 1)[1]: v.strip() for k, v in form.items()
                      if k.startswith(f"{name}.") and v.strip()}
            if values:
                payload[name] = values
        return payload

    @app.post("/entry/facility", include_in_schema=False)
    async def post_facility(request: Request) -> Response:
        return await handle(request, lambda c, f: submit_facility(c, facility_payload(f)),
                            entry_page, "/entry")

    @app.post("/entry/facility-xlsx", include_in_schema=False)
    async def post_facility_workbook(request: Request) -> Response:
        """The facility's yearly form as the template's workbook (its 资源 and 服务量
        sheets): read and checked like the API's upload, then stored as a submission."""
        await _read_limited(request)
        form = await _form(request)
        await run_in_threadpool(who, request)
        try:  # the form's CSRF token before the workbook is even opened
            await run_in_threadpool(posted, request, form, lambda c: None)
            payload = await _workbook_payload(request)
        except ApiError as exc:
            return await shown_again(request, exc, entry_page, form)
        return await handle(request, lambda c, f: submit_facility(c, payload), entry_page,
                            "/entry")

    def task_payload(form: dict[str, str]) -> dict[str, Any]:
        payload: dict[str, Any] = {k: form[k].strip() for k in
                                   ("task_id", "date", "status", "percent", "milestone",
                                    "note") if form.get(k, "").strip()}
        return payload

    @app.post("/entry/task", include_in_schema=False)
    async def post_task(request: Request) -> Response:
        return await handle(request, lambda c, f: reporting.submit_task_report(
            c, plan_of(), task_payload(f), today=dt.date.today()), entry_page, "/entry")

    # --- 审核: the planner's review queue ----------------------------------------------

    def review_page(request: Request, *, problems: Any = None, status_code: int = 200,
                    form: dict[str, str] | None = None) -> Response:
        scope = who(request)
        if not scope.can_write:
            raise NoScope()
        with open_ctx(engine, request) as c:
            fac = db.REGION_TABLES["facilities"]
            sub = db.submissions
            rows = c.conn.execute(
                sa.select(sub, fac.c.name.label("facility_name"))
                .join(fac, fac.c.id == sub.c.facility_id)
                .where(sub.c.status == "已提交",
                       scope.facility_clause(fac.c.id, fac.c.area_code))
                .order_by(sub.c.id)).all()
            submissions = [dict(r._mapping) for r in rows]
            reports = reporting.list_task_reports(c, status="已提交")
        titles = {t.id: t.title for t in plan_of().tasks}
        labels = {name: {c.id: c.zh + (f"（{c.unit}）" if c.unit else "")
                         for c in schema.TABLES[name].columns}
                  for name in SUBMITTED_TABLES}
        return page(request, "review.html", "review", {
            "submissions": submissions, "reports": reports, "titles": titles,
            "labels": labels, "problems": problems or [],
            "saved": request.query_params.get("saved") == "1"}, status_code=status_code)

    @app.get("/review", include_in_schema=False)
    def get_review(request: Request) -> Response:
        return review_page(request)

    def review_body(form: dict[str, str]) -> dict[str, Any]:
        version = form.get("version", "")
        return {"version": int(version) if version.isdigit() else None,
                "comment": form.get("comment", "").strip() or None}

    @app.post("/review/submission/{sub_id}", include_in_schema=False)
    async def post_review_submission(request: Request, sub_id: int) -> Response:
        return await handle(request, lambda c, f: review_submission(
            c, sub_id, review_body(f), f.get("action") == "accept"), review_page, "/review")

    @app.post("/review/task/{report_id}", include_in_schema=False)
    async def post_review_task(request: Request, report_id: int) -> Response:
        return await handle(request, lambda c, f: reporting.review_task_report(
            c, plan_of(), report_id, review_body(f), f.get("action") == "accept"),
            review_page, "/review")

    # --- 报送情况: periods, deadlines, who has not reported ------------------------------

    def reporting_page(request: Request, *, problems: Any = None, status_code: int = 200,
                       form: dict[str, str] | None = None) -> Response:
        scope = who(request)
        if not scope.can_write:
            raise NoScope()
        chosen = request.query_params.get("period", "")
        with open_ctx(engine, request) as c:
            p = db.reporting_periods
            periods = [dict(r._mapping) for r in c.conn.execute(
                sa.select(p).order_by(p.c.due.desc(), p.c.id))]
            doc = None
            if chosen.isdigit():
                doc = reporting.reporting_status(c.conn, scope, plan_of(), int(chosen),
                                                 today=dt.date.today())
            elif periods:
                doc = reporting.reporting_status(c.conn, scope, plan_of(), periods[0]["id"],
                                                 today=dt.date.today())
        return page(request, "reporting.html", "reporting", {
            "periods": periods, "doc": doc, "problems": problems or [], "form": form or {},
            "saved": request.query_params.get("saved") == "1"}, status_code=status_code)

    @app.get("/reporting", include_in_schema=False)
    def get_reporting(request: Request) -> Response:
        return reporting_page(request)

    @app.post("/reporting/periods", include_in_schema=False)
    async def post_period(request: Request) -> Response:
        def action(c: Ctx, f: dict[str, str]) -> Any:
            body: dict[str, Any] = {k: f[k].strip() for k in
                                    ("kind", "label", "year", "starts", "due") if f.get(k)}
            return reporting.add_period(c, body)
        return await handle(request, action, reporting_page, "/reporting")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _bare_chrome(request: Request) -> dict[str, Any]:
    """The chrome of a page shown before login (no project, no navigation)."""
    lang = web_pages.lang_of(request)
    from hsplan.web.i18n import text

    return {"request": request, "page": "login", "lang": lang, "t": text(lang), "nav": (),
            "nav_path": {}, "user": None, "csrf": None, "project_name": "",
            "synthetic": False, "other_lang": "en" if lang == "zh" else "zh"}


def _form_labels(lang: str) -> dict[str, str]:
    """Return the label a form shows for each field id, so a problem names the field as the
    page does ("列 实有床位", not the column id "列 beds")."""
    t = web_i18n.text(lang)
    labels = {c.id: c.zh for name in SUBMITTED_TABLES for c in schema.TABLES[name].columns}
    labels.update({"task_id": t["task"], "date": t["date"], "status": t["progress_status"],
                   "percent": t["percent"], "milestone": t["milestone"], "note": t["note"],
                   "facility_id": t["facility"], "year": t["year"]})
    return labels


def page(request: Request, name: str, page_id: str, context: dict[str, Any], *,
         status_code: int = 200) -> Response:
    """Render a server template with the dashboard's chrome and the pages' CSP."""
    return web_pages.render(request, name, page_id, context, status_code,
                            with_templates=templates)
