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

from hsplan._i18n import N_, _, language
from hsplan.errors import DataSourceError, HsplanError, InputFileError, Problem, ValidationError

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
    """Return (what, fix) of an error's text: "X. Fix: Y." in English, "X。处理办法：Y。" in
    Chinese (the marker as the catalog says it); the end stop of X goes (Problem adds it)."""
    for marker in dict.fromkeys((" Fix: ", _(" Fix: {fix}").format(fix=""))):
        what, sep, fix = text.partition(marker)
        if sep and marker.strip():
            return what.strip().rstrip(".。"), fix.strip() or None
    return text.strip(), None


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


# Starlette's own statuses (its detail is the English reason phrase)
_HTTP = {404: N_("not found"), 405: N_("method not allowed"),
         413: N_("request too large")}


def install_error_handlers(app: FastAPI) -> None:
    """Make every error of `app` answer in the one JSON shape (HTML pages render their own)."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.status, exc.problems), status_code=exc.status)

    @app.exception_handler(HsplanError)
    async def _hsplan(request: Request, exc: HsplanError) -> JSONResponse:
        status = 404 if isinstance(exc, DataSourceError) else 400
        if isinstance(exc, ValidationError | InputFileError):  # the input's fault
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
                _message_of(str(err.get("type", "")), ctx, str(err.get("msg") or "")),
                file=f"{kind} {name}",
                expected=str(expected) if expected else None,
                got=None if got is None or isinstance(got, dict) else str(got),
                fix=_("give {name} as documented at /docs").format(name=name)))
        return JSONResponse(error_body(422, problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        what = _(_HTTP[exc.status_code]) if exc.status_code in _HTTP else str(exc.detail)
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


_MESSAGES = {"int_parsing": N_("not a whole number"), "int_from_float": N_("not a whole number"),
             "float_parsing": N_("not a number"), "bool_parsing": N_("neither true nor false"),
             "missing": N_("value missing"), "date_from_datetime_parsing": N_("not a date"),
             "date_parsing": N_("not a date"), "greater_than_equal": N_("value too small"),
             "greater_than": N_("value too small"), "less_than_equal": N_("value too large"),
             "less_than": N_("value too large")}
_EXPECTED = {"int_parsing": N_("a whole number"), "int_from_float": N_("a whole number"),
             "float_parsing": N_("a number"), "bool_parsing": N_("true or false"),
             "missing": N_("a value"), "date_from_datetime_parsing": N_("a date YYYY-MM-DD"),
             "date_parsing": N_("a date YYYY-MM-DD")}


def _message_of(kind: str, ctx: dict[str, Any], msg: str) -> str:
    """Return what is wrong with a request value: Pydantic's words in English, the
    catalog's for the kinds it knows (else "invalid value") in another language."""
    if language() == "en":
        return msg or _("invalid value")
    return _(_MESSAGES[kind]) if kind in _MESSAGES else _("invalid value")


def _expected_of(kind: str, ctx: dict[str, Any]) -> str | None:
    if kind in _EXPECTED:
        return _(_EXPECTED[kind])
    if "ge" in ctx:
        return f"≥ {ctx['ge']}"
    if "le" in ctx:
        return f"≤ {ctx['le']}"
    if "gt" in ctx:
        return f"> {ctx['gt']}"
    return None
