"""Cross-table checks of a region: references, containment, sums across levels, consistency.

`check_region` is pure: it reads the region's frames and returns `Problem` records. A
problem about a row that came from a file (`incoming`, the `SheetSource` of each table
read by `hsplan.region.io.tables`) names that file, sheet, row and column; a problem about a
stored row names the table and the row's key.

Checks and their thresholds:

- references: ``areas.parent_code``, ``population/facilities/reported.area_code`` must be
  area codes of ``areas`` (the top level present may have a parent outside the region);
  ``resources/utilisation.facility_id`` must be facility ids.
- a facility point must lie in the polygon of its area, or of the nearest ancestor that
  has a polygon (county boundaries usually exist, township ones rarely).
- population: children's totals add up to the parent's (when every child has a value),
  the 18 age bands, male + female and urban + rural add up to the total; tolerance
  `POP_TOLERANCE` (0.5 %) of the total.
- resources (卫生资源统计口径, 国家卫生健康统计调查制度): 执业医师 + 执业助理医师 + 注册护士
  + 药师(士) + 技师(士) ≤ 卫生技术人员 ≤ 卫生人员; each bed sub-kind ≤ 实有床位; 负压救护车 ≤
  救护车; 全科/公共卫生/中医/精神科 doctors ≤ 执业医师 + 执业助理医师.
- utilisation: 实际占用总床日数 ≤ 1.2 × 实际开放总床日数 (occupancy above 120 % is a data
  error); 出院人数 ≤ 1.5 × 入院人数.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from hsplan._i18n import _
from hsplan.errors import Problem
from hsplan.region import schema
from hsplan.region.io.tables import SheetSource, row_key
from hsplan.region.model import Region
from hsplan.region.schema import AGE_BAND_IDS, Table

POP_TOLERANCE = 0.005
MAX_OCCUPANCY_RATIO = 1.2
MAX_DISCHARGE_RATIO = 1.5
_LEVEL_RANK = {name: i for i, name in enumerate(schema.AREA_LEVELS)}
_STAFF_PARTS = ("doctors_licensed", "doctors_assistant", "nurses", "pharmacists", "technicians")
_DOCTOR_SUBSETS = ("gps", "public_health_physicians", "tcm_doctors", "psychiatrists")
_BED_KINDS = ("beds_icu", "beds_rehab", "beds_psych", "beds_infectious", "beds_nursing",
              "beds_emergency_obs", "beds_tcm")


class _Reporter:
    """Builds problems located in a file row when the row came from one, else by key."""

    def __init__(self, incoming: Mapping[str, SheetSource] | None) -> None:
        self.incoming = dict(incoming or {})
        self.problems: list[Problem] = []

    def add(self, table: Table, row: Mapping[str, Any], col_id: str, message: str, *,
            expected: str, got: str, fix: str) -> None:
        key = row_key(row, table)
        source = self.incoming.get(table.name)
        if source is not None and key in source.rows:
            self.problems.append(Problem(
                message, file=source.file, sheet=source.sheet, row=source.rows[key],
                column=source.header(col_id), expected=expected, got=got, fix=fix))
            return
        key_text = _(", ").join(f"{table.column(k).zh} {v}" for k, v in zip(table.key, key,
                                                                               strict=True))
        self.problems.append(Problem(
            _("table {table} ({key}), column {column}: {message}").format(
                table=table.zh, key=key_text, column=table.column(col_id).zh, message=message),
            expected=expected, got=got, fix=fix))


def check_region(region: Region, *,
                 incoming: Mapping[str, SheetSource] | None = None) -> list[Problem]:
    """Return every cross-table problem of `region` (an empty list when it is consistent).

    `incoming` maps table names to the `SheetSource` of rows just read from a file, so
    that their problems name the file, sheet, row and column.
    """
    rep = _Reporter(incoming)
    _check_references(region, rep)
    _check_containment(region, rep)
    _check_population(region, rep)
    _check_resources(region.resources, rep)
    _check_utilisation(region.utilisation, rep)
    return rep.problems


def _rows(df: pd.DataFrame) -> Iterable[dict[str, Any]]:
    cols = [c for c in df.columns if c != "geometry"]
    for values in df[cols].itertuples(index=False, name=None):
        yield {c: (None if pd.isna(v) else v) for c, v in zip(cols, values, strict=True)}


def _check_references(region: Region, rep: _Reporter) -> None:
    areas = region.areas
    codes = set(areas["code"].dropna())
    ranks = [_LEVEL_RANK[lv] for lv in areas["level"].dropna() if lv in _LEVEL_RANK]
    top = min(ranks) if ranks else None
    for row in _rows(areas):
        parent = row["parent_code"]
        if parent is None or parent in codes:
            continue
        if row["level"] in _LEVEL_RANK and _LEVEL_RANK[row["level"]] == top:
            continue
        rep.add(schema.AREAS, row, "parent_code", _("unknown parent area"),
                expected=_("a 区划代码 of the 区划 table"), got=str(parent),
                fix=_("add the parent area to the 区划 table, or correct the code"))
    for table in (schema.POPULATION, schema.FACILITIES, schema.REPORTED):
        for row in _rows(region.tables()[table.name]):
            code = row["area_code"]
            if code is not None and code not in codes:
                rep.add(table, row, "area_code", _("unknown area code"),
                        expected=_("a 区划代码 of the 区划 table"), got=str(code),
                        fix=_("add the area to the 区划 table, or correct the code"))
    ids = set(region.facilities["id"].dropna())
    for table in (schema.RESOURCES, schema.UTILISATION):
        for row in _rows(region.tables()[table.name]):
            fid = row["facility_id"]
            if fid is not None and fid not in ids:
                rep.add(table, row, "facility_id", _("unknown facility"),
                        expected=_("a 机构编码 of the 机构 table"), got=str(fid),
                        fix=_("add the facility to the 机构 table, or correct the 机构编码"))


def _check_containment(region: Region, rep: _Reporter) -> None:
    areas = region.areas
    polygons: dict[str, BaseGeometry] = {}
    parents: dict[str, str] = {}
    names: dict[str, str] = {}
    for area, parent, name, geom in zip(areas["code"], areas["parent_code"], areas["name"],
                                        areas.geometry, strict=True):
        if pd.isna(area):
            continue
        names[area] = name
        if not pd.isna(parent):
            parents[area] = parent
        if geom is not None and not geom.is_empty and geom.geom_type in ("Polygon",
                                                                         "MultiPolygon"):
            polygons[area] = geom
    if not polygons:
        return
    facilities = region.facilities
    for row, point in zip(_rows(facilities), facilities.geometry, strict=True):
        if point is None or point.is_empty or row["area_code"] is None:
            continue
        code: str | None = row["area_code"]
        seen: set[str] = set()
        while code is not None and code not in polygons and code not in seen:
            seen.add(code)
            code = parents.get(code)
        if code is None or code not in polygons or polygons[code].covers(point):
            continue
        rep.add(schema.FACILITIES, row, "lon", _("facility outside its area"),
                expected=_("a point inside {area} ({code})").format(
                    area=names.get(code, code), code=code),
                got=f"{point.x:.6f}, {point.y:.6f}",
                fix=_("check 经度/纬度 (not swapped?) and 坐标系 (GCJ-02/BD-09 from map "
                      "services), or the 所在区划代码"))


def _close(parts: float, total: float) -> bool:
    return abs(parts - total) <= POP_TOLERANCE * max(total, 1.0)


def _check_population(region: Region, rep: _Reporter) -> None:
    pop = region.population
    table = schema.POPULATION
    for row in _rows(pop):
        total = row["total"]
        if total is None:
            continue
        bands = [row[b] for b in AGE_BAND_IDS]
        if all(b is not None for b in bands) and not _close(sum(bands), total):
            rep.add(table, row, "total", _("age bands do not add up to the total"),
                    expected=_("{total} ± 0.5 % (the 常住人口)").format(total=total),
                    got=str(sum(bands)), fix=_("correct the age bands or the 常住人口"))
        for a, b in (("male", "female"), ("urban", "rural")):
            if row[a] is not None and row[b] is not None and not _close(row[a] + row[b], total):
                rep.add(table, row, a, _("{a} + {b} do not add up to the total").format(
                        a=table.column(a).zh, b=table.column(b).zh),
                        expected=_("{total} ± 0.5 % (the 常住人口)").format(total=total),
                        got=str(row[a] + row[b]),
                        fix=_("correct {a}, {b} or 常住人口").format(a=table.column(a).zh,
                                                                   b=table.column(b).zh))
    children: dict[str, list[str]] = {}
    for code, parent in zip(region.areas["code"], region.areas["parent_code"], strict=True):
        if not pd.isna(code) and not pd.isna(parent):
            children.setdefault(parent, []).append(code)
    totals: dict[tuple[str, int], int] = {}
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for row in _rows(pop):
        if row["total"] is not None:
            totals[(row["area_code"], int(row["year"]))] = int(row["total"])
            rows[(row["area_code"], int(row["year"]))] = row
    for (code, year), total in sorted(totals.items()):
        kids = children.get(code, [])
        values = [totals.get((k, year)) for k in kids]
        if not kids or any(v is None for v in values):
            continue
        kid_sum = sum(v for v in values if v is not None)
        if not _close(kid_sum, total):
            rep.add(table, rows[(code, year)], "total",
                    _("population of the sub-areas does not add up"),
                    expected=_("{total} ± 0.5 % (this area's 常住人口)").format(total=total),
                    got=_("{sum} (sum of {n} sub-areas)").format(sum=kid_sum, n=len(kids)),
                    fix=_("correct this total or the sub-areas' 常住人口"))


def _check_resources(df: pd.DataFrame, rep: _Reporter) -> None:
    table = schema.RESOURCES
    zh = {c.id: c.zh for c in table.columns}
    for row in _rows(df):
        parts = [row[c] for c in _STAFF_PARTS if row[c] is not None]
        tech, total = row["staff_health_tech"], row["staff_total"]
        if parts and tech is not None and sum(parts) > tech:
            rep.add(table, row, "staff_health_tech",
                    _("health technicians fewer than their parts"),
                    expected=_("at least {n} (执业医师 + 执业助理医师 + 注册护士 + "
                               "药师(士) + 技师(士))").format(n=sum(parts)), got=str(tech),
                    fix=_("卫生技术人员 includes doctors, nurses, pharmacists and technicians"))
        if tech is not None and total is not None and tech > total:
            rep.add(table, row, "staff_total", _("total staff fewer than health technicians"),
                    expected=_("at least {n} (卫生技术人员)").format(n=tech), got=str(total),
                    fix=_("卫生人员 includes 卫生技术人员, 乡村医生, 管理 and 其他人员"))
        beds = row["beds"]
        for kind in _BED_KINDS:
            if beds is not None and row[kind] is not None and row[kind] > beds:
                rep.add(table, row, kind, _("more {kind} than 实有床位").format(kind=zh[kind]),
                        expected=_("at most {n} (实有床位)").format(n=beds),
                        got=str(row[kind]),
                        fix=_("{kind} are part of 实有床位; correct one of them").format(
                            kind=zh[kind]))
        amb, neg = row["ambulances"], row["ambulances_negative_pressure"]
        if amb is not None and neg is not None and neg > amb:
            rep.add(table, row, "ambulances_negative_pressure",
                    _("more 负压救护车 than 救护车"),
                    expected=_("at most {n} (救护车)").format(n=amb), got=str(neg),
                    fix=_("救护车 counts all ambulances including negative-pressure ones"))
        doctors = [row[c] for c in ("doctors_licensed", "doctors_assistant")]
        if all(d is None for d in doctors):
            continue
        all_doctors = sum(d for d in doctors if d is not None)
        for kind in _DOCTOR_SUBSETS:
            if row[kind] is not None and row[kind] > all_doctors:
                rep.add(table, row, kind, _("more {kind} than 执业(助理)医师").format(
                        kind=zh[kind]),
                        expected=_("at most {n} (执业医师 + 执业助理医师)").format(n=all_doctors),
                        got=str(row[kind]),
                        fix=_("{kind} are part of 执业(助理)医师; correct one of them").format(
                            kind=zh[kind]))


def _check_utilisation(df: pd.DataFrame, rep: _Reporter) -> None:
    table = schema.UTILISATION
    for row in _rows(df):
        opened, occupied = row["bed_days_open"], row["bed_days_occupied"]
        if opened is not None and occupied is not None and occupied > MAX_OCCUPANCY_RATIO * opened:
            rep.add(table, row, "bed_days_occupied",
                    _("occupied bed-days exceed 120 % of open ones"),
                    expected=_("at most {n} (1.2 × 实际开放总床日数)").format(
                        n=f"{MAX_OCCUPANCY_RATIO * opened:g}"),
                    got=str(occupied), fix=_("check both bed-day counts (same year, same unit)"))
        adm, dis = row["admissions"], row["discharges"]
        if adm is not None and dis is not None and dis > MAX_DISCHARGE_RATIO * adm:
            rep.add(table, row, "discharges", _("discharges exceed 1.5 × admissions"),
                    expected=_("at most {n} (1.5 × 入院人数)").format(
                        n=f"{MAX_DISCHARGE_RATIO * adm:g}"),
                    got=str(dis), fix=_("check 入院人数 and 出院人数"))
