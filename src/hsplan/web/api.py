"""The JSON API under ``/api/v1``: thin routes over the library, one error shape.

Every route reads its arguments, calls a function of `hsplan.web.views` (which calls the
library through the project's cache) and returns its document. Files (template,
evaluation workbook, report) are written into a temporary folder and sent; nothing is
written into the project except by ``POST /api/v1/import``, and that only when the whole
workbook is valid.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from hsplan._i18n import _
from hsplan.errors import Problem, ValidationError
from hsplan.web import views
from hsplan.web.errors import problem_json
from hsplan.web.state import LAYERS, ProjectState

router = APIRouter(prefix="/api/v1")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

PlanQ = Annotated[str | None, Query(description="plan id (default: the served plan)")]
YearQ = Annotated[int | None, Query(description="year with data (default: the latest)",
                                    ge=1900, le=2100)]


def state_of(request: Request) -> ProjectState:
    """Return the request's project state (set on the request by a host app, e.g. the
    server's state scoped to the user; else the app's project)."""
    return (getattr(request.state, "project", None)  # type: ignore[no-any-return]
            or request.app.state.project)


def _json(request: Request, build: Callable[[], Any]) -> Response:
    """Return the document `build` makes as JSON, encoded once per project state and
    address (path and query): repeated requests send the cached bytes."""
    key = ("json", request.url.path, str(request.query_params))

    def encode() -> bytes:
        return json.dumps(build(), ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")

    return Response(state_of(request).cached(key, encode), media_type="application/json")


@router.get("/project", summary="The served project: name, years, plan, scenarios")
def get_project(request: Request) -> Response:
    return _json(request, lambda: views.project_doc(state_of(request)))


@router.get("/plans", summary="Built-in plans and the project's own (hsplan plans list)")
def get_plans(request: Request) -> list[dict[str, Any]]:
    return [{k: v for k, v in info.items() if k != "path"}
            for info in state_of(request).plans()]


@router.get("/plans/{plan_id}", summary="One plan as data (hsplan plans show --format json)")
def get_plan(request: Request, plan_id: str) -> dict[str, Any]:
    state = state_of(request)
    return state.plan(views.plan_arg(state, plan_id)).data  # type: ignore[no-any-return]


@router.get("/indicators", summary="The indicator catalog (hsplan indicators list)")
def get_indicators(request: Request, search: str | None = None) -> list[dict[str, Any]]:
    from hsplan._json import json_records
    from hsplan.plans.indicators import load_catalog

    frame = load_catalog().to_frame()
    if search:
        hit = frame["id"].str.contains(search, regex=False) | frame["name_zh"].str.contains(
            search, regex=False)
        frame = frame[hit]
    return json_records(frame, ["id", "name_zh", "name_en", "unit", "kind", "direction",
                                "levels"])


def _indicator(indicator_id: str) -> Any:
    from hsplan.plans.indicators import load_catalog

    catalog = load_catalog()
    if indicator_id not in catalog:
        raise views.bad("path parameter indicator_id", _("unknown indicator"),
                        expected=_("an id of /api/v1/indicators"), got=indicator_id,
                        fix=_("search the catalog: /api/v1/indicators?search=床位"),
                        status=404)
    return catalog.get(indicator_id)


@router.get("/indicators/{indicator_id}", summary="One indicator's definition")
def get_indicator(indicator_id: str) -> dict[str, Any]:
    from hsplan.plans.indicators import describe_formula

    ind = _indicator(indicator_id)
    return {"id": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit,
            "kind": ind.kind, "direction": ind.direction, "levels": list(ind.levels),
            "aliases": list(ind.aliases), "formula": describe_formula(ind),
            "definition": ind.definition, "source": ind.source}


@router.get("/indicators/{indicator_id}/values",
            summary="An indicator for every area of a level (hsplan indicators compute)")
def get_indicator_values(
    request: Request, indicator_id: str, year: YearQ = None,
    level: Literal["county", "township", "village"] = "county",
) -> dict[str, Any]:
    from hsplan._json import json_records
    from hsplan.plans.indicators import compute

    state = state_of(request)
    ind = _indicator(indicator_id)
    chosen = views.year_arg(state, year) or state.latest_year()
    if chosen is None:
        raise views.bad("project", _("the project holds no yearly data"),
                        fix=_("import a workbook on the 数据 page"))
    frame = state.cached(("compute", ind.id, chosen, level),
                         lambda: compute(state.region(), ind.id, year=chosen, level=level))
    return {"indicator": ind.id, "name_zh": ind.name_zh, "unit": ind.unit, "year": chosen,
            "level": level, "values": json_records(frame)}


@router.get("/evaluate", summary="Targets with traffic lights (hsplan evaluate --format json)")
def get_evaluate(request: Request, plan: PlanQ = None, year: YearQ = None,
                 level: Literal["county", "township"] = "county") -> Response:
    return _json(request, lambda: views.evaluation_doc(state_of(request), plan, year=year,
                                                       level=level))


@router.get("/evaluate/{target_id}",
            summary="One target: trend, target path, townships, definition")
def get_target(request: Request, target_id: str, plan: PlanQ = None,
               year: YearQ = None) -> Response:
    return _json(request, lambda: views.target_doc(state_of(request), target_id, plan,
                                                   year=year))


@router.get("/check", summary="Configuration norms (hsplan check --format json)")
def get_check(request: Request, plan: PlanQ = None, year: YearQ = None) -> Response:
    return _json(request, lambda: views.norms_doc(state_of(request), plan, year=year))


@router.get("/needs", summary="Needs by a target year (hsplan needs --format json)")
def get_needs(request: Request, plan: PlanQ = None,
              year: Annotated[int | None, Query(description="target year (default: the "
                                                "plan's end)")] = None,
              method: Literal["cohort", "growth"] = "cohort") -> Response:
    return _json(request, lambda: views.needs_doc(state_of(request), plan, year=year,
                                                  method=method))


@router.get("/access/coverage",
            summary="Service-circle coverage per village and township (hsplan access coverage)")
def get_coverage(request: Request, subtype: str | None = None, category: str | None = None,
                 minutes: Annotated[float, Query(gt=0, le=240)] = 15.0) -> Response:
    return _json(request, lambda: views.coverage_doc(state_of(request), subtype=subtype,
                                                     category=category, minutes=minutes))


@router.get("/tasks", summary="Tasks as of a date (hsplan tasks --format json)")
def get_tasks(request: Request, plan: PlanQ = None,
              as_of: Annotated[str | None, Query(description="YYYY-MM-DD (default today)")]
              = None) -> Response:
    return _json(request, lambda: views.tasks_doc(state_of(request), plan,
                                                  as_of=views.as_of_arg(as_of)))


@router.get("/institutions",
            summary="Key institutions and the 医共体 network (hsplan institutions --format json)")
def get_institutions(request: Request, plan: PlanQ = None, year: YearQ = None) -> Response:
    return _json(request, lambda: views.institutions_doc(state_of(request), plan, year=year))


@router.get("/scenarios", summary="Scenario files in PROJECT/scenarios")
def get_scenarios(request: Request) -> list[dict[str, Any]]:
    from hsplan.errors import HsplanError
    from hsplan.scenarios.scenario import load_scenario

    state = state_of(request)
    out = []
    for name in state.scenario_files():
        try:
            s = load_scenario(state.scenarios_dir / name)
            out.append({"file": name, "id": s.id, "title": s.title, "problems": 0})
        except HsplanError as exc:
            problems = exc.errors if isinstance(exc, ValidationError) else [exc]
            out.append({"file": name, "id": None, "title": None, "problems": len(problems)})
    return out


@router.get("/scenarios/{name}", summary="A scenario beside the baseline (hsplan compare)")
def get_scenario(request: Request, name: str, plan: PlanQ = None,
                 year: YearQ = None) -> Response:
    return _json(request, lambda: views.comparison_doc(state_of(request), name, plan,
                                                       year=year))


@router.get("/geo/{layer}", summary="Map layer as GeoJSON (WGS84)")
def get_layer(request: Request, layer: str, year: YearQ = None) -> Response:
    state = state_of(request)
    if layer not in LAYERS:
        raise views.bad("path parameter layer", _("unknown map layer"),
                        expected=", ".join(LAYERS), got=layer,
                        fix=_("e.g. {example}").format(example="/api/v1/geo/townships"),
                        status=404)
    return _json(request, lambda: state.layer(layer, year=views.year_arg(state, year)))


# --- files ------------------------------------------------------------------------------------


def _send(folder: Path, path: Path, media_type: str) -> FileResponse:
    return FileResponse(path, media_type=media_type, filename=path.name,
                        background=BackgroundTask(shutil.rmtree, folder, True))


@router.get("/template", summary="The data-entry workbook, 区划 prefilled (hsplan template)")
def get_template(request: Request) -> FileResponse:
    from hsplan.region.io import write_template

    folder = Path(tempfile.mkdtemp(prefix="hsplan-web-"))
    path = write_template(folder, fmt="xlsx", region=state_of(request).region())
    return _send(folder, path, XLSX)


@router.get("/evaluate.xlsx", summary="The evaluation workbook (hsplan evaluate --format xlsx)")
def get_evaluation_xlsx(request: Request, plan: PlanQ = None, year: YearQ = None,
                        level: Literal["county", "township"] = "county") -> FileResponse:
    from hsplan.evaluation.targets import evaluation_to_xlsx

    state = state_of(request)
    name = views.plan_arg(state, plan)
    results = state.evaluation(name, year=views.year_arg(state, year), level=level)
    loaded = state.plan(name)
    eval_year = int(results.attrs["year"])
    folder = Path(tempfile.mkdtemp(prefix="hsplan-web-"))
    path = evaluation_to_xlsx(results, folder / f"evaluation-{loaded.id}-{eval_year}.xlsx",
                              plan=loaded, year=eval_year)
    return _send(folder, path, XLSX)


@router.get("/report", summary="The evaluation report as .docx (hsplan report)")
def get_report(request: Request, plan: PlanQ = None, year: YearQ = None,
               kind: Literal["中期评估", "终期评估"] = "中期评估") -> FileResponse:
    from hsplan.reports.report import write_report

    state = state_of(request)
    name = views.plan_arg(state, plan)
    chosen = views.year_arg(state, year)
    loaded = state.plan(name)
    when = chosen if chosen is not None else (state.years() or [loaded.period_end])[-1]
    # one report per project state, plan, year and kind: written once into a cache folder
    cache_dir: Path = request.app.state.files_dir

    def build() -> Path:
        folder = Path(tempfile.mkdtemp(prefix="report-", dir=cache_dir))
        return write_report(state.project, loaded, folder / f"report-{loaded.id}-{when}.docx",
                            year=chosen, kind=kind)

    path = state.cached(("report", loaded.id, chosen, kind), build)
    return FileResponse(path, media_type=DOCX, filename=path.name)


# --- import ---------------------------------------------------------------------------------


_SAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def import_doc(state: ProjectState, filename: str, data: bytes, *,
               validate_only: bool) -> tuple[int, dict[str, Any]]:
    """Return (HTTP status, document) of checking — and unless `validate_only`, importing —
    an uploaded workbook: the same checks as ``hsplan import``, all problems at once,
    nothing written unless every check passes. A state over the server's database
    (`from_database`) only checks, against the region it holds."""
    from hsplan.region.io import import_tables, validate_tables

    name = _SAFE.sub("_", Path(filename or "upload.xlsx").name) or "upload.xlsx"
    if not name.lower().endswith(".xlsx"):
        problem = Problem(_("not an Excel workbook"), file=name, expected=_("a .xlsx file"),
                          got=Path(filename or "").suffix or _("(no extension)"),
                          fix=_("save the workbook as .xlsx (the template's format)"))
        return 400, {"status": 400, "imported": False, "errors": [problem_json(problem)],
                     "warnings": []}
    if len(data) > MAX_UPLOAD_BYTES:
        problem = Problem(_("file too large"), file=name,
                          expected=_("at most {n} MB").format(n=MAX_UPLOAD_BYTES // 1024 // 1024),
                          got=f"{len(data) / 1024 / 1024:.1f} MB",
                          fix=_("split the workbook by year"))
        return 413, {"status": 413, "imported": False, "errors": [problem_json(problem)],
                     "warnings": []}
    folder = Path(tempfile.mkdtemp(prefix="hsplan-upload-"))
    try:
        path = folder / name
        path.write_bytes(data)
        if validate_only or state.from_database:
            base = state.region() if state.from_database else None
            problems = validate_tables(state.project, path, base=base)
            errors = [p for p in problems if p.severity == "error"]
            status = 422 if errors else 200
            return status, {"status": status, "imported": False, "file": name,
                            "errors": [problem_json(p) for p in errors],
                            "warnings": [problem_json(p) for p in problems
                                         if p.severity != "error"]}
        try:
            with state.import_lock:
                report = import_tables(state.project, path)
        except ValidationError as exc:
            return 422, {"status": 422, "imported": False, "file": name,
                         "errors": [problem_json(p) for p in exc.errors],
                         "warnings": [problem_json(p) for p in exc.warnings]}
        state.invalidate()
        return 200, {"status": 200, "imported": True, "file": name,
                     "changes": [dataclasses.asdict(c) for c in report.changes.values()],
                     "errors": [], "warnings": [problem_json(p) for p in report.warnings]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.post("/import", summary="Check and import a workbook (hsplan import / validate)")
async def post_import(
    request: Request, file: Annotated[UploadFile, File(description="the .xlsx workbook")],
    validate_only: Annotated[bool, Form()] = False,
) -> Any:
    from fastapi.concurrency import run_in_threadpool
    from fastapi.responses import JSONResponse

    data = await file.read()
    status, doc = await run_in_threadpool(import_doc, state_of(request), file.filename or "",
                                          data, validate_only=validate_only)
    return JSONResponse(doc, status_code=status)
