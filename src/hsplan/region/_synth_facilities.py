"""The synthetic generator's facilities and their yearly figures: the facilities that seed
000's setting rules call for, the facts of the service network, resources per facility and
year calibrated to the 2020 baselines, and utilisation (`hsplan.region.synth` calls them).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from hsplan.region import schema
from hsplan.region._rounding import allocate
from hsplan.region._synth_geo import (
    is_community,
    largest_part,
    seat_village,
    township_kind_of_code,
)
from hsplan.region._synth_params import BASE_YEAR, HOSPITAL_STAFF_PER_BED_2020, SynthParams
from hsplan.region.model import WGS84

IntArray = npt.NDArray[np.int64]


def _short(name: str) -> str:
    for suffix in ("社区居民委员会", "居民委员会", "村民委员会", "委员会", "社区", "村"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


# --- facilities ---------------------------------------------------------------------------

_SUBTYPE = {
    "county_hospital": "综合医院", "tcm_hospital": "中医医院", "private_hospital": "综合医院",
    "private_specialty": "专科医院", "mch": "妇幼保健院", "cdc": "疾病预防控制中心",
    "emergency": "急救站", "inspection": "卫生监督所", "central_thc": "中心乡镇卫生院",
    "thc": "乡镇卫生院", "chc": "社区卫生服务中心", "station": "社区卫生服务站",
    "village_clinic": "村卫生室", "outpatient": "门诊部", "clinic": "诊所",
}
_HOSPITAL_ROLES = ("county_hospital", "tcm_hospital", "private_hospital", "private_specialty")
_PUBLIC_HEALTH_ROLES = ("mch", "cdc", "emergency", "inspection")
_PRIMARY_CENTRES = ("central_thc", "thc", "chc")
_CLINIC_SURNAMES = ("李", "王", "张", "刘", "杨", "赵", "陈", "周", "普", "钱", "孙", "黄")


def _facilities(county: pd.Series, towns: pd.DataFrame, villages: pd.DataFrame,
                town_polys: list[BaseGeometry], village_pts: dict[str, Point],
                pop: pd.DataFrame, seat: Point, crs: Any, rng: np.random.Generator,
                p: SynthParams) -> gpd.GeoDataFrame:
    """Return the facilities (with a private ``_role`` column) following seed 000's rules."""
    county_name = str(county["name"])
    poly_of = dict(zip(towns["code"], town_polys, strict=True))
    pop20 = pop[pop["year"] == BASE_YEAR].set_index("area_code")["total"].astype(int)
    seat_town = next((c for c, poly in poly_of.items() if poly.contains(seat)),
                     str(towns["code"].iloc[0]))
    rows: list[dict[str, Any]] = []
    counters: dict[str, int] = {}

    def add(role: str, name: str, area: str, anchor: Point, town: str, *,
            spread_m: float = 250.0, **extra: Any) -> None:
        prefix = {"village_clinic": "V", "station": "S", "clinic": "K", "outpatient": "K"}.get(
            role, "H" if role in _HOSPITAL_ROLES else "P" if role in _PUBLIC_HEALTH_ROLES
            else "T")
        counters[prefix] = counters.get(prefix, 0) + 1
        rows.append({"id": f"{prefix}{counters[prefix]:03d}", "name": name,
                     "subtype": _SUBTYPE[role], "category": schema.FACILITY_SUBTYPES[
                         _SUBTYPE[role]], "area_code": area, "crs": "WGS84", "_role": role,
                     "geometry": _near(anchor, poly_of[town], spread_m, rng), **extra})

    county_run = {"ownership": "公立", "government_run": True, "admin_level": "县属"}
    add("county_hospital", f"{county_name}人民医院", seat_town, seat, seat_town,
        spread_m=600, grade="二级甲等", opened=1951, **county_run,
        departments=["急诊科", "重症医学科", "感染性疾病科", "发热门诊", "老年医学科",
                     "康复医学科", "儿科", "妇产科", "全科医学科", "公共卫生科", "口腔科",
                     "眼科", "麻醉科", "病理科", "医学检验科", "医学影像科"])
    add("tcm_hospital", f"{county_name}中医医院", seat_town, seat, seat_town, spread_m=1500,
        grade="二级甲等", opened=1984, **county_run,
        departments=["治未病科", "急诊科", "康复医学科", "发热诊室", "儿科", "医学检验科",
                     "医学影像科"])
    add("mch", f"{county_name}妇幼保健院", seat_town, seat, seat_town, spread_m=1500,
        grade="二级乙等", opened=1978, **county_run,
        departments=["儿科", "妇产科", "预防保健科", "心理门诊"])
    add("cdc", f"{county_name}疾病预防控制中心", seat_town, seat, seat_town, spread_m=1500,
        opened=1972, **county_run)
    add("emergency", f"{county_name}急救站", seat_town, seat, seat_town, spread_m=1200,
        opened=2009, **county_run)
    add("inspection", f"{county_name}卫生健康综合监督执法大队", seat_town, seat, seat_town,
        spread_m=1500, opened=2002, **county_run)

    town_codes = [str(c) for c in towns["code"]]
    rural = [c for c in town_codes if township_kind_of_code(c) != "street"]
    central = set()
    if rural:
        biggest = max(rural, key=lambda c: int(pop20.get(c, 0)))
        central.add(biggest)
    fever = _uneven(len(town_codes), 0.55, rng)
    tcm_hall = _uneven(len(town_codes), 0.8, rng)
    for i, (code, name) in enumerate(zip(towns["code"], towns["name"], strict=True)):
        vs = villages[villages["parent_code"] == code]["code"].tolist()
        anchor = village_pts[seat_village(vs)] if vs else poly_of[code].representative_point()
        depts = ["全科医学科", "预防保健科"]
        if township_kind_of_code(code) == "street":
            depts += ["中医馆"] * bool(tcm_hall[i]) + ["发热诊室"] * bool(fever[i])
            add("chc", f"{name}社区卫生服务中心", code, anchor, code, spread_m=300,
                grade="未定级", opened=2008, **county_run, departments=depts)
        else:
            role = "central_thc" if code in central else "thc"
            clinic = "发热门诊" if role == "central_thc" else "发热诊室"
            depts += ["公共卫生科"] + ["中医馆"] * bool(tcm_hall[i]) + [clinic] * bool(
                fever[i] or role == "central_thc") + ["康复医学科"] * (role == "central_thc")
            label = "中心卫生院" if role == "central_thc" else "卫生院"
            add(role, f"{county_name}{name}{label}", code, anchor, code, spread_m=200,
                grade="一级甲等", ownership="公立", government_run=True, admin_level="乡镇",
                opened=1958, departments=depts)

    for code in town_codes:
        vs = villages[villages["parent_code"] == code]["code"].tolist()
        seat_v = seat_village(vs) if vs else None
        for v in vs:
            if v == seat_v:
                continue
            vname = _short(str(villages.loc[villages["code"] == v, "name"].iloc[0]))
            if township_kind_of_code(code) == "street" and is_community(v):
                add("station", f"{vname}社区卫生服务站", v, village_pts[v], code, spread_m=150,
                    grade="未定级", **county_run, opened=2012)
            elif int(pop20.get(v, 0)) >= 800 or rng.random() < 0.5:
                add("village_clinic", f"{vname}村卫生室", v, village_pts[v], code,
                    spread_m=150, ownership="公立", government_run=False, admin_level="村",
                    opened=1975)

    private = {"ownership": "非公立", "government_run": False, "admin_level": "其他"}
    short = county_name[:-1] if len(county_name) > 2 else county_name
    add("private_hospital", f"{short}康华医院", seat_town, seat, seat_town, spread_m=2000,
        grade="一级甲等", opened=2011, **private,
        departments=["急诊科", "口腔科", "医学检验科", "医学影像科"])
    add("private_specialty", f"{short}仁和骨科医院", seat_town, seat, seat_town,
        spread_m=2000, grade="未定级", opened=2015, **private, departments=["康复医学科"])
    add("outpatient", f"{short}博仁门诊部", seat_town, seat, seat_town, spread_m=1500,
        opened=2016, **private, departments=["口腔科", "医学检验科"])
    seats = [(c, seat_village(villages[villages["parent_code"] == c]["code"].tolist()))
             for c in town_codes if (villages["parent_code"] == c).any()]
    for k in range(p.private_clinics):
        code, v = seats[int(rng.integers(len(seats)))] if k % 3 == 2 and seats else (
            seat_town, seat_village(villages[villages["parent_code"] == seat_town][
                "code"].tolist()) if (villages["parent_code"] == seat_town).any() else None)
        anchor = village_pts[v] if v else seat
        kind = "中医诊所" if k % 4 == 0 else "口腔诊所" if k % 4 == 1 else "诊所"
        surname = _CLINIC_SURNAMES[k % len(_CLINIC_SURNAMES)]
        add("clinic", f"{short}{surname}氏{kind}", code, anchor, code, spread_m=900,
            opened=2005 + int(rng.integers(0, 14)), **private)

    frame = pd.DataFrame(rows)
    frame["departments"] = frame["departments"].map(
        lambda d: "、".join(d) if isinstance(d, list) and d else None)
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs).to_crs(WGS84)
    gdf["lon"] = gdf.geometry.x.round(6)
    gdf["lat"] = gdf.geometry.y.round(6)
    gdf["geometry"] = gpd.points_from_xy(gdf["lon"], gdf["lat"], crs=WGS84)
    return gdf


def _uneven(n: int, share: float, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """Return n booleans, about `share` True, never all True or all False (n ≥ 2)."""
    flags = rng.random(n) < share
    if n >= 2 and flags.all():
        flags[int(rng.integers(n))] = False
    if n >= 2 and not flags.any():
        flags[int(rng.integers(n))] = True
    return flags


def _near(anchor: Point, poly: BaseGeometry, spread_m: float,
          rng: np.random.Generator) -> Point:
    """Return a point within `spread_m` of `anchor` and well inside `poly` (metric CRS)."""
    inner = poly.buffer(-30.0)
    inner = inner if not inner.is_empty else poly
    for _ in range(200):
        pt = Point(anchor.x + rng.normal(0, spread_m / 2), anchor.y + rng.normal(0, spread_m / 2))
        if inner.contains(pt):
            return pt
    return largest_part(inner).representative_point()


# --- facts: the service network and institution building ---------------------------------


def _facts(facilities: gpd.GeoDataFrame, county_name: str, years: tuple[int, ...]
           ) -> pd.DataFrame:
    """Return the facts table of the synthetic county, by rule (no random draws, so the
    other tables do not change): a 紧密型县域医共体 led by the county's general hospital with
    every government-run 卫生院, 社区卫生服务中心 and 村卫生室 as members from the plan's
    first year; the largest 中心乡镇卫生院 designated 县域医疗卫生次中心; the hospitals'
    grades as passed in the first year; and the lead hospital's 五大中心 at different stages
    (as seed 000 plans them)."""
    first, start = min(years), max(min(years), 2021)
    alliance = f"{county_name}紧密型县域医共体"
    rows: list[dict[str, Any]] = []
    gov = facilities[facilities["government_run"].fillna(False).astype(bool)]
    general = gov[(gov["subtype"] == "综合医院") & gov["name"].str.endswith("人民医院")]
    lead = str(general.iloc[0]["id"]) if len(general) else None
    if lead is not None:
        rows.append({"facility_id": lead, "year": start, "fact": "医共体", "value": alliance,
                     "role": "牵头"})
        public = facilities[facilities["ownership"] == "公立"]
        members = public[public["subtype"].isin(["乡镇卫生院", "中心乡镇卫生院", "街道卫生院",
                                                 "社区卫生服务中心", "村卫生室"])]
        rows += [{"facility_id": str(f), "year": start, "fact": "医共体", "value": alliance,
                  "role": "成员"} for f in members["id"]]
        for centre, year, status in (("胸痛中心", start + 1, "通过"),
                                     ("卒中中心", start + 2, "评审中"),
                                     ("危重孕产妇救治中心", start, "建成"),
                                     ("危重儿童和新生儿救治中心", start + 1, "建成")):
            if year <= max(years):
                rows.append({"facility_id": lead, "year": year, "fact": "中心", "value": centre,
                             "status": status})
    centres = gov[gov["subtype"] == "中心乡镇卫生院"]
    if len(centres) and max(years) >= start + 1:
        rows.append({"facility_id": str(centres.iloc[0]["id"]), "year": start + 1,
                     "fact": "定位", "value": "县域医疗卫生次中心", "status": "通过"})
    graded = facilities[facilities["grade"].notna() & (facilities["grade"] != "未定级")]
    rows += [{"facility_id": str(f), "year": first, "fact": "等级", "value": str(g),
              "status": "通过"} for f, g in zip(graded["id"], graded["grade"], strict=True)]
    return pd.DataFrame(rows, columns=["facility_id", "year", "fact", "value", "status",
                                       "role", "beds", "note"])


# --- resources ----------------------------------------------------------------------------


def rate_count(rate: float, decimals: int, per: int, pop: int) -> int:
    """Return the whole count closest to `rate` per `per` residents whose rate, rounded to
    `decimals`, equals `rate` (e.g. 3.44 beds per 1,000 of 253,295 → 871)."""
    best = round(rate * pop / per)
    for cand in (best, best - 1, best + 1):
        if cand >= 0 and abs(cand / pop * per - rate) < 0.5 * 10 ** -decimals:
            return cand
    # a small population has no whole count with exactly that rounded rate (1.58 per
    # 10,000 of 118,796): the closest count is the calibration's best answer
    return max(best, 0)


_COMPONENTS = ("doctors_licensed", "doctors_assistant", "nurses", "pharmacists", "technicians",
               "_other_tech", "village_doctors", "managers", "other_staff", "health_inspectors")


def _resources(facilities: gpd.GeoDataFrame, pop: pd.DataFrame, census: pd.Series,
               years: tuple[int, ...], rng: np.random.Generator,
               p: SynthParams) -> pd.DataFrame:
    """Return beds, staff and equipment per facility and year, 2020 calibrated to the
    baselines of `p` (seed 000 表1)."""
    total = int(census["total"])
    b = p.baselines

    def target(key: str) -> int:
        rate, dec, per = b[key]
        return rate_count(rate, dec, per, total)

    role = facilities["_role"].to_numpy()
    n = len(facilities)
    pop20 = pop[pop["year"] == BASE_YEAR].set_index("area_code")["total"].astype(int)
    area_pop = np.array([float(pop20.get(a, 0)) for a in facilities["area_code"]])
    noise = rng.lognormal(0, 0.12, n)

    def idx(*roles: str) -> npt.NDArray[np.bool_]:
        return np.isin(role, roles)

    # beds 2020
    beds = np.zeros(n, dtype=np.int64)
    b_all, b_cp, b_tcm = (target("beds_per_1k"), target("county_public_and_primary_beds_per_1k"),
                          target("public_tcm_hospital_beds_per_1k"))
    beds[idx("tcm_hospital")] = b_tcm
    prim = idx("central_thc", "thc", "chc")
    primary_total = round(p.primary_bed_share * (b_cp - b_tcm))
    w_prim = np.where(idx("central_thc"), 2.5, np.where(idx("thc"), 1.0, 0.25)) * noise
    beds[prim] = allocate(primary_total, w_prim[prim])
    beds[idx("county_hospital")] = b_cp - b_tcm - primary_total
    other = b_all - b_cp
    mch = round(p.mch_bed_share * other)
    beds[idx("mch")] = mch
    beds[idx("private_hospital", "private_specialty")] = allocate(
        other - mch, [0.6, 0.4][: int(idx("private_hospital", "private_specialty").sum())])

    special = {c: np.zeros(n, dtype=np.int64) for c in schema.BED_COLUMNS}
    ch = idx("county_hospital")
    special["beds_icu"][ch] = target("icu_beds_per_1k")
    rehab_w = np.where(ch, 0.5, np.where(idx("tcm_hospital"), 0.35,
                                         np.where(idx("central_thc"), 0.15, 0.0)))
    special["beds_rehab"] = allocate(target("rehab_beds_per_1k"), rehab_w, beds)
    special["beds_psych"][ch] = target("psych_beds_per_1k")
    special["beds_infectious"][ch] = round(0.06 * beds[ch].sum())
    special["beds_tcm"] = np.where(ch, np.rint(0.03 * beds), np.where(
        idx("central_thc"), 4, 0)).astype(np.int64)
    special["beds_nursing"] = np.where(prim, np.rint(0.1 * beds), 0).astype(np.int64)
    special["beds_emergency_obs"] = np.where(ch, 8, np.where(
        idx("tcm_hospital"), 4, np.where(idx("private_hospital"), 2, 0))).astype(np.int64)
    approved = np.where(idx(*_HOSPITAL_ROLES, "mch"),
                        np.rint(beds * rng.uniform(1.0, 1.15, n)), beds).astype(np.int64)

    # staff 2020: public-health institutions first (their total is a baseline)
    comp = {c: np.zeros(n, dtype=np.int64) for c in _COMPONENTS}
    ph = idx(*_PUBLIC_HEALTH_ROLES)
    ph_w = np.select([idx("cdc"), idx("mch"), idx("emergency"), idx("inspection")],
                     [1.75e-4 * total, 1.0e-4 * total + 1.2 * beds, 14.0, 0.8e-4 * total], 0.0)
    ph_staff = allocate(target("public_health_staff_per_10k"), ph_w)
    mix = {  # doctors_l, doctors_a, nurses, pharm, tech, other_tech, vdoc, mgr, other, insp
        "cdc": (16, 3, 2, 0, 12, 2, 0, 6, 6, 0),
        "mch": (26, 5, 35, 4, 8, 2, 0, 8, 10, 0),
        "emergency": (5, 1, 5, 0, 0, 0, 0, 1, 6, 0),
        "inspection": (0, 0, 0, 0, 0, 0, 0, 3, 2, 15),
    }
    for k in np.flatnonzero(ph):
        parts = allocate(int(ph_staff[k]), mix[role[k]])
        for c, v in zip(_COMPONENTS, parts, strict=True):
            comp[c][k] = v
    med = ~ph
    doctors_target = target("doctors_per_1k") - int((comp["doctors_licensed"] +
                                                      comp["doctors_assistant"])[ph].sum())
    w_doc = np.select(
        [idx("county_hospital"), idx("tcm_hospital"), idx("private_hospital", "private_specialty"),
         idx("central_thc"), idx("thc"), idx("chc"), idx("station"), idx("village_clinic"),
         idx("outpatient"), idx("clinic")],
        [beds * 0.40, beds * 0.38, beds * 0.26, 4 + area_pop / 2200, 3 + area_pop / 2500,
         2 + area_pop / 3500, 1.3, 0.22, 4.0, 1.3], 0.0) * noise
    minimum = np.where(idx("central_thc", "thc", "chc", "station", "outpatient", "clinic"), 1, 0)
    doctors = np.where(med, 0, comp["doctors_licensed"] + comp["doctors_assistant"])
    doctors[med] = minimum[med] + allocate(doctors_target - int(minimum[med].sum()), w_doc[med])
    lic_share = np.select([idx(*_HOSPITAL_ROLES), idx("central_thc", "thc", "chc"),
                           idx("village_clinic")], [0.9, 0.68, 0.0], 0.8)
    lic = np.where(med, np.rint(doctors * lic_share), comp["doctors_licensed"]).astype(np.int64)
    comp["doctors_licensed"] = lic
    comp["doctors_assistant"] = doctors - lic

    nurse_target = target("nurses_per_1k") - int(comp["nurses"][ph].sum())
    w_nurse = np.select(
        [idx("county_hospital"), idx("tcm_hospital"), idx("private_hospital", "private_specialty"),
         idx("central_thc", "thc", "chc"), idx("station"), idx("outpatient"), idx("clinic")],
        [beds * 0.62, beds * 0.50, beds * 0.33, doctors * 0.95, 1.0, 3.0, 0.4], 0.0) * noise
    comp["nurses"][med] = allocate(nurse_target, w_nurse[med])
    pharm_target = target("pharmacists_per_1k") - int(comp["pharmacists"][ph].sum())
    w_pharm = np.select([idx(*_HOSPITAL_ROLES), idx("central_thc", "thc", "chc"),
                         idx("outpatient"), idx("clinic")], [beds * 0.055, 1.8, 0.5, 0.1], 0.0)
    comp["pharmacists"][med] = allocate(pharm_target, w_pharm[med] * noise[med])
    comp["technicians"][med] = np.select(
        [idx(*_HOSPITAL_ROLES), idx("central_thc", "thc", "chc"), idx("outpatient")],
        [np.rint(beds * 0.09), np.full(n, 2), np.full(n, 1)], 0)[med]
    comp["village_doctors"] = np.where(idx("village_clinic"),
                                       np.clip(np.rint(area_pop / 1300), 1, 3), 0).astype(np.int64)
    core = comp["doctors_licensed"] + comp["doctors_assistant"] + comp["nurses"]
    comp["_other_tech"][med] = np.rint(core * 0.04)[med]
    comp["managers"][med] = np.select([idx(*_HOSPITAL_ROLES), idx("central_thc", "thc", "chc")],
                                      [np.rint(core * 0.07), np.full(n, 2)], 0)[med]
    comp["other_staff"][med] = np.select(
        [idx(*_HOSPITAL_ROLES), idx("central_thc", "thc"), idx("chc")],
        [np.rint(core * 0.10), np.full(n, 2), np.full(n, 1)], 0)[med]

    # sub-categories of doctors (each ≤ doctors, together ≤ doctors)
    tcm = allocate(target("tcm_doctors_per_1k"), np.select(
        [idx("tcm_hospital"), idx("county_hospital"), idx("central_thc", "thc", "chc"),
         idx("clinic"), idx("station", "village_clinic"), idx("mch")],
        [doctors * 0.62, doctors * 0.05, doctors * 0.22, doctors * 0.5, doctors * 0.12,
         doctors * 0.03], 0.0), doctors)
    gps = allocate(rate_count(*b["gps_per_10k"], pop=total), np.select(
        [idx("central_thc", "thc"), idx("chc"), idx("station"), idx("county_hospital"),
         idx("village_clinic")], [doctors * 0.25, doctors * 0.35, 0.5, 2.0, 0.02], 0.0),
        doctors - tcm)
    room = doctors - tcm - gps
    ph_doc = np.where(idx("cdc"), room, np.where(idx("central_thc", "thc", "chc"), 1, np.where(
        idx("county_hospital"), 2, np.where(idx("mch"), 3, 0))))
    thcs = np.flatnonzero(idx("thc"))
    if len(thcs) >= 2:  # seed 000 asks ≥1 per 卫生院; one has none yet (filled in 2022)
        ph_doc[thcs[int(rng.integers(len(thcs)))]] = 0
    ph_doc = np.minimum(ph_doc, room)
    psych = np.minimum(np.where(ch, 1, 0), room - ph_doc)
    lacking_ph = np.flatnonzero(idx("thc") & (ph_doc == 0))
    equipment = _equipment(role)
    _calibrate_hospital_staff(comp, beds, idx(*_HOSPITAL_ROLES))

    growth = p.growth
    comp_growth = {"doctors_licensed": growth["doctors"], "doctors_assistant": growth["doctors"],
                   "nurses": growth["nurses"], "pharmacists": growth["pharmacists"]}
    rows: list[dict[str, Any]] = []
    for year in sorted(years):
        dy = year - BASE_YEAR
        g_beds = np.where(idx("tcm_hospital"), growth["beds_tcm_hospital"], np.where(
            idx("mch", "private_hospital", "private_specialty"), growth["beds_other"],
            growth["beds"]))
        beds_y = np.rint(beds * (1 + g_beds) ** dy).astype(np.int64)
        comp_y = {}
        for c, v in comp.items():
            g = np.where(ph, growth["public_health_staff"], comp_growth.get(c, growth["doctors"]))
            comp_y[c] = np.rint(v * (1 + g) ** dy).astype(np.int64)
        doctors_y = comp_y["doctors_licensed"] + comp_y["doctors_assistant"]
        tcm_y = np.minimum(np.rint(tcm * (1 + growth["tcm_doctors"]) ** dy), doctors_y)
        gps_y = np.minimum(np.rint(gps * (1 + growth["gps"]) ** dy), doctors_y - tcm_y)
        ph_y = ph_doc.copy()
        if year >= 2022:
            ph_y[lacking_ph] = 1
        ph_y = np.minimum(np.where(idx("cdc"), doctors_y, ph_y), doctors_y - tcm_y - gps_y)
        psych_y = np.minimum(psych, doctors_y - tcm_y - gps_y - ph_y)
        health_tech = sum(comp_y[c] for c in ("doctors_licensed", "doctors_assistant", "nurses",
                                              "pharmacists", "technicians", "_other_tech"))
        staff_total = health_tech + sum(comp_y[c] for c in ("village_doctors", "managers",
                                                            "other_staff", "health_inspectors"))
        icu_y = special["beds_icu"] + np.where(ch, 3 * max(dy, 0), 0)
        rehab_y = np.rint(special["beds_rehab"] * 1.08 ** dy).astype(np.int64)
        for i, fid in enumerate(facilities["id"]):
            row: dict[str, Any] = {"facility_id": fid, "year": year}
            if beds[i] > 0 or role[i] in _HOSPITAL_ROLES:
                row.update({
                    "beds_approved": int(max(approved[i], beds_y[i])), "beds": int(beds_y[i]),
                    "beds_icu": int(min(icu_y[i], beds_y[i])),
                    "beds_rehab": int(min(rehab_y[i], beds_y[i])),
                    **{c: int(min(special[c][i], beds_y[i])) for c in (
                        "beds_psych", "beds_infectious", "beds_nursing", "beds_emergency_obs",
                        "beds_tcm")}})
            else:
                row.update({"beds_approved": 0, "beds": 0})
            row.update({c: int(comp_y[c][i]) for c in _COMPONENTS if not c.startswith("_")})
            row.update({"staff_total": int(staff_total[i]),
                        "staff_health_tech": int(health_tech[i]),
                        "tcm_doctors": int(tcm_y[i]), "gps": int(gps_y[i]),
                        "public_health_physicians": int(ph_y[i]),
                        "psychiatrists": int(psych_y[i])})
            row.update({c: int(v(year)[i]) for c, v in equipment.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def _calibrate_hospital_staff(comp: dict[str, IntArray], beds: IntArray,
                              hospitals: npt.NDArray[np.bool_]) -> None:
    """Set the hospitals' 2020 other staff (其他人员, neither health technicians nor a
    baseline of its own) so that 医院卫生人员 / 医院实有床位 is seed 000's 1:1.74 at the
    decimals stated; changes `comp` in place."""
    rate = HOSPITAL_STAFF_PER_BED_2020
    hosp_beds = int(beds[hospitals].sum())
    if hosp_beds == 0:
        return
    staff = sum(comp[c][hospitals] for c in _COMPONENTS)
    delta = round(rate * hosp_beds) - int(np.sum(staff))  # the nearest whole staff: 1:1.74
    other = comp["other_staff"]
    if delta > 0:
        other[hospitals] += allocate(delta, beds[hospitals])
    elif delta < 0:
        other[hospitals] -= allocate(min(-delta, int(other[hospitals].sum())),
                                     other[hospitals], other[hospitals])


def _equipment(role: npt.NDArray[Any]) -> dict[str, Any]:
    """Return, per equipment column, a function year → counts per facility."""
    def per(values: dict[str, int], since: dict[str, tuple[int, int]] | None = None) -> Any:
        def at(year: int) -> IntArray:
            out = np.array([values.get(r, 0) for r in role], dtype=np.int64)
            for r, (y0, extra) in (since or {}).items():
                out[role == r] += extra if year >= y0 else 0
            return out
        return at

    return {
        "ct": per({"county_hospital": 2, "tcm_hospital": 1}, {"private_hospital": (2021, 1),
                                                              "county_hospital": (2022, 1)}),
        "mri": per({"county_hospital": 1}, {"tcm_hospital": (2023, 1)}),
        "dr": per({"county_hospital": 3, "tcm_hospital": 2, "private_hospital": 1,
                   "private_specialty": 1, "mch": 1, "central_thc": 1, "thc": 1, "chc": 1,
                   "outpatient": 1}),
        "ambulances": per({"county_hospital": 2, "tcm_hospital": 1, "emergency": 2,
                           "central_thc": 1},
                          {"thc": (2021, 0), "emergency": (2022, 1),
                           "county_hospital": (2023, 1)}),
        "ambulances_negative_pressure": per({}, {"county_hospital": (2020, 1),
                                                 "emergency": (2022, 1)}),
        "ecmo": per({}, {"county_hospital": (2023, 1)}),
        "ventilators": per({"county_hospital": 12, "tcm_hospital": 4, "central_thc": 1,
                            "mch": 2}, {"county_hospital": (2022, 8)}),
    }


# --- utilisation --------------------------------------------------------------------------

_YEAR_EFFECT = {2019: 1.03, 2020: 0.94, 2021: 1.0, 2022: 0.96, 2023: 1.05}
_OCC_ALOS = {  # occupancy range, stay range (days)
    "county_hospital": ((0.84, 0.90), (7.6, 8.4)), "tcm_hospital": ((0.80, 0.86), (8.2, 8.9)),
    "private_hospital": ((0.62, 0.72), (9.0, 10.5)),
    "private_specialty": ((0.55, 0.70), (10.0, 13.0)), "mch": ((0.60, 0.70), (4.5, 5.5)),
    "central_thc": ((0.65, 0.78), (5.5, 7.0)), "thc": ((0.45, 0.72), (5.5, 7.0)),
    "chc": ((0.30, 0.50), (6.0, 8.0)),
}
_VISITS = {  # visits per bed, or per resident of the area, or per facility
    "county_hospital": ("bed", 1300), "tcm_hospital": ("bed", 1100),
    "private_hospital": ("bed", 520), "private_specialty": ("bed", 380), "mch": ("bed", 1500),
    "central_thc": ("pop", 1.7), "thc": ("pop", 1.5), "chc": ("pop", 1.2),
    "station": ("unit", 9000), "village_clinic": ("pop", 2.2), "outpatient": ("unit", 15000),
    "clinic": ("unit", 6000),
}


def _utilisation(facilities: gpd.GeoDataFrame, resources: pd.DataFrame, pop: pd.DataFrame,
                 years: tuple[int, ...], rng: np.random.Generator,
                 p: SynthParams) -> pd.DataFrame:
    """Return visits, admissions, bed-days, stay and occupancy per facility and year."""
    res = resources.set_index(["facility_id", "year"])
    pops = {(str(a), int(y)): float(t) for a, y, t in
            zip(pop["area_code"], pop["year"], pop["total"], strict=True)}
    rows: list[dict[str, Any]] = []
    for _, f in facilities.iterrows():
        r = str(f["_role"])
        if r not in _VISITS:
            continue
        occ_rng, alos_rng = _OCC_ALOS.get(r, ((0.0, 0.0), (0.0, 0.0)))
        occ0, alos0 = rng.uniform(*occ_rng), rng.uniform(*alos_rng)
        scale = rng.lognormal(0, 0.1)
        how, per = _VISITS[r]
        for year in sorted(years):
            dy = year - BASE_YEAR
            effect = _YEAR_EFFECT.get(year, 1.0)
            beds = int(res.loc[(f["id"], year), "beds"])
            base = {"bed": beds, "pop": pops.get((str(f["area_code"]), year), 0.0), "unit": 1}[how]
            visits = round(base * per * scale * effect * (1 + p.growth["visits"]) ** dy)
            hosp = r in _HOSPITAL_ROLES or r == "mch"
            oe = round(visits * (0.95 if hosp else 1.0))
            row: dict[str, Any] = {
                "facility_id": f["id"], "year": year, "visits": visits,
                "outpatient_emergency_visits": oe,
                "emergency_visits": round(oe * (0.08 if hosp else 0.02 if r in _PRIMARY_CENTRES
                                                else 0.0))}
            if beds > 0 and r in _OCC_ALOS:
                days = 366 if year % 4 == 0 else 365
                occ = float(np.clip(occ0 * effect + rng.normal(0, 0.01), 0.05, 0.98))
                if r == "county_hospital":
                    occ = max(occ, 0.78)
                alos = alos0 + rng.normal(0, 0.15)
                open_days = beds * days
                occupied = round(open_days * occ)
                discharged_days = round(occupied * rng.uniform(0.96, 0.99))
                discharges = max(1, round(discharged_days / alos))
                row.update({
                    "admissions": discharges + round(discharges * rng.uniform(-0.004, 0.01)),
                    "discharges": discharges, "bed_days_open": open_days,
                    "bed_days_occupied": occupied, "discharged_bed_days": discharged_days,
                    "alos_days": round(discharged_days / discharges, 2),
                    "occupancy_pct": round(occupied / open_days * 100, 2)})
            rows.append(row)
    return pd.DataFrame(rows)
