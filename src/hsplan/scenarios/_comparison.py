"""Baseline and scenario side by side: the tables of a comparison and the `Comparison`
that holds them (`hsplan.scenarios.scenario.compare` makes one; the names are re-exported
there).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hsplan._files import xlsx_writer
from hsplan._json import json_value

INDICATOR_COLUMNS = [
    "target_id", "indicator", "name", "area_code", "area_name", "unit", "op", "target",
    "value_baseline", "value_scenario", "change", "status_baseline", "status_scenario",
    "status_changed",
]


def compare_evaluations(baseline: pd.DataFrame, scenario: pd.DataFrame) -> pd.DataFrame:
    """Return the two `hsplan.evaluation.targets.evaluate` frames side by side, one row per target
    (per area): values (indicator unit), change = scenario − baseline, both statuses.

    Rows keep the baseline's order; a target only one side has is kept with NA values on
    the other side.
    """
    keys = ["target_id", "area_code"]
    left = baseline.rename(columns={"value": "value_baseline", "status": "status_baseline"})
    right = scenario[[*keys, "value", "status", "target"]].rename(columns={
        "value": "value_scenario", "status": "status_scenario", "target": "target_scenario"})
    merged = _outer(left, right, keys)
    vb = pd.to_numeric(merged["value_baseline"], errors="coerce").astype("float64")
    vs = pd.to_numeric(merged["value_scenario"], errors="coerce").astype("float64")
    merged["value_baseline"] = vb
    merged["value_scenario"] = vs
    merged["change"] = vs - vb
    merged["target"] = merged["target"].where(merged["target"].notna(),
                                              merged["target_scenario"])
    merged["status_changed"] = (merged["status_baseline"].astype(object)
                                != merged["status_scenario"].astype(object))
    return merged[INDICATOR_COLUMNS].reset_index(drop=True)


def _outer(left: pd.DataFrame, right: pd.DataFrame, key: list[str],
           suffixes: tuple[str, str] = ("_x", "_y")) -> pd.DataFrame:
    """Outer merge on `key` in the left frame's row order, right-only rows last."""
    merged = left.assign(_left=range(len(left))).merge(
        right.assign(_right=range(len(right))), on=key, how="outer", suffixes=suffixes)
    merged = merged.sort_values(["_left", "_right"], na_position="last", kind="stable")
    return merged.drop(columns=["_left", "_right"]).reset_index(drop=True)


def compare_tables(baseline: pd.DataFrame, scenario: pd.DataFrame, *, key: list[str],
                   labels: list[str], values: list[str]) -> pd.DataFrame:
    """Return two result tables side by side on `key`.

    `labels` (descriptive columns) appear once, from the baseline or else the scenario;
    each column of `values` twice (``<col>_baseline``, ``<col>_scenario``), numeric ones
    with ``<col>_change`` = scenario − baseline; ``changed`` says whether any value
    differs. Rows keep the baseline's order; rows of one side only get NA on the other.
    """
    b = baseline.reindex(columns=[*key, *labels, *values])
    s = scenario.reindex(columns=[*key, *labels, *values])
    merged = _outer(b, s, key, suffixes=("_baseline", "_scenario"))
    out = merged[key].copy()
    for col in labels:
        out[col] = merged[f"{col}_baseline"].where(merged[f"{col}_baseline"].notna(),
                                                   merged[f"{col}_scenario"])
    changed = pd.Series(False, index=merged.index)
    for col in values:
        lb, ls = merged[f"{col}_baseline"], merged[f"{col}_scenario"]
        out[f"{col}_baseline"], out[f"{col}_scenario"] = lb, ls
        numeric = pd.api.types.is_numeric_dtype(b[col]) or pd.api.types.is_numeric_dtype(s[col])
        if numeric:
            nb = pd.to_numeric(lb, errors="coerce").astype("float64")
            ns = pd.to_numeric(ls, errors="coerce").astype("float64")
            out[f"{col}_change"] = ns - nb
            same = np.isclose(nb.fillna(np.inf), ns.fillna(np.inf), rtol=0, atol=1e-9)
            changed |= pd.Series(~same, index=merged.index)
        else:
            ob = lb.astype(object).where(lb.notna(), None)
            os_ = ls.astype(object).where(ls.notna(), None)
            changed |= pd.Series([x != y for x, y in zip(ob, os_, strict=True)],
                                 index=merged.index)
    out["changed"] = changed.astype(bool)
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class Comparison:
    """Baseline and scenario side by side, in the scenario year.

    - `indicators`: `compare_evaluations` of the plan's targets;
    - `norms`: the norm summaries of `hsplan.evaluation.norms.check` side by side on ``norm_id``
      (checked, passed, failed, status);
    - `violations`: the norm violations side by side (norm, area, facility): shortfall in
      the rule's unit, and ``change``: new, resolved, smaller, larger or same;
    - `needs`: the tables of `hsplan.demand.needs.needs` side by side on ``item`` (value needed,
      current value, gap; in each row's unit);
    - `changes`: the scenario's changes (`Scenario.changes_frame`);
    - `notes`: what `apply_scenario` noted (rows copied forward, changes not yet in effect).
    """

    scenario_id: str
    scenario_title: str
    plan_id: str
    plan_title: str
    year: int
    indicators: pd.DataFrame
    norms: pd.DataFrame
    violations: pd.DataFrame
    needs: pd.DataFrame
    changes: pd.DataFrame
    notes: tuple[str, ...] = ()
    institutions: pd.DataFrame = field(default_factory=pd.DataFrame)
    readings: dict[str, Any] = field(default_factory=dict)

    def frames(self) -> dict[str, pd.DataFrame]:
        """Return the result tables by name: changes, indicators, institutions, norms,
        violations, needs."""
        return {"changes": self.changes, "indicators": self.indicators,
                "institutions": self.institutions, "norms": self.norms,
                "violations": self.violations, "needs": self.needs}

    def to_json(self) -> dict[str, Any]:
        """Return the comparison as a JSON-ready dict (NaN/NA as null)."""
        doc: dict[str, Any] = {"scenario": self.scenario_id, "title": self.scenario_title,
                               "plan": self.plan_id, "year": self.year,
                               "notes": list(self.notes), "readings": self.readings}
        for name, frame in self.frames().items():
            doc[name] = [{str(k): json_value(v) for k, v in row.items()}
                         for row in frame.to_dict(orient="records")]
        return doc

    def to_xlsx(self, path: str | Path) -> Path:
        """Write the comparison to a workbook — sheets 情景 (scenario, plan, year, notes,
        changes), 指标, 配置标准, 违规变化, 需求 — and return the path."""
        path = Path(path)
        head = pd.DataFrame({"项目": ["情景", "规划", "年份", *["说明"] * len(self.notes)],
                             "内容": [f"{self.scenario_id} {self.scenario_title}",
                                    f"{self.plan_id} {self.plan_title}", str(self.year),
                                    *self.notes]})
        with xlsx_writer(path) as writer:
            head.to_excel(writer, sheet_name="情景", index=False)
            _plain(self.changes).to_excel(writer, sheet_name="情景", index=False,
                                          startrow=len(head) + 2)
            for name, frame in (("指标", self.indicators), ("重点机构", self.institutions),
                                ("配置标准", self.norms), ("违规变化", self.violations),
                                ("需求", self.needs)):
                _plain(frame).to_excel(writer, sheet_name=name, index=False)
        return path


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Return `frame` with NA as None and only Excel-writable scalars."""
    out = frame.copy()
    for col in out.columns:
        out[col] = [json_value(v) for v in out[col]]
        out[col] = [json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                    for v in out[col]]
    return out


def _change_word(before: Any, after: Any) -> str:
    b = None if before is None or pd.isna(before) else float(before)
    a = None if after is None or pd.isna(after) else float(after)
    if b is None and a is None:
        return "same"
    if b is None:
        return "new"
    if a is None:
        return "resolved"
    return "same" if math.isclose(a, b, abs_tol=1e-9) else ("smaller" if a < b else "larger")


def _keyed(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Violations with NA keys made comparable ("" for no area / no facility)."""
    out = frame.copy()
    for col in key:
        out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    return out
