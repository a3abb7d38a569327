"""Shared by the web tests: the example project copy and a workbook with planted mistakes."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from hsplan.region.io import write_template
from hsplan.region.project import Project

PLAN = "jiangchuan-2021-2025"

# (sheet, row, column) of each planted mistake, as a person sees them in Excel
PLANTED = {("资源", 2, "实有床位"), ("资源", 3, "机构编码"), ("人口", 2, "年份"),
           ("机构", 2, "机构类型")}


def _append(wb: openpyxl.Workbook, sheet: str, rows: list[dict[str, object]]) -> None:
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for row in rows:
        missing = [h for h in row if h not in headers]
        assert not missing, f"template sheet {sheet} has no column {missing}"
        ws.append([row.get(str(h)) for h in headers])


def planted_workbook(project: Project, folder: Path, name: str = "填报-有误.xlsx") -> Path:
    """Return a workbook in the project's template with four planted mistakes (`PLANTED`):
    a bed count written as text, an unknown facility id, a two-digit year and a misspelt
    facility type."""
    region = project.load()
    facility = str(region.facilities["id"].iloc[0])
    township = str(region.areas.loc[region.areas["level"] == "township", "code"].iloc[0])
    template = write_template(folder / "template")
    wb = openpyxl.load_workbook(template)
    _append(wb, "机构", [{"机构编码": "W001", "机构名称": "新建卫生院", "机构类型": "乡镇卫生所",
                        "所在区划代码": township}])
    _append(wb, "人口", [{"区划代码": project.county_code, "年份": 23, "常住人口": 250_000}])
    _append(wb, "资源", [{"机构编码": facility, "年份": 2023, "实有床位": "约200"},
                       {"机构编码": "X999", "年份": 2023, "实有床位": 10}])
    path = folder / name
    wb.save(path)
    return path


def clean_workbook(project: Project, folder: Path, name: str = "填报.xlsx") -> Path:
    """Return a valid workbook: one facility's 2023 beds and staff, a little changed."""
    region = project.load()
    res = region.resources
    row = res[res["year"] == res["year"].max()].iloc[0]
    template = write_template(folder / "template-clean")
    wb = openpyxl.load_workbook(template)
    _append(wb, "资源", [{"机构编码": str(row["facility_id"]), "年份": int(row["year"]),
                        "实有床位": int(row["beds"]) + 5}])
    path = folder / name
    wb.save(path)
    return path
