"""DEA and Malmquist results for people: headers in the reader's language, number formats
and the frames of the efficiency workbook (re-exported by `hsplan.allocation.efficiency`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from hsplan._i18n import _, language

MALMQUIST_COLUMNS = ("effch", "techch", "pech", "sech", "tfpch")

COLUMNS_ZH = {
    "group": "机构组", "unit": "机构", "te_crs": "综合技术效率(CRS)",
    "te_vrs": "纯技术效率(VRS)", "te_nirs": "NIRS效率", "scale": "规模效率",
    "rts": "规模报酬", "rts_zh": "规模报酬", "te": "技术效率", "super": "超效率",
    "efficient": "DEA有效", "rank": "排名", "variable": "投入产出项", "variable_zh": "投入产出项",
    "kind": "类别", "original": "原值", "radial": "径向调整", "slack": "松弛",
    "target": "目标值", "change": "调整量", "change_pct": "调整比例(%)",
    "peer": "参照机构", "weight": "权重λ", "period_from": "起始年", "period_to": "终止年",
    "effch": "技术效率变化effch", "techch": "技术进步techch", "pech": "纯技术效率变化pech",
    "sech": "规模效率变化sech", "tfpch": "全要素生产率变化tfpch", "note": "说明",
}
COLUMNS_EN = {
    "group": "unit group", "unit": "facility", "te_crs": "technical efficiency (CRS)",
    "te_vrs": "pure technical efficiency (VRS)", "te_nirs": "NIRS efficiency",
    "scale": "scale efficiency", "rts": "returns to scale", "rts_zh": "returns to scale",
    "te": "technical efficiency", "super": "super-efficiency", "efficient": "DEA efficient",
    "rank": "rank", "variable": "input/output", "variable_zh": "input/output", "kind": "kind",
    "original": "original value", "radial": "radial movement", "slack": "slack",
    "target": "target value", "change": "change", "change_pct": "change (%)",
    "peer": "peer", "weight": "weight λ", "period_from": "from year", "period_to": "to year",
    "effch": "efficiency change effch", "techch": "technical change techch",
    "pech": "pure efficiency change pech", "sech": "scale efficiency change sech",
    "tfpch": "total factor productivity change tfpch", "note": "note",
}


def column_headers() -> dict[str, str]:
    """Return the workbook headers of the efficiency frames in the reader's language
    (`COLUMNS_ZH` in Chinese)."""
    return dict(COLUMNS_ZH) if language() == "zh" else dict(COLUMNS_EN)


FORMATS = {c: "0.000" for c in ("te_crs", "te_vrs", "te_nirs", "scale", "te", "super",
                                 "weight", *MALMQUIST_COLUMNS)}
FORMATS.update({"original": "#,##0.0", "radial": "#,##0.0", "slack": "#,##0.0",
                "target": "#,##0.0", "change": "#,##0.0", "change_pct": "0.0"})


def efficiency_frames(dea: Mapping[str, Any], malmquist: Mapping[str, Any] | None = None
                      ) -> dict[str, pd.DataFrame]:
    """Return DEA and Malmquist results (`DEAResult`, `MalmquistResult` by unit group) as
    frames for people (English column
    ids, headers in `column_headers`): 效率, 松弛与目标, 参照, Malmquist, Malmquist年度均值,
    Malmquist机构均值, 说明 (the sheet names in the reader's language)."""
    def stack(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
        parts = [f.assign(group=g)[["group", *f.columns]] for g, f in frames.items()
                 if not f.empty]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    out: dict[str, pd.DataFrame] = {}
    if dea:
        scores = stack({g: r.scores for g, r in dea.items()})
        scores["efficient"] = scores["efficient"].map({True: _("yes"), False: _("no")})
        out[_("efficiency")] = scores.drop(columns=["rts", "te_nirs"])
        slacks = stack({g: r.slacks for g, r in dea.items()})
        slacks["kind"] = slacks["kind"].map({"input": _("DEA input"), "output": _("DEA output")})
        out[_("slacks and targets")] = slacks.drop(columns=["variable"])
        out[_("peers")] = stack({g: r.peers for g, r in dea.items()})
    if malmquist:
        out["Malmquist"] = stack({g: r.indices for g, r in malmquist.items()})
        means = stack({g: r.period_means for g, r in malmquist.items()})
        units = stack({g: r.unit_means for g, r in malmquist.items()})
        out[_("Malmquist yearly means")] = means
        out[_("Malmquist unit means")] = units
    notes = []
    for g, r in dea.items():
        notes += [_("{group}: {text}").format(group=g, text=t)
                  for t in (r.describe(), *r.notes)]
    for g, m in (malmquist or {}).items():
        o = _("input-oriented") if m.orientation == "input" else _("output-oriented")
        notes.append(_("{group}: Malmquist index ({orientation}, DEAP 2.1 / Färe et al. 1994); "
                       "tfpch = effch × techch, effch = pech × sech; > 1 means improvement; "
                       "means are geometric").format(group=g, orientation=o))
    out[_("notes")] = pd.DataFrame({"note": notes})
    return out


def efficiency_to_xlsx(dea: Mapping[str, Any], path: str | Path,
                       malmquist: Mapping[str, Any] | None = None) -> Path:
    """Write the DEA (and Malmquist) results to an Excel workbook; return the path."""
    from hsplan.allocation._xlsx import write_workbook

    return write_workbook(efficiency_frames(dea, malmquist), path, headers=column_headers(),
                          formats=FORMATS)
