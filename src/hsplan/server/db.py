"""The server store: the region's tables in PostgreSQL/PostGIS, plus users, scopes, sessions,
submissions and the audit trail.

The region tables are generated from `hsplan.region.schema.TABLES` — the same definition
that drives the GeoPackage, the template and the importer — so a column exists in one place
only. Kinds map to SQL types (str/code/choice/list/date → text, int/year → bigint, float →
double precision, bool → boolean); ``areas`` and ``facilities`` get a ``geometry`` column
(PostGIS, SRID 4326); every region table gets a ``version`` column (1 on insert, +1 on each
update) so that two people editing one row are detected rather than overwriting each other.

`import_region` / `export_region` move a `Region` in and out losslessly, each in one
transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine

from hsplan._i18n import _
from hsplan.errors import DataSourceError
from hsplan.region import schema
from hsplan.region.model import Region, typed
from hsplan.region.schema import Column, Table

metadata = sa.MetaData()

ROLES: dict[str, str] = {
    "管理员": "admin",
    "规划人员": "planner",
    "领导": "leader",
    "部门": "department",
    "机构填报员": "reporter",
}
SCOPE_KINDS = ("area", "facility", "department")
SUBMISSION_STATUSES = ("草稿", "已提交", "已退回", "已接受")
PERIOD_KINDS = ("facility", "task")   # a facility's yearly form; a department's task progress
TASK_STATUSES = ("未开始", "进行中", "已完成", "已延期", "已取消")  # as the progress table

_SQL_TYPES: dict[str, Any] = {
    "str": sa.Text, "code": sa.Text, "choice": sa.Text, "list": sa.Text, "date": sa.Text,
    "int": sa.BigInteger, "year": sa.BigInteger, "float": sa.Double, "bool": sa.Boolean,
}


def _column(col: Column, table: Table) -> sa.Column[Any]:
    return sa.Column(col.id, _SQL_TYPES[col.kind], primary_key=col.id in table.key,
                     nullable=col.id not in table.key, comment=col.zh)


def _region_table(table: Table) -> sa.Table:
    cols: list[Any] = [_column(c, table) for c in table.columns]
    if table.has_geometry:
        cols.append(sa.Column("geometry", Geometry(srid=4326, spatial_index=True)))
    cols.append(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    return sa.Table(table.name, metadata, *cols, comment=table.zh)


REGION_TABLES: dict[str, sa.Table] = {name: _region_table(t)
                                      for name, t in schema.TABLES.items()}

meta_table = sa.Table(
    "hsplan_meta", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", JSONB, nullable=False))

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.CheckConstraint("role IN ('" + "','".join(ROLES) + "')", name="users_role"))

user_scopes = sa.Table(
    "user_scopes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.UniqueConstraint("user_id", "kind", "value"),
    sa.CheckConstraint("kind IN ('" + "','".join(SCOPE_KINDS) + "')", name="scope_kind"))

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("csrf", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False))

login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("ip", sa.Text, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Index("login_attempts_who", "user_name", "ip", "at"))

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("user_name", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("old", JSONB, nullable=True),
    sa.Column("new", JSONB, nullable=True),
    sa.Column("request_id", sa.Text, nullable=True),
    # where the record lives, so audit reads are filtered by the reader's scope
    sa.Column("area_code", sa.Text, nullable=True),
    sa.Column("facility_id", sa.Text, nullable=True),
    sa.Index("audit_record", "table_name", "key"),
    sa.Index("audit_user", "user_id"))

submissions = sa.Table(
    "submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("facility_id", sa.Text, nullable=False, index=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("submitted_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.CheckConstraint("status IN ('" + "','".join(SUBMISSION_STATUSES) + "')",
                       name="submission_status"))


task_reports = sa.Table(
    "task_reports", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("task_id", sa.Text, nullable=False, index=True),
    sa.Column("department", sa.Text, nullable=False, index=True),
    sa.Column("date", sa.Text, nullable=False),        # as of (YYYY-MM-DD)
    sa.Column("progress_status", sa.Text, nullable=False),
    sa.Column("percent", sa.Double, nullable=True),
    sa.Column("milestone", sa.Integer, nullable=True),  # 1-based milestone reached
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("status", sa.Text, nullable=False),       # review: 已提交 / 已退回 / 已接受
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("submitted_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.CheckConstraint("status IN ('" + "','".join(SUBMISSION_STATUSES) + "')",
                       name="task_report_status"),
    sa.CheckConstraint("progress_status IN ('" + "','".join(TASK_STATUSES) + "')",
                       name="task_report_progress_status"))

reporting_periods = sa.Table(
    "reporting_periods", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("year", sa.Integer, nullable=True),       # facility forms: the data year
    sa.Column("starts", sa.Text, nullable=True),        # task progress: reports dated from
    sa.Column("due", sa.Text, nullable=False),          # deadline (YYYY-MM-DD, inclusive)
    sa.Column("area_code", sa.Text, nullable=True),     # the setter's area (audit, scope)
    sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
              server_default=sa.func.now()),
    sa.UniqueConstraint("kind", "label"),
    sa.CheckConstraint("kind IN ('" + "','".join(PERIOD_KINDS) + "')", name="period_kind"))

# one row: a token that changes with every write of a region table (page caches key on it)
data_version = sa.Table(
    "data_version", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token", sa.Text, nullable=False))


def bump_data_version(conn: Connection) -> None:
    """Mark the region as changed (inside `conn`'s transaction): a new random token."""
    import uuid

    token = uuid.uuid4().hex
    done = conn.execute(data_version.update().where(data_version.c.id == 1)
                        .values(token=token)).rowcount
    if not done:
        conn.execute(data_version.insert().values(id=1, token=token))


def read_data_version(conn: Connection) -> str:
    """Return the region's change token ("" before the first write)."""
    return str(conn.execute(sa.select(data_version.c.token)
                            .where(data_version.c.id == 1)).scalar() or "")


def engine_for(url: str) -> Engine:
    """Return an engine for a ``postgresql://`` URL (psycopg 3 is used for plain URLs)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith("postgresql+"):
        raise DataSourceError(_("--db {url}: expected a postgresql:// URL. Fix: {example}.")
                              .format(url=url.split("@")[-1],
                                      example="--db postgresql://USER@HOST:PORT/DATABASE"))
    # 10 + 20 connections per process (a request holds one only briefly), so that two
    # workers stay well within PostgreSQL's default 100 connections
    return sa.create_engine(url, pool_pre_ping=True, future=True, pool_size=10,
                            max_overflow=20, pool_timeout=120)


# --- region in and out -----------------------------------------------------------------------

def _cell(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def region_rows(df: pd.DataFrame, table: Table) -> list[dict[str, Any]]:
    """Return the rows of a typed frame as plain dicts (NA → None, geometry → WKB bytes)."""
    cols = table.column_ids
    out = []
    geoms = list(df.geometry) if table.has_geometry else None
    for i, values in enumerate(df[cols].itertuples(index=False, name=None)):
        row = {c: _cell(v) for c, v in zip(cols, values, strict=True)}
        if geoms is not None:
            g = geoms[i]
            row["geometry"] = None if g is None else shapely.to_wkb(g)
        out.append(row)
    return out


def write_region(conn: Connection, region: Region) -> dict[str, int]:
    """Replace every region table and the metadata with `region` inside `conn`'s
    transaction; return the rows written per table."""
    counts: dict[str, int] = {}
    for name, table in schema.TABLES.items():
        sql_table = REGION_TABLES[name]
        conn.execute(sql_table.delete())
        rows = region_rows(typed(region.tables()[name], table), table)
        if rows:
            if table.has_geometry:
                stmt = sql_table.insert().values(
                    {**{c: sa.bindparam(c) for c in table.column_ids},
                     "geometry": sa.func.ST_GeomFromWKB(
                         sa.bindparam("geometry", type_=sa.LargeBinary), 4326)})
                conn.execute(stmt, rows)
            else:
                conn.execute(sql_table.insert(), rows)
        counts[name] = len(rows)
    conn.execute(meta_table.delete())
    bump_data_version(conn)
    if region.meta:
        conn.execute(meta_table.insert(), [{"key": k, "value": v}
                                           for k, v in region.meta.items()])
    return counts


def import_region(engine: Engine, region: Region) -> dict[str, int]:
    """Replace the database's region with `region` in one transaction; return row counts."""
    with engine.begin() as conn:
        return write_region(conn, region)


def read_table(conn: Connection, name: str, *, where: Any = None) -> pd.DataFrame:
    """Return region table `name` (optionally filtered by the clause `where`) as a typed
    frame sorted by its key; geometry arrives as WKB and becomes shapely."""
    table = schema.table(name)
    sql_table = REGION_TABLES[name]
    cols: list[Any] = [sql_table.c[c] for c in table.column_ids]
    if table.has_geometry:
        cols.append(sa.func.ST_AsBinary(sql_table.c.geometry).label("geometry"))
    stmt = sa.select(*cols).order_by(*(sql_table.c[k] for k in table.key))
    if where is not None:
        stmt = stmt.where(where)
    result = conn.execute(stmt)
    records = [dict(r._mapping) for r in result]
    frame = pd.DataFrame.from_records(records, columns=[*table.column_ids,
                                                        *(["geometry"] if table.has_geometry
                                                          else [])])
    if table.has_geometry:
        geoms = [None if b is None else shapely.from_wkb(bytes(b)) for b in frame["geometry"]]
        frame = gpd.GeoDataFrame(frame.drop(columns="geometry"),
                                 geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
    return typed(frame, table)


def read_region(conn: Connection) -> Region:
    """Return the whole region stored in the database (within `conn`'s transaction)."""
    tables = {name: read_table(conn, name) for name in schema.TABLES}
    meta = {str(r.key): r.value for r in conn.execute(sa.select(meta_table))}
    return Region(**tables, meta=meta)  # type: ignore[arg-type]


def export_region(engine: Engine) -> Region:
    """Return the database's region, read in one repeatable-read transaction."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
            conn.begin():
        return read_region(conn)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """Yield a connection inside one transaction (committed on success, rolled back on any
    error)."""
    with engine.begin() as conn:
        yield conn


def to_json(value: Any) -> Any:
    """Return `value` as JSON-able data (numpy/pandas scalars → Python, NA → None)."""
    return json.loads(json.dumps(value, default=lambda v: _cell(v) if _cell(v) is not v
                                 else str(v)))
