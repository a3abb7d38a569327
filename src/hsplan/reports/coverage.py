"""What `hsplan access` writes: a coverage run with its summaries, CSV, GeoPackage and map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from hsplan._files import atomic_path
from hsplan.access.coverage import coverage_status, coverage_summary, uncovered_points
from hsplan.access.service import (
    FacilitySelector,
    Scope,
    ServiceAccess,
    points_layer,
    save_access_gpkg,
)
from hsplan.reports.layers import clip_to_region, describe_gpkg, township_layer

_BAND_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fdae61", "#f46d43")


def coverage_map(sa: ServiceAccess, points: pd.DataFrame, facilities: gpd.GeoDataFrame,
                 path: str | Path, *, title: str, bands: gpd.GeoDataFrame | None = None,
                 circles_km: float | npt.ArrayLike | None = None,
                 roads: gpd.GeoDataFrame | None = None, dpi: int = 150) -> Path:
    """Write a PNG map of a coverage result to `path` (see `coverage_figure`); return the
    path."""
    from hsplan.reports.maps import save_figure

    fig = coverage_figure(sa, points, facilities, title=title, bands=bands,
                          circles_km=circles_km, roads=roads)
    return save_figure(fig, path, dpi=dpi)


def coverage_figure(sa: ServiceAccess, points: pd.DataFrame, facilities: gpd.GeoDataFrame, *,
                    title: str, bands: gpd.GeoDataFrame | None = None,
                    circles_km: float | npt.ArrayLike | None = None,
                    roads: gpd.GeoDataFrame | None = None,
                    figsize: tuple[float, float] = (11.0, 9.0)) -> Any:
    """Return the map of a coverage result as a matplotlib Figure (`figsize` in inches; the
    labels are placed for that size): township
    polygons, roads, isochrone bands or distance circles round the facilities, the
    facilities, covered villages in green and uncovered ones in red with their names.

    Drawn in the region's UTM zone with the style of `hsplan.reports.maps` (CJK font, north arrow,
    scale bar); a synthetic region gets "（合成数据）" in the title and a footnote.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from hsplan.reports.maps import (
        draw_townships,
        north_arrow,
        place_labels,
        scale_bar,
        use_cjk_font,
    )

    use_cjk_font()
    areas = sa.region.areas
    crs = sa.points.estimate_utm_crs()
    fig, ax = plt.subplots(figsize=figsize)
    draw_townships(ax, areas, crs)
    handles: list[Any] = []
    if bands is not None and not bands.empty:
        for k, row in enumerate(bands.sort_values("minutes", ascending=False).itertuples()):
            colour = _BAND_COLOURS[(len(bands) - 1 - k) % len(_BAND_COLOURS)]
            gpd.GeoSeries([row.geometry], crs=bands.crs).to_crs(crs).plot(
                ax=ax, color=colour, alpha=0.45, zorder=2, linewidth=0)
            handles.append(Patch(color=colour, alpha=0.6, label=f"{row.minutes:g} 分钟等时圈"))
        handles.reverse()
    if circles_km is not None and not facilities.empty:
        radius = np.broadcast_to(np.asarray(circles_km, dtype=float), (len(facilities),))
        rings = facilities.to_crs(crs).geometry.buffer(radius * 1000.0)
        rings.boundary.plot(ax=ax, color="#2c7fb8", linewidth=0.8, linestyle="--", zorder=3)
        handles.append(Line2D([], [], color="#2c7fb8", linestyle="--",
                              label="服务半径 " + "/".join(f"{r:g}" for r in
                                                          sorted(set(radius))) + " km"))
    if roads is not None and not roads.empty:
        roads.to_crs(crs).plot(ax=ax, color="#b8a27a", linewidth=0.6, zorder=2.5)
        handles.append(Line2D([], [], color="#b8a27a", label="道路"))
    county = areas[areas["level"] == "county"]
    if not county.empty and county.geometry.notna().any():
        county.to_crs(crs).boundary.plot(ax=ax, color="#333333", linewidth=1.5, zorder=4)
    if not facilities.empty:
        fac = facilities.to_crs(crs)
        ax.scatter(fac.geometry.x, fac.geometry.y, s=70, marker="P", c="#08519c",
                   edgecolors="white", linewidths=0.8, zorder=10)
        handles.append(Line2D([], [], linestyle="", marker="P", color="#08519c",
                              label=f"机构（{len(facilities)}）"))
    layer = points_layer(sa, points).to_crs(crs)
    ok = layer["covered"].astype(bool).to_numpy()
    reach = layer["reachable"].astype(bool).to_numpy()
    pop = layer["pop"].astype(float).to_numpy()
    size = 12 + 60 * np.sqrt(pop / max(pop.max(), 1.0))
    ax.scatter(layer.geometry.x[ok], layer.geometry.y[ok], s=size[ok], c="#31a354",
               edgecolors="white", linewidths=0.5, zorder=7)
    bad = ~ok
    ax.scatter(layer.geometry.x[bad], layer.geometry.y[bad], s=size[bad],
               c=np.where(reach[bad], "#de2d26", "#54278f"), edgecolors="black",
               linewidths=0.8, zorder=8)
    handles += [Line2D([], [], linestyle="", marker="o", color="#31a354",
                       label=f"覆盖村居（{int(ok.sum())}）"),
                Line2D([], [], linestyle="", marker="o", color="#de2d26",
                       markeredgecolor="black",
                       label=f"未覆盖村居（{int((bad & reach).sum())}）")]
    if (bad & ~reach).any():
        handles.append(Line2D([], [], linestyle="", marker="o", color="#54278f",
                              markeredgecolor="black",
                              label=f"不可达村居（{int((bad & ~reach).sum())}）"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.85), fontsize=9,
              frameon=False)
    synthetic = sa.region.synthetic
    ax.set_title(f"{title}（合成数据）" if synthetic and "合成" not in title else title,
                 fontsize=14, pad=12)
    ax.set_axis_off()
    ax.set_aspect("equal")
    north_arrow(ax)
    scale_bar(ax)
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    # labels never under another label or a marker (left out when no place is free)
    place_labels(ax, list(layer.geometry.x[bad]), list(layer.geometry.y[bad]),
                 [_short_name(str(n)) for n in layer["name"][bad]], fontsize=7.5,
                 color="#a50f15", zorder=9,
                 avoid=list(zip(layer.geometry.x[ok], layer.geometry.y[ok], strict=True)))
    network = str(points.attrs.get("network", ""))
    fig.text(0.5, 0.07, f"行程时间模型：{network}", ha="center", fontsize=8, color="#555555")
    if synthetic:
        fig.text(0.5, 0.05, "合成示例数据：乡镇边界、村居位置与人口、机构与道路为模型生成",
                 ha="center", fontsize=8.5, color="#8b0000")
    return fig


def _short_name(name: str) -> str:
    for suffix in ("居民委员会", "村民委员会", "委员会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# --- reports: what `hsplan access` writes --------------------------------------------------


@dataclass
class CoverageReport:
    """A coverage run and its files: per-point result, summary tables, the outside list."""

    points: pd.DataFrame
    summary: pd.DataFrame
    status: pd.DataFrame
    uncovered: pd.DataFrame
    facilities: gpd.GeoDataFrame
    isochrones: gpd.GeoDataFrame | None
    files: dict[str, Path]


def coverage_report(sa: ServiceAccess, facility: FacilitySelector | None = None, *,
                    minutes: float | None = None, distance_km: float | None = None,
                    mode: str = "drive", scope: Scope | None = None,
                    out_dir: str | Path | None = None, ambulance: bool = False,
                    stem: str = "coverage", roads: gpd.GeoDataFrame | None = None,
                    ) -> CoverageReport:
    """Return a coverage run (`ServiceAccess.coverage`, or `ambulance_coverage` when
    `ambulance`) with its summaries, and write into `out_dir` (when given): a per-point CSV,
    the summary CSV, a GeoPackage with layers ``demand_points``, ``facilities`` and
    ``isochrones``, and a PNG map (`coverage_map`). Population in persons, times in
    minutes, distances in metres."""
    if ambulance:
        points = sa.ambulance_coverage()
        facs = sa.ambulance_bases()
        minutes_bands: list[float] = sorted(
            {5.0, 10.0, *(float(c.minutes) for c in sa.readings.ambulance_circles().values()
                          if c.minutes)})
        circles: Any = None
        title_kind = "急救服务半径覆盖"
    else:
        facility = facility if facility is not None else {"category": ["基层医疗卫生机构"]}
        if minutes is None and distance_km is None:
            minutes = 15.0
        points = sa.coverage(facility, minutes=minutes, distance_km=distance_km, mode=mode,
                             scope=scope)
        facs = sa.facilities(facility)
        minutes_bands = sorted({5.0, 10.0, 15.0, 30.0} | ({float(minutes)} if minutes else set()))
        circles = distance_km
        title_kind = (f"{minutes:g}分钟" if minutes else "") + \
            ("/" if minutes and distance_km else "") + \
            (f"{distance_km:g}公里" if distance_km else "") + "服务圈覆盖"
    bands = sa.isochrones(facs, minutes_bands, mode="drive" if ambulance else mode) \
        if len(facs) else None
    if bands is not None and not bands.empty:
        bands = clip_to_region(bands, sa.region.areas)  # no band spills over the county
    summary = coverage_summary(points)
    status = coverage_status(points)
    outside = uncovered_points(points)
    files: dict[str, Path] = {}
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        layer = points_layer(sa, points)
        files["points_csv"] = out / f"{stem}_points.csv"
        with atomic_path(files["points_csv"]) as tmp:
            points.to_csv(tmp, index=False, encoding="utf-8-sig")
        files["summary_csv"] = out / f"{stem}_summary.csv"
        with atomic_path(files["summary_csv"]) as tmp:
            summary.to_csv(tmp, index=False, encoding="utf-8-sig")
        layers: dict[str, gpd.GeoDataFrame] = {"demand_points": layer}
        if len(facs):
            layers["facilities"] = facs
        if bands is not None:
            layers["isochrones"] = bands
        towns = summary[summary["group"] == "township"].drop(columns="group")
        if not towns.empty:
            layers["townships"] = township_layer(sa.region.areas, towns)
        files["gpkg"] = describe_gpkg(save_access_gpkg(out / f"{stem}.gpkg", layers))
        name = str(sa.region.meta.get("name", ""))
        files["map_png"] = coverage_map(
            sa, points, facs, out / f"{stem}_map.png",
            title=f"{name} {title_kind}（{sa.year}年）".strip(), bands=bands,
            circles_km=circles, roads=roads)
    return CoverageReport(points, summary, status, outside, facs, bands, files)
