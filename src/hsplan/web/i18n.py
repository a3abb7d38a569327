"""The words of the page chrome in Chinese (default) and English.

`text(lang)` returns the table of one language; templates call ``t("key")``. A test keeps
the two tables' keys equal.
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

ZH: dict[str, str] = {
    "app": "卫生健康规划监测", "overview": "总览", "indicator": "指标", "map": "地图",
    "norms": "配置标准", "tasks": "任务", "scenarios": "情景", "data": "数据",
    "plan": "规划", "year": "年份", "synthetic": "合成数据（示例）", "api": "接口文档",
    "counts": "各结论数量", "category": "类别", "nature": "属性", "all": "全部",
    "filter": "筛选", "value": "现状", "target": "目标", "progress": "完成进度",
    "time_progress": "时间进度", "status": "结论", "targets": "项指标",
    "trend": "趋势：基期 → 各年 → 目标", "by_township": "分乡镇", "quote": "规划原文",
    "definition": "指标定义", "source": "来源", "reason": "说明", "township": "乡镇",
    "no_township": "该指标只在全区（县）层级计算。", "back": "返回总览",
    "layer": "着色", "violations": "未达标项数", "facilities": "医疗卫生机构",
    "villages": "村（社区）", "uncovered": "15分钟服务圈外的村", "roads": "道路",
    "townships": "乡镇（街道）", "legend": "图例", "norm": "标准", "rule": "规则",
    "checked": "检查", "passed": "达标", "failed": "未达标", "not_evaluable": "无法评估",
    "shortfall": "差距", "expected": "标准", "actual": "现状", "detail": "明细",
    "violations_by_township": "按乡镇的未达标明细", "county_level": "全区（县）",
    "as_of": "截至日期", "show": "显示", "department": "部门", "role": "角色",
    "late": "滞后", "due_soon": "即将到期", "done": "已完成", "no_report": "未报告",
    "on_track": "正常", "not_started": "未开始", "task": "任务", "lead": "牵头单位",
    "deadline": "时限", "expected_pct": "应完成", "reported_pct": "已报告",
    "days_late": "滞后天数", "scenario": "情景文件", "compare": "对比", "baseline": "现状",
    "scenario_value": "情景", "change": "变化", "changes": "情景变化",
    "needs": "需要量", "no_scenarios": "项目的 scenarios 文件夹中没有情景文件。",
    "upload": "上传数据表", "upload_help": "与 hsplan import 相同的校验：全部问题一次列出，"
    "只有全部无误时才写入项目。", "validate_only": "只校验，不导入", "submit": "上传并校验",
    "downloads": "下载", "template": "数据填报模板（xlsx）", "report": "评估报告（docx）",
    "evaluation_xlsx": "评估结果（xlsx）", "problems": "个问题", "sheet": "工作表",
    "row": "行", "column": "列", "problem": "问题", "file": "文件",
    "imported": "已导入", "nothing_written": "未写入任何数据。", "valid": "校验通过，未发现错误。",
    "table": "表", "read": "读入", "added": "新增", "replaced": "替换", "removed": "删除",
    "lang": "English", "error": "出错了", "page_not_found": "页面不存在",
    "report_wait": "生成报告需要一些时间。", "all_in_circle": "所有村均在服务圈内",
    "indicator_colour": "指标", "item": "项目", "gap": "缺口", "current": "现有",
    "unit": "单位", "service_area": "15分钟服务圈（道路行程）",
}

EN: dict[str, str] = {
    "app": "Health plan monitor", "overview": "Overview", "indicator": "Indicator",
    "map": "Map", "norms": "Norms", "tasks": "Tasks", "scenarios": "Scenarios",
    "data": "Data", "plan": "Plan", "year": "Year", "synthetic": "Synthetic data (example)",
    "api": "API docs", "counts": "Counts by status", "category": "Category",
    "nature": "Nature", "all": "All", "filter": "Filter", "value": "Value",
    "target": "Target", "progress": "Progress", "time_progress": "Time elapsed",
    "status": "Status", "targets": "targets", "trend": "Trend: baseline → years → target",
    "by_township": "By township", "quote": "Plan text", "definition": "Definition",
    "source": "Source", "reason": "Reason", "township": "Township",
    "no_township": "This indicator is computed for the county only.",
    "back": "Back to overview", "layer": "Colour by", "violations": "Norm violations",
    "facilities": "Facilities", "villages": "Villages", "uncovered":
    "Villages outside the 15-minute circle", "roads": "Roads", "townships": "Townships",
    "legend": "Legend", "norm": "Norm", "rule": "Rule", "checked": "Checked",
    "passed": "Passed", "failed": "Failed", "not_evaluable": "Not evaluable",
    "shortfall": "Shortfall", "expected": "Norm", "actual": "Actual", "detail": "Detail",
    "violations_by_township": "Violations by township", "county_level": "County",
    "as_of": "As of", "show": "Show", "department": "Department", "role": "Role",
    "late": "Late", "due_soon": "Due soon", "done": "Done", "no_report": "No report",
    "on_track": "On track", "not_started": "Not started", "task": "Task", "lead": "Lead",
    "deadline": "Deadline", "expected_pct": "Expected", "reported_pct": "Reported",
    "days_late": "Days late", "scenario": "Scenario file", "compare": "Compare",
    "baseline": "Baseline", "scenario_value": "Scenario", "change": "Change",
    "changes": "Changes", "needs": "Needs",
    "no_scenarios": "The project's scenarios folder holds no scenario file.",
    "upload": "Upload a workbook", "upload_help": "The same checks as hsplan import: every "
    "problem at once, nothing written unless all is valid.",
    "validate_only": "Validate only, do not import", "submit": "Upload and check",
    "downloads": "Downloads", "template": "Data-entry template (xlsx)",
    "report": "Evaluation report (docx)", "evaluation_xlsx": "Evaluation (xlsx)",
    "problems": "problems", "sheet": "Sheet", "row": "Row", "column": "Column",
    "problem": "Problem", "file": "File", "imported": "Imported",
    "nothing_written": "Nothing was written.", "valid": "Valid: no errors found.",
    "table": "Table", "read": "Read", "added": "Added", "replaced": "Replaced",
    "removed": "Removed", "lang": "中文", "error": "Error", "page_not_found": "Page not found",
    "report_wait": "Writing the report takes a while.",
    "all_in_circle": "Every village is within the circle", "indicator_colour": "Indicator",
    "item": "Item", "gap": "Gap", "current": "Current", "unit": "Unit",
    "service_area": "15-minute service circle (by road)",
}

TABLES = {"zh": ZH, "en": EN}

STATUS_EN = {"met": "Met", "on track": "On track", "at risk": "At risk",
             "off track": "Off track", "not evaluable": "Not evaluable",
             "pass": "Pass", "fail": "Fail"}


def text(lang: str) -> dict[str, str]:
    """Return the chrome words of `lang` (Chinese for an unknown language)."""
    return TABLES.get(lang, ZH)
