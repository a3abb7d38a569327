"""A plan's readings of its norms: one place for the choices every command must share.

A plan's words leave some things to be read: which facilities are the bases of the
院前急救 network, whether a demand point is 城镇 or 农村, by which mode a service circle is
travelled, and whether two conditions of one sentence join by “且” or “或”. Each is a plan
parameter (the ``readings`` block of the plan YAML and the ``network`` / ``mode`` /
``combine`` params of a ``service_circle`` norm, docs/plan-format.md), with a default
taken from the document's words or stated as a default. `Readings.from_plan` resolves
them once; `hsplan check`, `hsplan access ambulance|coverage`, `hsplan needs`,
`hsplan scenarios compare` and `hsplan report` all read them from here and print
`Readings.line` with their results, so they give the same figure.

Words: every text has a ``lang`` argument (None: the reader's language, ``zh``, ``en``); the
``*_zh`` methods (`Readings.line_zh`, `EmsNetwork.describe_zh` …) are always Chinese, for
the Chinese documents (the Word report); a command prints `Readings.line`.

Region-facing helpers (`area_classes`, `urban_rural_population`, `ems_bases`) apply a
reading to a region; they are pure (inputs are never changed).
"""

from __future__ import annotations

import gettext
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from hsplan._i18n import DOMAIN, LOCALE_DIR, N_, _, language
from hsplan.plans.catalog import FacilityFilter
from hsplan.region import reference

if TYPE_CHECKING:
    import geopandas as gpd

    from hsplan.plans.plan import Norm, Plan
    from hsplan.region.model import Region

Scope = Literal["urban", "rural"]
Mode = Literal["drive", "walk"]
Combine = Literal["either", "both"]

#: The ``network`` value of a service-circle norm whose facilities are the 院前急救 bases.
EMS_NETWORK = "院前急救"
SCOPE_ZH = {"urban": "城镇", "rural": "农村"}
MODE_ZH = {"drive": "驾车", "walk": "步行"}
COMBINE_ZH = {"either": "或（任一条件满足即覆盖）", "both": "且（两项条件同时满足才覆盖）"}
URBAN_RURAL_BY = ("area", "township")
_BY_WORDS = {
    "area": N_("by the urban/rural class of each village or community; those without one by "
               "their township (streets urban, towns and townships rural)"),
    "township": N_("by township: streets urban, towns and townships rural"),
}
_MODE_WORDS = {"drive": N_("driving"), "walk": N_("walking")}
_SCOPE_WORDS = {"urban": N_("urban"), "rural": N_("rural")}
#: The `EmsNetwork.source` of a network the plan states in its own words.
_PLAN_TEXT = "规划原文"


@lru_cache(maxsize=1)
def _chinese() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=["zh_CN"],
                               fallback=True)


def _tr(lang: str | None) -> Callable[[str], str]:
    """Return the translation of a message id into `lang` (None: the reader's language)."""
    if lang is None:
        return _
    if lang == "en":
        return str
    return _chinese().gettext


def _is_en(lang: str | None) -> bool:
    return (lang or language()) == "en"


def mode_words(mode: str, lang: str | None = None) -> str:
    """Return a travel mode in `lang` (default: the reader's; 驾车, 步行 in Chinese)."""
    return _tr(lang)(_MODE_WORDS[mode]) if mode in _MODE_WORDS else mode

#: The national default network: 急救中心(站) and the 急救网络医院 — read as every
#: facility with ambulances in the year (《院前医疗急救管理办法》 第七条: 急救中心(站)和
#: 急救网络医院组成院前医疗急救网络).
_DEFAULT_EMS: dict[str, Any] = {
    "bases": [{"subtype": ["急救中心", "急救站"]}],
    "with_ambulances": True,
    "quote": "院前医疗急救网络由急救中心（站）和承担院前医疗急救任务的网络医院组成",
    "source": "《院前医疗急救管理办法》（国家卫生计生委令第3号）第七条（默认读法）",
}
_DEFAULT_EMS_CITATION = "《院前医疗急救管理办法》（国家卫生计生委令第3号）第七条"
#: The national ambulance radius (《关于进一步完善院前医疗急救服务的指导意见》 2020):
#: urban 5 km, rural 20 km (upper end of 10—20 km); used when a plan has no circle of its own.
_DEFAULT_CIRCLES: dict[str, dict[str, Any]] = {
    "urban": {"distance_km": 5.0, "quote": "城市地区服务半径不超过5公里"},
    "rural": {"distance_km": 20.0, "quote": "农村地区服务半径10—20公里"},
}
_WALK_WORDS = ("步行",)
_DRIVE_WORDS = ("车程", "驾车", "救护车", "车辆", "行车")


@dataclass(frozen=True)
class EmsNetwork:
    """The bases of the 院前急救 network: facilities matching any of `bases`, plus (when
    `with_ambulances`) every facility with ambulances in the year."""

    bases: tuple[dict[str, Any], ...]
    with_ambulances: bool
    quote: str
    source: str

    def filter(self) -> FacilityFilter:
        """Return the facility filter of the base kinds (any of them)."""
        return FacilityFilter(any_of=tuple(FacilityFilter.from_dict(_selector(b))
                                           for b in self.bases))

    def describe(self, lang: str | None = None) -> str:
        """Return the bases in words, e.g. ``急救中心/急救站、县属医院、乡镇卫生院`` (in
        English the kinds stay the schema's Chinese categories)."""
        parts = [_selector_words(b, lang) for b in self.bases]
        if self.with_ambulances:
            parts.append(_tr(lang)(N_("facilities with ambulances (emergency network hospitals)")))
        return _list_sep(lang).join(parts)

    def describe_zh(self) -> str:
        """Return the bases in Chinese words (`describe` in Chinese)."""
        return self.describe("zh")

    def source_words(self, lang: str | None = None) -> str:
        """Return where the network comes from, in words."""
        if self.source == _PLAN_TEXT:
            return _tr(lang)(N_("plan text: {quote}")).format(quote=self.quote)
        if self.source == _DEFAULT_EMS["source"]:
            return _tr(lang)(N_("{citation} (default reading)")).format(
                citation=_DEFAULT_EMS_CITATION)
        return self.source


@dataclass(frozen=True)
class Circle:
    """One service circle as read: thresholds, how they join, the travel mode and why."""

    scope: str
    minutes: float | None
    distance_km: float | None
    combine: Combine
    mode: Mode
    mode_how: str
    quote: str
    norm_id: str | None = None
    min_share_pct: float = 100.0

    def describe(self, lang: str | None = None) -> str:
        """Return the circle in words, e.g. ``≤ 15 分钟 或 ≤ 5 千米（驾车）``."""
        t = _tr(lang)
        parts = [*([t(N_("≤ {n} min")).format(n=_fmt(self.minutes))] if self.minutes else []),
                 *([t(N_("≤ {n} km")).format(n=_fmt(self.distance_km))]
                   if self.distance_km else [])]
        if len(parts) == 2:
            both = t(N_("{a} or {b}")) if self.combine == "either" else t(N_("{a} and {b}"))
            joined = both.format(a=parts[0], b=parts[1])
        else:
            joined = "".join(parts)
        return t(N_("{reach} ({mode})")).format(reach=joined, mode=mode_words(self.mode, lang))

    def describe_zh(self) -> str:
        """Return the circle in Chinese words (`describe` in Chinese)."""
        return self.describe("zh")


@dataclass(frozen=True)
class Readings:
    """The readings of one plan (`from_plan`); `line` is printed with every result."""

    plan_id: str
    ems: EmsNetwork
    urban_rural_by: str
    urban_rural_quote: str
    travel_mode: Mode
    travel_mode_quote: str  # the plan's words for its travel mode ("" when none)
    travel_mode_stated: bool  # whether the plan states a travel mode
    norms: tuple[Norm, ...] = field(default=(), repr=False)

    @classmethod
    def from_plan(cls, plan: Plan | None) -> Readings:
        """Return the plan's readings (the ``readings`` block of its YAML), defaults for
        what it does not say; `plan` None gives the national defaults."""
        raw: dict[str, Any] = dict((plan.data.get("readings") or {}) if plan else {})
        ems_raw = dict(raw.get("ems_network") or _DEFAULT_EMS)
        ems = EmsNetwork(
            bases=tuple(_selector(b) for b in ems_raw.get("bases") or ()),
            with_ambulances=bool(ems_raw.get("with_ambulances", False)),
            quote=str(ems_raw.get("quote") or ""),
            source=str(ems_raw.get("source") or (_PLAN_TEXT if "ems_network" in raw
                                                 else _DEFAULT_EMS["source"])))
        ur = dict(raw.get("urban_rural") or {})
        by = str(ur.get("by") or "area")
        tm = dict(raw.get("travel_mode") or {})
        mode: Mode = "walk" if tm.get("default") == "walk" else "drive"
        return cls(plan_id=plan.id if plan else "national-defaults", ems=ems,
                   urban_rural_by=by, urban_rural_quote=str(ur.get("quote") or ""),
                   travel_mode=mode, travel_mode_quote=str(tm.get("quote") or ""),
                   travel_mode_stated=bool(tm.get("default")),
                   norms=plan.norms if plan else ())

    @property
    def travel_mode_how(self) -> str:
        """Why the plan's travel mode is what it is, in the reader's language."""
        return self.travel_mode_how_words()

    def travel_mode_how_words(self, lang: str | None = None) -> str:
        """Return why the plan's travel mode is what it is, in words."""
        t = _tr(lang)
        if not self.travel_mode_stated:
            return t(N_("not stated by the plan: driving (default)"))
        if self.travel_mode_quote:
            return t(N_("plan text: {quote}")).format(quote=self.travel_mode_quote)
        return t(N_("plan parameter travel_mode"))

    # --- service circles -----------------------------------------------------------------

    def circle(self, norm: Norm) -> Circle:
        """Return how a ``service_circle`` norm is read: its thresholds, ``combine``
        (default: ``both`` when the quote states both thresholds without 或, else
        ``either``), and its
        mode (the norm's ``mode``; else from the quote's words — 步行 walk, 车程/救护车
        drive; else the plan's ``travel_mode``, stated)."""
        p = norm.params
        minutes, km = p.get("minutes"), p.get("distance_km")
        combine: Combine
        if p.get("combine") in ("either", "both"):
            combine = p["combine"]
        else:  # the quote's words: both thresholds stated without 或 → both must hold
            q = norm.quote
            stated = "分钟" in q and ("千米" in q or "公里" in q)
            combine = "both" if minutes and km and stated and "或" not in q else "either"
        mode, how = self._mode(norm)
        return Circle(scope=str(p.get("scope") or "all"),
                      minutes=None if minutes is None else float(minutes),
                      distance_km=None if km is None else float(km), combine=combine,
                      mode=mode, mode_how=how, quote=norm.quote, norm_id=norm.id,
                      min_share_pct=float(p.get("min_share_pct", 100)))

    def _mode(self, norm: Norm) -> tuple[Mode, str]:
        given = norm.params.get("mode")
        if given in ("drive", "walk"):
            return given, _("norm parameter")
        if any(w in norm.quote for w in _WALK_WORDS):
            return "walk", _("the quote says “{word}”").format(word=_WALK_WORDS[0])
        hit = next((w for w in _DRIVE_WORDS if w in norm.quote), None)
        if hit:
            return "drive", _("the quote says “{word}”").format(word=hit)
        return self.travel_mode, self.travel_mode_how

    def ambulance_circles(self) -> dict[str, Circle]:
        """Return the ambulance radius per class (urban, rural): the plan's
        ``service_circle`` norms with ``network: 院前急救``, else the national default."""
        out: dict[str, Circle] = {}
        for norm in self.norms:
            if norm.rule == "service_circle" and norm.params.get("network") == EMS_NETWORK:
                scope = str(norm.params.get("scope") or "all")
                for s in (("urban", "rural") if scope == "all" else (scope,)):
                    out.setdefault(s, self.circle(norm))
        for s, spec in _DEFAULT_CIRCLES.items():
            if s not in out:
                out[s] = Circle(scope=s, minutes=None, distance_km=spec["distance_km"],
                                combine="either", mode="drive",
                                mode_how=_("ambulance (driving)"),
                                quote=_("{quote} (national guidance, default)").format(
                                    quote=spec["quote"]))
        return out

    # --- words ---------------------------------------------------------------------------

    def urban_rural(self, lang: str | None = None) -> str:
        """Return the urban/rural reading in words."""
        t = _tr(lang)
        by = self.urban_rural_by
        text = t(_BY_WORDS[by]) if by in _BY_WORDS else by
        if not self.urban_rural_quote:
            return text
        return t(N_("{text} (plan text: {quote})")).format(text=text, quote=self.urban_rural_quote)

    def urban_rural_zh(self) -> str:
        """Return the urban/rural reading in Chinese words."""
        return self.urban_rural("zh")

    def line(self, lang: str | None = None) -> str:
        """Return the readings in one line, printed with every result, e.g.
        ``急救站点：急救中心/急救站、…（规划原文…）；城乡划分：…；急救半径：…``."""
        t = _tr(lang)
        circles = self.ambulance_circles()
        sep = "; " if _is_en(lang) else "；"
        radius = sep.join(f"{t(_SCOPE_WORDS[s])} {c.describe(lang)}" for s, c in circles.items())
        return t(N_("readings ({plan}) — EMS stations: {ems} ({source}); urban/rural: "
                    "{urban_rural}; ambulance service radius: {radius}; service circles with no "
                    "stated travel mode: {mode} ({how})")).format(
            plan=self.plan_id, ems=self.ems.describe(lang), source=self.ems.source_words(lang),
            urban_rural=self.urban_rural(lang), radius=radius,
            mode=mode_words(self.travel_mode, lang), how=self.travel_mode_how_words(lang))

    def line_zh(self) -> str:
        """Return the readings in one Chinese line (`line` in Chinese)."""
        return self.line("zh")

    def to_dict(self) -> dict[str, Any]:
        """Return the readings as JSON-ready data: ids in English, words in Chinese
        (``text_zh``, ``line_zh``: the readings as the documents state them; `line` gives
        the line in the reader's language), ``travel_mode.how`` in the reader's language."""
        return {
            "plan": self.plan_id,
            "ems_network": {"bases": [dict(b) for b in self.ems.bases],
                            "with_ambulances": self.ems.with_ambulances,
                            "quote": self.ems.quote, "source": self.ems.source,
                            "text_zh": self.ems.describe_zh()},
            "urban_rural": {"by": self.urban_rural_by, "text_zh": self.urban_rural_zh()},
            "ambulance_circles": {s: {"minutes": c.minutes, "distance_km": c.distance_km,
                                      "combine": c.combine, "mode": c.mode,
                                      "norm_id": c.norm_id, "quote": c.quote}
                                  for s, c in self.ambulance_circles().items()},
            "travel_mode": {"default": self.travel_mode, "how": self.travel_mode_how},
            "line_zh": self.line_zh(),
            "line": self.line(),
        }


# --- applied to a region -------------------------------------------------------------------


def area_classes(region: Region, readings: Readings) -> dict[str, str | None]:
    """Return urban/rural of every area below the county (code → ``urban``/``rural``; None
    for the county and areas that cannot be classified), by the plan's reading."""
    import pandas as pd

    areas = region.areas
    codes = [str(c) for c in areas["code"]]
    name = dict(zip(codes, areas["name"].astype(str), strict=True))
    level = dict(zip(codes, areas["level"].astype(str), strict=True))
    parent = {c: (None if pd.isna(p) else str(p))
              for c, p in zip(codes, areas["parent_code"], strict=True)}
    own = {c: (None if pd.isna(k) else str(k))
           for c, k in zip(codes, areas["urban_rural"], strict=True)}

    def township_of(code: str) -> str | None:
        seen: set[str] = set()
        c: str | None = code
        while c is not None and c in level and c not in seen:
            if level[c] == "township":
                return c
            seen.add(c)
            c = parent[c]
        return None

    def by_name(town: str | None) -> str | None:
        if town is None:
            return None
        kind = reference.township_kind(name[town])
        return "urban" if kind == "street" else "rural" if kind in ("town", "township") \
            else None

    out: dict[str, str | None] = {}
    for c in codes:
        if level[c] not in ("township", "village"):
            out[c] = None
            continue
        town = township_of(c)
        if readings.urban_rural_by == "township":
            out[c] = by_name(town)
            continue
        value = own[c] if own[c] in ("urban", "rural") else None
        if value is None and town is not None and own.get(town) in ("urban", "rural"):
            value = own[town]
        out[c] = value if value is not None else by_name(town)
    return out


@dataclass(frozen=True)
class UrbanRuralPopulation:
    """The urban and rural population of an area in a year (persons) and how it was got."""

    urban: float
    rural: float
    level: str
    basis_zh: str  # how it was got, in Chinese
    basis: str = ""  # the same in the reader's language

    @property
    def total(self) -> float:
        return self.urban + self.rural


def urban_rural_population(region: Region, year: int, readings: Readings, *,
                           area_code: str | None = None) -> UrbanRuralPopulation | None:
    """Return the urban and rural 常住人口 (persons) of `area_code` (default: the whole
    region) in `year`, summed over its villages classified by the reading (else its
    townships; else the area's own 城镇/乡村人口 columns); None when none of these is known.

    Notes
    -----
    The demand points of the access analyses are the same villages, so the rural
    population here is the population behind every rural coverage share.
    """
    import pandas as pd

    areas = region.areas
    pop = region.population
    rows = pop[(pop["year"] == year) & pop["total"].notna()]
    totals = dict(zip(rows["area_code"].astype(str), rows["total"].astype(float),
                      strict=True))
    classes = area_classes(region, readings)
    codes = [str(c) for c in areas["code"]]
    parent = {c: (None if pd.isna(p) else str(p))
              for c, p in zip(codes, areas["parent_code"], strict=True)}
    level = dict(zip(codes, areas["level"].astype(str), strict=True))

    def inside(code: str) -> bool:
        if area_code is None:
            return True
        seen: set[str] = set()
        c: str | None = code
        while c is not None and c not in seen:
            if c == area_code:
                return True
            seen.add(c)
            c = parent.get(c)
        return False

    towns = [c for c in codes if level[c] == "township" and inside(c)]
    villages: dict[str, list[str]] = {}
    for c in codes:
        if level[c] == "village" and parent.get(c) in level:
            villages.setdefault(str(parent[c]), []).append(c)
    urban = rural = 0.0
    n_vill = n_town = 0
    for town in towns:
        kids = villages.get(town, [])
        kid_sum = sum(totals.get(k, 0.0) for k in kids)
        whole = totals.get(town)
        if kids and all(k in totals and classes.get(k) for k in kids) and (
                whole is None or abs(kid_sum - whole) <= 0.005 * whole):
            urban += sum(totals[k] for k in kids if classes[k] == "urban")
            rural += sum(totals[k] for k in kids if classes[k] == "rural")
            n_vill += len(kids)
        elif whole is not None and classes.get(town):
            urban += whole if classes[town] == "urban" else 0.0
            rural += whole if classes[town] == "rural" else 0.0
            n_town += 1
        else:
            break
    else:
        if towns:
            return UrbanRuralPopulation(urban, rural, "village" if n_vill else "township",
                                        _basis(n_vill, n_town, "zh"),
                                        _basis(n_vill, n_town, None))
    own = area_code or next((c for c in codes if level[c] == "county"), None)
    row = rows[rows["area_code"].astype(str) == own] if own else rows.iloc[0:0]
    if len(row) and not (pd.isna(row["urban"].iloc[0]) or pd.isna(row["rural"].iloc[0])):
        table = N_("the urban and rural population of the population table (statistical "
                   "definition)")
        return UrbanRuralPopulation(float(row["urban"].iloc[0]), float(row["rural"].iloc[0]),
                                    "county", _tr("zh")(table), _(table))
    return None


def _basis(n_vill: int, n_town: int, lang: str | None) -> str:
    """Return how an urban/rural population was summed, in words."""
    t = _tr(lang)
    parts = [t(N_("{n} villages and communities")).format(n=n_vill) if n_vill else "",
             t(N_("{n} townships and streets")).format(n=n_town) if n_town else ""]
    return t(N_("resident population of {parts} summed by urban/rural class")).format(
        parts=_list_sep(lang).join(p for p in parts if p))


def ems_bases(region: Region, year: int, readings: Readings) -> gpd.GeoDataFrame:
    """Return the 院前急救 bases open in `year` with a location (WGS84): facilities of the
    network's kinds, plus those with ambulances in the year when the reading says so; with
    their ``ambulances`` (0 when not entered)."""
    import pandas as pd

    facs = region.facilities
    res = region.resources
    res = res[res["year"] == year]
    counts = res.groupby(res["facility_id"].astype(str))["ambulances"].sum(min_count=1)
    ids = facs["id"].astype(str)
    keep = readings.ems.filter().mask(facs) if readings.ems.bases else \
        pd.Series(False, index=facs.index)
    if readings.ems.with_ambulances:
        keep |= ids.map(counts).fillna(0).astype(float).gt(0).to_numpy()
    opened = pd.to_numeric(facs["opened"], errors="coerce")
    closed = pd.to_numeric(facs["closed"], errors="coerce")
    keep &= ((opened.isna() | (opened <= year)) & (closed.isna() | (closed > year))).astype(bool)
    keep &= (facs.geometry.notna() & ~facs.geometry.is_empty).astype(bool)
    out = facs[keep.astype(bool)].reset_index(drop=True)
    out["ambulances"] = out["id"].astype(str).map(counts).fillna(0).astype(int).to_numpy()
    return out


# --- helpers -------------------------------------------------------------------------------


def _selector(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        return {"subtype": [raw]}
    if isinstance(raw, list | tuple):
        return {"subtype": [str(v) for v in raw]}
    return dict(raw)


_ADMIN_ZH = {"县属": "县（区）属", "乡镇": "乡镇属", "市属": "市属", "省属": "省属"}
_ADMIN_EN = {"县属": "county-run", "乡镇": "township-run", "市属": "city-run",
             "省属": "province-run"}


def _list_sep(lang: str | None = None) -> str:
    return ", " if _is_en(lang) else "、"


def _selector_words(sel: dict[str, Any], lang: str | None = None) -> str:
    """Return a base selector in words (`_selector_zh` in Chinese)."""
    if not _is_en(lang):
        return _selector_zh(sel)
    v = sel.get("admin_level")
    levels = [] if v is None else [v] if isinstance(v, str) else [str(x) for x in v]
    kinds = sel.get("subtype") or sel.get("category") or []
    kinds = [kinds] if isinstance(kinds, str) else [str(k) for k in kinds]
    words = [*(["government-run"] if sel.get("government_run") else []),
             *(_ADMIN_EN.get(a, a) for a in levels), "/".join(kinds)]
    return " ".join(w for w in words if w)


def _selector_zh(sel: dict[str, Any]) -> str:
    def listed(key: str) -> list[str]:
        v = sel.get(key)
        return [] if v is None else [v] if isinstance(v, str) else [str(x) for x in v]

    kinds = listed("subtype") or listed("category")
    prefix = "".join(_ADMIN_ZH.get(a, a) for a in listed("admin_level"))
    if sel.get("government_run"):
        prefix = "政府办" + prefix
    return prefix + "/".join(kinds)


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:g}"
