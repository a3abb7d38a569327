"""The region model's table schemas: columns, Chinese headers, types, units, allowed values.

This module is the single definition of the tables a project holds. The Excel template,
the importer, the validator, the store and the documentation (`docs/schema.md`) are all
generated from it, so a column exists in one place only.

Tables (one row per thing):

- ``areas``        one row per area: county → township/street → village/community.
- ``population``   area × year: 常住人口 total and 5-year age bands (persons).
- ``facilities``   one row per health facility (卫生机构), with location.
- ``resources``    facility × year: beds by kind, staff by category, equipment (counts).
- ``utilisation``  facility × year: visits, admissions, bed-days, stay, occupancy.
- ``reported``     area × year × indicator: figures measured elsewhere, entered as given.
- ``progress``     task × date: the planner's record of task progress.

Column ids are English snake_case with the unit in the name where it is not a count of
persons or things (``area_km2``, ``alos_days``, ``occupancy_pct``); the Chinese header is
what a planner sees in the template and what the national health statistics returns
(卫生健康统计调查制度) call the item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hsplan._i18n import N_

Kind = Literal["str", "code", "int", "float", "bool", "year", "list", "date", "choice"]


@dataclass(frozen=True)
class Column:
    """One column of a model table.

    `kind` decides how a cell is parsed and checked: ``int`` is a whole number ≥ `min`,
    ``float`` a number ≥ `min`, ``code`` a string of digits whose length is in
    `code_lengths`, ``choice`` one of `choices` (Chinese value or its English alias),
    ``list`` several values separated by 、 , ; or ，, ``year`` a year 1949–2100.
    """

    id: str
    zh: str
    kind: Kind
    unit: str = ""
    required: bool = False
    description: str = ""
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    choice_aliases: dict[str, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    code_lengths: tuple[int, ...] = ()
    example: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header accepted for this column: Chinese, English id, aliases."""
        return (self.zh, self.id, *self.aliases)


@dataclass(frozen=True)
class Table:
    """One model table: its name, Chinese sheet name, key columns and columns."""

    name: str
    zh: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    has_geometry: bool = False

    def column(self, col_id: str) -> Column:
        for c in self.columns:
            if c.id == col_id:
                return c
        raise KeyError(f"table {self.name} has no column {col_id!r}")

    @property
    def column_ids(self) -> list[str]:
        return [c.id for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.id for c in self.columns if c.required]


def _count(id: str, zh: str, unit: str, description: str = "", *aliases: str) -> Column:
    return Column(id, zh, "int", unit=unit, min=0, description=description, aliases=aliases)


# --- controlled vocabularies --------------------------------------------------------------

AREA_LEVELS: dict[str, str] = {
    # English value -> Chinese label
    "province": "省级",
    "city": "地级",
    "county": "县级",
    "township": "乡级",
    "village": "村级",
}
AREA_LEVEL_ALIASES: dict[str, str] = {
    "省": "province", "省级": "province",
    "市": "city", "地级": "city", "地市": "city",
    "县": "county", "县级": "county", "区县": "county", "县区": "county",
    "乡": "township", "乡级": "township", "乡镇": "township", "乡镇街道": "township",
    "街道": "township",
    "村": "village", "村级": "village", "村居": "village", "村委会": "village",
    "居委会": "village", "社区": "village",
}

# 统计用城乡划分代码 (NBS): 1xx urban, 2xx rural.
URBAN_RURAL_CODES: dict[str, str] = {
    "111": "主城区", "112": "城乡结合区", "121": "镇中心区", "122": "镇乡结合区",
    "123": "特殊区域", "210": "乡中心区", "220": "村庄",
}
URBAN_RURAL_ALIASES: dict[str, str] = {
    "城镇": "urban", "城市": "urban", "城区": "urban", "urban": "urban",
    "农村": "rural", "乡村": "rural", "rural": "rural",
    **{code: ("urban" if code.startswith("1") else "rural") for code in URBAN_RURAL_CODES},
}

# 卫生机构类别 (national classification) -> sub-types (机构类型).
FACILITY_CATEGORIES: dict[str, str] = {
    "医院": "hospital",
    "基层医疗卫生机构": "primary",
    "专业公共卫生机构": "public_health",
    "其他医疗卫生机构": "other",
}
FACILITY_SUBTYPES: dict[str, str] = {
    # 医院
    "综合医院": "医院",
    "中医医院": "医院",
    "中西医结合医院": "医院",
    "民族医医院": "医院",
    "专科医院": "医院",
    "精神病医院": "医院",
    "康复医院": "医院",
    "护理院": "医院",
    "传染病医院": "医院",
    # 基层医疗卫生机构
    "社区卫生服务中心": "基层医疗卫生机构",
    "社区卫生服务站": "基层医疗卫生机构",
    "乡镇卫生院": "基层医疗卫生机构",
    "中心乡镇卫生院": "基层医疗卫生机构",
    "街道卫生院": "基层医疗卫生机构",
    "村卫生室": "基层医疗卫生机构",
    "门诊部": "基层医疗卫生机构",
    "诊所": "基层医疗卫生机构",
    "医务室": "基层医疗卫生机构",
    # 专业公共卫生机构
    "疾病预防控制中心": "专业公共卫生机构",
    "专科疾病防治院": "专业公共卫生机构",
    "妇幼保健院": "专业公共卫生机构",
    "急救中心": "专业公共卫生机构",
    "急救站": "专业公共卫生机构",
    "卫生监督所": "专业公共卫生机构",
    "采供血机构": "专业公共卫生机构",
    "健康教育所": "专业公共卫生机构",
    "职业病防治院": "专业公共卫生机构",
    # 其他
    "疗养院": "其他医疗卫生机构",
    "医学科研机构": "其他医疗卫生机构",
    "托育机构": "其他医疗卫生机构",
    "其他": "其他医疗卫生机构",
}
OWNERSHIP = ("公立", "非公立")
OWNERSHIP_ALIASES = {"public": "公立", "private": "非公立", "民营": "非公立", "社会办": "非公立"}
GRADES = (
    "三级甲等", "三级乙等", "三级", "二级甲等", "二级乙等", "二级",
    "一级甲等", "一级乙等", "一级", "未定级",
)
GRADE_ALIASES = {"三甲": "三级甲等", "三乙": "三级乙等", "二甲": "二级甲等", "二乙": "二级乙等",
                 "一甲": "一级甲等", "一乙": "一级乙等", "": "未定级"}
ADMIN_LEVELS = ("省属", "市属", "县属", "乡镇", "村", "其他")
CRS_NAMES = ("WGS84", "GCJ-02", "BD-09")
CRS_ALIASES = {
    "wgs84": "WGS84", "wgs-84": "WGS84", "epsg:4326": "WGS84", "cgcs2000": "WGS84",
    "gcj02": "GCJ-02", "gcj-02": "GCJ-02", "火星坐标": "GCJ-02", "高德": "GCJ-02", "腾讯": "GCJ-02",
    "bd09": "BD-09", "bd-09": "BD-09", "百度": "BD-09",
}
# Departments (科室) a facility may declare; plans count facilities that have them.
DEPARTMENTS = (
    "发热门诊", "发热诊室", "发热哨点", "感染性疾病科", "老年医学科", "中医馆", "康复医学科",
    "精神科",
    "急诊科", "重症医学科", "治未病科", "公共卫生科", "中医科", "儿科", "妇产科", "全科医学科",
    "安宁疗护科", "心理门诊", "预防保健科", "口腔科", "眼科", "麻醉科", "病理科", "医学检验科",
    "医学影像科", "胸痛中心", "卒中中心", "创伤中心",
)

AGE_BANDS: tuple[tuple[int, int | None], ...] = tuple(
    [(lo, lo + 4) for lo in range(0, 85, 5)] + [(85, None)]
)


def age_band_id(lo: int, hi: int | None) -> str:
    """Column id of a 5-year age band: ``age_00_04`` … ``age_80_84``, ``age_85p``."""
    return f"age_{lo:02d}_{hi:02d}" if hi is not None else f"age_{lo:02d}p"


def age_band_zh(lo: int, hi: int | None) -> str:
    return f"{lo}-{hi}岁" if hi is not None else f"{lo}岁及以上"


AGE_BAND_IDS: tuple[str, ...] = tuple(age_band_id(lo, hi) for lo, hi in AGE_BANDS)

# --- tables --------------------------------------------------------------------------------

AREAS = Table(
    name="areas",
    zh="区划",
    description=N_("One row per area (county, township/street, village/community) with its "
                   "parent."),
    key=("code",),
    has_geometry=True,
    columns=(
        Column("code", "区划代码", "code", required=True, code_lengths=(6, 9, 12),
               description=N_("GB/T 2260 county code (6 digits) or 统计用区划代码 (9 or 12 "
                              "digits)"),
               aliases=("代码", "area_code"), example="530403101"),
        Column("name", "名称", "str", required=True, aliases=("区划名称", "area_name"),
               example="江城镇"),
        Column("level", "级别", "choice", required=True, choices=tuple(AREA_LEVELS),
               choice_aliases=AREA_LEVEL_ALIASES, example="乡级",
               description=N_("province / city / county / township (乡镇街道) / village (村居)")),
        Column("parent_code", "上级区划代码", "code", code_lengths=(2, 4, 6, 9),
               aliases=("上级代码", "parent"), example="530403"),
        Column("urban_rural", "城乡分类", "choice", choices=("urban", "rural"),
               choice_aliases=URBAN_RURAL_ALIASES, aliases=("城乡分类代码",),
               description=N_("urban/rural, or the NBS 城乡划分代码 111…220 (1xx urban, 2xx "
                              "rural)"),
               example="220"),
        Column("area_km2", "面积", "float", unit="km²", min=0, aliases=("面积(平方公里)",)),
        Column("lon", "经度", "float", unit="degree", min=73, max=136,
               description=N_("a representative point (village seat); polygons come from GPKG")),
        Column("lat", "纬度", "float", unit="degree", min=3, max=54),
        Column("crs", "坐标系", "choice", choices=CRS_NAMES, choice_aliases=CRS_ALIASES,
               description=N_("coordinate system of lon/lat: WGS84 (default), GCJ-02 or BD-09")),
    ),
)

POPULATION = Table(
    name="population",
    zh="人口",
    description=N_("Resident population (常住人口) by area and year, with 5-year age bands."),
    key=("area_code", "year"),
    columns=(
        Column("area_code", "区划代码", "code", required=True, code_lengths=(6, 9, 12)),
        Column("year", "年份", "year", required=True),
        _count("total", "常住人口", "persons", N_("resident population at year end"), "总人口"),
        _count("male", "男", "persons"),
        _count("female", "女", "persons"),
        _count("urban", "城镇人口", "persons"),
        _count("rural", "乡村人口", "persons"),
        _count("hukou", "户籍人口", "persons"),
        *(_count(age_band_id(lo, hi), age_band_zh(lo, hi), "persons") for lo, hi in AGE_BANDS),
    ),
)

FACILITIES = Table(
    name="facilities",
    zh="机构",
    description=N_("One row per health facility (卫生机构) with category, grade and location."),
    key=("id",),
    has_geometry=True,
    columns=(
        Column("id", "机构编码", "str", required=True, aliases=("机构代码", "facility_id"),
               example="F0001"),
        Column("name", "机构名称", "str", required=True, aliases=("名称",)),
        Column("subtype", "机构类型", "choice", required=True, choices=tuple(FACILITY_SUBTYPES),
               description=N_("sub-type; decides the 卫生机构类别"), example="乡镇卫生院"),
        Column("category", "机构类别", "choice", choices=tuple(FACILITY_CATEGORIES),
               description=N_("医院 / 基层医疗卫生机构 / 专业公共卫生机构 / 其他医疗卫生机构; "
               "filled from the sub-type when empty")),
        Column("ownership", "所有制", "choice", choices=OWNERSHIP, choice_aliases=OWNERSHIP_ALIASES,
               example="公立"),
        Column("government_run", "政府办", "bool", example="是"),
        Column("admin_level", "主办级别", "choice", choices=ADMIN_LEVELS,
               description=N_("level of the government that runs it (县属 = 县办)")),
        Column("grade", "医院等级", "choice", choices=GRADES, choice_aliases=GRADE_ALIASES,
               example="二级甲等",
               description=N_("the grade as of the latest data year; the grade of each year "
                           "goes in the facts table (事项 等级)")),
        Column("area_code", "所在区划代码", "code", required=True, code_lengths=(6, 9, 12),
               description=N_("the township or village the facility is in")),
        Column("lon", "经度", "float", unit="degree", min=73, max=136),
        Column("lat", "纬度", "float", unit="degree", min=3, max=54),
        Column("crs", "坐标系", "choice", choices=CRS_NAMES, choice_aliases=CRS_ALIASES),
        Column("departments", "科室设置", "list",
               description=N_("departments separated by 、, as of the latest data year; the "
                           "departments of earlier years go in the facts table (事项 科室, "
                           "one row per department and year it was set up)"),
               example="发热门诊、中医馆"),
        Column("opened", "开业年份", "year"),
        Column("closed", "停业年份", "year"),
    ),
)

_BEDS = (
    _count("beds_approved", "编制床位", "beds"),
    _count("beds", "实有床位", "beds", N_("actual beds (实有床位)"), "床位数", "beds_actual"),
    _count("beds_icu", "重症医学科床位", "beds", "", "ICU床位"),
    _count("beds_rehab", "康复医学科床位", "beds", "", "康复床位"),
    _count("beds_psych", "精神科床位", "beds"),
    _count("beds_infectious", "传染病床位", "beds", "", "感染性疾病科床位"),
    _count("beds_nursing", "护理床位", "beds"),
    _count("beds_emergency_obs", "急诊留观床位", "beds"),
    _count("beds_tcm", "中医床位", "beds", N_("beds of TCM departments in a general hospital")),
)
_STAFF = (
    _count("staff_total", "卫生人员", "persons", N_("all staff (卫生人员合计)"), "在岗职工"),
    _count("staff_health_tech", "卫生技术人员", "persons"),
    _count("doctors_licensed", "执业医师", "persons"),
    _count("doctors_assistant", "执业助理医师", "persons"),
    _count("nurses", "注册护士", "persons"),
    _count("pharmacists", "药师(士)", "persons", "", "药师"),
    _count("technicians", "技师(士)", "persons", "", "技师"),
    _count("gps", "全科医生", "persons", N_("registered GPs + GP-trained"), "全科医师"),
    _count("public_health_physicians", "公共卫生类别执业(助理)医师", "persons", "",
           "公共卫生医师"),
    _count("tcm_doctors", "中医类别执业(助理)医师", "persons", "", "中医医师"),
    _count("psychiatrists", "精神科执业(助理)医师", "persons", "", "精神科医师"),
    _count("village_doctors", "乡村医生", "persons"),
    _count("health_inspectors", "卫生监督员", "persons"),
    _count("managers", "管理人员", "persons"),
    _count("other_staff", "其他人员", "persons", N_("工勤技能 and other staff")),
)
_EQUIPMENT = (
    _count("ct", "CT", "units"),
    _count("mri", "MRI", "units", "", "磁共振"),
    _count("dr", "DR", "units"),
    _count("ambulances", "救护车", "vehicles", N_("all ambulances incl. negative-pressure")),
    _count("ambulances_negative_pressure", "负压救护车", "vehicles"),
    _count("ecmo", "ECMO", "units"),
    _count("ventilators", "呼吸机", "units"),
    _count("childcare_places", "托位数", "places", N_("childcare places for under-3s"), "托位"),
)
STAFF_COLUMNS = tuple(c.id for c in _STAFF)
BED_COLUMNS = tuple(c.id for c in _BEDS)
EQUIPMENT_COLUMNS = tuple(c.id for c in _EQUIPMENT)

RESOURCES = Table(
    name="resources",
    zh="资源",
    description=N_("Beds, staff and equipment of each facility at the end of each year (counts)."),
    key=("facility_id", "year"),
    columns=(
        Column("facility_id", "机构编码", "str", required=True, aliases=("机构代码",)),
        Column("year", "年份", "year", required=True),
        *_BEDS,
        *_STAFF,
        *_EQUIPMENT,
    ),
)

UTILISATION = Table(
    name="utilisation",
    zh="服务量",
    description=N_("Services delivered by each facility in each year."),
    key=("facility_id", "year"),
    columns=(
        Column("facility_id", "机构编码", "str", required=True, aliases=("机构代码",)),
        Column("year", "年份", "year", required=True),
        _count("visits", "总诊疗人次", "visits", "", "诊疗人次"),
        _count("outpatient_emergency_visits", "门急诊人次", "visits"),
        _count("emergency_visits", "急诊人次", "visits"),
        _count("admissions", "入院人数", "persons"),
        _count("discharges", "出院人数", "persons", "", "出院人次"),
        _count("bed_days_open", "实际开放总床日数", "bed-days"),
        _count("bed_days_occupied", "实际占用总床日数", "bed-days"),
        _count("discharged_bed_days", "出院者占用总床日数", "bed-days"),
        Column("alos_days", "平均住院日", "float", unit="days", min=0,
               description=N_("出院者占用总床日数 / 出院人数; computed when empty")),
        Column("occupancy_pct", "病床使用率", "float", unit="%", min=0, max=200,
               description=N_("实际占用总床日数 / 实际开放总床日数 × 100; computed when empty")),
    ),
)

REPORTED = Table(
    name="reported",
    zh="上报指标",
    description=N_("Indicator values measured elsewhere (life expectancy, management rates …)."),
    key=("area_code", "year", "indicator"),
    columns=(
        Column("area_code", "区划代码", "code", required=True, code_lengths=(6, 9, 12)),
        Column("year", "年份", "year", required=True),
        Column("indicator", "指标编码", "str", required=True,
               description=N_("an indicator id of the catalog (or its Chinese name)"),
               aliases=("指标",)),
        Column("value", "数值", "float", required=True, aliases=("值",)),
        Column("unit", "单位", "str"),
        Column("source", "数据来源", "str", aliases=("来源",)),
        Column("note", "备注", "str"),
    ),
)

PROGRESS = Table(
    name="progress",
    zh="任务进展",
    description=N_("The planner's record of task progress (one row per task and report date)."),
    key=("task_id", "date"),
    columns=(
        Column("task_id", "任务编号", "str", required=True),
        Column("date", "日期", "date", required=True),
        Column("percent", "完成比例", "float", unit="%", min=0, max=100),
        Column("status", "状态", "choice",
               choices=("未开始", "进行中", "已完成", "已延期", "已取消"),
               choice_aliases={"not started": "未开始", "in progress": "进行中",
                               "done": "已完成", "delayed": "已延期", "cancelled": "已取消"}),
        Column("note", "备注", "str"),
    ),
)

#: what a facility fact records (one row per facility, year, fact and value)
#: The resource columns in English words (the Chinese words are each `Column.zh`): what
#: English output calls beds, staff and equipment; any other column shows its id.
RESOURCE_EN = {
    "beds_approved": "approved beds", "beds": "beds", "beds_icu": "ICU beds",
    "beds_rehab": "rehabilitation beds", "beds_psych": "psychiatric beds",
    "beds_infectious": "infectious-disease beds", "beds_nursing": "nursing beds",
    "beds_emergency_obs": "emergency observation beds", "beds_tcm": "TCM beds",
    "staff_total": "health staff", "staff_health_tech": "health technicians",
    "doctors_licensed": "licensed doctors", "doctors_assistant": "licensed assistant doctors",
    "nurses": "registered nurses", "pharmacists": "pharmacists", "technicians": "technicians",
    "gps": "general practitioners", "public_health_physicians": "public-health physicians",
    "tcm_doctors": "TCM physicians", "psychiatrists": "psychiatrists",
    "village_doctors": "village doctors", "health_inspectors": "health inspectors",
    "managers": "managers", "other_staff": "other staff", "ct": "CT scanners",
    "mri": "MRI scanners", "dr": "DR units", "ambulances": "ambulances",
    "ambulances_negative_pressure": "negative-pressure ambulances", "ecmo": "ECMO units",
    "ventilators": "ventilators", "childcare_places": "childcare places",
}

FACT_KINDS = ("等级", "中心", "重点专科", "科室", "定位", "医共体", "专科联盟", "院区")
FACT_KIND_ALIASES = {"grade": "等级", "centre": "中心", "center": "中心",
                     "key_specialty": "重点专科", "department": "科室", "designation": "定位",
                     "county_alliance": "医共体", "specialty_alliance": "专科联盟",
                     "campus": "院区"}
#: how far a fact has come: planned → applied → under review → passed/built (or revoked)
FACT_STATUSES = ("规划", "申报", "评审中", "通过", "建成", "撤销")
FACT_ROLES = ("牵头", "成员")

FACTS = Table(
    name="facts",
    zh="机构建设进展",
    description=N_("Facts about a facility that change over the years: its grade and the state "
                "of a grade application, centres (胸痛、卒中 …), key specialties and departments "
                "it has, its designation (县域医疗卫生次中心 …), its membership of a 医共体 or "
                "专科联盟 (as 牵头 or 成员, value = the alliance's name) and its campuses. A row "
                "holds from its year until a later row for the same facility, fact and value."),
    key=("facility_id", "year", "fact", "value"),
    columns=(
        Column("facility_id", "机构编码", "str", required=True, aliases=("机构代码",)),
        Column("year", "年份", "year", required=True),
        Column("fact", "事项", "choice", required=True, choices=FACT_KINDS,
               choice_aliases=FACT_KIND_ALIASES, example="等级"),
        Column("value", "内容", "str", required=True,
               description=N_("the grade (三级甲等), the centre or department, the designation, "
                           "the alliance's name or the campus"), example="三级甲等"),
        Column("status", "进展", "choice", choices=FACT_STATUSES,
               choice_aliases={"applied": "申报", "review": "评审中", "passed": "通过",
                               "built": "建成", "planned": "规划", "revoked": "撤销"},
               description=N_("empty = in place (通过/建成)"), example="评审中"),
        Column("role", "角色", "choice", choices=FACT_ROLES,
               choice_aliases={"lead": "牵头", "member": "成员"},
               description=N_("for 医共体 / 专科联盟: 牵头 or 成员")),
        Column("beds", "床位", "int", unit="beds", min=0,
               description=N_("for 院区: the campus's beds")),
        Column("note", "备注", "str"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t for t in (AREAS, POPULATION, FACILITIES, RESOURCES, UTILISATION, REPORTED,
                        PROGRESS, FACTS)
}
YEARLY_TABLES = ("population", "resources", "utilisation", "reported")


def table(name: str) -> Table:
    """Return the schema of a model table by its English or Chinese name."""
    for t in TABLES.values():
        if name in (t.name, t.zh):
            return t
    raise KeyError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")


def schema_markdown() -> str:
    """Return the Markdown reference of every model table (the text of docs/schema.md)."""
    lines = [
        "# Region model tables",
        "",
        "Generated from `src/hsplan/region/schema.py` by `hsplan.region.schema.schema_markdown()`;",
        "a test keeps this file in step with the code. Headers: the Chinese header is what the",
        "Excel template shows; the English id and the aliases are accepted too.",
        "",
    ]
    for t in TABLES.values():
        lines += [f"## `{t.name}` — {t.zh}", "", t.description, "",
                  f"Key: {', '.join(f'`{k}`' for k in t.key)}"
                  + (" · has geometry (WGS84)" if t.has_geometry else ""), "",
                  "| id | 中文表头 | kind | unit | required | allowed / notes |",
                  "|---|---|---|---|---|---|"]
        for c in t.columns:
            notes = []
            if c.choices:
                notes.append(" · ".join(c.choices))
            if c.min is not None or c.max is not None:
                notes.append(f"range {c.min if c.min is not None else ''}…"
                             f"{c.max if c.max is not None else ''}")
            if c.code_lengths:
                notes.append(f"{'/'.join(map(str, c.code_lengths))} digits")
            if c.aliases:
                notes.append("aliases: " + ", ".join(c.aliases))
            if c.description:
                notes.append(c.description)
            lines.append(f"| `{c.id}` | {c.zh} | {c.kind} | {c.unit} | "
                         f"{'yes' if c.required else ''} | {'; '.join(notes)} |")
        lines.append("")
    lines += ["## 卫生机构类别 and sub-types", "", "| 机构类型 | 机构类别 |", "|---|---|"]
    lines += [f"| {sub} | {cat} |" for sub, cat in FACILITY_SUBTYPES.items()]
    lines.append("")
    return "\n".join(lines)


# --- plausibility ------------------------------------------------------------------------
# (plausible maximum, impossible above) of one row's value, by table and unit. A value above
# the first is possible but unusual (a warning asks to check it); above the second it is a
# typing or unit error (an error). A county has 0.1–3 million people; the largest Chinese
# hospital has about 10,000 beds and 20,000 staff (国家卫生健康统计年鉴).
_LIMITS: dict[tuple[str, str], tuple[float, float]] = {
    ("areas", "km²"): (50_000, 2_000_000),
    ("population", "persons"): (20_000_000, 200_000_000),
    ("resources", "beds"): (5_000, 50_000),
    ("resources", "persons"): (20_000, 200_000),
    ("resources", "units"): (500, 10_000),
    ("resources", "vehicles"): (500, 10_000),
    ("resources", "places"): (5_000, 100_000),
    ("utilisation", "visits"): (20_000_000, 500_000_000),
    ("utilisation", "persons"): (1_000_000, 20_000_000),
    ("utilisation", "bed-days"): (5_000_000, 100_000_000),
    ("utilisation", "days"): (60, 3_650),
}
# any number a cell may hold at all (finite, exact in a float64 and an int64)
ABSOLUTE_MAX = 1e15


def limits(table_name: str, col: Column) -> tuple[float | None, float | None]:
    """Return (plausible maximum, impossible above) of a numeric column of table
    `table_name`, or (None, the column's own maximum) when the schema sets no range."""
    found = _LIMITS.get((table_name, col.unit))
    if found is None:
        return None, col.max
    plausible, hard = found
    if col.max is not None:
        hard = min(hard, col.max)
    return plausible, hard
