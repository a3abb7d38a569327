"""The service-network map: each 医共体's lead hospital joined to its members, 次中心 marked."""

from __future__ import annotations

from pathlib import Path

from hsplan.region.model import Region


def network_map(region: Region, path: str | Path, *, year: int, dpi: int = 150) -> Path:
    """Write a PNG map of the service network in `year` to `path`; return the path:
    township polygons, a line from each alliance's lead (牵头) to each member, members by
    type, and the 县域医疗卫生次中心 ringed. A synthetic region says so."""
    import matplotlib

    matplotlib.use("Agg")
    import geopandas as gpd
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from hsplan.evaluation.institutions import alliances
    from hsplan.reports.maps import north_arrow, save_figure, scale_bar, use_cjk_font

    use_cjk_font()
    areas = region.areas
    facs = region.facilities[region.facilities.geometry.notna()]
    crs = (facs if len(facs) else areas).estimate_utm_crs()
    fig, ax = plt.subplots(figsize=(10, 9))
    towns = areas[(areas["level"] == "township") & areas.geometry.notna()]
    towns = towns[towns.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(towns):
        towns.to_crs(crs).plot(ax=ax, facecolor="#f4f1e8", edgecolor="#9a8f7a", linewidth=0.7)
    members = alliances(region, year=year)
    xy = {str(i): (g.x, g.y) for i, g in zip(facs["id"], facs.to_crs(crs).geometry, strict=True)}
    handles = []
    colours = ["#08519c", "#a50f15", "#006d2c", "#54278f"]
    for k, (name, group) in enumerate(members.groupby("alliance", sort=True)):
        colour = colours[k % len(colours)]
        leads = group[group["role"] == "牵头"]
        for lead in leads["facility_id"]:
            if lead not in xy:
                continue
            lx, ly = xy[lead]
            for fid in group[group["role"] != "牵头"]["facility_id"]:
                if fid in xy:
                    ax.plot([lx, xy[fid][0]], [ly, xy[fid][1]], color=colour, alpha=0.35,
                            linewidth=0.8, zorder=3)
            ax.scatter([lx], [ly], marker="*", s=320, color=colour, edgecolors="white",
                       zorder=6)
        pts = [xy[f] for f in group["facility_id"] if f in xy]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=14, color=colour, zorder=5)
        handles.append(Line2D([], [], color=colour, marker="*", markersize=12, linestyle="-",
                              label=f"{name}（{len(group)} 个机构）"))
    facts = region.facts
    sub = facts[(facts["fact"] == "定位") & (facts["year"] <= year)
                & facts["value"].astype("string").str.contains("次中心", na=False)]
    sub_pts = [xy[str(f)] for f in sub["facility_id"] if str(f) in xy]
    if sub_pts:
        ax.scatter([p[0] for p in sub_pts], [p[1] for p in sub_pts], s=420, facecolors="none",
                   edgecolors="#e6550d", linewidths=2.2, zorder=7)
        handles.append(Line2D([], [], marker="o", markersize=14, markerfacecolor="none",
                              markeredgecolor="#e6550d", linestyle="",
                              label=f"县域医疗卫生次中心（{len(sub_pts)}）"))
    county = areas[areas["level"] == "county"]
    if len(county) and county.geometry.notna().any():
        county.to_crs(crs).boundary.plot(ax=ax, color="#333333", linewidth=1.4, zorder=4)
    if not handles:
        ax.text(0.5, 0.5, "无医共体或次中心记录（机构建设进展表为空）", transform=ax.transAxes,
                ha="center", va="center", fontsize=13, color="#555555")
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 0.9), frameon=False,
              fontsize=9)
    name = str(region.meta.get("name", ""))
    title = f"{name} 医疗卫生服务网络（{year}年）".strip()
    ax.set_title(f"{title}（合成数据）" if region.synthetic else title, fontsize=14)
    ax.set_axis_off()
    ax.set_aspect("equal")
    north_arrow(ax)
    scale_bar(ax)
    _ = gpd  # geopandas is needed for the frames' plot method
    return save_figure(fig, path, dpi=dpi)
