"""The one JSON shape of every API error, and the handlers that produce it.

Every error response is::

    {"status": 400, "errors": [{"where": "query parameter year", "what": "unknown year",
                                "expected": "one of 2019, 2020, …", "got": "1999",
                                "fix": "…", "severity": "error"}, …]}

`where` names the place (query parameter, uploaded file's sheet/row/column, the path),
`what` the problem, `expected` and `got` what was wanted and what came (None when they do
not apply), `fix` what to do. A request never gets a traceback.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hsplan._i18n import N_, _
from hsplan.errors import DataSourceError, HsplanError, Problem, ValidationError

log = logging.getLogger("hsplan.web")


class ApiError(HsplanError):
    """An API error with its HTTP status and the problems to report."""

    def __init__(self, status: int, problems: list[Problem]) -> None:
        self.status = status
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def problem_json(p: Problem) -> dict[str, Any]:
    """Return one problem in the API's error shape (where, what, expected, got, fix)."""
    return {"where": p.where() or None, "what": p.message, "expected": p.expected,
            "got": p.got, "fix": p.fix, "severity": p.severity, "text": str(p),
            "sheet": p.sheet, "row": p.row, "column": p.column}


def error_body(status: int, problems: list[Problem]) -> dict[str, Any]:
    return {"status": status, "errors": [problem_json(p) for p in problems]}


def _split_fix(text: str) -> tuple[str, str | None]:
    what, sep, fix = text.partition(" Fix: ")
    return what.strip(), (fix.strip() or None) if sep else None


def problems_of(exc: HsplanError, where: str) -> list[Problem]:
    """Return the problems an hsplan error carries (one for a plain error, at `where`)."""
    if isinstance(exc, ApiError):
        return exc.problems
    if isinstance(exc, ValidationError):
        return exc.problems
    what, fix = _split_fix(str(exc))
    return [Problem(what, file=where, fix=fix)]


_PLACES = (("query parameter ", N_("query parameter {name}")),
           ("path parameter ", N_("path parameter {name}")),
           ("form field ", N_("form field {name}")))


def page_problems(exc: HsplanError, where: str) -> list[Problem]:
    """Return the problems of `exc` for a page: the API's places ("query parameter year",
    kept in English in the JSON for programs) said in the reader's language."""
    out = []
    for p in problems_of(exc, where):
        place = p.file or ""
        for prefix, message in _PLACES:
            if place.startswith(prefix):
                place = _(message).format(name=place.removeprefix(prefix))
                break
        out.append(replace(p, file=place or None))
    return out


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of `app` answer in the one JSON shape (HTML pages render their own)."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.status, exc.problems), status_code=exc.status)

    @app.exception_handler(HsplanError)
    async def _hsplan(request: Request, exc: HsplanError) -> JSONResponse:
        status = 404 if isinstance(exc, DataSourceError) else 400
        if isinstance(exc, ValidationError):
            status = 422
        where = request.url.path
        return JSONResponse(error_body(status, problems_of(exc, where)), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ())]
            kind = {"query": "query parameter", "path": "path parameter",
                    "body": "form field"}.get(loc[0] if loc else "", "parameter")
            name = loc[-1] if len(loc) > 1 else (loc[0] if loc else "?")
            ctx = err.get("ctx") or {}
            expected = ctx.get("expected") or _expected_of(str(err.get("type", "")), ctx)
            got = err.get("input")
            problems.append(Problem(
                f"{err.get('msg', 'invalid value')!s}", file=f"{kind} {name}",
                expected=str(expected) if expected else None,
                got=None if got is None or isinstance(got, dict) else str(got),
                fix=_("give {name} as documented at /docs").format(name=name)))
        return JSONResponse(error_body(422, problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        what = _("not found") if exc.status_code == 404 else str(exc.detail)
        fix = (_("see /docs for the API's addresses, or / for the dashboard")
               if exc.status_code == 404 else None)
        problem = Problem(what, file=request.url.path, got=request.url.path
                          if exc.status_code == 404 else None, fix=fix)
        return JSONResponse(error_body(exc.status_code, [problem]),
                            status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        problem = Problem(_("internal error ({kind})").format(kind=type(exc).__name__),
                          file=request.url.path,
                          fix=_("report this with the request address; the server log has "
                                "the details"))
        return JSONResponse(error_body(500, [problem]), status_code=500)


def _expected_of(kind: str, ctx: dict[str, Any]) -> str | None:
    words = {"int_parsing": "a whole number", "float_parsing": "a number",
             "bool_parsing": "true or false", "missing": "a value",
             "date_from_datetime_parsing": "a date YYYY-MM-DD",
             "date_parsing": "a date YYYY-MM-DD"}
    if kind in words:
        return words[kind]
    if "ge" in ctx:
        return f"≥ {ctx['ge']}"
    if "le" in ctx:
        return f"≤ {ctx['le']}"
    if "gt" in ctx:
        return f"> {ctx['gt']}"
    return None
