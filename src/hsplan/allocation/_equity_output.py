"""The equity result and its form for people: `EquityResult` (what `Equity.solve` returns),
the formulas and Chinese words of the indices, the frames of results with Chinese values
(`equity_frames`: 指数, 分组分解, 集聚度, 洛伦兹曲线, 地区, 说明), their Chinese headers
(`COLUMNS_ZH`) and number formats (`FORMATS`), and the workbook (`equity_to_xlsx`).

Re-exported by `hsplan.allocation.equity`, where they are documented for users.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hsplan._i18n import N_, _, language
from hsplan.region import schema

# the formulas as the indices' results and the 说明 sheet print them (notation: equity)
GINI_FORMULA = "G = Σ PᵢYᵢ + 2 Σ Pᵢ(1 − Vᵢ) − 1"
GINI_TRAPEZOID = "G = 1 − Σ Pᵢ(Vᵢ₋₁ + Vᵢ)"
THEIL_T_FORMULA = "T = Σ Yᵢ log(Yᵢ/Pᵢ)"
THEIL_L_FORMULA = "L = Σ Pᵢ log(Pᵢ/Yᵢ)"
HRAD_FORMULA = "HRADᵢ = (Rᵢ/ΣR) / (Aᵢ/ΣA)"
PAD_FORMULA = "PADᵢ = (Nᵢ/ΣN) / (Aᵢ/ΣA)"
HRDI_FORMULA = N_("HRDIᵢ = √((Rᵢ/Nᵢ) × (Rᵢ/Aᵢ)), N in 1,000 persons, A in km²")

WEIGHT_ZH = {"population": "按人口", "area": "按面积", "equal": "等权"}
LOG_ZH = {"e": "自然对数", "10": "常用对数(以10为底)", "2": "以2为底"}
# the same words in the reader's language (zh: the words above)
WEIGHT_WORDS = {"population": N_("by population"), "area": N_("by area"),
                "equal": N_("equal weights")}
LOG_WORDS = {"e": N_("natural logarithm"), "10": N_("common logarithm (base 10)"),
             "2": N_("logarithm base 2")}
INDEX_WORDS = {"gini": N_("Gini coefficient"), "theil_T": N_("Theil index T"),
               "theil_L": N_("Theil index L")}


def weight_word(weights: str) -> str:
    """Return the weight basis (population, area, equal) in the reader's language (按人口 …)."""
    return _(WEIGHT_WORDS[weights]) if weights in WEIGHT_WORDS else weights


def log_word(base: str) -> str:
    """Return the log base (e, 10, 2) in the reader's language (自然对数 …)."""
    return _(LOG_WORDS[base]) if base in LOG_WORDS else base


def index_word(index: str) -> str:
    """Return an index id (gini, theil_T, theil_L) in the reader's language (基尼系数 …)."""
    return _(INDEX_WORDS[index]) if index in INDEX_WORDS else index


@dataclass(frozen=True)
class EquityResult:
    """What `Equity.solve` returns: tidy frames, every index with formula, weights, base.

    - `areas`: one row per area: ``area_code``, ``area_name``, ``group``, ``population``,
      ``area_km2`` and one column per resource (counts).
    - `indices`: one row per resource × weights × index: ``resource``, ``resource_zh``,
      ``weights``, ``index`` (gini | theil_T | theil_L), ``value``, ``between``,
      ``within``, ``between_share``, ``within_share``, ``formula``, ``log_base``, ``n``,
      ``status`` (ok | 无法评估) and ``note``.
    - `theil_groups`: the per-group parts of every Theil index.
    - `lorenz`: the Lorenz curve points of every Gini (``resource``, ``weights`` + the
      columns of `lorenz_curve`).
    - `agglomeration`: HRAD, PAD, HRAD/PAD and HRDI per area and resource.
    - `notes`: what the reader must know (resources outside every area, missing areas).
    """

    year: int
    level: str
    group_by: str | None
    log_base: str
    areas: pd.DataFrame
    indices: pd.DataFrame
    theil_groups: pd.DataFrame
    lorenz: pd.DataFrame
    agglomeration: pd.DataFrame
    notes: list[str]


INDEX_ZH = {"gini": "基尼系数", "theil_T": "泰尔指数T", "theil_L": "泰尔指数L"}
COLUMNS_ZH = {
    "resource": "资源", "resource_zh": "资源", "weights": "权重", "index": "指数",
    "value": "数值", "between": "组间", "within": "组内", "between_share": "组间贡献率",
    "within_share": "组内贡献率", "trapezoid": "梯形法复核", "formula": "公式",
    "log_base": "对数底", "n": "地区数", "status": "状态", "note": "说明",
    "group": "分组", "weight_share": "权重占比", "resource_share": "资源占比",
    "group_index": "组内指数", "contribution_pct": "贡献率(%)",
    "area_code": "区划代码", "area_name": "地区", "label": "地区", "population": "常住人口",
    "area_km2": "面积(km²)", "count": "资源数", "population_share": "人口占比",
    "area_share": "面积占比", "hrad": "卫生资源集聚度HRAD", "pad": "人口集聚度PAD",
    "hrad_pad": "HRAD/PAD", "hrdi": "卫生资源密度指数HRDI", "reading": "解读",
    "region_hrdi": "全区HRDI", "per_1k": "每千人口", "per_km2": "每平方公里",
    "cum_weight": "累计权重占比", "cum_resource": "累计资源占比", "density": "资源密度",
}
COLUMNS_EN = {
    "resource": "resource", "resource_zh": "resource", "weights": "weights", "index": "index",
    "value": "value", "between": "between groups", "within": "within groups",
    "between_share": "between-group share", "within_share": "within-group share",
    "trapezoid": "trapezoid check", "formula": "formula", "log_base": "log base",
    "n": "areas", "status": "status", "note": "note", "group": "group",
    "weight_share": "weight share", "resource_share": "resource share",
    "group_index": "index within group", "contribution_pct": "contribution (%)",
    "area_code": "area code", "area_name": "area", "label": "area",
    "population": "resident population", "area_km2": "area (km²)", "count": "resources",
    "population_share": "population share", "area_share": "area share",
    "hrad": "resource agglomeration HRAD", "pad": "population agglomeration PAD",
    "hrad_pad": "HRAD/PAD", "hrdi": "resource density index HRDI",
    "reading": "reading", "region_hrdi": "HRDI of the region", "per_1k": "per 1,000 persons",
    "per_km2": "per km²", "cum_weight": "cumulative weight share",
    "cum_resource": "cumulative resource share", "density": "resource density",
}


def column_headers() -> dict[str, str]:
    """Return the workbook headers of the equity frames in the reader's language
    (`COLUMNS_ZH` in Chinese)."""
    return dict(COLUMNS_ZH) if language() == "zh" else dict(COLUMNS_EN)


FORMATS = {
    "value": "0.0000", "between": "0.0000", "within": "0.0000", "trapezoid": "0.0000",
    "between_share": "0.0%", "within_share": "0.0%", "weight_share": "0.0000",
    "resource_share": "0.0000", "group_index": "0.0000", "contribution_pct": "0.0",
    "population": "#,##0", "area_km2": "#,##0.00", "count": "#,##0",
    "population_share": "0.0000", "area_share": "0.0000", "hrad": "0.000", "pad": "0.000",
    "hrad_pad": "0.000", "hrdi": "0.000", "region_hrdi": "0.000", "per_1k": "0.00",
    "per_km2": "0.000", "cum_weight": "0.0000", "cum_resource": "0.0000", "density": "0.000",
}


def equity_frames(result: EquityResult) -> dict[str, pd.DataFrame]:
    """Return the result as frames for people (values in the reader's language, English
    column ids; headers in `column_headers`): 指数, 分组分解, 集聚度, 洛伦兹曲线, 地区, 说明
    (the sheet names in the reader's language)."""
    labels = dict(zip(result.indices["resource"], result.indices["resource_zh"], strict=False))

    def people(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        if "resource" in out:
            out["resource"] = out["resource"].map(lambda r: labels.get(r, r))
        if "weights" in out:
            out["weights"] = out["weights"].map(weight_word)
        if "index" in out:
            out["index"] = out["index"].map(index_word)
        if "status" in out:
            out["status"] = out["status"].map(status_word)
        return out

    raw = result.indices
    idx = people(raw[["resource", "weights", "index", "value", "between",
                      "within", "between_share", "within_share", "formula",
                      "log_base", "n", "status", "note"]])
    idx["log_base"] = [log_word(b) if i != "gini" else "—"
                       for b, i in zip(idx["log_base"], raw["index"], strict=True)]
    level = schema.AREA_LEVELS.get(result.level, result.level) if language() == "zh" \
        else result.level
    about = [_("year {year}; area level {level}; groups {groups}").format(
                 year=result.year, level=level,
                 groups=_("urban and rural") if result.group_by else _("none")),
             _("Gini coefficient {formula} (trapezoid rule {trapezoid}), areas in ascending "
               "order of resource per person (or per km²); Pᵢ population (or area) share, Yᵢ "
               "resource share, Vᵢ cumulative resource share").format(
                 formula=GINI_FORMULA, trapezoid=GINI_TRAPEZOID),
             _("Theil index T {t}; Theil index L {l} (mean log deviation, the "
               "population-weighted Theil index of the Chinese literature); total = between "
               "groups + within groups").format(t=THEIL_T_FORMULA, l=THEIL_L_FORMULA),
             f"{HRAD_FORMULA}；{PAD_FORMULA}；HRAD/PAD = (Rᵢ/ΣR)/(Nᵢ/ΣN)",
             _(HRDI_FORMULA), *result.notes]
    frames = {_("indices"): idx}
    if not result.theil_groups.empty:
        frames[_("decomposition by group")] = people(result.theil_groups)
    if not result.agglomeration.empty:
        frames[_("agglomeration")] = people(result.agglomeration.drop(
            columns=["resource_share", "population_share", "area_share"]))
    if not result.lorenz.empty:
        frames[_("Lorenz curves")] = people(result.lorenz.drop(columns=["weight_share",
                                                                      "resource_share"]))
    frames[_("areas")] = result.areas.rename(columns=labels)
    frames[_("notes")] = pd.DataFrame({"note": about})
    return frames


def status_word(status: str) -> str:
    """Return an index's status (ok, or 无法评估 as `Equity.solve` writes it) in the reader's
    language: 已评估 / 无法评估."""
    return _("assessed") if status == "ok" else _("not evaluable") \
        if status == "无法评估" else status


def equity_to_xlsx(result: EquityResult, path: str | Path) -> Path:
    """Write the equity result to an Excel workbook (sheets of `equity_frames`); return the
    path."""
    from hsplan.allocation._xlsx import write_workbook

    return write_workbook(equity_frames(result), path, headers=column_headers(),
                          formats=FORMATS)
