"""The service network as data: 医共体 and 专科联盟 members by year, the 县域医疗卫生次中心,
and the network indicators the seeds use on them (re-exported by
`hsplan.evaluation.institutions`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from hsplan._i18n import _
from hsplan.evaluation.targets import NOT_EVALUABLE
from hsplan.region.model import Region


def _status_word(status: str | None) -> str:
    return "" if status is None or pd.isna(status) else str(status)


def _has(text: Any, wanted: str) -> bool:
    """Return whether a fact or department names `wanted` (胸痛中心 ~ 胸痛)."""
    if text is None or pd.isna(text):
        return False
    core = wanted.removesuffix("中心").removesuffix("科")
    return wanted in str(text) or (len(core) >= 2 and core in str(text))


def alliances(region: Region, *, year: int) -> pd.DataFrame:
    """Return the members of every 医共体 and 专科联盟 in `year` (the latest membership row
    of each facility and alliance up to the year, 撤销 dropped): ``alliance``, ``kind``,
    ``facility_id``, ``facility_name``, ``subtype``, ``area_code``, ``role``, ``since``."""
    facts = region.facts
    rows = facts[facts["fact"].isin(["医共体", "专科联盟"]) & (facts["year"] <= year)]
    rows = rows.sort_values("year", kind="stable").drop_duplicates(
        ["facility_id", "fact", "value"], keep="last")
    rows = rows[rows["status"].map(_status_word) != "撤销"]
    facs = region.facilities.set_index("id")
    out = pd.DataFrame({
        "alliance": rows["value"].astype("string").to_numpy(),
        "kind": rows["fact"].astype("string").to_numpy(),
        "facility_id": rows["facility_id"].astype("string").to_numpy(),
        "facility_name": rows["facility_id"].map(facs["name"]).astype("string").to_numpy(),
        "subtype": rows["facility_id"].map(facs["subtype"]).astype("string").to_numpy(),
        "area_code": rows["facility_id"].map(facs["area_code"]).astype("string").to_numpy(),
        "role": rows["role"].astype("string").fillna("成员").to_numpy(),
        "since": rows["year"].astype("Int64").to_numpy(),
    })
    return out.sort_values(["alliance", "role", "facility_id"], ascending=[True, False, True],
                           kind="stable").reset_index(drop=True)


PRIMARY_SUBTYPES = ("乡镇卫生院", "中心乡镇卫生院", "街道卫生院", "社区卫生服务中心")


def sub_centres(region: Region, *, year: int) -> list[str]:
    """Return the ids of the facilities open in `year` that are 县域医疗卫生次中心 then (a
    定位 fact naming 次中心, 通过/建成 or without status, in or before `year`)."""
    facs = region.facilities
    open_ = facs[(facs["opened"].isna() | (facs["opened"] <= year))
                 & (facs["closed"].isna() | (facs["closed"] > year))]
    facts = region.facts
    if facts.empty:
        return []
    desig = facts[(facts["fact"] == "定位") & (facts["year"] <= year)]
    desig = desig[desig["value"].map(lambda v: _has(v, "次中心")).astype(bool)
                  & desig["status"].map(_status_word).isin(["", "通过", "建成"])]
    return sorted(set(desig["facility_id"].astype(str)) & set(open_["id"].astype(str)))


SUB_CENTRE_MINUTES = 30.0
"""The 县域医疗卫生次中心's catchment by default: the county's 30-minute service circle
(`hsplan.access.service.ServiceAccess.catchment` of `sub_centres`). 次中心 are meant to serve
the townships around them (seeds 000, 002, 003), hence a county-scale circle."""


def network_indicators(region: Region, *, year: int) -> pd.DataFrame:
    """Return the service-network indicators the seeds use, for `year`: the share of
    卫生院 and 社区卫生服务中心 in a 医共体 (%), the number of 县域医疗卫生次中心 and their
    beds, and the members' share of the county's admissions (%) where utilisation has
    admissions; each row says its numerator and denominator, or why it cannot be computed
    (``value`` None, 无法评估)."""
    facs = region.facilities
    open_ = facs[(facs["opened"].isna() | (facs["opened"] <= year))
                 & (facs["closed"].isna() | (facs["closed"] > year))]
    members = alliances(region, year=year)
    county_members = set(members.loc[members["kind"] == "医共体", "facility_id"])
    primary = open_[open_["subtype"].isin(PRIMARY_SUBTYPES)]
    rows: list[dict[str, Any]] = []
    if region.facts.empty:
        reason = _("no facts table (alliance members and sub-centre roles)")
        for name in ("卫生院和社区卫生服务中心纳入医共体比例（%）", "县域医疗卫生次中心数（个）",
                     "县域医疗卫生次中心床位（张）", "医共体成员住院人次占比（%）"):
            rows.append({"indicator": name, "value": None, "numerator": None,
                         "denominator": None, "status": NOT_EVALUABLE, "reason": reason})
        return pd.DataFrame(rows)
    n_in = int(primary["id"].isin(county_members).sum())
    rows.append({"indicator": "卫生院和社区卫生服务中心纳入医共体比例（%）",
                 "value": round(100.0 * n_in / len(primary), 1) if len(primary) else None,
                 "numerator": n_in, "denominator": len(primary),
                 "status": "ok" if len(primary) else NOT_EVALUABLE,
                 "reason": "" if len(primary) else _("no township or community health "
                                                      "centre")})
    sub_ids = sub_centres(region, year=year)
    res = region.resources[region.resources["year"] == year]
    beds = res[res["facility_id"].isin(sub_ids)]["beds"]
    rows.append({"indicator": "县域医疗卫生次中心数（个）", "value": float(len(sub_ids)),
                 "numerator": len(sub_ids), "denominator": None, "status": "ok", "reason": ""})
    rows.append({"indicator": "县域医疗卫生次中心床位（张）",
                 "value": float(beds.sum()) if len(beds) == len(sub_ids) else None,
                 "numerator": float(beds.sum()), "denominator": None,
                 "status": "ok" if len(beds) == len(sub_ids) else NOT_EVALUABLE,
                 "reason": "" if len(beds) == len(sub_ids) else _(
                     "no beds of the sub-centres in {year}").format(year=year)})
    util = region.utilisation[region.utilisation["year"] == year]
    adm = util["admissions"] if "admissions" in util else pd.Series(dtype=float)
    if util.empty or adm.notna().sum() == 0:
        rows.append({"indicator": "医共体成员住院人次占比（%）", "value": None,
                     "numerator": None, "denominator": None, "status": NOT_EVALUABLE,
                     "reason": _("no admissions in {year}").format(year=year)})
    else:
        total = float(adm.sum())
        mem = float(util.loc[util["facility_id"].isin(county_members), "admissions"].sum())
        rows.append({"indicator": "医共体成员住院人次占比（%）",
                     "value": round(100.0 * mem / total, 1) if total else None,
                     "numerator": mem, "denominator": total, "status": "ok", "reason": ""})
    return pd.DataFrame(rows)
