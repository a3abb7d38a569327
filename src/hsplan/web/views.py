"""The documents the API returns and the pages render: library results as JSON-ready data.

Each function takes the served `ProjectState` and the request's arguments, calls the
library through the state's cache and returns plain data (dicts and lists of JSON values).
The pages render the same documents the API returns, so what a page shows is what
``/api/v1`` answers.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

import pandas as pd

from hsplan._i18n import _
from hsplan._json import json_records, json_value
from hsplan.errors import HsplanError, Problem
from hsplan.plans.plan import Plan
from hsplan.region.model import Region
from hsplan.web.errors import ApiError
from hsplan.web.state import ProjectState

NATURE_ORDER = {"约束性": 0, "预期性": 1, "指导性": 2}


def bad(where: str, what: str, *, expected: str | None = None, got: Any = None,
        fix: str | None = None, status: int = 400) -> ApiError:
    """Return an `ApiError` with one problem at `where`."""
    return ApiError(status, [Problem(what, file=where, expected=expected,
                                     got=None if got is None else str(got), fix=fix)])


def _unknown_target(doc: dict[str, Any], target_id: str) -> ApiError:
    return bad("path parameter target_id", _("unknown target"),
               expected=_("a target id of plan {plan}: {ids}").format(
                   plan=doc["plan"], ids=", ".join(r["target_id"] for r in doc["results"])),
               got=target_id, fix=_("pick a target from the overview"), status=404)


def plan_arg(state: ProjectState, plan: str | None) -> str:
    """Return the plan to use for a request's ``plan`` (an id of `list_plans`, or the
    served plan); reject anything else, file paths included."""
    if plan is None or plan == "":
        return state.plan_id
    infos = state.plans()
    for info in infos:
        if plan == info["id"] and not info["problems"]:
            return str(info["id"]) if info["origin"] == "built-in" else str(info["path"])
    raise bad("query parameter plan", _("unknown plan"),
              expected=_("a plan id: {ids}").format(
                  ids=", ".join(i["id"] for i in infos if not i["problems"])),
              got=plan, fix=_("list the plans at /api/v1/plans"), status=404)


def year_arg(state: ProjectState, year: int | None) -> int | None:
    """Return `year` when the region has data for it (None passes: the latest year)."""
    if year is None:
        return None
    years = state.years()
    if year not in years:
        raise bad("query parameter year", _("no data for this year"),
                  expected=_("one of {values}").format(values=", ".join(str(y) for y in years)),
                  got=year, fix=_("leave year out for the latest year with data"))
    return year


def as_of_arg(text: str | None) -> dt.date:
    """Return the review date of the tasks page (default today)."""
    if text is None or text == "":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise bad("query parameter as_of", _("not a date"), expected=_("a date YYYY-MM-DD"),
                  got=text, fix=_("e.g. {example}").format(example="as_of=2024-12-31")) from None


# --- project and plans ------------------------------------------------------------------------


def project_doc(state: ProjectState) -> dict[str, Any]:
    plan = state.plan()
    return {"name": state.project.name, "county_code": state.project.county_code,
            "years": state.years(), "synthetic": state.synthetic(), "plan": plan.id,
            "plan_title": plan.title, "period": [plan.period_start, plan.period_end],
            "scenarios": state.scenario_files()}


# --- evaluation -------------------------------------------------------------------------------


def _f(x: Any) -> float | None:
    v = json_value(x)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def time_progress_pct(year: int, start: int | None, end: int | None) -> float | None:
    """Return the share of the plan period elapsed at the end of `year`, in % (时间进度):
    (year − start) ÷ (end − start) × 100, clipped to 0–100; start is the baseline year."""
    if start is None or end is None or end <= start:
        return None
    return max(0.0, min(100.0, 100.0 * (year - start) / (end - start)))


def evaluation_doc(state: ProjectState, plan: str | None, *, year: int | None = None,
                   level: str = "county") -> dict[str, Any]:
    """Return the evaluation document: `evaluation_to_json` plus status counts and, per
    row, the traffic-light colour, 完成进度 and 时间进度 in % (`tiles`, 约束性 first)."""

    name = plan_arg(state, plan)
    chosen = year_arg(state, year)
    return state.cached(("evaluation_doc", name, chosen, level),
                        lambda: _evaluation_doc(state, name, chosen, level))


def _evaluation_doc(state: ProjectState, name: str, year: int | None,
                    level: str) -> dict[str, Any]:
    from hsplan.evaluation.targets import (
        NOT_APPLICABLE,
        STATUS_ZH,
        evaluation_to_json,
        status_counts,
    )
    from hsplan.reports.charts import STATUS_COLOURS, progress_pct
    from hsplan.reports.progress import explain

    loaded = state.plan(name)
    results = state.evaluation(name, year=year, level=level)
    eval_year = int(results.attrs["year"])
    doc = evaluation_to_json(results, plan=loaded, project=state.project.name, year=eval_year,
                             synthetic=state.synthetic())
    doc["plan_title"] = loaded.title
    doc["level"] = level
    doc["counts"] = status_counts(results)
    doc["status_zh"] = STATUS_ZH
    doc["colours"] = STATUS_COLOURS
    start = loaded.baseline_year or loaded.period_start
    for row in doc["results"]:
        value, target = _f(row["value"]), _f(row["target"])
        pct = None
        if "completion_pct" in row:
            # 完成进度 as Chinese evaluations measure it: (现状 − 基期)/(目标 − 基期)
            pct = _f(row["completion_pct"])
        elif value is not None and row["status"] != "not evaluable":
            pct = progress_pct(str(row["op"]), value, target=target,
                               low=_f(row["target_low"]), high=_f(row["target_high"]))
            pct = None if pct is None or math.isinf(pct) else pct
        row["colour"] = STATUS_COLOURS.get(row["status"], "#bdbdbd")
        row["status_zh"] = STATUS_ZH[row["status"]]
        # the verdict in Chinese words, as the report says it (``reason`` is the English one)
        row["explanation"] = row["reason"] if row["status"] == NOT_APPLICABLE \
            else explain(row)
        row["progress_pct"] = pct
        elapsed = _f(row.get("time_pct"))
        row["time_pct"] = elapsed if elapsed is not None else time_progress_pct(
            eval_year, row["baseline_year"] or start, row["target_year"])
    doc["results"].sort(key=lambda r: NATURE_ORDER.get(r["nature"] or "", 3))
    doc["categories"] = sorted({r["category"] for r in doc["results"] if r["category"]},
                               key=lambda c: [r["category"] for r in doc["results"]].index(c))
    doc["natures"] = sorted({r["nature"] for r in doc["results"] if r["nature"]},
                            key=lambda n: NATURE_ORDER.get(n, 3))
    return doc


def indicator_series(state: ProjectState, indicator: str, *, level: str
                     ) -> dict[str, dict[int, float]]:
    """Return {area code: {year: value}} of an indicator over the region's years."""
    from hsplan.plans.indicators import compute

    def build() -> dict[str, dict[int, float]]:
        region = state.region()
        out: dict[str, dict[int, float]] = {}
        for y in state.years():
            frame = compute(region, indicator, year=y, level=level)
            for row in frame.to_dict(orient="records"):
                v = _f(row["value"])
                if v is not None:
                    out.setdefault(str(row["area_code"]), {})[y] = v
        return out

    return state.cached(("series", indicator, level), build)


def target_doc(state: ProjectState, target_id: str, plan: str | None, *,
               year: int | None = None) -> dict[str, Any]:
    """Return one target in detail: its evaluation row, the yearly values (trend), the
    target path (baseline → milestones → target), the township rows and the definition."""
    name = plan_arg(state, plan)
    chosen = year_arg(state, year)
    doc = evaluation_doc(state, plan, year=chosen)
    if not any(r["target_id"] == target_id for r in doc["results"]):
        raise _unknown_target(doc, target_id)
    return state.cached(("target_doc", target_id, name, chosen),
                        lambda: _target_doc(state, target_id, plan, chosen))


def _target_doc(state: ProjectState, target_id: str, plan: str | None,
                year: int | None) -> dict[str, Any]:
    from hsplan.plans.indicators import describe_formula, load_catalog

    doc = evaluation_doc(state, plan, year=year)
    rows = [r for r in doc["results"] if r["target_id"] == target_id]
    if not rows:
        raise _unknown_target(doc, target_id)
    row = rows[0]
    name = plan_arg(state, plan)
    townships = [r for r in evaluation_doc(state, plan, year=year, level="township")["results"]
                 if r["target_id"] == target_id and r["area_code"] != row["area_code"]]
    trend: list[dict[str, Any]] = []
    definition: dict[str, Any] | None = None
    indicator = row["indicator"]
    if indicator and row["op"] != "text":
        catalog = load_catalog()
        if indicator in catalog:
            ind = catalog.get(indicator)
            definition = {"id": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en,
                          "unit": ind.unit, "kind": ind.kind, "direction": ind.direction,
                          "formula": describe_formula(ind), "definition": ind.definition,
                          "source": ind.source}
            try:
                series = indicator_series(state, indicator, level="county")
            except HsplanError:  # a region without its county (a township's scope)
                series = {}
            points = series.get(str(row["area_code"]), {})
            trend = [{"year": y, "value": v} for y, v in sorted(points.items())
                     if year is None or y <= year]
    path: list[dict[str, Any]] = []
    if row["baseline_year"] is not None and _f(row["baseline_value"]) is not None:
        path.append({"year": row["baseline_year"], "value": row["baseline_value"]})
    target = next(t for t in state.plan(name).targets if t.id == target_id)
    for m in target.milestones:
        if m.value is not None:
            path.append({"year": m.year, "value": m.value})
    if _f(row["target"]) is not None and row["op"] not in ("range",):
        path.append({"year": row["target_year"], "value": row["target"]})
    path.sort(key=lambda p: p["year"])
    return {"plan": doc["plan"], "plan_title": doc["plan_title"], "year": doc["year"],
            "synthetic": doc["synthetic"], "result": row, "trend": trend,
            "target_path": path, "townships": townships, "definition": definition,
            "colours": doc["colours"], "status_zh": doc["status_zh"]}


# --- norms ------------------------------------------------------------------------------------


def norms_doc(state: ProjectState, plan: str | None, *, year: int | None = None
              ) -> dict[str, Any]:
    """Return `result_to_json` of the norm check, its counts, and the violations grouped
    by township (county-level and facility rows under their township or the county)."""

    name = plan_arg(state, plan)
    chosen = year_arg(state, year)
    return state.cached(("norms_doc", name, chosen), lambda: _norms_doc(state, name, chosen))


def _norms_doc(state: ProjectState, name: str, year: int | None) -> dict[str, Any]:
    from hsplan.evaluation.norms import STATUS_ZH, result_to_json

    result = state.norms(name, year=year)
    doc = result_to_json(result, project=state.project.name, synthetic=state.synthetic())
    doc["plan_title"] = state.plan(name).title
    doc["counts"] = {k: int(v) for k, v in result.status_counts().items()}
    doc["status_zh"] = STATUS_ZH
    areas = state.region().areas
    township_of = _township_of(areas)
    groups: dict[str, dict[str, Any]] = {}
    for v in doc["violations"]:
        code = township_of.get(str(v["area_code"] or ""), "")
        key = code or "county"
        if key not in groups:
            names = dict(zip(areas["code"].astype(str), areas["name"].astype(str), strict=True))
            groups[key] = {"area_code": code or None, "area_name": names.get(code),
                           "violations": []}
        groups[key]["violations"].append(v)
    doc["by_township"] = sorted(groups.values(), key=lambda g: -len(g["violations"]))
    doc["failed_by_township"] = {g["area_code"]: len(g["violations"])
                                 for g in groups.values() if g["area_code"]}
    return doc


def _township_of(areas: pd.DataFrame) -> dict[str, str]:
    """Return {area code: its township code} for townships and villages."""
    level = dict(zip(areas["code"].astype(str), areas["level"].astype(str), strict=True))
    parent = dict(zip(areas["code"].astype(str), areas["parent_code"].astype(str),
                      strict=True))
    out: dict[str, str] = {}
    for code in level:
        c: str | None = code
        for _step in range(6):
            if c is None or c not in level:
                break
            if level[c] == "township":
                out[code] = c
                break
            c = parent.get(c)
    return out


# --- needs, access, tasks -------------------------------------------------------------------


def needs_doc(state: ProjectState, plan: str | None, *, year: int | None = None,
              method: Literal["cohort", "growth"] = "cohort") -> dict[str, Any]:
    name = plan_arg(state, plan)
    loaded = state.plan(name)
    if year is not None and not (state.years()[0] if state.years() else 0) < year <= 2100:
        raise bad("query parameter year", _("target year out of range"),
                  expected=_("a year after the first year with data ({year})").format(
                      year=state.years()[0]),
                  got=year, fix=_("e.g. {example}").format(example=f"year={loaded.period_end}"))
    return state.cached(("needs_doc", name, year, method),
                        lambda: _needs_doc(state, name, year, method))


def _needs_doc(state: ProjectState, name: str, year: int | None,
               method: Literal["cohort", "growth"]) -> dict[str, Any]:
    loaded = state.plan(name)
    result = state.needs(name, year=year, method=method)
    return {"plan": loaded.id, "area_code": result.area_code, "area_name": result.area_name,
            "base_year": result.base_year, "year": result.year, "method": result.method,
            "synthetic": state.synthetic(), "notes": result.notes, "explain": result.explain,
            "needs": json_records(result.table)}


def coverage_doc(state: ProjectState, *, subtype: str | None = None,
                 category: str | None = None, minutes: float = 15.0) -> dict[str, Any]:
    """Return service-circle coverage: the summary per township and urban/rural, the
    population by status, the demand points (villages) with whether each is covered, and
    the service circle itself (``service_area``, the isochrone polygon as GeoJSON)."""

    region = state.region()
    known_sub = set(region.facilities["subtype"].dropna().astype(str))
    known_cat = set(region.facilities["category"].dropna().astype(str))
    if subtype and subtype not in known_sub:
        raise bad("query parameter subtype", _("no facility of this type in the project"),
                  expected=", ".join(sorted(known_sub)), got=subtype,
                  fix=_("use a facility type the project holds"))
    if category and category not in known_cat:
        raise bad("query parameter category", _("no facility of this category in the project"),
                  expected=", ".join(sorted(known_cat)), got=category,
                  fix=_("use a facility category the project holds"))
    return state.cached(("coverage_doc", subtype, category, float(minutes)),
                        lambda: _coverage_doc(state, subtype, category, minutes))


def _coverage_doc(state: ProjectState, subtype: str | None, category: str | None,
                  minutes: float) -> dict[str, Any]:
    from hsplan.access.coverage import coverage_status, coverage_summary
    from hsplan.web.state import _selector

    points = state.coverage(subtype=subtype, category=category, minutes=minutes)
    keep = ["area_code", "name", "township_code", "township_name", "urban_rural", "pop",
            "travel_min", "dist_m", "facility_id", "facility_name", "covered", "reachable"]
    return {"year": json_value(points.attrs.get("year")),
            "network": points.attrs.get("network"),
            "facility": points.attrs.get("facility"),
            # the facilities the circle is drawn around, in the plan's words (基层医疗卫生机构)
            "selection": "、".join(v for values in _selector(subtype, category).values()
                                  for v in values),
            "facilities": json_value(points.attrs.get("facilities")),
            "minutes": minutes, "synthetic": state.synthetic(),
            "service_area": state.service_area(subtype=subtype, category=category,
                                               minutes=minutes),
            "summary": json_records(coverage_summary(points)),
            "status": json_records(coverage_status(points)),
            "points": json_records(points, [c for c in keep if c in points.columns])}


def tasks_doc(state: ProjectState, plan: str | None, *, as_of: dt.date) -> dict[str, Any]:

    name = plan_arg(state, plan)
    return state.cached(("tasks_doc", name, as_of.isoformat()),
                        lambda: _tasks_doc(state, name, as_of))


def _tasks_doc(state: ProjectState, name: str, as_of: dt.date) -> dict[str, Any]:
    from hsplan.evaluation.tasks import STATUS_ZH, status_counts

    status, departments = state.tasks(name, as_of=as_of)
    rows = json_records(status)  # reasons in the server's language, as `hsplan tasks`
    return {"plan": state.plan(name).id, "plan_title": state.plan(name).title,
            "project": state.project.name, "as_of": as_of.isoformat(),
            "counts": status_counts(status), "status_zh": STATUS_ZH,
            "tasks": rows, "departments": json_records(departments)}


def comparison_doc(state: ProjectState, scenario: str, plan: str | None, *,
                   year: int | None = None) -> dict[str, Any]:
    name = plan_arg(state, plan)
    chosen = year_arg(state, year)
    state.scenario_path(scenario)  # an unknown file fails before the cache
    return state.cached(("comparison_doc", scenario, name, chosen),
                        lambda: _comparison_doc(state, scenario, name, chosen))


def _comparison_doc(state: ProjectState, scenario: str, name: str,
                    year: int | None) -> dict[str, Any]:
    from hsplan.scenarios.scenario import load_scenario
    from hsplan.scenarios.words import change_zh, note_zh

    result = state.comparison(scenario, name, year=year)
    doc = result.to_json()
    doc["file"] = scenario
    doc["plan_title"] = result.plan_title
    # the page's Chinese words for the changes and notes (``description`` and ``notes`` are
    # the scenario module's bilingual ones, kept for the API)
    changes = load_scenario(state.scenario_path(scenario)).changes
    for row, change in zip(doc["changes"], changes, strict=False):
        row["description_zh"] = change_zh(change)
        row["description_en"] = change.describe("en")
    doc["notes_zh"] = [note_zh(n) for n in doc["notes"]]
    return doc


# --- key institutions and the service network ------------------------------------------------


def institutions_doc(state: ProjectState, plan: str | None, *, year: int | None = None
                     ) -> dict[str, Any]:
    """Return the key institutions of a plan (``hsplan institutions --format json``: one row
    per institution and aspect with status, 完成进度 and reason; the network indicators;
    the 医共体 and 专科联盟 members) plus each row's traffic-light colour and the network
    as map lines (``links``: lead → member, GeoJSON in WGS84)."""
    name = plan_arg(state, plan)
    chosen = year_arg(state, year)
    return state.cached(("institutions_doc", name, chosen),
                        lambda: _institutions_doc(state, name, chosen))


def _institutions_outside(state: ProjectState, plan: Plan, unmatched: list[str]) -> list[str]:
    """Return the unmatched institutions that match a facility the state's region leaves
    out: on the server, a township's user does not see the county hospital, and its
    institution is outside the user's scope rather than missing from the county."""
    from hsplan.evaluation.institutions import match_institutions

    beyond = state.facilities_outside()
    if beyond is None or beyond.empty or not unmatched:
        return []
    matched = match_institutions(Region().replace(facilities=beyond), plan)
    found = set(matched.loc[matched["facility_id"].notna(), "institution_id"])
    return [i for i in unmatched if i in found]


def _institutions_doc(state: ProjectState, name: str, year: int | None) -> dict[str, Any]:
    from shapely.geometry import LineString, mapping

    from hsplan.evaluation.institutions import (
        SUB_CENTRE_MINUTES,
        alliances,
        evaluate_institutions,
        network_indicators,
        sub_centres,
    )
    from hsplan.evaluation.targets import STATUS_ZH
    from hsplan.reports.charts import STATUS_COLOURS
    from hsplan.web.state import _geojson

    region = state.region()
    loaded = state.plan(name)
    results = evaluate_institutions(region, loaded, year=year)
    used = int(results.attrs["year"])
    members = alliances(region, year=used)
    rows = json_records(results)
    for row in rows:
        row["colour"] = STATUS_COLOURS.get(row["status"], "#bdbdbd")
        row["status_zh"] = STATUS_ZH.get(row["status"], row["status"])
    unmatched = [r["institution_id"] for r in rows if r["aspect"] == "匹配"]
    outside = _institutions_outside(state, loaded, unmatched)
    rows = [r for r in rows if r["institution_id"] not in outside]
    unmatched = [i for i in unmatched if i not in outside]
    facs = region.facilities
    points = facs[facs.geometry.notna()].to_crs(4326).set_index("id").geometry
    features = []
    for alliance, group in members.groupby("alliance", sort=False):
        leads = group[group["role"] == "牵头"]
        if leads.empty or leads["facility_id"].iloc[0] not in points.index:
            continue
        lead_id = str(leads["facility_id"].iloc[0])
        lead = points[lead_id]
        for m in group[group["role"] != "牵头"].itertuples():
            if m.facility_id in points.index:
                here = points[m.facility_id]
                features.append({"type": "Feature", "geometry": mapping(LineString(
                    [(lead.x, lead.y), (here.x, here.y)])), "properties": {
                    "alliance": str(alliance), "kind": str(m.kind), "lead": lead_id,
                    "member": str(m.facility_id), "member_name": str(m.facility_name)}})
    subs = set(sub_centres(region, year=used))
    nodes = members.drop_duplicates("facility_id")
    node_features = [{"type": "Feature", "geometry": mapping(points[str(n.facility_id)]),
                      "properties": {"id": str(n.facility_id), "name": str(n.facility_name),
                                     "subtype": str(n.subtype), "role": str(n.role),
                                     "alliance": str(n.alliance),
                                     "sub_centre": str(n.facility_id) in subs}}
                     for n in nodes.itertuples() if n.facility_id in points.index]
    names = facs.set_index("id")["name"]
    for fid in sorted(subs - set(nodes["facility_id"].astype(str))):  # outside any 医共体
        if fid in points.index:
            node_features.append({"type": "Feature", "geometry": mapping(points[fid]),
                                  "properties": {"id": fid, "name": str(names[fid]),
                                                 "role": None, "sub_centre": True}})
    access = state.access()
    catchment = access.catchment(sub_centres(region, year=used), minutes=SUB_CENTRE_MINUTES,
                                 year=used)
    sub_frame = access.facilities(None, year=used)
    sub_frame = sub_frame[sub_frame["id"].astype(str).isin(subs)]
    circle = _geojson(access.isochrones(sub_frame, [catchment.attrs["minutes"]])) \
        if len(sub_frame) else {"type": "FeatureCollection", "features": []}
    return {"plan": loaded.id, "plan_title": loaded.title, "project": state.project.name,
            "year": used, "synthetic": state.synthetic(), "institutions": rows,
            "catchment": json_records(catchment), "catchment_minutes":
            catchment.attrs["minutes"], "catchment_area": circle,
            "n_institutions": len(loaded.institutions), "unmatched": unmatched,
            "outside_scope": outside,
            "network": json_records(network_indicators(region, year=used)),
            "members": json_records(members), "status_zh": STATUS_ZH,
            "links": {"type": "FeatureCollection", "features": features},
            "nodes": {"type": "FeatureCollection", "features": node_features}}
