"""Static maps of a region (PNG via matplotlib), with a CJK font for the Chinese labels.

`facility_map` draws the county boundary, the township polygons with their names, the
facilities coloured by 机构类别 (hospitals also sized by beds when a year is given), an
optional road layer, a north arrow and a scale bar. Maps are drawn in the region's UTM
zone so that the scale bar is true.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from hsplan._files import atomic_path
from hsplan._i18n import _
from hsplan.errors import Problem, raise_if_errors
from hsplan.region.model import Region

# Preferred fonts, best first: Noto Sans CJK (Debian fonts-noto-cjk), then common others.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Noto Serif CJK SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei",
             "PingFang SC", "Heiti SC", "AR PL UMing CN")

# 机构类别 / sub-type → (legend label, colour, marker, size)
_STYLE: dict[str, tuple[str, str, str, float]] = {
    "医院": ("医院", "#c0392b", "H", 110.0),
    "专业公共卫生机构": ("专业公共卫生机构", "#8e44ad", "D", 60.0),
    "乡镇卫生院": ("乡镇卫生院", "#1f77b4", "s", 55.0),
    "社区卫生服务中心": ("社区卫生服务中心/站", "#17becf", "s", 45.0),
    "村卫生室": ("村卫生室", "#2ca02c", "o", 14.0),
    "民营基层": ("诊所、门诊部", "#ff7f0e", "^", 18.0),
    "其他医疗卫生机构": ("其他医疗卫生机构", "#7f7f7f", "x", 20.0),
}


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Return the family name of an installed CJK font (Noto Sans CJK first), or None.

    Matplotlib keeps the list of system fonts in a cache made the first time it ran; a
    CJK font installed after that (`bash run.sh` installs fonts-noto-cjk) is not in it.
    When none is found, the system fonts are scanned again (once per process: the answer
    is cached) and matplotlib's cache renewed, so the font is used from then on."""

    def first() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((n for n in CJK_FONTS if n in names), None)

    found = first()
    if found is None:
        try:  # matplotlib's own loader, without its cache (it writes a fresh one)
            font_manager.fontManager = font_manager._load_fontmanager(  # type: ignore[attr-defined]
                try_read_cache=False)
            font_manager.findfont = font_manager.fontManager.findfont  # the module's alias
        except (AttributeError, OSError, RuntimeError):
            return None
        found = first()
    return found


def use_cjk_font() -> None:
    name = cjk_font()
    if name is None:
        warnings.warn(
            _("no CJK font found (looked for {fonts} …); Chinese labels will show as boxes. "
              "Fix: install fonts-noto-cjk (Debian/Ubuntu) or Noto Sans CJK SC.").format(
                  fonts=", ".join(CJK_FONTS[:3])), RuntimeWarning, stacklevel=3)
        return
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False


def _style_key(subtype: str, category: str, ownership: str) -> str:
    if category == "医院":
        return "医院"
    if category == "专业公共卫生机构":
        return "专业公共卫生机构"
    if subtype in ("乡镇卫生院", "中心乡镇卫生院", "街道卫生院"):
        return "乡镇卫生院"
    if subtype in ("社区卫生服务中心", "社区卫生服务站"):
        return "社区卫生服务中心"
    if subtype == "村卫生室":
        return "村卫生室"
    if category == "基层医疗卫生机构":
        return "民营基层"
    return "其他医疗卫生机构"


def facility_map(region: Region, path: str | Path, *, title: str,
                 roads: gpd.GeoDataFrame | None = None, dpi: int = 150) -> Path:
    """Write a PNG map of the county, its townships and its facilities to `path`; return
    the path.

    Notes
    -----
    A region made by `hsplan.region.synth` gets "（合成数据）" appended to the title and a
    footnote, so a synthetic map cannot be mistaken for a real one.
    """
    areas = region.areas
    county_m = county_in_metres(region, context="facility_map")
    crs = county_m.crs
    towns = areas[(areas["level"] == "township") & areas.geometry.notna()]
    towns_m = towns[towns.geometry.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(crs)
    fac = region.facilities[region.facilities.geometry.notna()].to_crs(crs)

    fig, ax = plt.subplots(figsize=(11, 9))
    if not towns_m.empty:
        towns_m.plot(ax=ax, facecolor="#f4f1e8", edgecolor="#9a8f7a", linewidth=0.8)
        for name, geom in zip(towns_m["name"], towns_m.geometry, strict=True):
            pt = geom.representative_point()
            ax.annotate(str(name), (pt.x, pt.y), ha="center", va="center", fontsize=10,
                        color="#5b5142", alpha=0.9, zorder=6,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                              "alpha": 0.55})
    if roads is not None and not roads.empty:
        roads_m = roads.to_crs(crs)
        widths = {"primary": 1.6, "secondary": 1.1, "tertiary": 0.7, "unclassified": 0.4}
        for cls, width in widths.items():
            part = roads_m[roads_m["road_class"] == cls]
            if not part.empty:
                part.plot(ax=ax, color="#b8a27a", linewidth=width, zorder=2)
    county_m.boundary.plot(ax=ax, color="#333333", linewidth=1.6, zorder=3)

    handles = []
    keys = [_style_key(str(s), str(c), str(o)) for s, c, o in
            zip(fac["subtype"], fac["category"], fac["ownership"], strict=True)]
    for key in ("村卫生室", "民营基层", "社区卫生服务中心", "乡镇卫生院", "专业公共卫生机构",
                "医院", "其他医疗卫生机构"):
        part = fac[[k == key for k in keys]]
        if part.empty:
            continue
        label, colour, marker, size = _STYLE[key]
        ax.scatter(part.geometry.x, part.geometry.y, s=size, c=colour, marker=marker,
                   edgecolors="white", linewidths=0.6, zorder=5)
        handles.append(Line2D([], [], linestyle="", marker=marker, color=colour,
                              markeredgecolor="white", markersize=math.sqrt(size) * 0.9,
                              label=f"{label}（{len(part)}）"))
    if roads is not None and not roads.empty:
        handles.append(Line2D([], [], color="#b8a27a", linewidth=1.2, label="道路（合成）"))
    ax.legend(handles=handles, title="医疗卫生机构", loc="upper left",
              bbox_to_anchor=(1.0, 0.8), fontsize=9, title_fontsize=10, frameon=False)

    synthetic = region.synthetic
    full_title = f"{title}（合成数据）" if synthetic and "合成" not in title else title
    ax.set_title(full_title, fontsize=14, pad=12)
    ax.set_axis_off()
    ax.set_aspect("equal")
    north_arrow(ax)
    scale_bar(ax)
    if synthetic:
        fig.text(0.5, 0.06, "合成示例数据：乡镇边界、机构位置与规模为模型生成，仅区划代码、县界、"
                 "2020年普查人口为真实数据", ha="center", fontsize=8.5, color="#8b0000")
    fig.text(0.98, 0.09, f"坐标系 {crs.name}", ha="right",
             fontsize=7, color="#666666")
    return save_figure(fig, path, dpi=dpi)


def county_in_metres(region: Region, *, context: str) -> gpd.GeoDataFrame:
    """Return the region's county row(s) in their UTM zone (metres), ready to draw, with the
    CJK font set; raise when the region has no county boundary polygon."""
    county = region.areas[region.areas["level"] == "county"]
    if county.empty or county.geometry.isna().all():
        raise_if_errors([Problem(_("region, table areas, level county, column geometry"),
                                 expected=_("the county boundary polygon"), got=_("none"),
                                 fix=_("import the boundary or use hsplan.region.reference"))],
                        context=context)
    use_cjk_font()
    return county.to_crs(county.estimate_utm_crs())


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Write `fig` to a PNG at `path` (folders created), close it, and return the path."""
    path = Path(path)
    try:
        with atomic_path(path) as tmp:  # a killed or failed run never leaves half a PNG
            fig.savefig(tmp, dpi=dpi, bbox_inches="tight", format=path.suffix.lstrip(".")
                        or "png")
    finally:
        plt.close(fig)
    return path


def print_figure(fig: Figure, path: str | Path, *, width_cm: float, max_height_cm: float = 21.0,
                 min_pt: float = 8.0, dpi: int = 200) -> tuple[Path, float, float]:
    """Write `fig` as a PNG for print at `width_cm` wide (less when it would be taller than
    `max_height_cm`), without its figure-level footnotes, enlarging all its text so that
    none is under `min_pt` points at that size; return the path, the printed width in cm
    and the smallest text size in pt."""
    from matplotlib.text import Text

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for note in list(fig.texts):  # footnotes: the report says it in its own captions
        note.remove()
    w0, h0 = fig.get_size_inches()
    if w0 > width_cm / 2.54:  # draw at print size: the map fills the width, text stays legible
        fig.set_size_inches(width_cm / 2.54, h0 * width_cm / 2.54 / w0)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    sizes = {id(t): float(t.get_fontsize()) for t in texts}
    printed_cm, smallest = width_cm, min_pt
    for _round in range(8):  # enlarging the text widens the figure: repeat until it holds
        box = fig.get_tightbbox(fig.canvas.get_renderer())  # type: ignore[attr-defined]
        w_in, h_in = box.width + 0.2, box.height + 0.2  # savefig pads 0.1 in each side
        printed_cm = min(width_cm, max_height_cm * w_in / h_in)
        scale = printed_cm / 2.54 / w_in
        smallest = min(sizes.values(), default=min_pt) * scale
        if smallest >= min_pt - 0.05:
            break
        factor = min_pt / smallest * 1.03
        for t in texts:
            sizes[id(t)] *= factor
            t.set_fontsize(sizes[id(t)])
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path, printed_cm, smallest


def place_labels(ax: Axes, xs: Any, ys: Any, labels: Any, *, marker_px: float = 6.0,
                 avoid: Any = (), **style: Any) -> int:
    """Label points without hiding labels under one another or under the points' markers:
    each label tries eight positions round its point and is left out when none is free;
    return the number of labels drawn.

    Notes
    -----
    A greedy repel (as map labelling engines do it, simplified): boxes are measured with
    the figure's renderer in display pixels; markers are squares of `marker_px` half-width;
    `avoid` holds more (x, y) markers in data coordinates that labels must not cover.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    points: Any = ax.transData.transform(list(zip(xs, ys, strict=True))) if len(xs) else []
    others: Any = ax.transData.transform(list(avoid)) if len(avoid) else []
    taken = [(px - marker_px, py - marker_px, px + marker_px, py + marker_px)
             for px, py in [*points, *others]]
    offsets = [(5, 5), (5, -5), (-5, 5), (-5, -5), (0, 9), (0, -9), (9, 0), (-9, 0)]
    drawn = 0
    for (px, py), label in zip(points, labels, strict=True):
        for dx, dy in offsets:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            text = ax.annotate(str(label), (0, 0), xycoords="data", xytext=(dx, dy),
                               textcoords="offset points", ha=ha, va=va, **style)
            text.xy = tuple(ax.transData.inverted().transform((px, py)))
            box = text.get_window_extent(renderer)
            rect = (box.x0, box.y0, box.x1, box.y1)
            own = (px - marker_px, py - marker_px, px + marker_px, py + marker_px)
            clash = any(rect[0] < t[2] and t[0] < rect[2] and rect[1] < t[3] and t[1] < rect[3]
                        for t in taken if t != own)
            if not clash:
                taken.append(rect)
                drawn += 1
                break
            text.remove()
    return drawn


def north_arrow(ax: Axes) -> None:
    ax.annotate("N", xy=(0.94, 0.95), xytext=(0.94, 0.86), xycoords="axes fraction",
                ha="center", va="center", fontsize=12, fontweight="bold",
                arrowprops={"facecolor": "black", "width": 4, "headwidth": 12,
                            "headlength": 10})


def scale_bar(ax: Axes) -> None:
    """Draw a scale bar of a round length (≈ 1/5 of the map width) at the bottom right."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    exp = 10 ** math.floor(math.log10(target))
    length = max(m * exp for m in (1, 2, 5) if m * exp <= target)
    bx = x1 - (x1 - x0) * 0.05 - length
    by = y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length], [by, by], color="black", linewidth=3, solid_capstyle="butt")
    ax.plot([bx, bx + length / 2], [by, by], color="white", linewidth=1.5,
            solid_capstyle="butt")
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(bx + length / 2, by + (y1 - y0) * 0.012, label, ha="center", va="bottom",
            fontsize=9)


def draw_townships(ax: Any, areas: Any, crs: Any) -> None:
    """Draw the township polygons of `areas` (in `crs`) with their names: the base of the
    coverage, siting and network maps."""
    towns = areas[(areas["level"] == "township") & areas.geometry.notna()]
    towns = towns[towns.geometry.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(crs)
    if not towns.empty:
        towns.plot(ax=ax, facecolor="#f4f1e8", edgecolor="#9a8f7a", linewidth=0.8)
        for name, geom in zip(towns["name"], towns.geometry, strict=True):
            pt = geom.representative_point()
            ax.annotate(str(name), (pt.x, pt.y), ha="center", va="center", fontsize=9,
                        color="#5b5142", alpha=0.8, zorder=3)
