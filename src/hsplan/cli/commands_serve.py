"""`hsplan serve`: the browser dashboard and JSON API over one project (`hsplan.web`)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from hsplan._i18n import _
from hsplan.cli._app import PANEL_PLAN, app, console, err_console
from hsplan.errors import HsplanError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command("serve", rich_help_panel=PANEL_PLAN,
    help=_("Open the dashboard (总览, 指标, 地图, 配置标准, 任务, 情景, 数据) and the JSON "
           "API (/api/v1) of a project in the browser; Ctrl+C stops it."))
def serve_command(
    project: Annotated[Path | None, typer.Argument(
        help=_("the project folder (leave out with --db)"))] = None,
    host: Annotated[str, typer.Option(help=_("address to listen on (default: this computer "
                                            "only)"))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=_("port"), min=1, max=65535)] = 8000,
    plan: Annotated[str | None, typer.Option(
        "--plan", help=_("the plan shown by default (id or YAML file; default: the "
                       "project's plan for its county)"))] = None,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="HSPLAN_DB",
        help=_("serve the multi-user server over this PostgreSQL database instead "
               "(postgresql://USER@HOST:PORT/DATABASE; logins, scopes, review, audit)"))] = None,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64,
        help=_("server processes with --db (each keeps its own cache of results)"))] = 1,
) -> None:
    """Open the dashboard (总览, 指标, 地图, 配置标准, 任务, 情景, 数据) and the JSON API
    (/api/v1) of a project in the browser; Ctrl+C stops it."""
    try:
        import uvicorn

        from hsplan.web import create_app
    except ImportError as exc:  # pragma: no cover - the web extra is a runtime dependency
        raise HsplanError(_("hsplan serve needs fastapi and uvicorn ({error}). Fix: pip "
                            "install -e . (they are hsplan dependencies).").format(
                                error=exc)) from exc
    if db is not None:
        from hsplan.server.app import create_server_app

        console.print(_("hsplan server: {pages} · API {api} (log in with a user made by "
                        "`hsplan users add`; Ctrl+C to stop)").format(
                            pages=f"[bold]http://{host}:{port}/[/]",
                            api=f"http://{host}:{port}/api/v1/server/"),
                      highlight=False, soft_wrap=True)
        if workers > 1:  # each worker process builds the app from the environment
            import os

            os.environ["HSPLAN_DB"] = db
            if plan:
                os.environ["HSPLAN_PLAN"] = plan
            uvicorn.run("hsplan.server.app:app_from_env", factory=True, workers=workers,
                        host=host, port=port, log_level="warning")
        else:
            uvicorn.run(create_server_app(db, plan=plan), host=host, port=port,
                        log_level="warning")
        return
    if project is None:
        raise HsplanError(_("hsplan serve: give a project folder, or --db URL for the "
                            "multi-user server. Fix: hsplan serve my-county/"))
    web_app = create_app(project, plan=plan, warm=True)
    state = web_app.state.project
    shown = f"[{host}]" if ":" in host else host
    console.print(_("{project} · plan {plan}").format(
        project=f"[bold]{escape(state.project.name)}[/]", plan=escape(state.plan().id)),
        highlight=False)
    console.print(_("dashboard: {pages}   API: {api}   (Ctrl+C to stop)").format(
        pages=f"[bold]http://{shown}:{port}/[/]", api=f"http://{shown}:{port}/api/v1"),
        highlight=False, soft_wrap=True)
    if not _is_loopback(host):
        mark = escape(_("warning:"))
        err_console.print(f"[yellow]{mark}[/] " + escape(_(
            "the dashboard has no login; listening on {host} lets anyone who reaches this "
            "computer read and import data. Use --host 127.0.0.1 unless the network is "
            "trusted.").format(host=host)), highlight=False)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")
