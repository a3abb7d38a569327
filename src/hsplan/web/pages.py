"""The dashboard's pages: Jinja2 templates over the same documents the API returns.

Language: ``?lang=en`` or the ``lang`` cookie (set by ``/lang/{code}``) switch the page
chrome to English; Chinese is the default. Charts and maps are drawn in the browser from
``/api/v1``; tables and tiles are rendered here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from hsplan.errors import HsplanError
from hsplan.web import views
from hsplan.web.api import import_doc
from hsplan.web.errors import page_problems
from hsplan.web.i18n import DEFAULT_LANG, LANGS, STATUS_EN, text

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)

NAV = ("overview", "map", "norms", "institutions", "tasks", "scenarios", "data")
NAV_PATH = {"overview": "/", "map": "/map", "norms": "/norms", "institutions": "/institutions",
            "tasks": "/tasks", "scenarios": "/scenarios", "data": "/data"}


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get("lang") or DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def _fmt(value: Any, digits: int = 2) -> str:
    """A number for the page: — for missing, thousands separators, fixed decimals."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:
            return "—"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.{digits}f}"
    return str(value)


def _target_text(row: dict[str, Any]) -> str:
    op = row.get("op")
    if op == "text":
        return str(row.get("target_text") or "—")
    if op == "range":
        return f"{_fmt(row.get('target_low'))}–{_fmt(row.get('target_high'))}"
    words = {">=": "≥", "<=": "≤", "approx": "≈", "up": "↑", "down": "↓", "keep": "保持",
             "=": "="}
    if row.get("target") is None:
        return {"up": "上升", "down": "下降", "keep": "保持"}.get(str(op), str(op))
    return f"{words.get(str(op), str(op))} {_fmt(row.get('target'))}"


def state_of(request: Request) -> Any:
    """Return the project state the request reads: the one a host app set on the request
    (the server's, scoped to the logged-in user), else the app's own project."""
    return getattr(request.state, "project", None) or request.app.state.project


def chrome(request: Request, page: str) -> dict[str, Any]:
    """Return the context every page shares: project, language, words, navigation (a host
    app may set ``request.state.nav``, ``nav_path``, ``user`` and ``csrf``)."""
    state = state_of(request)
    lang = lang_of(request)

    def status_word(status: str, zh: str | None = None) -> str:
        return STATUS_EN.get(status, status) if lang == "en" else (zh or status)

    return {"request": request, "page": page, "lang": lang, "t": text(lang),
            "nav": getattr(request.state, "nav", NAV),
            "nav_path": getattr(request.state, "nav_path", NAV_PATH),
            "user": getattr(request.state, "user", None),
            "csrf": getattr(request.state, "csrf", None),
            "project_name": state.project.name,
            "synthetic": state.synthetic(), "from_database": state.from_database,
            "fmt": _fmt, "target_text": _target_text,
            "status_word": status_word, "other_lang": "en" if lang == "zh" else "zh"}


def render(request: Request, name: str, page: str, context: dict[str, Any],
           status_code: int = 200, *, with_templates: Jinja2Templates | None = None
           ) -> HTMLResponse:
    """Render template `name` with the chrome (project, language, navigation)."""
    lang = lang_of(request)
    base = chrome(request, page)
    base.update(context)
    response = (with_templates or templates).TemplateResponse(request, name, base,
                                                              status_code=status_code)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie("lang", lang, samesite="lax")
    return response


def error_page(request: Request, page: str, exc: HsplanError) -> HTMLResponse:
    problems = page_problems(exc, request.url.path)
    return render(request, "error.html", page, {"problems": problems}, status_code=400)


@router.get("/lang/{code}")
def set_lang(request: Request, code: str, next: str = "/") -> Response:
    target = next if urlparse(next).netloc == "" and next.startswith("/") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie("lang", code if code in LANGS else DEFAULT_LANG, samesite="lax")
    return response


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, category: str | None = None, nature: str | None = None,
             plan: str | None = None) -> HTMLResponse:
    try:
        doc = views.evaluation_doc(state_of(request), plan)
    except HsplanError as exc:
        return error_page(request, "overview", exc)
    return render(request, "overview.html", "overview", _overview_context(doc, category, nature))


@router.get("/partials/tiles", response_class=HTMLResponse)
def tiles(request: Request, category: str | None = None, nature: str | None = None,
          plan: str | None = None) -> HTMLResponse:
    doc = views.evaluation_doc(state_of(request), plan)
    return render(request, "_tiles.html", "overview", _overview_context(doc, category, nature))


def _overview_context(doc: dict[str, Any], category: str | None,
                      nature: str | None) -> dict[str, Any]:
    rows = [r for r in doc["results"]
            if (not category or r["category"] == category)
            and (not nature or r["nature"] == nature)]
    return {"doc": doc, "rows": rows, "category": category or "", "nature": nature or ""}


@router.get("/indicator/{target_id}", response_class=HTMLResponse)
def indicator(request: Request, target_id: str, plan: str | None = None) -> HTMLResponse:
    try:
        doc = views.target_doc(state_of(request), target_id, plan)
    except HsplanError as exc:
        return error_page(request, "overview", exc)
    return render(request, "indicator.html", "overview", {"doc": doc, "row": doc["result"]})


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, plan: str | None = None) -> HTMLResponse:
    state = state_of(request)
    try:
        doc = views.evaluation_doc(state, plan, level="township")
    except HsplanError as exc:
        return error_page(request, "map", exc)
    seen: dict[str, dict[str, Any]] = {}
    for r in doc["results"]:
        if r["indicator"] and r["area_code"] != state.project.county_code:
            seen.setdefault(r["indicator"], {"indicator": r["indicator"], "name": r["name"],
                                             "unit": r["unit"]})
    return render(request, "map.html", "map", {"indicators": list(seen.values()),
                                               "plan": doc["plan"]})


@router.get("/norms", response_class=HTMLResponse)
def norms_page(request: Request, plan: str | None = None) -> HTMLResponse:
    try:
        doc = views.norms_doc(state_of(request), plan)
    except HsplanError as exc:
        return error_page(request, "norms", exc)
    from hsplan.evaluation.norms import RULE_ZH

    # the rule in words (设置, 按人口配置 …) on the Chinese page, as hsplan check says it
    return render(request, "norms.html", "norms", {"doc": doc, "rule_zh": RULE_ZH})


@router.get("/institutions", response_class=HTMLResponse)
def institutions_page(request: Request, plan: str | None = None) -> HTMLResponse:
    try:
        doc = views.institutions_doc(state_of(request), plan)
    except HsplanError as exc:
        return error_page(request, "institutions", exc)
    return render(request, "institutions.html", "institutions", {"doc": doc})


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(request: Request, as_of: str | None = None,
               plan: str | None = None) -> HTMLResponse:
    try:
        doc = views.tasks_doc(state_of(request), plan, as_of=views.as_of_arg(as_of))
    except HsplanError as exc:
        return error_page(request, "tasks", exc)
    return render(request, "tasks.html", "tasks", {"doc": doc})


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, scenario: str | None = None,
                   plan: str | None = None) -> HTMLResponse:
    state = state_of(request)
    files = state.scenario_files()
    chosen = scenario or (files[0] if files else None)
    doc = None
    if chosen is not None:
        try:
            doc = views.comparison_doc(state, chosen, plan)
        except HsplanError as exc:
            return error_page(request, "scenarios", exc)
    from hsplan.evaluation.targets import STATUS_ZH

    return render(request, "scenarios.html", "scenarios",
                  {"files": files, "chosen": chosen, "doc": doc, "target_status_zh": STATUS_ZH})


@router.get("/data", response_class=HTMLResponse)
def data_page(request: Request) -> HTMLResponse:
    state = state_of(request)
    return render(request, "data.html", "data", {"years": state.years(),
                                                 "plan": state.plan().id})


@router.post("/partials/import", response_class=HTMLResponse)
async def import_partial(
    request: Request, file: Annotated[UploadFile, File()],
    validate_only: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    data = await file.read()
    status, doc = await run_in_threadpool(import_doc, state_of(request),
                                          file.filename or "", data,
                                          validate_only=validate_only)
    # htmx swaps only 2xx answers by default: the problems are the page's answer here
    return render(request, "_import.html", "data", {"doc": doc, "http_status": status})


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, lang: Annotated[str | None, Query()] = None) -> HTMLResponse:
    schema = request.app.openapi()
    rows = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = [p["name"] for p in op.get("parameters", [])]
            rows.append({"method": method.upper(), "path": path,
                         "summary": op.get("summary", ""), "params": ", ".join(params)})
    return render(request, "docs.html", "", {"rows": rows})
