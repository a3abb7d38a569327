"""Which counties a batch runs over, and how one county's region is obtained."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from hsplan._i18n import _
from hsplan.errors import Problem, raise_if_errors
from hsplan.region.model import Region

#: what a county source is: an existing project folder, a county built from the bundled
#: reference data (census only), or a synthetic county made by the seeded generator
SourceKind = str  # "project" | "census" | "synthetic"


@dataclass(frozen=True)
class CountySource:
    """One county of a batch: `key` names its result files (the county code, or the project
    folder's name); `kind` says where its region comes from."""

    key: str
    kind: SourceKind
    county_code: str
    name: str
    province: str = ""
    city: str = ""
    project: str | None = None  # folder of an existing project (kind "project")
    seed: int = 0  # generator seed (kind "synthetic")

    def input_hash(self) -> str:
        """Return a hash of what this county's results depend on (the project's files, or
        the county code, generator seed and package version)."""
        from hsplan import __version__

        h = hashlib.sha256(f"{self.kind}|{self.county_code}|{self.seed}|{__version__}".encode())
        if self.project is not None:
            root = Path(self.project)
            for name in ("hsplan.toml", "region.gpkg", "roads.gpkg"):
                path = root / name
                if path.exists():
                    h.update(name.encode())
                    with path.open("rb") as fh:
                        for block in iter(lambda: fh.read(1 << 20), b""):
                            h.update(block)
        return h.hexdigest()[:16]

    def load(self) -> tuple[Region, object | None]:
        """Return the county's region and its `Project` (None unless kind is "project")."""
        if self.kind == "project":
            from hsplan.region.project import Project

            project = Project.open(str(self.project))
            return project.load(), project
        from hsplan.region.reference import region_from_county

        region = region_from_county(self.county_code)
        if self.kind == "synthetic":
            from hsplan.region.synth import synthesize

            region = synthesize(region, seed=self.seed)
        return region, None


def sources_from_projects(folder: str | Path) -> list[CountySource]:
    """Return one source per project folder (a folder holding ``hsplan.toml``) directly
    inside `folder`, ordered by folder name."""
    import tomllib

    from hsplan.region.reference import counties

    places = {str(r.code): (str(r.province), str(r.city)) for r in counties().itertuples()}
    root = Path(folder)
    if not root.is_dir():
        raise_if_errors([Problem(str(root), expected=_("a folder of hsplan projects"),
                                 got=_("no such folder"))], context="batch")
    out = []
    for path in sorted(p for p in root.iterdir() if (p / "hsplan.toml").exists()):
        try:
            config = tomllib.loads((path / "hsplan.toml").read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            config = {}  # the job reports the unreadable project; the batch goes on
        meta = config.get("project", config) if isinstance(config, dict) else {}
        code = str(meta.get("county_code", ""))
        province, city = places.get(code, ("", ""))
        out.append(CountySource(key=path.name, kind="project", county_code=code,
                                name=str(meta.get("name", path.name)), province=province,
                                city=city, project=str(path)))
    if not out:
        raise_if_errors([Problem(str(root),
                                 expected=_("project folders (each with hsplan.toml)"),
                                 got=_("none"))], context="batch")
    return out


def sources_from_codes(codes: list[str], *, synthetic: bool = False, seed: int = 0
                       ) -> list[CountySource]:
    """Return one source per code: a county code (6 digits), or a province (2 digits) or
    city (4 digits) code meaning all its counties in the bundled division table (with a
    boundary and census figures when `synthetic`); built from the census (`synthetic`
    False) or by the generator (seed `seed`)."""
    from hsplan.region.reference import counties

    table = counties()
    usable = table[table["in_nbs2023"].astype(bool)]
    if synthetic:  # the generator needs the county's boundary and census
        usable = usable[usable["has_boundary"].astype(bool) & usable["census_total"].notna()]
    problems: list[Problem] = []
    chosen: dict[str, object] = {}
    for raw in codes:
        code = str(raw).strip()
        if len(code) in (2, 4) and code.isdigit():
            rows = usable[usable["code"].astype(str).str.startswith(code)]
            if rows.empty:
                problems.append(Problem(_("county set {code}").format(code=repr(code)),
                                        expected=_("a province (2 digits) or city (4 "
                                                   "digits) code with counties"),
                                        got=_("no county under it")))
            for row in rows.itertuples():
                chosen.setdefault(str(row.code), row)
        elif len(code) == 6 and code.isdigit():
            rows = table[table["code"].astype(str) == code]
            if rows.empty:
                problems.append(Problem(_("county {code}").format(code=repr(code)),
                                        expected=_("a county code of the bundled 2020 "
                                                   "census"), got=_("unknown code"),
                                        fix=_("find it with: hsplan counties --search NAME")))
            else:
                chosen.setdefault(code, next(rows.itertuples()))
        else:
            problems.append(Problem(_("county set {code}").format(code=repr(code)),
                                    expected=_("a 2-, 4- or 6-digit division code"),
                                    got=code))
    raise_if_errors(problems, context="batch")
    kind = "synthetic" if synthetic else "census"
    return [CountySource(key=code, kind=kind, county_code=code, name=str(row.name),  # type: ignore[attr-defined]
                         province=str(row.province), city=str(row.city), seed=seed)  # type: ignore[attr-defined]
            for code, row in sorted(chosen.items())]
