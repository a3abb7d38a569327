"""A project: a folder with ``hsplan.toml`` and the region model in one GeoPackage.

::

    my-county/
      hsplan.toml        project settings (name, county code, default coordinate system)
      region.gpkg        the validated model (open it in QGIS)
      plans/             the project's own plan files (YAML), optional
      outputs/           what commands write (reports, maps), created on demand
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hsplan.errors import DataSourceError
from hsplan.region.model import Region
from hsplan.region.store import load_region, save_region

#: the project's road network file (a GeoPackage with layer ``roads``)
ROADS_NAME = "roads.gpkg"

CONFIG_NAME = "hsplan.toml"
DEFAULT_STORE = "region.gpkg"


@dataclass
class Project:
    """A project folder; `load()` reads its region, `save()` writes it atomically."""

    root: Path
    name: str
    county_code: str | None = None
    store_name: str = DEFAULT_STORE
    coordinate_system: str = "WGS84"
    synthetic: bool = False
    created: str = field(default_factory=lambda: date.today().isoformat())

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def store_path(self) -> Path:
        return self.root / self.store_name

    @property
    def plans_dir(self) -> Path:
        return self.root / "plans"

    @property
    def outputs_dir(self) -> Path:
        path = self.root / "outputs"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def road_source(self) -> tuple[str, Path | None]:
        """Return where the project's roads come from: ("roads", its ``roads.gpkg``), else
        ("osm", the first OSM extract in the folder: ``*.osm.pbf``, ``*.osm``, ``*.osm.bz2``),
        else ("none", None) — the straight-line model."""
        roads = self.root / ROADS_NAME
        if roads.exists():
            return "roads", roads
        osm = sorted(p for pattern in ("*.osm.pbf", "*.osm", "*.osm.bz2")
                     for p in self.root.glob(pattern))
        return ("osm", osm[0]) if osm else ("none", None)

    def roads_layer(self) -> Any:
        """Return the ``roads`` layer of the project's ``roads.gpkg`` (a GeoDataFrame), or
        None when the project has no roads file."""
        path = self.root / ROADS_NAME
        if not path.exists():
            return None
        import geopandas as gpd

        try:
            return gpd.read_file(path, layer="roads")
        except Exception as exc:
            raise DataSourceError(f"{path}: not a readable roads layer ({exc}). "
                                  "Fix: re-export the layer as GeoPackage layer 'roads'.") from exc

    @classmethod
    def open(cls, root: str | Path) -> Project:
        """Open the project in folder `root` (which must hold ``hsplan.toml``)."""
        root = Path(root)
        config = root / CONFIG_NAME
        if not config.exists():
            raise DataSourceError(
                f"{root}: not an hsplan project (no {CONFIG_NAME}). "
                f"Fix: create one with `hsplan init {root} --county CODE`."
            )
        try:
            data: dict[str, Any] = tomllib.loads(config.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataSourceError(f"{config}: not valid TOML ({exc}).") from exc
        proj = data.get("project", {})
        store = data.get("data", {})
        return cls(
            root=root,
            name=str(proj.get("name", root.name)),
            county_code=proj.get("county_code"),
            store_name=str(store.get("store", DEFAULT_STORE)),
            coordinate_system=str(store.get("coordinate_system", "WGS84")),
            synthetic=bool(proj.get("synthetic", False)),
            created=str(proj.get("created", "")),
        )

    def write_config(self) -> Path:
        """Write ``hsplan.toml`` from this object's settings."""
        self.root.mkdir(parents=True, exist_ok=True)
        lines = [
            "# hsplan project settings",
            "[project]",
            f"name = {_toml_str(self.name)}",
        ]
        if self.county_code:
            lines.append(f"county_code = {_toml_str(self.county_code)}")
        lines += [
            f"created = {_toml_str(self.created)}",
            f"synthetic = {'true' if self.synthetic else 'false'}",
            "",
            "[data]",
            f"store = {_toml_str(self.store_name)}",
            "# coordinate system of lon/lat in imported files when a row does not say:",
            "# WGS84, GCJ-02 (高德/腾讯) or BD-09 (百度). Stored coordinates are always WGS84.",
            f"coordinate_system = {_toml_str(self.coordinate_system)}",
            "",
        ]
        self.config_path.write_text("\n".join(lines), encoding="utf-8")
        return self.config_path

    def load(self) -> Region:
        """Read the project's region model."""
        return load_region(self.store_path)

    def save(self, region: Region) -> Path:
        """Write the project's region model atomically (all or nothing)."""
        return save_region(region, self.store_path)


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def init_project(root: str | Path, *, county: str, name: str | None = None) -> Project:
    """Return a new Project in folder `root`, seeded with one county's reference data.

    Writes ``region.gpkg`` from `hsplan.region.reference.region_from_county` (the county with its
    boundary, townships, villages where bundled, 2020 census population) and then
    ``hsplan.toml``; `name` defaults to the county's full name (e.g. 鄂尔多斯市康巴什区).
    Refuses a folder that already holds a project, so nothing is overwritten.
    """
    from hsplan.region.reference import region_from_county

    root = Path(root)
    existing = [p.name for p in (root / CONFIG_NAME, root / DEFAULT_STORE) if p.exists()]
    if existing:
        raise DataSourceError(
            f"{root}: expected a folder without a project, got an existing hsplan project "
            f"({' and '.join(existing)} already there). Fix: choose another folder, or "
            "delete those files first if you really want to start again."
        )
    region = region_from_county(county)
    project = Project(root=root, name=name or str(region.meta["name"]),
                      county_code=str(region.meta["county_code"]))
    project.save(region)
    project.write_config()
    return project
