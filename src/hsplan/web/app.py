"""`create_app(project_path)`: the FastAPI application of one project (dashboard + API)."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hsplan.web import api, pages
from hsplan.web.errors import install_error_handlers
from hsplan.web.state import LAYERS, ProjectState

HERE = Path(__file__).parent
log = logging.getLogger("hsplan.web")


def warm_up(state: ProjectState) -> None:
    """Compute the results the pages show first (errors are left for the requests)."""
    from hsplan.errors import HsplanError
    from hsplan.web import views

    steps = [lambda: views.evaluation_doc(state, None),
             lambda: views.evaluation_doc(state, None, level="township"),
             lambda: views.norms_doc(state, None),
             lambda: views.tasks_doc(state, None, as_of=dt.date.today()),
             lambda: views.coverage_doc(state),
             *(lambda name=name: state.layer(name) for name in LAYERS)]
    for step in steps:
        try:
            step()
        except HsplanError as exc:  # shown to the user by the page that needs it
            log.info("warm-up skipped a step: %s", exc)


def create_app(project_path: str | Path, *, plan: str | None = None,
               warm: bool = False) -> FastAPI:
    """Return the web app serving the project in folder `project_path`.

    Pages (Chinese by default) at ``/``, ``/indicator/{target_id}``, ``/map``, ``/norms``,
    ``/tasks``, ``/scenarios``, ``/data``; the JSON API at ``/api/v1`` (OpenAPI at
    ``/docs`` and ``/openapi.json``); vendored scripts and styles at ``/static``. `plan` is
    the plan shown by default (an id or a YAML file; default: the project's own plan for
    its county, else the built-in one). The project is opened now, so a wrong folder fails
    before the server starts. With `warm`, a background thread computes the overview, norms,
    tasks and map results at start-up, so the first visitor does not wait for them.
    """
    state = ProjectState(project_path, plan=plan)
    state.plan()  # a plan that does not load fails here, not on the first request
    files_dir = Path(tempfile.mkdtemp(prefix="hsplan-web-files-"))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=warm_up, args=(state,), daemon=True,
                             name="hsplan-warm").start()
        yield
        shutil.rmtree(files_dir, ignore_errors=True)

    app = FastAPI(title="hsplan", version="1",
                  summary=f"卫生健康规划监测 — {state.project.name}",
                  description="The dashboard's JSON API: plans, indicators, evaluation "
                              "(traffic lights), norms, needs, access, tasks, scenarios, "
                              "map layers and import. Errors have one shape: "
                              "{status, errors: [{where, what, expected, got, fix}]}.",
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.project = state
    app.state.files_dir = files_dir
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
