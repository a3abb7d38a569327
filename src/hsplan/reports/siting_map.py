"""The map of a siting result: existing and new sites, villages covered before, newly
covered and still outside (PNG, the style of `hsplan.reports.maps`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from hsplan.access.siting import SitingResult
from hsplan.access.siting.project import SitingProblem, siting_layers

MODEL_ZH = {"mclp": "最大覆盖模型", "lscp": "集合覆盖模型（全覆盖最少站点）",
            "lscp-b": "备份覆盖模型", "p-median": "p-中位模型（总行程最小）",
            "p-center": "p-中心模型（最远行程最小）", "facility-location": "设施选址模型"}


def _short(name: str) -> str:
    for suffix in ("居民委员会", "村民委员会", "委员会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def siting_map(result: SitingResult, problem: SitingProblem, path: str | Path, *,
               title: str, roads: gpd.GeoDataFrame | None = None, dpi: int = 150) -> Path:
    """Write a PNG map of a siting result to `path`; return the path: township polygons,
    roads, existing sites (blue), new sites (red stars, named), unchosen candidates (grey),
    villages covered before (pale green), newly covered (green) and still outside (red,
    named), sized by population; title, legend, north arrow, scale bar and the travel-time
    model in the footnote."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from hsplan.reports.maps import (
        draw_townships,
        north_arrow,
        save_figure,
        scale_bar,
        use_cjk_font,
    )

    use_cjk_font()
    sa = problem.access
    layers = siting_layers(result, problem)
    crs = sa.points.estimate_utm_crs()
    fig, ax = plt.subplots(figsize=(11, 9))
    areas = sa.region.areas
    draw_townships(ax, areas, crs)
    handles: list[Any] = []
    if roads is not None and not roads.empty:
        roads.to_crs(crs).plot(ax=ax, color="#b8a27a", linewidth=0.6, zorder=2.5)
        handles.append(Line2D([], [], color="#b8a27a", label="道路"))
    county = areas[areas["level"] == "county"]
    if not county.empty and county.geometry.notna().any():
        county.to_crs(crs).boundary.plot(ax=ax, color="#333333", linewidth=1.5, zorder=4)
    pts = layers["demand_points"].to_crs(crs)
    pop = pts["pop"].astype(float).to_numpy()
    size = 12 + 60 * np.sqrt(pop / max(float(pop.max()) if len(pop) else 1.0, 1.0))
    if "covered_after" in pts:
        before = pts["covered_before"].astype(bool).to_numpy()
        after = pts["covered_after"].astype(bool).to_numpy()
        groups = [(before, "#a1d99b", "white", f"原已覆盖村居（{int(before.sum())}）"),
                  (after & ~before, "#006d2c", "white",
                   f"新增覆盖村居（{int((after & ~before).sum())}）"),
                  (~after, "#de2d26", "black", f"仍未覆盖村居（{int((~after).sum())}）")]
        for mask, colour, edge, label in groups:
            ax.scatter(pts.geometry.x[mask], pts.geometry.y[mask], s=size[mask], c=colour,
                       edgecolors=edge, linewidths=0.6, zorder=7)
            handles.append(Line2D([], [], linestyle="", marker="o", color=colour,
                                  markeredgecolor=edge, label=label))
        for x, y, name in zip(pts.geometry.x[~after], pts.geometry.y[~after],
                              pts["name"][~after], strict=True):
            ax.annotate(_short(str(name)), (x, y), xytext=(4, 4), textcoords="offset points",
                        fontsize=7.5, color="#a50f15", zorder=9)
    else:
        ax.scatter(pts.geometry.x, pts.geometry.y, s=size, c="#6baed6", edgecolors="white",
                   linewidths=0.5, zorder=7)
        handles.append(Line2D([], [], linestyle="", marker="o", color="#6baed6",
                              label=f"村居（{len(pts)}），按人口大小"))
    sites = layers["sites"].to_crs(crs)
    styles = (("candidate", "#9e9e9e", ".", 18, "候选点"),
              ("existing", "#08519c", "P", 80, "现有机构"),
              ("new", "#e31a1c", "*", 260, "新增选址"))
    for status, colour, marker, s, label in styles:
        sel = sites[sites["status"] == status]
        if sel.empty:
            continue
        ax.scatter(sel.geometry.x, sel.geometry.y, s=s, marker=marker, c=colour,
                   edgecolors="white" if status != "candidate" else "none", linewidths=0.8,
                   zorder=10 if status != "candidate" else 5)
        handles.append(Line2D([], [], linestyle="", marker=marker, color=colour,
                              markersize=12 if status == "new" else 8,
                              label=f"{label}（{len(sel)}）"))
        if status == "new":
            for x, y, name in zip(sel.geometry.x, sel.geometry.y, sel["name"], strict=True):
                ax.annotate(_short(str(name)), (x, y), xytext=(6, -10),
                            textcoords="offset points", fontsize=9, fontweight="bold",
                            color="#99000d", zorder=11)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.85), fontsize=9,
              frameon=False)
    synthetic = sa.region.synthetic
    ax.set_title(f"{title}（合成数据）" if synthetic and "合成" not in title else title,
                 fontsize=14, pad=12)
    ax.set_axis_off()
    ax.set_aspect("equal")
    north_arrow(ax)
    scale_bar(ax)
    fig.text(0.5, 0.07, f"{MODEL_ZH.get(result.model, result.model)}；行程时间模型："
             f"{problem.network}", ha="center", fontsize=8, color="#555555")
    if synthetic:
        fig.text(0.5, 0.05, "合成示例数据：乡镇边界、村居位置与人口、机构与道路为模型生成",
                 ha="center", fontsize=8.5, color="#8b0000")
    return save_figure(fig, path, dpi=dpi)
