"""Shared by the server tests: a database holding the example project and its users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from hsplan.region.example import example_project_path
from hsplan.region.model import Region
from hsplan.region.project import Project
from hsplan.server import auth, db, migrate
from hsplan.server.app import PREFIX, create_server_app

PASSWORD = "correct horse battery"
OWN = "530403101"      # 江城镇: the township the scoped users hold
SIBLING = "530403102"  # 前卫镇: its sibling
PARENT = "530403"      # 江川区: the county above both
OWN_FACILITY = "T003"  # 江川区江城镇卫生院, in OWN
SIBLING_FACILITY = "T004"  # 江川区前卫镇卫生院, in SIBLING

# name → (role, areas, facilities, departments)
USERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "admin-own": ("管理员", (OWN,), (), ()),
    "admin-none": ("管理员", (), (), ()),
    "planner-own": ("规划人员", (OWN,), (), ()),
    "planner-county": ("规划人员", (PARENT,), (), ()),
    "planner-county-2": ("规划人员", (PARENT,), (), ()),
    "planner-none": ("规划人员", (), (), ()),
    "leader-own": ("领导", (OWN,), (), ()),
    "leader-none": ("领导", (), (), ()),
    "dept-finance": ("部门", (), (), ("区财政局",)),
    "reporter-own": ("机构填报员", (), (OWN_FACILITY,), ()),
    "reporter-none": ("机构填报员", (), (), ()),
}


@dataclass
class Server:
    """The app, its engine and the region it was loaded with."""

    app: Any
    engine: Engine
    region: Region

    def client(self, user: str | None = None) -> TestClient:
        """Return a client, logged in as `user` (with its CSRF header) when given."""
        client = TestClient(self.app)
        if user is not None:
            r = client.post(f"{PREFIX}/login", json={"name": user, "password": PASSWORD})
            assert r.status_code == 200, r.text
            client.headers["X-CSRF-Token"] = r.json()["csrf"]
        return client


def make_server(url: str) -> Server:
    """Return a server over a new database holding the example project and `USERS`."""
    engine = db.engine_for(url)
    migrate.upgrade(engine)
    region = Project.open(example_project_path()).load()
    db.import_region(engine, region)
    with engine.begin() as conn:
        for name, (role, areas, facilities, departments) in USERS.items():
            auth.create_user(conn, name, PASSWORD, role, areas=areas, facilities=facilities,
                             departments=departments)
    return Server(create_server_app(url, engine=engine), engine, region)
