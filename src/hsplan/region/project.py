"""A project: a folder with ``hsplan.toml`` and the region model in one GeoPackage.

::

    my-county/
      hsplan.toml        project settings (name, county code, default coordinate system)
      region.gpkg        the validated model (open it in QGIS)
      plans/             the project's own plan files (YAML), optional
      outputs/           what commands write (reports, maps), created on demand
      .hsplan.lock       the writers' lock (`hsplan.region._lock`), made on first write

Opening a project checks ``hsplan.toml`` (every problem at once, naming the file and the
key) and sweeps the temporary files a killed command left behind. A project is created as
a transaction (`create_project`): every file is built in a hidden folder beside the target
and the folder is renamed into place, so a killed ``init`` or ``synth`` leaves no
half-made project.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hsplan._files import TEMP_MARK, atomic_path, remove, sweep_temp_files
from hsplan._i18n import N_, _
from hsplan.errors import DataSourceError, Problem, ValidationError
from hsplan.region.model import Region
from hsplan.region.schema import CRS_ALIASES, CRS_NAMES
from hsplan.region.store import load_region, save_region

#: the project's road network file (a GeoPackage with layer ``roads``)
ROADS_NAME = "roads.gpkg"

CONFIG_NAME = "hsplan.toml"
DEFAULT_STORE = "region.gpkg"
MADE_BY = "hsplan"
MADE_BY_EXAMPLE = "hsplan example"  # the marker of an example copy, which --force may replace
MAX_CONFIG_BYTES = 1_000_000
_CONFIG_FIX = N_("correct hsplan.toml (see `hsplan init --help` for its keys)")


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
    made_by: str = MADE_BY

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
            raise DataSourceError(_(
                "{path}: not a readable roads layer ({error}). Fix: re-export the layer as "
                "GeoPackage layer 'roads'.").format(path=path, error=exc)) from exc

    @classmethod
    def open(cls, root: str | Path) -> Project:
        """Open the project in folder `root` (which must hold ``hsplan.toml``); raise one
        `ValidationError` with every problem of ``hsplan.toml``."""
        root = Path(root)
        config = root / CONFIG_NAME
        if not config.is_file():
            raise DataSourceError(_(
                "{root}: not an hsplan project (no {config}). Fix: create one with "
                "`hsplan init {root} --county CODE`.").format(root=root, config=CONFIG_NAME))
        if config.stat().st_size > MAX_CONFIG_BYTES:
            raise DataSourceError(_("{config}: too large for a settings file. Fix: {fix}.")
                                  .format(config=config, fix=_(_CONFIG_FIX)))
        try:
            # utf-8-sig: Windows Notepad saves UTF-8 with a byte order mark
            text = config.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataSourceError(_(
                "{config}: not UTF-8 text (byte {byte} cannot be read). Fix: save hsplan.toml "
                "as UTF-8 (记事本: 另存为, 编码 UTF-8).").format(
                    config=config, byte=exc.start)) from exc
        try:
            data: dict[str, Any] = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            raise DataSourceError(_("{config}: not valid TOML ({error}). Fix: {fix}.").format(
                config=config, error=exc, fix=_(_CONFIG_FIX))) from exc
        project = cls._from_config(root, data)
        _sweep(project)
        return project

    @classmethod
    def _from_config(cls, root: Path, data: dict[str, Any]) -> Project:
        problems: list[Problem] = []

        def section(name: str) -> dict[str, Any]:
            value = data.get(name, {})
            if isinstance(value, dict):
                return value
            problems.append(Problem(_("[{name}] must be a table").format(name=name),
                                    file=CONFIG_NAME, column=name,
                                    expected=_("a [{name}] section").format(name=name),
                                    got=str(value)[:60], fix=_(_CONFIG_FIX)))
            return {}

        def text(sec: dict[str, Any], sec_name: str, key: str, default: str | None,
                 ) -> str | None:
            value = sec.get(key, default)
            if value is None or isinstance(value, str):
                return value
            problems.append(Problem(_("not text"), file=CONFIG_NAME,
                                    column=f"{sec_name}.{key}",
                                    expected=_("text in quotes"), got=str(value)[:60],
                                    fix=_(_CONFIG_FIX)))
            return default

        proj, store = section("project"), section("data")
        name = text(proj, "project", "name", root.name) or root.name
        county = text(proj, "project", "county_code", None)
        if county is not None and not (county.isdigit() and len(county) == 6):
            problems.append(Problem(_("not a county code"), file=CONFIG_NAME,
                                    column="project.county_code", expected=_("6 digits"),
                                    got=county, fix=_(_CONFIG_FIX)))
            county = None
        store_name = text(store, "data", "store", DEFAULT_STORE) or DEFAULT_STORE
        store_path = Path(store_name)
        if (store_path.is_absolute() or ".." in store_path.parts or store_name.strip() == ""
                or store_path.suffix.lower() != ".gpkg" or "\x00" in store_name):
            problems.append(Problem(
                _("store outside the project"), file=CONFIG_NAME, column="data.store",
                expected=_("a .gpkg file name inside the project folder, e.g. region.gpkg"),
                got=store_name, fix=_('write store = "region.gpkg"')))
            store_name = DEFAULT_STORE
        crs_text = text(store, "data", "coordinate_system", "WGS84") or "WGS84"
        crs = crs_text if crs_text in CRS_NAMES else CRS_ALIASES.get(crs_text.strip().lower())
        if crs is None:
            problems.append(Problem(
                _("unknown coordinate system"), file=CONFIG_NAME,
                column="data.coordinate_system",
                expected=_("one of {names}").format(names=", ".join(CRS_NAMES)), got=crs_text,
                fix=_('write coordinate_system = "WGS84" (or GCJ-02 for 高德/腾讯, BD-09 for '
                      '百度)')))
            crs = "WGS84"
        synthetic = proj.get("synthetic", False)
        if not isinstance(synthetic, bool):
            problems.append(Problem(_("not true or false"), file=CONFIG_NAME,
                                    column="project.synthetic", expected=_("true or false"),
                                    got=str(synthetic)[:60], fix=_(_CONFIG_FIX)))
            synthetic = False
        created = proj.get("created", "")
        problems += _unknown_keys(data, proj, store)
        if problems:
            raise ValidationError(problems, context=f"{root / CONFIG_NAME}")
        return cls(root=root, name=name, county_code=county, store_name=store_name,
                   coordinate_system=crs, synthetic=synthetic, created=str(created),
                   made_by=str(proj.get("made_by", "")))

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
            f"made_by = {_toml_str(self.made_by or MADE_BY)}",
            "",
            "[data]",
            f"store = {_toml_str(self.store_name)}",
            "# coordinate system of lon/lat in imported files when a row does not say:",
            "# WGS84, GCJ-02 (高德/腾讯) or BD-09 (百度). Stored coordinates are always WGS84.",
            f"coordinate_system = {_toml_str(self.coordinate_system)}",
            "",
        ]
        with atomic_path(self.config_path) as tmp:
            tmp.write_text("\n".join(lines), encoding="utf-8")
        return self.config_path

    def load(self) -> Region:
        """Read the project's region model."""
        return load_region(self.store_path)

    def save(self, region: Region) -> Path:
        """Write the project's region model atomically (all or nothing)."""
        return save_region(region, self.store_path)


CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "project": ("name", "county_code", "created", "synthetic", "made_by"),
    "data": ("store", "coordinate_system"),
}


def _unknown_keys(data: dict[str, Any], proj: dict[str, Any], store: dict[str, Any],
                  ) -> list[Problem]:
    """Return a problem for every key of ``hsplan.toml`` hsplan does not know: a misspelt
    setting (``coordinate_sytem``) would otherwise be ignored and its default used."""
    import difflib

    problems: list[Problem] = []
    found = [(k, "", tuple(CONFIG_KEYS)) for k in data if k not in CONFIG_KEYS]
    found += [(k, "project.", CONFIG_KEYS["project"]) for k in proj
              if k not in CONFIG_KEYS["project"]]
    found += [(k, "data.", CONFIG_KEYS["data"]) for k in store if k not in CONFIG_KEYS["data"]]
    for key, prefix, known in found:
        guess = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        problems.append(Problem(
            _("unknown setting"), file=CONFIG_NAME, column=f"{prefix}{key}",
            expected=_("one of {names}").format(names=", ".join(prefix + k for k in known)),
            got=str(key)[:60],
            fix=_("did you mean {guess}?").format(guess=prefix + guess[0]) if guess else
            _("delete the line")))
    return problems


def _toml_str(value: str) -> str:
    escaped = "".join(
        {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, ch)
        if ch >= " " or ch in "\n\r\t" else f"\\u{ord(ch):04x}" for ch in value)
    return f'"{escaped}"'


def _sweep(project: Project) -> None:
    """Remove temporary files that killed commands left in the project (their process is
    gone), including the ``.region-*.gpkg`` names of earlier hsplan versions when no writer
    holds the lock."""
    from hsplan.region._lock import try_lock

    try:
        for folder in (project.root, project.root / "outputs"):
            sweep_temp_files(folder)
        if try_lock(project.root):
            stem = Path(project.store_name).stem
            for stale in project.root.glob(f".{stem}-*.gpkg"):
                remove(stale)
    except OSError:
        pass  # a read-only project: nothing to sweep, nothing written either


@contextmanager
def create_project(root: str | Path) -> Iterator[Path]:
    """Yield a hidden staging folder in which to build a new project for folder `root`;
    when the block ends without an exception, the staging folder becomes `root` (one
    atomic rename when `root` is new or empty). On an exception, or when the process is
    killed, `root` is untouched and the staging folder is removed (now, or by the next
    `create_project` beside it).

    A `root` holding other files (the planner's notes) receives the new files one by one,
    ``hsplan.toml`` last: the project exists only once everything else is in place. A
    `root` that already holds a project is refused, so nothing is overwritten.
    """
    root = Path(root)
    _refuse_existing(root)
    parent = root.parent if str(root.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    sweep_temp_files(parent, prefix=root.name)
    staging = parent / f".{root.name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        yield staging
        _refuse_existing(root)
        try:
            if root.is_dir() and any(root.iterdir()):
                names = sorted(p.name for p in staging.iterdir())
                clash = [n for n in names if (root / n).exists()]
                if clash:
                    raise DataSourceError(_(
                        "{root}: would replace {files}, which hsplan did not make. Fix: "
                        "choose a new folder, or move those files away.").format(
                            root=root, files=", ".join(clash)))
                for name in sorted(names, key=lambda n: n == CONFIG_NAME):
                    os.replace(staging / name, root / name)
            else:
                os.replace(staging, root)  # an empty folder is replaced atomically
        except OSError as exc:
            raise DataSourceError(_(
                "{root}: the new project cannot be moved into place ({error}). Fix: choose an "
                "empty or new folder.").format(root=root, error=exc)) from exc
    finally:
        remove(staging)


def _refuse_existing(root: Path) -> None:
    if not root.exists():
        return
    if not root.is_dir():
        raise DataSourceError(_("{root}: expected a folder, got a file. Fix: choose another "
                                "folder.").format(root=root))
    existing = sorted(p.name for p in root.iterdir())
    if not existing:
        return
    is_project = any(n in (CONFIG_NAME, DEFAULT_STORE) for n in existing)
    if is_project:
        shown = _(" and ").join(n for n in existing if n in (CONFIG_NAME, DEFAULT_STORE))
        raise DataSourceError(_(
            "{root}: expected a folder without a project, got an existing hsplan project "
            "({files} already there). Fix: choose another folder, or delete those files "
            "first if you really want to start again.").format(root=root, files=shown))


def build_project(root: str | Path, build: Callable[[Path], Project]) -> Project:
    """Return the project that `build` makes in a staging folder, moved into `root` as one
    transaction (see `create_project`)."""
    with create_project(root) as staging:
        project = build(staging)
    del project
    return Project.open(root)


def init_project(root: str | Path, *, county: str, name: str | None = None) -> Project:
    """Return a new Project in folder `root`, seeded with one county's reference data.

    Writes ``region.gpkg`` from `hsplan.region.reference.region_from_county` (the county with its
    boundary, townships, villages where bundled, 2020 census population) and then
    ``hsplan.toml``; `name` defaults to the county's full name (e.g. 鄂尔多斯市康巴什区).
    Refuses a folder that already holds a project, so nothing is overwritten.
    """
    from hsplan.region.reference import region_from_county

    region = region_from_county(county)

    def build(staging: Path) -> Project:
        project = Project(root=staging, name=name or str(region.meta["name"]),
                          county_code=str(region.meta["county_code"]))
        project.save(region)
        project.write_config()
        return project

    return build_project(root, build)
