"""What a road network is built from: the road speed table (``data/road_speeds.csv``,
`load_speeds`, `parse_maxspeed_kmh`), the road segments collected from a source (`_Ways`)
and the OpenStreetMap readers (which ways a mode may use, one-way tags, ``.osm.pbf`` with
pyosmium and ``.osm`` / ``.osm.bz2`` XML). `hsplan.access.network` builds the `Network`
from them; the public names are re-exported there.
"""

from __future__ import annotations

import bz2
import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from hsplan._i18n import _
from hsplan.errors import DataSourceError, Problem, raise_if_errors

SPEEDS_NAME = "road_speeds.csv"
MAX_SPEED_KMH = 200.0

# Tags that take a way out of a mode (besides a class with no speed in the table).
_DRIVE_SERVICE_EXCLUDED = frozenset(
    {"parking_aisle", "driveway", "parking", "private", "emergency_access"})
_ACCESS_NO = frozenset({"no", "private"})
_ACCESS_YES = frozenset({"yes", "designated", "permissive", "destination"})
_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_ONEWAY_BACKWARD = frozenset({"-1", "reverse"})
_ONEWAY_NO = frozenset({"no", "false", "0"})
_MAXSPEED = re.compile(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?$")


# ---------------------------------------------------------------------------- speeds table


def speeds_path() -> Path:
    """Return the path of the bundled road speed table (``data/road_speeds.csv``)."""
    return Path(str(resources.files("hsplan") / "data" / SPEEDS_NAME))


def load_speeds(source: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the road speed table: ``highway``, ``name_zh``, ``drive_kmh``, ``walk_kmh``
    (km/h; NaN where the mode may not use the class), one row per OSM highway class.

    `source` is a CSV path, a DataFrame with the same columns, or None for the bundled
    table. Every problem (missing column, empty or repeated class, a speed that is not a
    number in (0, 200] km/h) is collected and raised once as a `ValidationError`.

    Notes
    -----
    The bundled defaults follow the design speeds of 《公路工程技术标准》JTG B01-2014
    (表3.6.1: 高速公路 120/100/80, 一级 100/80/60, 二级 80/60, 三级 40/30, 四级 30/20 km/h)
    and 《城市道路工程设计规范》CJJ 37-2012 (表3.2.2: 快速路 100/80/60, 主干路 60/50/40,
    次干路 50/40/30, 支路 40/30/20 km/h), taking the lower design speed as the typical
    driving speed; walking is 5 km/h (2.5 on steps).
    """
    if source is None:
        source = speeds_path()
    if isinstance(source, pd.DataFrame):
        raw = source.astype("string")
        name = _("speeds table")
    else:
        path = Path(source)
        if not path.exists():
            raise DataSourceError(_("{path}: road speed table not found. Fix: give the path "
                                    "of a CSV like {example}.").format(path=path,
                                                                       example=speeds_path()))
        raw = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
        name = path.name
    problems: list[Problem] = []
    missing = [c for c in ("highway", "drive_kmh", "walk_kmh") if c not in raw.columns]
    for col in missing:
        problems.append(Problem(_("missing column"), file=name, column=col,
                                expected=_("a column named {column}").format(column=col),
                                got=_("no such column"),
                                fix=_("use the header of the bundled road_speeds.csv")))
    raise_if_errors(problems, context=_("road speed table {name}").format(name=name))
    out = pd.DataFrame({"highway": raw["highway"].fillna("").str.strip(),
                        "name_zh": raw["name_zh"] if "name_zh" in raw.columns else ""})
    seen: set[str] = set()
    for i, cls in enumerate(out["highway"]):
        if not cls or cls in seen:
            problems.append(Problem(
                _("empty or repeated road class"), file=name, row=i + 2, column="highway",
                expected=_("a class not yet listed"), got=str(cls),
                fix=_("list each OSM highway class once")))
        seen.add(str(cls))
    for col in ("drive_kmh", "walk_kmh"):
        values = np.full(len(raw), np.nan)
        for i, text in enumerate(raw[col].fillna("")):
            text = str(text).strip()
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not 0 < value <= MAX_SPEED_KMH:
                problems.append(Problem(
                    _("invalid speed"), file=name, row=i + 2, column=col,
                    expected=_("a speed in km/h > 0 and ≤ {max}, or blank").format(
                        max=f"{MAX_SPEED_KMH:g}"), got=text,
                    fix=_("enter digits only, or leave blank where the mode may not use the "
                          "road")))
                continue
            values[i] = value
        out[col] = values
    raise_if_errors(problems, context=_("road speed table {name}").format(name=name))
    return out


def parse_maxspeed_kmh(value: str | None) -> float:
    """Return the speed in km/h given by an OSM ``maxspeed`` tag, NaN when it gives none.

    Takes the first of several values (``"60;80"``), converts ``mph``; symbolic values
    (``"CN:urban"``, ``"none"``, ``"signals"``) give NaN, so the class speed applies.
    """
    if not value:
        return math.nan
    match = _MAXSPEED.match(value.split(";")[0].strip().lower())
    if match is None:
        return math.nan
    speed = float(match[1]) * (1.609344 if match[2] == "mph" else 1.0)
    return speed if 0 < speed <= MAX_SPEED_KMH else math.nan


def _class_speeds(speeds: pd.DataFrame, mode: str) -> dict[str, float]:
    column = f"{mode}_kmh"
    return {str(h): float(s) for h, s in zip(speeds["highway"], speeds[column], strict=True)
            if not math.isnan(float(s))}


# ---------------------------------------------------------------------------- road segments


@dataclass
class _Ways:
    """Road segments collected from a source, before a network is built."""

    coords: dict[int, tuple[float, float]] = field(default_factory=dict)
    seg_u: list[int] = field(default_factory=list)
    seg_v: list[int] = field(default_factory=list)
    seg_way: list[int] = field(default_factory=list)
    seg_length_m: list[float] = field(default_factory=list)  # only for roads layers
    highway: list[str] = field(default_factory=list)
    maxspeed_kmh: list[float] = field(default_factory=list)
    direction: list[int] = field(default_factory=list)  # 0 two-way, 1 forward, -1 backward

    def add_way(self, refs: list[int], highway: str, maxspeed_kmh: float,
                direction: int) -> None:
        way = len(self.highway)
        self.highway.append(highway)
        self.maxspeed_kmh.append(maxspeed_kmh)
        self.direction.append(direction)
        for a, b in itertools.pairwise(refs):
            if a in self.coords and b in self.coords:
                self.seg_u.append(a)
                self.seg_v.append(b)
                self.seg_way.append(way)


# ---------------------------------------------------------------------------- OSM


def way_allowed(tags: dict[str, str], mode: str) -> bool:
    """Return whether a way with these OSM tags may be used by `mode` (its class aside).

    Notes
    -----
    Excluded: ``area=yes``; ``access=no|private`` unless the mode's own tag (``foot``, or
    ``motor_vehicle``/``motorcar``) allows it; the mode's own tag ``no|private``; for
    driving, ``service=parking_aisle|driveway|parking|private|emergency_access``.
    """
    if tags.get("area") == "yes":
        return False
    own = [tags.get("foot")] if mode == "walk" else [tags.get("motor_vehicle"),
                                                      tags.get("motorcar")]
    if any(t in _ACCESS_NO for t in own):
        return False
    if tags.get("access") in _ACCESS_NO and not any(t in _ACCESS_YES for t in own):
        return False
    return not (mode == "drive" and tags.get("service") in _DRIVE_SERVICE_EXCLUDED)


def way_direction(tags: dict[str, str], mode: str) -> int:
    """Return 0 for a two-way way, 1 for one-way along its nodes, -1 against them.

    Notes
    -----
    Walking ignores one-way tags. For driving: ``oneway=yes|true|1`` → 1,
    ``oneway=-1|reverse`` → -1, ``oneway=no|false|0`` → 0; otherwise roundabouts
    (``junction=roundabout|circular``) and ``highway=motorway`` are one-way by OSM
    convention; everything else (including ``oneway=reversible``) is two-way.
    """
    if mode == "walk":
        return 0
    oneway = tags.get("oneway", "").strip().lower()
    if oneway in _ONEWAY_FORWARD:
        return 1
    if oneway in _ONEWAY_BACKWARD:
        return -1
    if oneway in _ONEWAY_NO:
        return 0
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return 1
    return 0


def _add_osm_way(ways: _Ways, refs: list[int], tags: dict[str, str], mode: str,
                 class_speed: dict[str, float]) -> None:
    highway = tags.get("highway")
    if highway is None or highway not in class_speed or not way_allowed(tags, mode):
        return
    ways.add_way(refs, highway, parse_maxspeed_kmh(tags.get("maxspeed")),
                 way_direction(tags, mode))


def _read_pbf(path: Path, mode: str, class_speed: dict[str, float]) -> _Ways:
    import osmium

    ways = _Ways()
    highways = osmium.filter.KeyFilter("highway")
    highways.enable_for(osmium.osm.WAY)
    processor = (osmium.FileProcessor(str(path)).with_locations().with_filter(highways)
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY)))
    for way in processor:
        if not isinstance(way, osmium.osm.Way):
            continue
        tags = {t.k: t.v for t in way.tags}
        if tags.get("highway") not in class_speed:
            continue
        refs = []
        for node in way.nodes:
            refs.append(node.ref)
            if node.location.valid():
                ways.coords[node.ref] = (node.location.lon, node.location.lat)
        _add_osm_way(ways, refs, tags, mode, class_speed)
    return ways


def _open_xml(path: Path) -> IO[bytes]:
    if path.name.endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def _iter_xml(path: Path) -> Iterator[tuple[str, ET.Element]]:
    with _open_xml(path) as handle:
        for _event, elem in ET.iterparse(handle, events=("end",)):
            if elem.tag in ("node", "way", "relation"):
                yield elem.tag, elem
                elem.clear()


def _read_xml(path: Path, mode: str, class_speed: dict[str, float]) -> _Ways:
    ways = _Ways()
    nodes: dict[int, tuple[float, float]] = {}
    pending: list[tuple[list[int], dict[str, str]]] = []
    for tag, elem in _iter_xml(path):
        if tag == "node":
            lon, lat = elem.get("lon"), elem.get("lat")
            if lon is not None and lat is not None:
                x, y = float(lon), float(lat)
                if not (-180 <= x <= 180 and -90 <= y <= 90):  # also NaN and infinity
                    raise DataSourceError(_(
                        "{path}: node {id} has coordinates outside ±180°/±90° ({lon}, {lat}). "
                        "Fix: download the extract again.").format(
                            path=path, id=elem.attrib.get("id"), lon=lon, lat=lat))
                nodes[int(elem.attrib["id"])] = (x, y)
        elif tag == "way":
            tags = {t.attrib["k"]: t.attrib["v"] for t in elem.iter("tag")}
            if tags.get("highway") in class_speed:
                pending.append(([int(nd.attrib["ref"]) for nd in elem.iter("nd")], tags))
    for refs, _tags in pending:
        for ref in refs:
            if ref in nodes:
                ways.coords[ref] = nodes[ref]
    for refs, tags in pending:
        _add_osm_way(ways, refs, tags, mode, class_speed)
    return ways
