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
    "readings": "读法",
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
    "coverage_note": "服务圈：{what}，{minutes} 分钟",
    "institutions": "重点机构", "institution": "机构", "aspect": "方面",
    "no_institution_change": "重点机构 {n} 项，本情景均无变化。",
    "institutions_title": "重点机构建设", "base_value": "基期", "no_value": "无数据",
    "formula": "计算公式", "persons": "人",
    "catchment": "县域医疗卫生次中心{minutes}分钟服务圈覆盖人口占比（%）",
    "catchment_pop": "次中心服务圈内人口", "no_sub_centre": "尚无次中心",
    "institutions_note": "规划点名的重点机构 {n} 个：{m} 个已对应到机构，"
                         "{u} 个未匹配（原因见说明）。",
    "institutions_outside": "另有 {k} 个（{ids}）对应的机构不在本账号的范围内，未列出。",
    "network": "服务网络", "network_map": "医共体网络（牵头医院 → 成员）",
    "network_lead": "牵头医院", "network_member": "成员单位", "sub_centre": "县域医疗卫生次中心",
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
    "readings": "How the plan's norms are read",
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
    "coverage_note": "service circle: {what}, {minutes} min",
    "institutions": "Key institutions", "institution": "Institution", "aspect": "Aspect",
    "no_institution_change": "{n} key-institution rows; the scenario changes none.",
    "institutions_title": "Key institutions", "base_value": "Base", "no_value": "no data",
    "formula": "Formula", "persons": "persons",
    "catchment": "Population within {minutes} minutes of a county sub-centre (%)",
    "catchment_pop": "Population in the sub-centres' circle", "no_sub_centre": "no sub-centre yet",
    "institutions_note": "{n} institutions named by the plan: {m} matched to a facility, "
                         "{u} unmatched (see the reason).",
    "institutions_outside": "{k} more ({ids}) are bound to facilities outside this account's "
                            "scope and are not listed.",
    "network": "Service network", "network_map": "County medical community (lead → members)",
    "network_lead": "Lead hospital", "network_member": "Member",
    "sub_centre": "county sub-centre (次中心)",
}

# the server's pages (hsplan serve --db): login, entry forms, review, reporting status
ZH.update({
    "entry": "填报",
    "review": "审核",
    "reporting": "报送情况",
    "login": "登录",
    "logout": "退出",
    "user_name": "用户名",
    "password": "密码",
    "facility_form": "机构年报",
    "task_progress": "任务进展填报",
    "my_submissions": "我的报送",
    "facility": "机构",
    "submitted_at": "提交时间",
    "review_status": "审核状态",
    "comment": "审核意见",
    "accept": "接受",
    "return": "退回",
    "milestone": "达到节点",
    "percent": "完成比例（%）",
    "note": "说明",
    "date": "日期",
    "period": "报送期",
    "due": "截止日期",
    "starts": "起始日期",
    "add_period": "设置报送期",
    "kind": "类型",
    "facility_kind": "机构年报",
    "task_kind": "任务进展",
    "not_reported": "未报送名单",
    "saved": "已保存。",
    "queue": "待审核",
    "no_scope": "您的账号未分配区域，看不到任何数据；请管理员授权。",
    "send": "提交",
    "workbook_upload": "或上传本机构的年报工作簿",
    "workbook_upload_help": "数据填报模板中本机构一年的“资源”“服务量”两张表；"
                            "与上面的表单相同的校验，全部问题一次列出，有错误时不保存。",
    "none": "无",
    "label": "名称",
    "reported_at": "报送日期",
    "missing_tasks": "未报任务",
    "login_help": "请使用管理员为您创建的账号登录。",
    "my_tasks": "本部门任务",
    "progress_status": "进展状态",
    "no_scenarios_db": "数据库中没有情景文件：服务端不保存情景。情景比较请在项目文件夹中运行 "
                       "hsplan compare，或用 hsplan serve 项目文件夹 打开单项目看板。",
    "upload_help_db": "与 hsplan import 相同的校验，对照您可见范围内数据库中的数据，"
                      "全部问题一次列出；此页只校验，不写入数据库。机构数据经“填报”提交、规划人员审核后写入；"
                      "整个项目由管理员用 hsplan db import 导入。",
    "check_only": "上传并校验",
})
EN.update({
    "entry": "Report",
    "review": "Review",
    "reporting": "Reporting",
    "login": "Log in",
    "logout": "Log out",
    "user_name": "User name",
    "password": "Password",
    "facility_form": "Facility yearly form",
    "task_progress": "Task progress",
    "my_submissions": "My submissions",
    "facility": "Facility",
    "submitted_at": "Submitted",
    "review_status": "Review status",
    "comment": "Review comment",
    "accept": "Accept",
    "return": "Return",
    "milestone": "Milestone reached",
    "percent": "Percent done",
    "note": "Note",
    "date": "Date",
    "period": "Reporting period",
    "due": "Due",
    "starts": "From",
    "add_period": "Set a reporting period",
    "kind": "Kind",
    "facility_kind": "Facility forms",
    "task_kind": "Task progress",
    "not_reported": "Not reported",
    "saved": "Saved.",
    "queue": "Waiting for review",
    "no_scope": "Your account holds no area, so it sees nothing; ask an administrator.",
    "send": "Submit",
    "workbook_upload": "Or upload the facility's yearly workbook",
    "workbook_upload_help": "The template's 资源 and 服务量 sheets for this facility and year; "
                            "the same checks as the form above, every problem listed at once, "
                            "nothing saved while there is an error.",
    "none": "None",
    "label": "Label",
    "reported_at": "Reported",
    "missing_tasks": "Tasks not reported",
    "login_help": "Log in with the account an administrator made for you.",
    "my_tasks": "My department's tasks",
    "progress_status": "Progress status",
    "no_scenarios_db": "The database holds no scenario file: the server does not store "
                       "scenarios. Compare a scenario with hsplan compare in the project "
                       "folder, or open the single-project dashboard with hsplan serve PROJECT.",
    "upload_help_db": "The same checks as hsplan import, against the database's data in your "
                      "scope, every problem listed at once; this page only checks and writes "
                      "nothing. Facility figures enter through Report and a planner's review; "
                      "an administrator imports a whole project with hsplan db import.",
    "check_only": "Upload and check",
})

TABLES = {"zh": ZH, "en": EN}

STATUS_EN = {"met": "Met", "on track": "On track", "at risk": "At risk",
             "off track": "Off track", "not evaluable": "Not evaluable",
             "pass": "Pass", "fail": "Fail"}


def text(lang: str) -> dict[str, str]:
    """Return the chrome words of `lang` (Chinese for an unknown language)."""
    return TABLES.get(lang, ZH)
