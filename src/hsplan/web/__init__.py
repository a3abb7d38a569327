"""The web dashboard and JSON API over one project (`hsplan serve`).

- `app` — `create_app(project_path)`, the FastAPI application;
- `state` — `ProjectState`: the served project and its results cached per project state;
- `views` — the documents the API returns and the pages render (library results as JSON);
- `api` — the JSON API under ``/api/v1`` (OpenAPI at ``/openapi.json``, listed at ``/docs``);
- `pages` — the Chinese pages (总览, 指标, 地图, 配置标准, 任务, 情景, 数据), Jinja2;
- `errors` — the one JSON error shape (where, what, expected, got, fix);
- `i18n` — the page chrome in Chinese (default) and English.

Scripts and styles are vendored in ``static/vendor`` (ECharts 5.6.0, Leaflet 1.9.4,
htmx 1.9.12; `static/vendor/LICENSES.md`); nothing is fetched from the internet.
Delivery layer: imports the library, nothing imports it.
"""

from hsplan.web.app import create_app

__all__ = ["create_app"]
