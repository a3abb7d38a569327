"""What the server's routes share: the request context (one transaction, the caller's scope,
the audit), the scope clauses of the region tables, and the facility submissions with their
review — used by `hsplan.server.app` (the JSON API), `hsplan.server.reporting` and
`hsplan.server.pages`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.engine import Connection, Engine

from hsplan._i18n import _, ngettext
from hsplan.errors import HsplanError, Problem
from hsplan.region import schema
from hsplan.region.io.checks import check_region
from hsplan.region.io.tables import SheetSource, frame_from_rows, read_workbook
from hsplan.region.model import Region, typed
from hsplan.server import db
from hsplan.server.scope import REPORTER, Scope, session_scope
from hsplan.web.errors import ApiError, problems_of

COOKIE = "hsplan_session"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PREFIX = "/api/v1/server"
FACILITY_TABLES = ("facilities", "resources", "utilisation", "facts")
AREA_TABLES = {"areas": "code", "population": "area_code", "reported": "area_code"}
EDITABLE = ("population", "resources", "utilisation", "reported", "facilities", "areas")
SUBMITTED_TABLES = ("resources", "utilisation")


def _problem(status: int, what: str, *, where: str | None = None, fix: str | None = None,
             expected: str | None = None, got: str | None = None) -> ApiError:
    return ApiError(status, [Problem(what, file=where, fix=fix, expected=expected, got=got)])


def _changed_since_read(what: str, where: str, version: int, row: Any, fix: str
                        ) -> ApiError:
    """Return the 409 for a record (`what`, at `where`) reviewed on a version it no longer
    has: the version and status the reviewer read against those it has now."""
    def state(v: int, status: str) -> str:
        return _("version {version}, status {status}").format(version=v, status=status)

    return ApiError(409, [Problem(what, file=where, expected=state(version, "已提交"),
                                  got=state(row.version, row.status), fix=fix)])


class Ctx:
    """One request's database connection (inside its transaction), caller and request id."""

    def __init__(self, conn: Connection, scope: Scope, request_id: str, *,
                 version: str = "") -> None:
        self.conn = conn
        self.scope = scope
        self.request_id = request_id
        self.version = version  # the region's data version when the request began

    def audit(self, action: str, table: str, key: str, old: Any, new: Any, *,
              area_code: str | None = None, facility_id: str | None = None) -> None:
        """Add an audit row (in this request's transaction)."""
        self.conn.execute(db.audit.insert().values(
            user_id=self.scope.user_id, user_name=self.scope.user_name, action=action,
            table_name=table, key=key, old=db.to_json(old), new=db.to_json(new),
            request_id=self.request_id, area_code=area_code, facility_id=facility_id))
        if table in schema.TABLES:  # a region row changed: the pages compute afresh
            db.bump_data_version(self.conn)


@contextmanager
def open_ctx(engine: Engine, request: Request) -> Iterator[Ctx]:
    """Yield the request's `Ctx` in one transaction; 401 when the caller is not logged in."""
    with engine.begin() as conn:
        found = session_scope(conn, request.cookies.get(COOKIE))
        if found is None:
            raise _problem(401, _("not logged in"), fix=f"POST {PREFIX}/login")
        yield Ctx(conn, found[1], request.state.request_id, version=found[2])


# --- submissions and their review ------------------------------------------------------------

def submit_facility(c: Ctx, payload: Any) -> dict[str, Any]:
    """Store a facility's yearly figures (validated like an import) as a submission
    (已提交); return it."""
    if not isinstance(payload, dict):
        raise _problem(422, _("not a JSON object"), where=_("request body"),
                       expected='{"facility_id", "year", "resources": {…}, '
                                '"utilisation": {…}}')
    facility_id, year = payload.get("facility_id"), payload.get("year")
    if c.scope.role not in (REPORTER, "管理员", "规划人员"):
        raise _problem(403, _("your role may not submit facility figures"),
                       got=c.scope.role)
    if not isinstance(facility_id, str) or not c.scope.covers_facility(c.conn,
                                                                       facility_id):
        raise _problem(404, _("no such facility in your scope"), where="facility_id",
                       got=str(facility_id))
    if not isinstance(year, int) or not 1949 <= year <= 2100:
        raise _problem(422, _("invalid year"), where="year", expected="1949–2100",
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
        raise _problem(422, _("version missing"), where=_("request body"),
                       expected=_("the submission's version as read"))
    if not accept and (not isinstance(comment, str) or not comment.strip()):
        raise _problem(422, _("a returned submission needs a comment"), where="comment",
                       fix=_("say what the facility should correct"))
    if not c.scope.can_write:
        raise _problem(403, _("your role may not review submissions"), got=c.scope.role)
    fac = db.REGION_TABLES["facilities"]
    sub = db.submissions
    row = c.conn.execute(sa.select(sub).where(
        sub.c.id == sub_id,
        sub.c.facility_id.in_(sa.select(fac.c.id).where(
            c.scope.facility_clause(fac.c.id, fac.c.area_code))))
        .with_for_update()).first()
    if row is None:
        raise _problem(404, _("no such submission in your scope"), got=str(sub_id))
    if row.version != version or row.status != "已提交":
        raise _changed_since_read(_("submission changed since you read it"),
                                  _("submission {id}").format(id=sub_id), version, row,
                                  _("reload the submission list"))
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
        raise _problem(404, _("no such table"), where="path", got=table,
                       expected=", ".join(schema.TABLES)) from exc


def _column_id(sch: schema.Table, header: str) -> str:
    """Return the column id of a header (id, Chinese header or alias); 422 when unknown."""
    for col in sch.columns:
        if header in col.headers:
            return col.id
    raise _problem(422, _("unknown column"), where=f"values {header}",
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
                raise _problem(404, _("no such row"), where=f"key {k}", got=str(value))
        elif not isinstance(value, str):
            raise _problem(404, _("no such row"), where=f"key {k}", got=str(value))
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
            raise _problem(413, _("upload too large"), expected=_("at most {n} MB").format(
                n=MAX_UPLOAD_BYTES // 1024 // 1024))
    request._body = body  # let request.form() parse what was read
    return body


async def _workbook_payload(request: Request) -> dict[str, Any]:
    """Return the submission of an uploaded one-facility workbook (fields facility_id, year,
    file: the template's 资源 and 服务量 sheets)."""
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise _problem(422, _("no file uploaded"),
                       where=_("form field {name}").format(name="file"),
                       fix=_("attach the facility's .xlsx form"))
    file_name = Path(upload.filename or "").name
    if not file_name or "\x00" in file_name or file_name in (".", ".."):
        file_name = "upload.xlsx"
    with tempfile.TemporaryDirectory(prefix="hsplan-upload-") as tmp:
        path = Path(tmp) / file_name  # the user's own file name in what they read
        path.write_bytes(await upload.read())
        try:
            read = read_workbook(path)
        except HsplanError as exc:  # not a workbook at all: the upload's fault, not a 404
            raise ApiError(422, problems_of(exc, file_name)) from exc
    errors = read.errors
    if errors:
        raise ApiError(422, [Problem(p.message, file=file_name, sheet=p.sheet,
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
                raise _problem(422, _("a form holds one facility and one year"),
                               where=_("sheet {sheet}").format(sheet=schema.TABLES[name].zh),
                               expected=_("one row for {facility} {year}").format(
                                   facility=payload["facility_id"], year=payload["year"]),
                               got=ngettext("{n} row", "{n} rows", len(rows)).format(
                                   n=len(rows)))
    if not any(name in payload for name in SUBMITTED_TABLES):
        raise _problem(422, _("the workbook holds no figures of the facility"), where=file_name,
                       expected=_("one row in sheet {a} and/or sheet {b}").format(
                           a=schema.TABLES[SUBMITTED_TABLES[0]].zh,
                           b=schema.TABLES[SUBMITTED_TABLES[1]].zh),
                       fix=_("fill in the template's row of the year and upload it again"))
    return payload


def _validate_submission(conn: Connection, facility_id: str, year: int,
                         payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the submission's typed values per table; raise 422 with every problem (cell
    checks of the importer, then its cross-table checks) when any is an error."""
    problems: list[Problem] = []
    frames: dict[str, Any] = {}
    sources: dict[str, SheetSource] = {}
    here = _("submission")  # the place every problem of the submission names
    unknown = set(payload) - {"facility_id", "year", *SUBMITTED_TABLES}
    for extra in sorted(unknown):
        problems.append(Problem(_("unknown field"), file=here, column=extra,
                                expected=", ".join(SUBMITTED_TABLES)))
    for name in SUBMITTED_TABLES:
        values = payload.get(name)
        if values is None:
            continue
        sch = schema.TABLES[name]
        if not isinstance(values, dict):
            problems.append(Problem(_("not an object of column → value"), file=here,
                                    sheet=sch.zh))
            continue
        headers = ["facility_id", "year", *(str(k) for k in values)]
        cells = [facility_id, year, *values.values()]
        frame, source, found = frame_from_rows(sch, [(1, headers), (2, cells)],
                                               file=here, sheet=sch.zh)
        problems += found
        if frame is not None:
            frames[name], sources[name] = frame, source
    if not frames and not problems:
        problems.append(Problem(_("empty submission"), file=here,
                                expected=_("{a} and/or {b}").format(
                                    a=SUBMITTED_TABLES[0], b=SUBMITTED_TABLES[1])))
    if frames:
        fac = db.REGION_TABLES["facilities"]
        # read_table and typed give typed frames already: no Region.replace (it types again)
        region = Region(meta={}, facilities=db.read_table(
            conn, "facilities", where=fac.c.id == facility_id),
            **{n: typed(f, schema.TABLES[n]) for n, f in frames.items()})
        # the stored region's own problems are not the reporter's: keep the located ones
        problems += [p for p in check_region(region, incoming=sources)
                     if p.file == here]
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
