"""The dashboard in a real browser: Debian's chromium headless, driven by selenium through
the system chromedriver (nothing downloads a browser or a driver).

One server (uvicorn in a thread on 127.0.0.1, a free port) serves a copy of the example
project. Every page is visited once (`visits`): the browser console must stay free of
errors and every request the pages make must stay on the loopback address (Chrome's
performance log of network requests). The overview's traffic lights are compared with
`evaluate` target by target, the map's SVG paths with the project's townships, villages and
facilities, and an upload with planted mistakes must list each mistake's sheet, row and
column and leave the project's store byte for byte unchanged.

Screenshots go to the test's temporary folder; set HSPLAN_WEB_SHOTS=DIR to copy them there.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hsplan.evaluation.targets import evaluate, status_counts
from hsplan.plans.plan import load_plan
from hsplan.region.example import copy_example, example_project_path
from hsplan.region.io import validate_tables
from hsplan.region.project import Project
from hsplan.reports.charts import STATUS_COLOURS

from web_helpers import PLAN, PLANTED, planted_workbook  # isort: skip

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="Debian's chromium and chromium-driver are not installed "
           "(bash run.sh test installs them as root: apt-get install chromium chromium-driver)")
selenium = pytest.importorskip("selenium")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT_S = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    project: Project
    base: str
    driver: Any
    shots: Path
    requests: list[str] = field(default_factory=list)
    console: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def drain_logs(self, page: str) -> None:
        """Move the browser's console and network logs into `console` and `requests`."""
        self.console.setdefault(page, []).extend(self.driver.get_log("browser"))
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])

    def open(self, path: str, ready_css: str, page: str) -> None:
        self.driver.get(self.base + path)
        WebDriverWait(self.driver, WAIT_S).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, ready_css)))
        time.sleep(0.3)  # let charts finish drawing before the screenshot
        self.shot(page)
        self.drain_logs(page)

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


@contextmanager
def _served(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread on 127.0.0.1; yield its base address."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _chrome() -> Any:
    """Return Debian's chromium, headless, logging its console and network requests."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1000", "--lang=zh-CN", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must not look for a driver online
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def _copy_shots(shots: Path) -> None:
    copy_to = os.environ.get("HSPLAN_WEB_SHOTS")
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copy2(png, Path(copy_to) / png.name)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from hsplan.web import create_app

    root = tmp_path_factory.mktemp("web-browser")
    project = copy_example(root / "jiangchuan")
    shots = root / "screenshots"
    shots.mkdir()
    with _served(create_app(project.root, plan=PLAN)) as base:
        driver = _chrome()
        try:
            yield Live(project, base, driver, shots)
        finally:
            driver.quit()
            _copy_shots(shots)


PAGES = [  # (path, element that says the page is drawn, name)
    ("/", "#tiles .tile", "overview"),
    ("/indicator/T07", "#choropleth path.hsplan-township", "indicator"),
    ("/map", "#map[data-ready='true']", "map"),
    ("/norms", "#norms-table tbody tr", "norms"),
    ("/institutions", "#network-map[data-ready='true']", "institutions"),
    ("/tasks?as_of=2024-06-30", "#task-table tbody tr", "tasks"),
    ("/scenarios", "#scenario-indicators", "scenarios"),
    ("/data", "#upload-form", "data"),
    ("/docs", "#api-table", "api-docs"),
    ("/?lang=en", "#tiles .tile", "overview-en"),
]


@pytest.fixture(scope="module")
def visits(live: Live) -> Live:
    for path, ready, name in PAGES:
        live.open(path, ready, name)
    live.driver.get(live.base + "/?lang=zh")  # back to Chinese for the other tests
    live.drain_logs("reset")
    return live


@pytest.mark.parametrize("page", [name for _, _, name in PAGES])
def test_page_renders_without_console_errors(visits: Live, page: str) -> None:
    entries = visits.console[page]
    errors = [e for e in entries if e.get("level") in ("SEVERE", "ERROR")]
    assert errors == []
    assert (visits.shots / f"{page}.png").stat().st_size > 10_000


def test_no_request_leaves_loopback(visits: Live) -> None:
    urls = visits.requests
    assert len(urls) >= len(PAGES) * 3  # pages, scripts, styles, API calls were all seen
    assert any("/api/v1/geo/townships" in u for u in urls)
    assert any("/static/vendor/echarts" in u for u in urls)
    outside = [u for u in urls
               if not (u.startswith(visits.base + "/") or u.startswith("data:"))]
    assert outside == []


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _css_rgb(css: str) -> tuple[int, int, int]:
    """(r, g, b) of a computed CSS colour, 'rgb(…)' or an opaque 'rgba(…, 1)'."""
    parts = css[css.index("(") + 1:css.index(")")].split(",")
    if len(parts) == 4:
        assert float(parts[3]) == 1.0, css
    r, g, b = (int(float(x)) for x in parts[:3])
    return (r, g, b)


def test_overview_lights_equal_evaluate(visits: Live) -> None:
    driver = visits.driver
    driver.get(visits.base + "/")
    WebDriverWait(driver, WAIT_S).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#tiles .tile")))
    results = evaluate(visits.project.load(), load_plan(PLAN, project=visits.project))
    expected = dict(zip(results["target_id"], results["status"], strict=True))
    tiles = driver.find_elements(By.CSS_SELECTOR, "#tiles .tile")
    seen = {}
    for tile in tiles:
        tid = tile.get_attribute("data-target-id")
        light = tile.find_element(By.CSS_SELECTOR, ".light")
        seen[tid] = (tile.get_attribute("data-status"),
                     _css_rgb(light.value_of_css_property("background-color")),
                     _css_rgb(tile.value_of_css_property("border-top-color")))
    assert set(seen) == set(expected)
    for tid, status in expected.items():
        got_status, light, border = seen[tid]
        assert got_status == status, tid
        assert light == _rgb(STATUS_COLOURS[status]), tid
        assert border == _rgb(STATUS_COLOURS[status]), tid
    counts = {c.get_attribute("data-status"): int(c.find_element(By.CSS_SELECTOR, ".n").text)
              for c in driver.find_elements(By.CSS_SELECTOR, "#counts .count")}
    assert counts == status_counts(results)
    # 约束性 targets come first when the plan has any
    natures = [t.get_attribute("data-nature") for t in tiles]
    binding = [i for i, n in enumerate(natures) if n == "约束性"]
    assert binding == list(range(len(binding)))


def test_overview_filter_by_category(visits: Live) -> None:
    driver = visits.driver
    driver.get(visits.base + "/")
    WebDriverWait(driver, WAIT_S).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#tiles .tile")))
    results = evaluate(visits.project.load(), load_plan(PLAN, project=visits.project))
    category = "中医药服务"
    wanted = set(results.loc[results["category"] == category, "target_id"])
    assert wanted
    Select(driver.find_element(By.ID, "filter-category")).select_by_value(category)
    # htmx replaces #tiles: an element found mid-swap may go stale, so look again
    WebDriverWait(driver, WAIT_S, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: int(d.find_element(By.ID, "tiles").get_attribute("data-count")) == len(wanted))
    shown = {t.get_attribute("data-target-id")
             for t in driver.find_elements(By.CSS_SELECTOR, "#tiles .tile")}
    assert shown == wanted
    visits.shot("overview-filtered")
    visits.drain_logs("filter")
    assert [e for e in visits.console["filter"] if e.get("level") == "SEVERE"] == []


def test_map_draws_townships_villages_and_facilities(visits: Live) -> None:
    from hsplan.access.service import ServiceAccess

    driver = visits.driver
    driver.get(visits.base + "/map")
    WebDriverWait(driver, WAIT_S).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#map[data-ready='true']")))
    region = visits.project.load()
    areas = region.areas
    townships = int((areas["level"] == "township").sum())
    villages = int(((areas["level"] == "village") & areas.geometry.notna()).sum())
    sa = ServiceAccess.from_project(visits.project)
    facilities = len(sa.facilities(None))
    uncovered = int((~sa.coverage({"category": ["基层医疗卫生机构"]},
                                  minutes=15)["covered"].astype(bool)).sum())

    def count(css: str) -> int:
        return len(driver.find_elements(By.CSS_SELECTOR, f"#map svg path{css}"))

    assert townships == 8
    assert count(".hsplan-township") == townships
    assert count(".hsplan-facility") == facilities
    assert count(".hsplan-village") == villages
    assert count(".hsplan-village.uncovered") == uncovered
    assert count(".hsplan-road") > 0
    assert count(".hsplan-service-area") == 1  # the 15-minute circle of 基层医疗卫生机构
    # colour the townships by an indicator: the fills change, the count stays
    select = Select(driver.find_element(By.ID, "map-colour"))
    before = [p.get_attribute("fill") for p in
              driver.find_elements(By.CSS_SELECTOR, "#map svg path.hsplan-township")]
    select.select_by_index(1)
    after = [p.get_attribute("fill") for p in
             driver.find_elements(By.CSS_SELECTOR, "#map svg path.hsplan-township")]
    assert len(after) == townships
    assert before != after
    # click a township: its details appear beside the map
    driver.find_element(By.CSS_SELECTOR, "#map svg path.hsplan-township").click()
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.find_element(By.ID, "details").text.strip() != "")
    visits.shot("map-indicator")
    visits.drain_logs("map-click")
    assert [e for e in visits.console["map-click"] if e.get("level") == "SEVERE"] == []


def test_the_network_map_draws_the_medical_community(visits: Live) -> None:
    from hsplan.evaluation.institutions import alliances

    driver = visits.driver
    driver.get(visits.base + "/institutions")
    WebDriverWait(driver, WAIT_S).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#network-map[data-ready='true']")))
    members = alliances(visits.project.load(), year=2023)
    members = members[members["kind"] == "医共体"]
    located = members[members["facility_id"].isin(
        visits.project.load().facilities.dropna(subset=["geometry"])["id"])]

    def count(css: str) -> int:
        return len(driver.find_elements(By.CSS_SELECTOR, f"#network-map svg path{css}"))

    assert count(".hsplan-township") == 8
    assert count(".hsplan-lead") == 1
    assert count(".hsplan-link") == count(".hsplan-member") == len(located) - 1 > 0
    assert count(".hsplan-sub-centre") == 1  # the example's one 县域医疗卫生次中心, ringed
    assert count(".hsplan-catchment") == 1  # and its 30-minute circle
    statuses = {r.get_attribute("data-status") for r in
                driver.find_elements(By.CSS_SELECTOR, "#institutions-table tbody tr")}
    assert statuses <= set(STATUS_COLOURS) and len(statuses) >= 3


def test_upload_with_planted_mistakes_lists_each_and_writes_nothing(
        visits: Live, tmp_path: Path) -> None:
    project = visits.project
    workbook = planted_workbook(project, tmp_path)
    oracle = [(p.sheet, p.row, p.column) for p in validate_tables(project, workbook)
              if p.severity == "error"]
    before = project.store_path.read_bytes()
    # the project's files, less the writer lock an import attempt leaves (issue 11)
    files_before = sorted(p.name for p in project.root.rglob("*") if p.name != ".hsplan.lock")
    driver = visits.driver
    driver.get(visits.base + "/data")
    WebDriverWait(driver, WAIT_S).until(
        ec.presence_of_element_located((By.ID, "upload-file")))
    driver.find_element(By.ID, "upload-file").send_keys(str(workbook))
    driver.find_element(By.ID, "upload-submit").click()
    WebDriverWait(driver, WAIT_S).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "#import-problems tr.problem")))
    rows = driver.find_elements(By.CSS_SELECTOR, "#import-problems tr.problem")
    shown = [(r.find_element(By.CSS_SELECTOR, ".sheet").text,
              int(r.find_element(By.CSS_SELECTOR, ".row").text),
              r.find_element(By.CSS_SELECTOR, ".column").text) for r in rows]
    assert set(shown) == PLANTED
    assert shown == oracle
    texts = [r.text for r in rows]
    assert any("约200" in t for t in texts) and any("X999" in t for t in texts)
    result = driver.find_element(By.CSS_SELECTOR, ".import-result")
    assert result.get_attribute("data-imported") == "false"
    visits.shot("data-upload-mistakes")
    visits.drain_logs("upload")
    assert project.store_path.read_bytes() == before
    assert sorted(p.name for p in project.root.rglob("*")
                  if p.name != ".hsplan.lock") == files_before


def test_language_switch(visits: Live) -> None:
    driver = visits.driver
    driver.get(visits.base + "/norms")
    WebDriverWait(driver, WAIT_S).until(ec.presence_of_element_located((By.ID, "lang-switch")))
    assert driver.find_element(By.CSS_SELECTOR, "nav a[data-nav='norms']").text == "配置标准"
    driver.find_element(By.ID, "lang-switch").click()
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "nav a[data-nav='norms']").text == "Norms")
    assert driver.current_url.endswith("/norms")
    driver.find_element(By.ID, "lang-switch").click()
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "nav a[data-nav='norms']").text == "配置标准")
    visits.drain_logs("lang")


SERVER_PAGES = [  # the database server's pages the single-project dashboard also has
    ("/", "#tiles .tile", "server-overview"),
    ("/institutions", "#network-map[data-ready='true']", "server-institutions"),
    ("/scenarios", "#no-scenarios", "server-scenarios"),
    ("/data", "#upload-form", "server-data"),
]


def test_server_pages_in_the_browser(pg_cluster: Any, tmp_path: Path) -> None:
    """`hsplan serve --db`: log in through the form as the county planner; 重点机构, 情景 and
    数据 render under the server's CSP with no console error, in the navigation, and every
    request stays on 127.0.0.1."""
    from server_helpers import PASSWORD, make_server

    server = make_server(pg_cluster.create_database("server_browser"))
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with _served(server.app) as base:
        live = Live(Project.open(example_project_path()), base, _chrome(), shots)
        try:
            live.driver.get(base + "/login")
            live.driver.find_element(By.NAME, "name").send_keys("planner-county")
            live.driver.find_element(By.NAME, "password").send_keys(PASSWORD)
            live.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            WebDriverWait(live.driver, WAIT_S).until(
                ec.presence_of_element_located((By.CSS_SELECTOR, "#user")))
            for path, ready, name in SERVER_PAGES:
                live.open(path, ready, name)
                nav = [a.text for a in live.driver.find_elements(By.CSS_SELECTOR, "[data-nav]")]
                assert {"重点机构", "情景", "数据"} <= set(nav), nav
        finally:
            live.driver.quit()
            _copy_shots(shots)
    for _, _, name in SERVER_PAGES:
        errors = [e for e in live.console[name] if e.get("level") in ("SEVERE", "ERROR")]
        assert errors == [], name
    outside = [u for u in live.requests
               if not (u.startswith(base + "/") or u.startswith("data:"))]
    assert outside == []
    assert any("/api/v1/institutions" in u for u in live.requests)
