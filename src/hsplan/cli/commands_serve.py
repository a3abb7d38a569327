"""`hsplan serve`: the browser dashboard and JSON API over one project (`hsplan.web`)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from hsplan.cli._app import PANEL_PLAN, app, console, err_console
from hsplan.errors import HsplanError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command("serve", rich_help_panel=PANEL_PLAN)
def serve_command(
    project: Annotated[Path, typer.Argument(help="the project folder")],
    host: Annotated[str, typer.Option(help="address to listen on (default: this computer "
                                            "only)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port", min=1, max=65535)] = 8000,
    plan: Annotated[str | None, typer.Option(
        "--plan", help="the plan shown by default (id or YAML file; default: the "
                       "project's plan for its county)")] = None,
) -> None:
    """Open the dashboard (总览, 指标, 地图, 配置标准, 任务, 情景, 数据) and the JSON API
    (/api/v1) of a project in the browser; Ctrl+C stops it."""
    try:
        import uvicorn

        from hsplan.web import create_app
    except ImportError as exc:  # pragma: no cover - the web extra is a runtime dependency
        raise HsplanError(f"hsplan serve needs fastapi and uvicorn ({exc}). "
                          "Fix: pip install -e . (they are hsplan dependencies).") from exc
    web_app = create_app(project, plan=plan, warm=True)
    state = web_app.state.project
    shown = f"[{host}]" if ":" in host else host
    console.print(f"[bold]{state.project.name}[/] · 规划 {state.plan().id}", highlight=False)
    console.print(f"dashboard: [bold]http://{shown}:{port}/[/]   API: http://{shown}:{port}"
                  "/api/v1   (Ctrl+C to stop)", highlight=False, soft_wrap=True)
    if not _is_loopback(host):
        err_console.print("[yellow]warning:[/] the dashboard has no login; listening on "
                          f"{host} lets anyone who reaches this computer read and import "
                          "data. Use --host 127.0.0.1 unless the network is trusted.",
                          highlight=False)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")
