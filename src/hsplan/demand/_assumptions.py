"""The assumptions of `hsplan.demand.needs`: the demographic assumptions of the projection
and the service assumptions of the need formulas (admission rates, stays, occupancy, the
national ambulance norm …), read from ``src/hsplan/data/assumptions/default.yaml`` or a
user's file (`load_assumptions`; the names are re-exported from `hsplan.demand.needs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hsplan._i18n import _
from hsplan._yaml import yaml_with_lines
from hsplan.demand.projection import BANDS, DemographicAssumptions, demography_from_dict
from hsplan.errors import DataSourceError, Problem, raise_if_errors

ASSUMPTIONS_PACKAGE_FILE = "data/assumptions/default.yaml"


@dataclass(frozen=True)
class ServiceAssumptions:
    """Service assumptions of the bed and facility needs (see default.yaml ``services``).

    `admission_rates_per_1k` per band (None: the residents' rate spread by
    `admission_age_profile`); `residents_admission_rate_pct` the residents' 年住院率 (None: the
    project's reported one, else `national_admission_rate_pct`); `alos_days` (None: derive per
    level, else `national_alos_days`); `target_occupancy_pct` (hospitals) and
    `target_occupancy_primary_pct` (基层) in %; `outflow_pct` (外转, % of residents'
    admissions) and `inflow_pct` (流入, % of local admissions) — None: from the project, else 0;
    ambulance and community-centre norms in residents per unit.
    """

    admission_rates_per_1k: Mapping[str, float] | None
    admission_age_profile: Mapping[str, float]
    alos_days: float | None
    target_occupancy_pct: float
    outflow_pct: float | None = None
    inflow_pct: float | None = None
    ambulance_urban_per_pop: float = 30000
    ambulance_rural_per_pop: float = 30000
    community_centre_per_pop_min: float = 30000
    community_centre_per_pop_max: float = 100000
    sources: Mapping[str, str] = field(default_factory=dict)
    residents_admission_rate_pct: float | None = None
    national_admission_rate_pct: float = 21.4
    national_alos_days: float = 8.8
    target_occupancy_primary_pct: float = 60.0


@dataclass(frozen=True)
class Assumptions:
    """The assumptions of `needs`: demographic (`projection.DemographicAssumptions`) and
    service ones, and the file they came from."""

    demography: DemographicAssumptions
    services: ServiceAssumptions
    path: Path | None = None


def default_assumptions_path() -> Path:
    """Return the path of the bundled default assumptions file."""
    return Path(str(resources.files("hsplan").joinpath(ASSUMPTIONS_PACKAGE_FILE)))


def _services_from_dict(raw: Any, *, file: str, problems: list[Problem]
                        ) -> ServiceAssumptions | None:
    n_before = len(problems)
    sec = raw if isinstance(raw, dict) else {}
    if not isinstance(raw, dict):
        problems.append(Problem(_("invalid assumption"), file=file, sheet="services",
                                column="services", expected=_("a mapping"), got=str(raw),
                                fix=_("add a `{name}:` section (see default.yaml)").format(
                                    name="services")))

    def value_of(key: str) -> Any:
        entry = sec.get(key)
        return entry.get("value") if isinstance(entry, dict) and "value" in entry else entry

    def bad(key: str, expected: str, got: Any, fix: str) -> None:
        problems.append(Problem(_("invalid assumption"), file=file, sheet="services",
                                column=f"services.{key}", expected=expected, got=str(got),
                                fix=fix))

    def number(key: str, lo: float, hi: float, *, derive: bool = False,
               default: float | None = None, word: str = "derive") -> float | None:
        value = value_of(key)
        if value is None and default is not None:
            return default
        if derive and value == word:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not lo <= value <= hi:
            what = (_('a number in {low}–{high} or "{word}"') if derive
                    else _("a number in {low}–{high}")).format(low=f"{lo:g}", high=f"{hi:g}",
                                                               word=word)
            bad(key, what, value, _("set {key}.value to {what}").format(
                key=f"services.{key}", what=what))
            return None
        return float(value)

    def bands(key: str, *, derive: bool) -> dict[str, float] | None:
        value = value_of(key)
        if derive and value == "derive":
            return None
        if not isinstance(value, dict) or set(value) != set(BANDS) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
                for v in value.values()):
            bad(key, _('a number ≥ 0 for each band age_00_04 … age_85p, or "derive"')
                if derive else _("a number ≥ 0 for each band age_00_04 … age_85p"), value,
                _("give all 18 bands under {key}.value").format(key=f"services.{key}"))
            return None
        return {b: float(value[b]) for b in BANDS}

    rates = bands("admission_rates_per_1k", derive=True)
    profile = bands("admission_age_profile", derive=False)
    alos = number("alos_days", 0.1, 365, derive=True)
    occupancy = number("target_occupancy_pct", 1, 200)
    occupancy_primary = number("target_occupancy_primary_pct", 1, 200, default=60.0)
    outflow = number("outflow_pct", 0, 100, derive=True, word="reported") \
        if value_of("outflow_pct") is not None else None
    inflow = number("inflow_pct", 0, 99, derive=True, word="reported") \
        if value_of("inflow_pct") is not None else None
    residents_rate = number("residents_admission_rate_pct", 0.1, 100, derive=True,
                            word="reported") \
        if value_of("residents_admission_rate_pct") is not None else None
    national_rate = number("national_admission_rate_pct", 0.1, 100, default=21.4)
    national_alos = number("national_alos_days", 0.1, 365, default=8.8)
    amb_u = number("ambulance_urban_per_pop", 1, 1e7, default=30000)
    amb_r = number("ambulance_rural_per_pop", 1, 1e7, default=30000)
    community = value_of("community_centre_per_pop") or {"min": 30000, "max": 100000}
    if not (isinstance(community, dict) and all(
            isinstance(community.get(k), (int, float)) and community[k] > 0
            for k in ("min", "max"))):
        bad("community_centre_per_pop",
            _("{spec} residents").format(spec="{min: N, max: N}"), community,
            _("give min and max residents per 社区卫生服务中心"))
        community = {"min": 30000, "max": 100000}
    if len(problems) > n_before or profile is None:
        return None
    assert occupancy is not None and occupancy_primary is not None
    assert national_rate is not None and national_alos is not None
    assert amb_u is not None and amb_r is not None
    sources = {k: str(v["source"]) for k, v in sec.items()
               if isinstance(v, dict) and "source" in v}
    return ServiceAssumptions(
        admission_rates_per_1k=rates, admission_age_profile=profile, alos_days=alos,
        target_occupancy_pct=occupancy, outflow_pct=outflow, inflow_pct=inflow,
        ambulance_urban_per_pop=amb_u, ambulance_rural_per_pop=amb_r,
        community_centre_per_pop_min=float(community["min"]),
        community_centre_per_pop_max=float(community["max"]), sources=sources,
        residents_admission_rate_pct=residents_rate, national_admission_rate_pct=national_rate,
        national_alos_days=national_alos, target_occupancy_primary_pct=occupancy_primary,
    )


def load_assumptions(path: str | Path | None = None) -> Assumptions:
    """Return the assumptions of an assumptions file (default: the bundled default.yaml).

    Raises DataSourceError when the file cannot be read, and one ValidationError listing
    every invalid value (file, section, key, expected, got, fix).
    """
    file_path = Path(path) if path is not None else default_assumptions_path()
    try:
        raw, _lines = yaml_with_lines(
            file_path.read_text(encoding="utf-8"), file=file_path.name,
            context=_("assumptions {name}").format(name=file_path.name),
            fix=_("check the indentation against data/assumptions/default.yaml"))
    except UnicodeDecodeError as exc:
        raise DataSourceError(_("{path}: not UTF-8 text ({reason}). Fix: save the file as "
                                "UTF-8.").format(path=file_path, reason=exc)) from exc
    except OSError as exc:
        raise DataSourceError(
            _("{path}: cannot read the assumptions file ({reason}). Fix: give the path of a "
              "YAML file like hsplan's data/assumptions/default.yaml.").format(
                path=file_path, reason=exc.strerror)) from exc
    except yaml.YAMLError as exc:
        raise DataSourceError(_("{path}: not valid YAML ({reason}).").format(
            path=file_path, reason=exc)) from exc
    problems: list[Problem] = []
    name = file_path.name
    if not isinstance(raw, dict):
        problems.append(Problem(_("invalid assumptions file"), file=name,
                                expected=_("a mapping with demography: and services:"),
                                got=type(raw).__name__, fix=_("start from default.yaml")))
        raw = {}
    demo = demography_from_dict(raw.get("demography"), file=name, problems=problems)
    services = _services_from_dict(raw.get("services"), file=name, problems=problems)
    raise_if_errors(problems, context=_("assumptions {name}").format(name=name))
    assert demo is not None and services is not None
    return Assumptions(demography=demo, services=services, path=file_path)
